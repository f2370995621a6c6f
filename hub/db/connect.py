"""Connections to the hub database, one login role per job (admin, etl, analyst, api)."""

from __future__ import annotations

import json
import os
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, Literal

import psycopg
from psycopg.conninfo import conninfo_to_dict, make_conninfo

from hub.errors import DatabaseUnavailable, M
from hub.settings import DbSettings, db_settings, hub_home

Role = Literal["admin", "etl", "analyst", "api"]
ROLE_NAMES: dict[str, str] = {"etl": "hub_etl", "analyst": "hub_analyst", "api": "hub_api"}
OWNER_ROLE = "hub_owner"


def _secrets_file():
    """Where generated role passwords live (mode 0600)."""
    return hub_home() / "secrets.json"


def role_password(role: str) -> str:
    """The password of a login role: HUB_DB_<ROLE>_PASSWORD, else generated once and kept in .hub/secrets.json."""
    env = os.environ.get(f"HUB_DB_{role.upper()}_PASSWORD")
    if env:
        return env
    path = _secrets_file()
    data = json.loads(path.read_text()) if path.exists() else {}
    if role not in data:
        data[role] = secrets.token_urlsafe(24)
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        with open(os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "w") as fh:
            json.dump(data, fh, indent=2)
        tmp.replace(path)
    return data[role]


def database_name(settings: DbSettings | None = None) -> str:
    """The database the hub uses: HUB_DB_NAME if set, else the URL's, else 'hub'."""
    s = settings or db_settings()
    if "HUB_DB_NAME" in os.environ or not s.url:
        return s.name
    return str(conninfo_to_dict(s.url).get("dbname") or s.name)


def conninfo(role: Role = "admin", dbname: str | None = None, tcp: bool = False,
             settings: DbSettings | None = None) -> str:
    """libpq connection string for a role; tcp=True forces 127.0.0.1 + password (embedded cluster)."""
    s = settings or db_settings()
    db = dbname or database_name(s)
    extra = {"application_name": f"hub-{role}"}
    if role != "admin":
        extra.update(user=ROLE_NAMES[role], password=role_password(role))
    if s.url:
        return make_conninfo(s.url, dbname=db, **extra)
    if tcp:
        return make_conninfo(host="127.0.0.1", port=s.port, dbname=db, **({"user": "hub"} | extra))
    return make_conninfo(host=str(s.socket_dir), port=s.port, dbname=db, **({"user": "hub"} | extra))


def connect(role: Role = "admin", dbname: str | None = None, autocommit: bool = False, **kw) -> psycopg.Connection:
    """Open a connection; a clear DatabaseUnavailable when the server is not there."""
    try:
        return psycopg.connect(conninfo(role, dbname), autocommit=autocommit, **kw)
    except psycopg.OperationalError as exc:
        raise DatabaseUnavailable(_unreachable(role), internal=str(exc)) from exc


def _unreachable(role: str):
    """Why the hub database cannot be reached, and what to do (the embedded cluster's state and port)."""
    s = db_settings()
    if not s.embedded:
        return M("db.cannot_connect", role=role, hint="check HUB_DATABASE_URL")
    from hub.db import cluster

    try:
        up = cluster.running(s)
    except Exception:  # noqa: BLE001 - no server binaries: the start message explains that
        up = False
    if up:
        return M("db.cannot_connect", role=role, hint=f"the embedded server on port {s.port} refused the connection")
    if cluster.port_in_use(s.port):
        return cluster.port_taken_error(s.port).message
    return M("db.not_running", data_dir=s.cluster_dir, port=s.port)


@contextmanager
def transaction(role: Role = "admin") -> Iterator[psycopg.Connection]:
    """A connection in one explicit transaction, committed on success, rolled back on error."""
    conn = connect(role)
    try:
        with conn.transaction():
            yield conn
    finally:
        conn.close()


def first(cur: psycopg.Cursor) -> Any:
    """The first value of a query that always returns one row (an aggregate, EXISTS, INSERT ... RETURNING)."""
    row = cur.fetchone()
    if row is None:
        raise RuntimeError("a single-row query returned no row")
    return row[0]
