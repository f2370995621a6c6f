"""Servers of the API benchmark: the hub, stock pygeoapi 0.21 and tipg 1.6, each with 2 workers on loopback.

Every server reads the same public view (pub.<view>) over TCP 127.0.0.1 with a SCRAM password:
the hub as its read-only `hub_api` role (its normal configuration: 5 s statement timeout, read-only transactions),
pygeoapi and tipg as `hub_analyst` (SELECT on the pub views; 300 s statement timeout; bench/api.py grants it TEMP
in the benchmark database, because tipg creates its catalog functions in pg_temp, and sets jit=off for it there).
Servers are started as child processes in their own session and stopped by their own PID / process group only.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import yaml

VENV_BIN = Path(sys.executable).parent
WORKERS = 2


def free_port() -> int:
    """A free TCP port on 127.0.0.1."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Server:
    """One server under test: how to reach it and the process that runs it."""

    name: str
    port: int
    collection: str
    cmd: list[str]
    env: dict[str, str]
    describe: str
    item_suffix: str = ""  # query string added to every items URL (format selection)
    tile_suffix: str = ""
    proc: subprocess.Popen | None = None
    log: Path | None = None
    extra: dict = field(default_factory=dict)

    @property
    def base(self) -> str:
        """Base URL."""
        return f"http://127.0.0.1:{self.port}"

    def start(self, log_dir: Path) -> None:
        """Start the server in its own process group (stopped by PID, see stop())."""
        self.log = log_dir / f"{self.name}.log"
        fh = open(self.log, "wb")
        self.proc = subprocess.Popen(self.cmd, env={**os.environ, **self.env}, stdout=fh, stderr=subprocess.STDOUT,
                                     start_new_session=True)

    def wait_ready(self, path: str, timeout: float = 120.0) -> None:
        """Poll until `path` answers 200 (the first request also warms catalog/reflection caches)."""
        deadline = time.monotonic() + timeout
        last = None
        while time.monotonic() < deadline:
            if self.proc is not None and self.proc.poll() is not None:
                raise SystemExit(f"{self.name} exited early; see {self.log}")
            try:
                r = httpx.get(self.base + path, timeout=30)
                if r.status_code == 200:
                    return
                last = f"HTTP {r.status_code}: {r.text[:200]}"
            except httpx.HTTPError as exc:
                last = repr(exc)
            time.sleep(0.5)
        raise SystemExit(f"{self.name} not ready after {timeout:.0f}s ({last}); see {self.log}")

    def worker_pids(self) -> list[int]:
        """PIDs of the worker processes (children of the supervisor that answer requests)."""
        if self.proc is None:
            return []
        kids = _children(self.proc.pid)
        out = []
        for pid in kids:  # `hub serve` / uvicorn / gunicorn: workers are the supervisor's Python children
            cmd = _cmdline(pid)
            if "resource_tracker" in cmd or "semaphore_tracker" in cmd:
                continue
            out.append(pid)
        return out

    def stop(self) -> None:
        """SIGTERM to the process group this benchmark created (its own PID), then SIGKILL after 15 s."""
        if self.proc is None or self.proc.poll() is not None:
            return
        try:
            os.killpg(self.proc.pid, signal.SIGTERM)
            self.proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=5)
        except ProcessLookupError:
            pass


def _children(pid: int) -> list[int]:
    """Direct children of a process (from /proc)."""
    out = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            out += [int(p) for p in (task / "children").read_text().split()]
        except OSError:
            pass
    return out


def _cmdline(pid: int) -> str:
    """A process's command line."""
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return ""


def rss_mib(pid: int) -> tuple[float, float]:
    """(VmRSS, VmHWM) of a process in MiB."""
    vals = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(("VmRSS:", "VmHWM:")):
            key, num = line.split()[:2]
            vals[key] = int(num) / 1024
    return vals.get("VmRSS:", 0.0), vals.get("VmHWM:", 0.0)


def reset_peak(pid: int) -> None:
    """Reset a process's peak RSS (VmHWM) to its current RSS (Linux clear_refs 5)."""
    try:
        Path(f"/proc/{pid}/clear_refs").write_text("5")
    except OSError:
        pass


def hub_server(port: int, db_url: str, runtime_dir: Path) -> Server:
    """`hub serve --workers 2` (uvicorn, httptools/uvloop when installed), connecting as hub_api over TCP."""
    return Server(
        "hub", port, "cadastre_upload",
        [sys.executable, "-m", "hub.cli.main", "serve", "--workers", str(WORKERS), "--port", str(port)],
        {"HUB_DATABASE_URL": db_url, "HUB_API_RUNTIME_DIR": str(runtime_dir)},
        f"hub serve --workers {WORKERS} (uvicorn), role hub_api",
        item_suffix="f=json")


