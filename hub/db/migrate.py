"""Versioned migrations: ordered SQL or Python files, a version table, checksums, one transaction each."""

from __future__ import annotations

import hashlib
import importlib.util
import re
from dataclasses import dataclass
from pathlib import Path

import psycopg
from psycopg import sql

from hub.db import guard
from hub.db.connect import ROLE_NAMES, connect, role_password
from hub.errors import MigrationError
from hub.settings import DbSettings, db_settings

MIGRATIONS = Path(__file__).parent / "migrations"
_NAME = re.compile(r"^(\d{4})_([a-z0-9_]+)\.(sql|py)$")
ANALYST_STATEMENT_TIMEOUT_MS = 300_000
LOCK_KEY = 0x4855425F4D4947  # advisory lock: one migrator at a time ("HUB_MIG")


@dataclass(frozen=True)
class Migration:
    """One migration file."""

    version: int
    name: str
    path: Path

    @property
    def checksum(self) -> str:
        """sha256 of the file: an applied migration must never change."""
        return hashlib.sha256(self.path.read_bytes()).hexdigest()


def available() -> list[Migration]:
    """All migration files, in version order."""
    found = []
    for p in sorted(MIGRATIONS.iterdir()):
        m = _NAME.match(p.name)
        if m:
            found.append(Migration(int(m.group(1)), m.group(2), p))
    versions = [m.version for m in found]
    if len(set(versions)) != len(versions):
        raise MigrationError("two migration files share a version number")
    return found


def _ensure_version_table(conn: psycopg.Connection) -> None:
    """The version table lives in its own schema so migration 0001 can create everything else."""
    conn.execute("CREATE SCHEMA IF NOT EXISTS hub_migrations")
    conn.execute("CREATE TABLE IF NOT EXISTS hub_migrations.applied (version integer PRIMARY KEY, "
                 "name text NOT NULL, checksum text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())")


def applied(conn: psycopg.Connection) -> dict[int, tuple[str, str]]:
    """Applied versions -> (name, checksum)."""
    exists = conn.execute("SELECT to_regclass('hub_migrations.applied')").fetchone()[0]
    if not exists:
        return {}
    return {v: (n, c) for v, n, c in conn.execute("SELECT version, name, checksum FROM hub_migrations.applied")}


def _run_one(conn: psycopg.Connection, mig: Migration) -> None:
    """Apply one migration inside the caller's transaction."""
    if mig.path.suffix == ".sql":
        conn.execute(mig.path.read_text(encoding="utf-8"))
    else:
        spec = importlib.util.spec_from_file_location(f"hub_migration_{mig.version}", mig.path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        module.apply(conn)
    conn.execute("INSERT INTO hub_migrations.applied (version, name, checksum) VALUES (%s, %s, %s)",
                 (mig.version, mig.name, mig.checksum))


def migrate(dbname: str | None = None) -> list[Migration]:
    """Apply pending migrations, then (re)assert role settings; returns what was applied."""
    done: list[Migration] = []
    with connect("admin", dbname, autocommit=True) as conn:
        conn.execute("SELECT pg_advisory_lock(%s)", (LOCK_KEY,))
        try:
            _ensure_version_table(conn)
            have = applied(conn)
            for mig in available():
                if mig.version in have:
                    if have[mig.version][1] != mig.checksum:
                        raise MigrationError(f"migration {mig.path.name} was edited after it was applied; "
                                             "add a new migration instead")
                    continue
                try:
                    with conn.transaction():
                        _run_one(conn, mig)
                except Exception as exc:  # any failure: the migration's transaction is already rolled back
                    raise MigrationError(f"migration {mig.path.name} failed and was rolled back "
                                         f"({type(exc).__name__})", internal=str(exc)) from exc
                done.append(mig)
            ensure_roles(conn)
        finally:
            conn.execute("SELECT pg_advisory_unlock(%s)", (LOCK_KEY,))
    return done


def _reset_public_role_settings(conn: psycopg.Connection) -> None:
    """Drop every setting of hub_api and hub_analyst, in any database (one the role may have set on itself before
    the guard existed, e.g. statement_timeout = 0), before ensure_roles sets the hub's own again."""
    for key in ("api", "analyst"):
        role = sql.Identifier(ROLE_NAMES[key])
        for (dbname,) in conn.execute(
                "SELECT d.datname FROM pg_db_role_setting s JOIN pg_database d ON d.oid = s.setdatabase "
                "WHERE s.setrole = to_regrole(%s)", (ROLE_NAMES[key],)).fetchall():
            conn.execute(sql.SQL("ALTER ROLE {} IN DATABASE {} RESET ALL").format(role, sql.Identifier(dbname)))
        conn.execute(sql.SQL("ALTER ROLE {} RESET ALL").format(role))


def ensure_roles(conn: psycopg.Connection, settings: DbSettings | None = None) -> None:
    """Passwords and safety settings of the login roles (idempotent; values from settings, not migrations)."""
    s = settings or db_settings()
    _reset_public_role_settings(conn)
    for key, role in ROLE_NAMES.items():
        conn.execute(sql.SQL("ALTER ROLE {} WITH LOGIN PASSWORD {}").format(
            sql.Identifier(role), sql.Literal(role_password(key))))
    api = sql.Identifier(ROLE_NAMES["api"])
    for setting, value in (("default_transaction_read_only", "on"),
                           ("statement_timeout", str(s.api_statement_timeout_ms)),
                           ("idle_in_transaction_session_timeout", "60000")):
        conn.execute(sql.SQL("ALTER ROLE {} SET {} = {}").format(api, sql.Identifier(setting), sql.Literal(value)))
    conn.execute(sql.SQL("ALTER ROLE {} SET search_path = pub, public").format(api))
    # Short, index-driven queries: JIT compilation costs 0.3-1 s and saves nothing (measured in bench/api.py).
    for key in ("api", "etl"):
        conn.execute(sql.SQL("ALTER ROLE {} SET jit = off").format(sql.Identifier(ROLE_NAMES[key])))
    conn.execute(sql.SQL("ALTER ROLE {} SET statement_timeout = {}").format(
        sql.Identifier(ROLE_NAMES["analyst"]), sql.Literal(f"{ANALYST_STATEMENT_TIMEOUT_MS}ms")))
    conn.execute(sql.SQL("ALTER ROLE {} SET default_transaction_read_only = on").format(
        sql.Identifier(ROLE_NAMES["analyst"])))
    # Issue 16 item 10: limits neither role can loosen (SET, set_config, startup options, ALTER ROLE itself).
    for key, timeout_ms in (("api", s.api_statement_timeout_ms), ("analyst", ANALYST_STATEMENT_TIMEOUT_MS)):
        conn.execute(sql.SQL("ALTER ROLE {} SET temp_file_limit = '4GB'").format(sql.Identifier(ROLE_NAMES[key])))
        guard.configure(conn, ROLE_NAMES[key], timeout_ms, s)
