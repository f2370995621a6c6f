"""Session fixtures: a real PostGIS (the hub's embedded cluster, or HUB_DATABASE_URL) with a fresh test database."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

os.environ.setdefault("HUB_DB_NAME", "hub_test")  # before any settings are read
# The suite runs its own embedded cluster (own folder, own port per checkout): a running demo cluster, or
# another checkout's suite, is never touched.
_ROOT = Path(__file__).resolve().parents[1]
os.environ.setdefault("HUB_HOME", str(_ROOT / ".hub" / "test"))
os.environ.setdefault("HUB_DB_PORT", str(56000 + int(hashlib.sha256(str(_ROOT).encode()).hexdigest(), 16) % 1000))
os.environ.setdefault("HUB_INGEST_PROGRESS", "false")

import pytest  # noqa: E402
from psycopg import sql  # noqa: E402

from hub.db import cluster  # noqa: E402
from hub.db.connect import connect, database_name  # noqa: E402
from hub.db.migrate import migrate  # noqa: E402
from hub.settings import db_settings  # noqa: E402


def _recreate_database(name: str) -> None:
    """Drop and create the test database (it is the suite's own, never the demo's)."""
    with connect("admin", dbname="postgres", autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
        conn.execute(sql.SQL("CREATE DATABASE {} TEMPLATE template0 ENCODING 'UTF8'").format(sql.Identifier(name)))


@pytest.fixture(scope="session")
def hub_db() -> str:
    """A migrated, empty hub database; returns its name."""
    settings = db_settings()
    if settings.embedded:
        cluster.up(settings)
    name = database_name()
    assert name != "hub", "tests must never run against the demo database"
    _recreate_database(name)
    migrate(name)
    return name


@pytest.fixture()
def admin_conn(hub_db):
    """An autocommit admin connection to the test database."""
    with connect("admin", hub_db, autocommit=True) as conn:
        yield conn