def pygeoapi_server(port: int, conn: dict, view: tuple[str, str], bbox: list[float], tmp: Path) -> Server:
    """Stock pygeoapi 0.21: PostgreSQLProvider (features) + MVT-postgresql (tiles), gunicorn + 2 uvicorn workers."""
    schema, table = view
    data = {"host": conn["host"], "port": conn["port"], "dbname": conn["dbname"], "user": conn["user"],
            "password": conn["password"], "search_path": [schema]}
    config = {
        "server": {"bind": {"host": "127.0.0.1", "port": port}, "url": f"http://127.0.0.1:{port}",
                   "mimetype": "application/json; charset=UTF-8", "encoding": "utf-8", "gzip": False,
                   "languages": ["en-US"], "cors": False, "pretty_print": False,
                   "limits": {"default_items": 10, "max_items": 10000, "on_exceed": "throttle"},
                   "map": {"url": "https://tile.openstreetmap.org/{z}/{x}/{y}.png", "attribution": "OSM"},
                   "admin": False},
        "logging": {"level": "ERROR"},
        "metadata": {
            "identification": {"title": "bench", "description": "API benchmark", "keywords": ["bench"],
                               "keywords_type": "theme", "terms_of_service": "https://example.org",
                               "url": "https://example.org"},
            "license": {"name": "CC-BY-4.0", "url": "https://creativecommons.org/licenses/by/4.0/"},
            "provider": {"name": "bench", "url": "https://example.org"},
            "contact": {"name": "bench", "position": "-", "address": "-", "city": "-", "stateorprovince": "-",
                        "postalcode": "-", "country": "-", "email": "bench@example.org", "url": "https://example.org",
                        "role": "pointOfContact"}},
        "resources": {table: {
            "type": "collection", "title": "cadastre upload", "description": "benchmark parcels",
            "keywords": ["cadastre"], "links": [],
            "extents": {"spatial": {"bbox": bbox, "crs": "http://www.opengis.net/def/crs/OGC/1.3/CRS84"}},
            "providers": [
                {"type": "feature", "name": "PostgreSQL", "data": data, "id_field": "id", "table": table,
                 "geom_field": "geom"},
                # no `schemes` option: a list there breaks get_engine()'s functools.cache in 0.21 (unhashable)
                {"type": "tile", "name": "MVT-postgresql", "data": data, "id_field": "id", "table": table,
                 "geom_field": "geom", "options": {"zoom": {"min": 0, "max": 22}},
                 "format": {"name": "pbf", "mimetype": "application/vnd.mapbox-vector-tile"}},
            ]}},
    }
    cfg = tmp / "pygeoapi-config.yml"
    oas = tmp / "pygeoapi-openapi.yml"
    cfg.write_text(yaml.safe_dump(config, sort_keys=False))
    env = {"PYGEOAPI_CONFIG": str(cfg), "PYGEOAPI_OPENAPI": str(oas)}
    subprocess.run([str(VENV_BIN / "pygeoapi"), "openapi", "generate", str(cfg), "--output-file", str(oas)],
                   env={**os.environ, **env}, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return Server(
        "pygeoapi", port, table,
        [str(VENV_BIN / "gunicorn"), "-w", str(WORKERS), "-k", "uvicorn.workers.UvicornWorker",
         "-b", f"127.0.0.1:{port}", "--log-level", "warning", "--timeout", "120", "pygeoapi.starlette_app:APP"],
        env, f"pygeoapi 0.21 stock PostgreSQLProvider, gunicorn -w {WORKERS} -k uvicorn.workers.UvicornWorker "
             "(starlette_app), role hub_analyst",
        item_suffix="f=json", tile_suffix="f=mvt")


def tipg_server(port: int, url: str, view: tuple[str, str]) -> Server:
    """tipg 1.6: `uvicorn tipg.main:app --workers 2`, catalog limited to the one view."""
    schema, table = view
    env = {"DATABASE_URL": url, "TIPG_DB_SCHEMAS": f'["{schema}"]', "TIPG_DB_TABLES": f'["{schema}.{table}"]',
           "TIPG_DB_EXCLUDE_FUNCTION_SCHEMAS": '["public", "pg_catalog"]', "TIPG_MAX_FEATURES_PER_QUERY": "10000"}
    return Server(
        "tipg", port, f"{schema}.{table}",
        [str(VENV_BIN / "uvicorn"), "tipg.main:app", "--workers", str(WORKERS), "--host", "127.0.0.1",
         "--port", str(port), "--log-level", "warning", "--no-access-log"],
        env, f"uvicorn tipg.main:app --workers {WORKERS}, role hub_analyst", item_suffix="f=geojson")
