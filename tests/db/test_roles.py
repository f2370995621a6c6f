"""The API role reads public views only, read-only, with a statement timeout (security case P01)."""

from __future__ import annotations

import psycopg
import pytest

from hub.db.connect import conninfo

FORBIDDEN_READS = ["restricted.quarantine", "meta.load", "ref.admin_unit", "hub_migrations.applied"]
FORBIDDEN_WRITES = [
    "INSERT INTO pub.land_use_codes (code) VALUES ('X')",
    "CREATE TABLE pub.x (a int)",
    "CREATE TABLE public.x (a int)",
    "CREATE FUNCTION public.f() RETURNS int LANGUAGE sql AS 'SELECT 1'",
    "CREATE TEMP TABLE t (a int)",
]


@pytest.fixture()
def api_conn(hub_db):
    """A connection as hub_api over TCP with its password (as the server connects)."""
    with psycopg.connect(conninfo("api", hub_db, tcp=True), autocommit=True) as conn:
        yield conn


@pytest.mark.parametrize("table", FORBIDDEN_READS)
def test_api_cannot_read_outside_pub(api_conn, table):
    """restricted, meta, core reference tables: permission denied."""
    with pytest.raises(psycopg.errors.InsufficientPrivilege):
        api_conn.execute(f"SELECT * FROM {table} LIMIT 1")


def test_api_cannot_read_staging_or_core(api_conn, admin_conn):
    """Tables created later in staging/cadastre stay closed to the API role."""
    admin_conn.execute("SET ROLE hub_owner")
    admin_conn.execute("CREATE TABLE IF NOT EXISTS staging.probe (a int); CREATE TABLE IF NOT EXISTS cadastre.probe (a int)")
    admin_conn.execute("RESET ROLE")
    for table in ("staging.probe", "cadastre.probe"):
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            api_conn.execute(f"SELECT * FROM {table}")


@pytest.mark.parametrize("statement", FORBIDDEN_WRITES)
def test_api_cannot_write(api_conn, statement):
    """Writes and DDL fail: read-only transaction or permission denied."""
    with pytest.raises((psycopg.errors.ReadOnlySqlTransaction, psycopg.errors.InsufficientPrivilege)):
        api_conn.execute(statement)


def test_api_session_is_read_only_with_timeout(api_conn):
    """The role's defaults: read-only transactions and a statement timeout."""
    assert api_conn.execute("SHOW default_transaction_read_only").fetchone()[0] == "on"
    assert api_conn.execute("SHOW statement_timeout").fetchone()[0] not in ("0", "")
    with pytest.raises(psycopg.errors.QueryCanceled):
        api_conn.execute("SET statement_timeout = '200ms'; SELECT pg_sleep(2)")


def test_api_reads_public_views(api_conn):
    """What the API may read works."""
    assert api_conn.execute("SELECT count(*) FROM pub.land_use_codes").fetchone()[0] > 50


def test_analyst_has_no_personal_data(hub_db):
    """Analysts read core and reference data but not the restricted schema."""
    with psycopg.connect(conninfo("analyst", hub_db, tcp=True), autocommit=True) as conn:
        assert conn.execute("SELECT count(*) FROM ref.crs_zone").fetchone()[0] == 63
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute("SELECT * FROM restricted.quarantine LIMIT 1")
