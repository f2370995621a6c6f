"""A real `hub serve` subprocess for tests: free port, its own runtime folder and log, stopped afterwards."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    """A free TCP port on loopback."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def serving(home: Path, env: dict[str, str] | None = None, workers: int = 2) -> Iterator[str]:
    """`hub serve` on a free port against the test database (log in home/server.log); yields its base URL."""
    port = free_port()
    real_home = os.environ.get("HUB_HOME") or str(ROOT / ".hub")
    full = {**os.environ, "HUB_API_PORT": str(port), "HUB_API_HOST": "127.0.0.1", "HUB_HOME": real_home,
            "HUB_API_RUNTIME_DIR": str(home), "PYTHONPATH": str(ROOT), **(env or {})}
    for key in ("PYGEOAPI_CONFIG", "PYGEOAPI_OPENAPI", "HUB_API_CONFIG_TOKEN"):
        full.pop(key, None)
    log = open(home / "server.log", "wb")
    command = [str(Path(sys.executable).parent / "hub"), "serve", "--workers", str(workers), "--log-level", "info"]
    proc = subprocess.Popen(command, env=full, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                raise RuntimeError(f"hub serve exited: {(home / 'server.log').read_text()[-3000:]}")
            try:
                if httpx.get(f"{base}/conformance?f=json", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.3)
        else:
            raise RuntimeError("hub serve did not become ready")
        yield base
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
        log.close()
