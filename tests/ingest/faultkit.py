"""Helpers shared by the fault and security regression tests: the real CLI, published-state snapshots, roles."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import psycopg
from click.testing import CliRunner

from hub.cli.main import cli
from hub.db.connect import conninfo
from hub.settings import PROJECT_ROOT

# Characters that betray text decoded with the wrong legacy table (TCVN3 / VNI read as Latin-1 / CP1252,
# or UTF-8 read as CP1252); none occurs in correctly decoded Vietnamese NFC text.
MOJIBAKE = ("§", "¬", "Ã", "Â¸", "©", "¨", "«", "µ", "¸", "¶", "¹", "®", "\xad",
            "áº", "á»", "Ä‘", "Æ°", "\ufffd")


@dataclass(frozen=True)
class Result:
    """Outcome of one `hub` command."""

    code: int
    stdout: str
    stderr: str

    def json(self) -> dict:
        """stdout parsed as the command's --json document."""
        return json.loads(self.stdout)


def hub(*args: str) -> Result:
    """Run `hub ARGS...` in-process through click (the same HubGroup error handling as the installed command)."""
    res = CliRunner().invoke(cli, [str(a) for a in args])
    return Result(res.exit_code, res.stdout, res.stderr)


def hub_process(*args: str, env: dict | None = None) -> subprocess.Popen:
    """Start `python -m hub.cli.main ARGS...` as a separate process (stdout/stderr piped, text)."""
    return subprocess.Popen([sys.executable, "-m", "hub.cli.main", *map(str, args)], cwd=PROJECT_ROOT,
                            env={**os.environ, **(env or {})}, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True)


def served(conn: psycopg.Connection, view: str) -> tuple[int, str | None]:
    """(row count, checksum over ids and geometries) of what a pub view serves."""
    return conn.execute(
        f"SELECT count(*), md5(string_agg(id || ':' || md5(ST_AsBinary(geom)), ',' ORDER BY id)) FROM pub.{view}"
    ).fetchone()


def published(conn: psycopg.Connection, ds: str) -> tuple | None:
    """(load_id, version, row_count) of the dataset's published version, or None."""
    return conn.execute("SELECT load_id, version, row_count FROM meta.published JOIN meta.published_collection "
                        "USING (dataset_id) WHERE dataset_id = %s",
                        (ds,)).fetchone()


def last_load(conn: psycopg.Connection, ds: str) -> tuple:
    """(load_id, status, message, forced) of the dataset's newest ledger row."""
    return conn.execute("SELECT load_id, status, message, forced FROM meta.load WHERE dataset_id = %s "
                        "ORDER BY load_id DESC LIMIT 1", (ds,)).fetchone()


def max_load_id(conn: psycopg.Connection) -> int:
    """The newest ledger row id (0 when empty)."""
    return conn.execute("SELECT coalesce(max(load_id), 0) FROM meta.load").fetchone()[0]


def api_select(dbname: str, view: str) -> int:
    """Row count of a pub view read as hub_api over TCP, the way the API reads it."""
    with psycopg.connect(conninfo("api", dbname, tcp=True)) as api:
        return api.execute(f"SELECT count(*) FROM pub.{view}").fetchone()[0]


def assert_clean_error(res: Result, *needles: str) -> None:
    """A refusal as the CLI must print it: one `error:` line, no trace, naming what it should."""
    assert res.code != 0
    assert "Traceback" not in res.stderr and "Traceback" not in res.stdout, res.stderr
    assert res.stderr.startswith("error: "), res.stderr
    for needle in needles:
        assert needle in res.stderr, (needle, res.stderr)


def files_under(folder: Path) -> set[Path]:
    """Every path under a folder (to prove nothing was written)."""
    return set(folder.rglob("*"))
