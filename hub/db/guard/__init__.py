"""hub_guard: the PostgreSQL library that keeps hub_api and hub_analyst from loosening their own safeguards.

PostgreSQL 15 lets any role SET (or ALTER ROLE itself to persist) statement_timeout, work_mem and read-only
mode; only a server-side hook can refuse that (see hub_guard.c). The embedded cluster builds the library at
`hub db up` (gcc + postgresql-server-dev-15, installed by `make install`) into HUB_HOME/lib, where the cluster's
OS user can read it, and `ensure_roles` preloads it into the two roles' sessions with their limits. An existing
server (HUB_DATABASE_URL) gets the SQL-level hardening only, and `hub db status` says so.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import psycopg
from psycopg import sql

from hub.errors import ConfigError
from hub.settings import DbSettings, hub_home

SOURCE = Path(__file__).with_name("hub_guard.c")
PG_CONFIG = Path("/usr/lib/postgresql/15/bin/pg_config")
WORK_MEM_KB = 32 * 1024  # the cluster's work_mem (hub.db.cluster._configure): a guarded session may only lower it
HASH_MEM_MULTIPLIER = 2.0  # PostgreSQL's default
IDLE_IN_TRANSACTION_MS = 60_000


def library() -> Path:
    """Where the built library lives (readable by the cluster's OS user)."""
    return hub_home() / "lib" / "hub_guard.so"


def build() -> Path:
    """Compile the library when missing or older than its source; returns its path."""
    out = library()
    if out.exists() and out.stat().st_mtime >= SOURCE.stat().st_mtime:
        return out
    cc = shutil.which("gcc") or shutil.which("cc")
    if cc is None or not PG_CONFIG.exists():
        raise ConfigError("cannot build hub_guard: install gcc and postgresql-server-dev-15 (make install does it)")
    include = subprocess.run([str(PG_CONFIG), "--includedir-server"], check=True, capture_output=True,
                             text=True).stdout.strip()
    out.parent.mkdir(parents=True, exist_ok=True)
    os.chmod(out.parent, 0o755)
    tmp = out.with_name(f".{out.name}.{os.getpid()}")
    res = subprocess.run([cc, "-O2", "-fPIC", "-shared", "-Wall", "-Werror", f"-I{include}", "-o", str(tmp),
                          str(SOURCE)], capture_output=True, text=True)
    if res.returncode != 0:
        raise ConfigError("cannot build hub_guard (see the log)", internal=res.stderr)
    os.chmod(tmp, 0o644)
    tmp.replace(out)
    return out


def limits(role: str, statement_timeout_ms: int) -> dict[str, str]:
    """The role's guard settings (superuser-only parameters the role cannot change)."""
    return {"hub_guard.max_statement_timeout": str(statement_timeout_ms),
            "hub_guard.max_idle_in_transaction_session_timeout": str(IDLE_IN_TRANSACTION_MS),
            "hub_guard.max_work_mem": str(WORK_MEM_KB),
            "hub_guard.max_hash_mem_multiplier": str(HASH_MEM_MULTIPLIER),
            "hub_guard.read_only": "on"}


def configure(conn: psycopg.Connection, role: str, statement_timeout_ms: int, settings: DbSettings) -> bool:
    """Preload the guard into the role's sessions with its limits; False (nothing set) when the server is not the
    embedded cluster or the library is not built."""
    ident = sql.Identifier(role)
    if not settings.embedded or not library().exists():
        return False
    for name, value in limits(role, statement_timeout_ms).items():
        conn.execute(sql.SQL("ALTER ROLE {} SET {} = {}").format(ident, sql.SQL(name), sql.Literal(value)))
    # One string literal is one list item (PostgreSQL quotes it): a path with spaces or commas stays whole.
    conn.execute(sql.SQL("ALTER ROLE {} SET session_preload_libraries = {}").format(
        ident, sql.Literal(str(library()))))
    return True


def active(conn: psycopg.Connection) -> bool:
    """Whether the current session runs under the guard (pg_settings lists its parameters only once the library is
    loaded; the role's settings alone leave mere placeholders)."""
    return conn.execute("SELECT EXISTS (SELECT 1 FROM pg_settings WHERE name = 'hub_guard.read_only')").fetchone()[0]
