"""Messages in the user's language from one catalogue: the catalogue is complete, the CLI follows HUB_LANG / LANG
(real `hub` subprocesses), the API follows `lang=` and Accept-Language, and a second cluster on a taken port says so."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from hub import i18n
from hub.errors import M
from hub.i18n import build

HUB = str(Path(sys.executable).parent / "hub")


def test_catalogues_complete_and_consistent():
    """Every .po compiles; no fuzzy or empty entry; each id has the same placeholders in English and Vietnamese."""
    pos = build.catalogues()
    assert any(p.parts[-4:] == ("vi", "LC_MESSAGES", "hub.po")[-3:] or p.name == "hub.po" for p in pos)
    assert build.problems(pos) == []
    assert M.ids("vi") == M.ids("en") and len(M.ids("vi")) > 50


@pytest.mark.parametrize(("env", "want"), [
    ({"HUB_LANG": "vi"}, "vi"), ({"LANG": "vi_VN.UTF-8"}, "vi"), ({"LANG": "en_GB.UTF-8"}, "en"),
    ({"HUB_LANG": "en", "LANG": "vi_VN.UTF-8"}, "en"), ({"LC_ALL": "vi_VN.UTF-8", "LANG": "C"}, "vi"),
    ({"LANG": "C.UTF-8"}, "en"), ({}, "en"), ({"LANG": "fr_FR.UTF-8"}, "en"),
])
def test_cli_language_from_environment(env, want):
    """HUB_LANG first, then the POSIX order LC_ALL, LC_MESSAGES, LANG; anything else is English."""
    assert i18n.from_env(env) == want


@pytest.mark.parametrize(("query", "header", "want"), [
    (None, "vi-VN,vi;q=0.9,en;q=0.8", "vi"), (None, "en-US,en;q=0.9,vi;q=0.5", "en"), ("vi", "en", "vi"),
    ("en", "vi", "en"), (None, "fr, vi;q=0.4", "vi"), (None, "", "en"), (None, "vi;q=0, en;q=0.1", "en"),
])
def test_api_language_negotiation(query, header, want):
    """`lang=` wins, then the best supported Accept-Language by q-value, else English."""
    assert i18n.request_language(query, header) == want


def _run(args, **env):
    """`hub ...` as a subprocess with extra environment; the inherited language variables are cleared first."""
    base = {k: v for k, v in os.environ.items() if k not in i18n.ENV_ORDER}
    return subprocess.run([HUB, *args], env={**base, **env}, capture_output=True, text=True, timeout=300)


def test_second_cluster_on_taken_port_says_so(hub_db, tmp_path):
    """A second copy's `hub db up` on the port the suite's cluster holds: exit 4, the port, how to choose another
    (HUB_DB_PORT), in Vietnamese under LANG=vi_VN.UTF-8; `hub db status` says the same, not "run hub db up"."""
    from hub.settings import db_settings

    port = str(db_settings().port)
    env = {"HUB_HOME": str(tmp_path / "second"), "HUB_DB_PORT": port}
    en = _run(["db", "up"], LANG="C.UTF-8", **env)
    assert en.returncode == 4, en.stderr
    assert f"port {port} on 127.0.0.1 is already in use" in en.stderr and "HUB_DB_PORT=" in en.stderr
    assert "Traceback" not in en.stderr and not (tmp_path / "second" / "pg").exists()
    vi = _run(["db", "up"], LANG="vi_VN.UTF-8", **env)
    assert vi.returncode == 4 and vi.stderr.startswith("lỗi: cổng " + port) and "HUB_DB_PORT=" in vi.stderr
    status = _run(["db", "status"], LANG="C.UTF-8", **env)
    assert status.returncode == 4 and "already in use" in status.stderr and "run `hub db up`" not in status.stderr


def test_free_port_not_running_says_how_to_start(tmp_path):
    """No cluster on a free port: `hub db status` names the data folder and port and says `hub db up`."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    r = _run(["db", "status"], HUB_HOME=str(tmp_path / "none"), HUB_DB_PORT=str(port), HUB_LANG="en")
    assert r.returncode == 4 and "is not running" in r.stderr and f"port {port}" in r.stderr
    assert "hub db up" in r.stderr


def test_ingest_summary_in_both_languages(hub_db, tmp_path):
    """`LANG=vi_VN.UTF-8 hub ingest ... --dry-run` prints the summary and rule titles in Vietnamese; English
    otherwise; the --json document stays language-neutral."""
    from tests.api.synthetic import write_source

    source = tmp_path / "thua_dat.gpkg"
    write_source(source)
    vi = _run(["ingest", "cadastre_cantho", str(source), "--dry-run", "--valid-from", "2021-06-15"],
              LANG="vi_VN.UTF-8")
    assert vi.returncode == 0, vi.stderr
    assert "chạy thử, chưa công bố" in vi.stderr and "dòng đọc vào" in vi.stderr and "dòng bị loại" in vi.stderr
    assert "đất quốc phòng, an ninh (không công bố)" in vi.stderr  # the synthetic data holds defence parcels
    en = _run(["ingest", "cadastre_cantho", str(source), "--dry-run", "--valid-from", "2021-06-15"],
              LANG="en_US.UTF-8")
    assert en.returncode == 0 and "rows in" in en.stderr and "defence or security land" in en.stderr
    js = _run(["ingest", "cadastre_cantho", str(source), "--dry-run", "--json"], LANG="vi_VN.UTF-8")
    assert '"status": "dry_run"' in js.stdout


def test_cli_error_in_vietnamese(tmp_path):
    """An input error: the prefix and the location words follow the language; the file name stays."""
    missing = tmp_path / "không_có.shp"
    missing.write_bytes(b"")
    vi = _run(["ingest", "cadastre_cantho", str(missing), "--dry-run"], HUB_LANG="vi")
    en = _run(["ingest", "cadastre_cantho", str(missing), "--dry-run"], HUB_LANG="en")
    assert vi.returncode == en.returncode != 0
    assert vi.stderr.startswith("lỗi: ") and en.stderr.startswith("error: ")
