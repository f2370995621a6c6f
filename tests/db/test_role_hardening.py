"""Issue 16 items 10 and 11: the API and analyst roles cannot turn off their own safeguards, write large objects,
block the publish lock, or learn anything about restricted tables (extent, statistics, sizes, row estimates).

Every attack runs as the real role, over TCP with its password, the way the server and an analyst's QGIS connect.
Each has a control where one makes sense: the same probe as the owner does work (so the refusal is what stops it).
"""

from __future__ import annotations

import shutil
import subprocess

import psycopg
import pytest

from hub.api.state import api_conninfo
from hub.db import guard
from hub.db.connect import connect, conninfo, role_password
from hub.db.migrate import ensure_roles
from hub.settings import db_settings
from ingest.core.ledger import lock_key as _lock_key
from ingest.core.run import Options, run_ingest
from tests.ingest.conftest import parcels, write_shp

ROLES = ("api", "analyst")
DS = "cadastre_cantho"
SENSITIVE = "restricted.cadastre_cantho_sensitive"
Denied = psycopg.errors.InsufficientPrivilege


def _connect(role: str, **kw) -> psycopg.Connection:
    """The role over TCP with its password (autocommit)."""
    return psycopg.connect(conninfo(role, tcp=True), autocommit=True, **kw)


def _show(conn, *names: str) -> list[str]:
    """Current values of settings."""
    return [conn.execute(f"SHOW {n}").fetchone()[0] for n in names]


LIMITED = ("statement_timeout", "idle_in_transaction_session_timeout", "work_mem", "hash_mem_multiplier",
           "default_transaction_read_only", "transaction_read_only")
LOOSENING = [
    "SET statement_timeout = 0", "SET statement_timeout = '1h'", "SET SESSION statement_timeout = '10min'",
    "SELECT set_config('statement_timeout', '0', false)", "SELECT set_config('statement_timeout', '0', true)",
    "SET idle_in_transaction_session_timeout = 0", "SET work_mem = '2GB'", "SELECT set_config('work_mem', '4GB', false)",
    "SET hash_mem_multiplier = 100", "SET default_transaction_read_only = off",
    "SET SESSION CHARACTERISTICS AS TRANSACTION READ WRITE", "BEGIN READ WRITE", "START TRANSACTION READ WRITE",
    "SELECT set_config('default_transaction_read_only', 'off', false)",
]


@pytest.mark.parametrize("role", ROLES)
def test_guard_is_loaded_for_the_role(hub_db, role):
    """Both public-facing roles run under hub_guard (the library is built by `hub db up`)."""
    with _connect(role) as conn:
        assert guard.active(conn)
        assert _show(conn, "default_transaction_read_only", "transaction_read_only") == ["on", "on"]


@pytest.mark.parametrize("statement", LOOSENING)
@pytest.mark.parametrize("role", ROLES)
def test_session_cannot_loosen_limits(hub_db, role, statement):
    """SET, SET SESSION, set_config() and BEGIN READ WRITE of a looser value: permission denied; nothing changed."""
    with _connect(role) as conn:
        before = _show(conn, *LIMITED)
        with pytest.raises(Denied, match="locked"):
            conn.execute(statement)
        assert _show(conn, *LIMITED) == before


@pytest.mark.parametrize("role", ROLES)
def test_session_cannot_loosen_inside_a_transaction(hub_db, role):
    """SET LOCAL and SET TRANSACTION READ WRITE in a transaction, and RESET transaction_read_only (PostgreSQL's
    own reset value is read-write): refused, or still read-only."""
    with _connect(role) as conn:
        for statement in ("SET LOCAL statement_timeout = 0", "SET TRANSACTION READ WRITE",
                          "SET LOCAL work_mem = '1GB'"):
            conn.execute("BEGIN")
            with pytest.raises(Denied):
                conn.execute(statement)
            conn.execute("ROLLBACK")
        conn.execute("BEGIN")
        conn.execute("RESET transaction_read_only")
        assert _show(conn, "transaction_read_only") == ["on"]
        conn.execute("ROLLBACK")


@pytest.mark.parametrize("role", ROLES)
def test_stricter_values_allowed_and_enforced(hub_db, role):
    """Lowering is allowed (the API lowers its own timeout for counts) and really applies; RESET, RESET ALL and
    DISCARD ALL return to the limits, never below them."""
    with _connect(role) as conn:
        limits = _show(conn, *LIMITED)
        conn.execute("SET statement_timeout = '300ms'")
        conn.execute("SET work_mem = '4MB'")
        with pytest.raises(psycopg.errors.QueryCanceled):
            conn.execute("SELECT pg_sleep(3)")
        conn.execute("RESET work_mem")
        for reset in ("RESET statement_timeout", "RESET ALL", "DISCARD ALL"):
            conn.execute("SET statement_timeout = '1s'")
            conn.execute(reset)
            assert _show(conn, *LIMITED) == limits, reset


@pytest.mark.parametrize("role", ROLES)
def test_startup_options_cannot_loosen(hub_db, role):
    """PGOPTIONS-style startup settings (they outrank role settings) are forced back to the limits."""
    with _connect(role) as reference:
        limits = _show(reference, *LIMITED)
    opts = ("-c statement_timeout=0 -c idle_in_transaction_session_timeout=0 -c work_mem=2GB "
            "-c hash_mem_multiplier=50 -c default_transaction_read_only=off")
    with _connect(role, options=opts) as conn:
        assert _show(conn, *LIMITED) == limits
    with pytest.raises(psycopg.OperationalError):  # a superuser-only setting cannot even be asked for
        _connect(role, options="-c session_preload_libraries=").close()


def _role_settings(admin, role: str) -> list:
    """pg_db_role_setting rows of a role (every database)."""
    return admin.execute("SELECT setdatabase, setconfig FROM pg_db_role_setting WHERE setrole = to_regrole(%s) "
                         "ORDER BY 1", (role,)).fetchall()


@pytest.mark.parametrize("role", ROLES)
def test_role_cannot_alter_itself(hub_db, admin_conn, role):
    """ALTER ROLE CURRENT_USER SET / IN DATABASE / RESET ALL / PASSWORD: refused, nothing persisted, and the
    guard's own superuser-only knobs stay out of reach."""
    name = {"api": "hub_api", "analyst": "hub_analyst"}[role]
    before = _role_settings(admin_conn, name)
    with _connect(role) as conn:
        for statement in ("ALTER ROLE CURRENT_USER SET statement_timeout = 0",
                          f"ALTER ROLE CURRENT_USER IN DATABASE {hub_db} SET statement_timeout = 0",
                          "ALTER ROLE CURRENT_USER RESET ALL", "ALTER ROLE CURRENT_USER SET work_mem = '1GB'",
                          f"ALTER USER {name} PASSWORD 'pwned'", "ALTER ROLE CURRENT_USER SET search_path = public"):
            with pytest.raises(Denied):
                conn.execute(statement)
        for statement in ("SET hub_guard.max_statement_timeout = 0", "SET hub_guard.read_only = off",
                          "SET session_preload_libraries = ''", "SET temp_file_limit = -1"):
            with pytest.raises(Denied):
                conn.execute(statement)
    assert _role_settings(admin_conn, name) == before
    _connect(role).close()  # the password still works


def test_settings_persisted_before_the_guard_are_wiped(hub_db, admin_conn):
    """A setting a role put on itself before the guard existed (simulated as the superuser) is removed by
    `hub db migrate` (ensure_roles), in the role's defaults and per database."""
    admin_conn.execute("ALTER ROLE hub_api SET statement_timeout = 0")
    admin_conn.execute(f"ALTER ROLE hub_api IN DATABASE {hub_db} SET work_mem = '2GB'")
    ensure_roles(admin_conn)
    flat = " ".join(" ".join(cfg) for _, cfg in _role_settings(admin_conn, "hub_api"))
    assert "statement_timeout=0" not in flat and "work_mem=2GB" not in flat
    assert f"statement_timeout={db_settings().api_statement_timeout_ms}" in flat
    with _connect("api") as conn:
        assert _show(conn, "statement_timeout", "work_mem") == [f"{db_settings().api_statement_timeout_ms // 1000}s",
                                                                "32MB"]


def test_api_server_sessions_carry_their_own_limits(hub_db):
    """The server's connections send read-only and the timeout in the startup packet: they hold even where the
    guard is absent (an existing PostGIS)."""
    with psycopg.connect(api_conninfo(), autocommit=True) as conn:
        assert _show(conn, "default_transaction_read_only", "jit") == ["on", "off"]
        assert _show(conn, "statement_timeout")[0] == f"{db_settings().api_statement_timeout_ms // 1000}s"


LARGE_OBJECTS = ["SELECT lo_from_bytea(0, 'pwned'::bytea)", "SELECT lo_create(0)", "SELECT lo_creat(-1)",
                 "SELECT lo_import('/etc/hostname')", "SELECT lo_put(1, 0, 'x'::bytea)", "SELECT lo_open(1, 131072)"]


@pytest.mark.parametrize("role", ROLES)
def test_no_large_object_writes(hub_db, admin_conn, role):
    """Large objects need no table privilege: every creating call is refused, read-only or not; none appears."""
    before = admin_conn.execute("SELECT count(*) FROM pg_largeobject_metadata").fetchone()[0]
    with _connect(role) as conn:
        for statement in LARGE_OBJECTS:
            with pytest.raises((Denied, psycopg.errors.ReadOnlySqlTransaction)):
                conn.execute(statement)
    assert admin_conn.execute("SELECT count(*) FROM pg_largeobject_metadata").fetchone()[0] == before


ADVISORY = ["SELECT pg_advisory_lock(%s)", "SELECT pg_try_advisory_lock(%s)", "SELECT pg_advisory_lock_shared(%s)",
            "SELECT pg_try_advisory_lock_shared(%s)", "SELECT pg_try_advisory_xact_lock(%s)",
            "SELECT pg_advisory_xact_lock_shared(%s)"]


@pytest.mark.parametrize("role", ROLES)
def test_publish_lock_cannot_be_taken_or_blocked(hub_db, role):
    """Every advisory-lock function is refused to the role; the ETL still takes the dataset's publish lock."""
    key = _lock_key(DS)
    with _connect(role) as conn:
        for statement in ADVISORY:
            with pytest.raises(Denied):
                conn.execute(statement, (key,))
        with psycopg.connect(conninfo("etl", tcp=True), autocommit=True) as etl:
            assert etl.execute("SELECT pg_try_advisory_lock(%s)", (key,)).fetchone()[0] is True
            etl.execute("SELECT pg_advisory_unlock(%s)", (key,))


@pytest.mark.parametrize("role", ROLES)
def test_no_notify_queue(hub_db, role):
    """NOTIFY, LISTEN and pg_notify (a disk-backed queue) are refused."""
    with _connect(role) as conn:
        for statement in ("NOTIFY hub, 'x'", "LISTEN hub", "SELECT pg_notify('hub', 'x')"):
            with pytest.raises(Denied):
                conn.execute(statement)


# --- item 11: nothing about restricted tables ------------------------------------------------------------------

@pytest.fixture(scope="module")
def restricted_with_stats(hub_db, tmp_path_factory):
    """cadastre_cantho published with defence parcels (restricted.*_sensitive), every table analysed; returns the
    sensitive table's OID and the extent the owner sees (the secret a probe must not learn)."""
    path = write_shp(tmp_path_factory.mktemp("item11") / "p" / "p.shp", parcels(40, y0=1141000))
    run_ingest(DS, [path.parent], Options(force=True))
    with connect("admin", hub_db, autocommit=True) as admin:
        for table in (SENSITIVE, "restricted.cadastre_cantho_personal", "restricted.quarantine"):
            admin.execute(f"ANALYZE {table}")
        oid = admin.execute("SELECT %s::regclass::oid", (SENSITIVE,)).fetchone()[0]
        box = admin.execute("SELECT ST_EstimatedExtent('restricted', 'cadastre_cantho_sensitive', 'geom')::text"
                            ).fetchone()[0]
    assert box and box.startswith("BOX(")  # control: the statistics hold the secret
    return oid


def _probes(oid: int) -> list[str]:
    """Every way found to read extent, statistics, sizes or row estimates of a table one cannot SELECT."""
    return [
        "SELECT ST_EstimatedExtent('restricted', 'cadastre_cantho_sensitive', 'geom')",
        "SELECT ST_EstimatedExtent('restricted', 'cadastre_cantho_sensitive', 'geom', true)",
        "SELECT ST_EstimatedExtent('cadastre_cantho_sensitive', 'geom')",
        f"SELECT _postgis_stats({oid}::regclass, 'geom')", f"SELECT _postgis_stats({oid}::regclass, 'geom', '2')",
        f"SELECT _postgis_selectivity({oid}::regclass, 'geom', ST_MakeEnvelope(105, 10, 106, 11, 4326))",
        f"SELECT _postgis_join_selectivity({oid}::regclass, 'geom', {oid}::regclass, 'geom')",
        f"SELECT _postgis_index_extent({oid}::regclass, 'geom')",
        f"SELECT pg_stat_get_live_tuples({oid})", f"SELECT pg_stat_get_tuples_inserted({oid})",
        f"SELECT pg_stat_get_blocks_fetched({oid})",
        "SELECT n_live_tup FROM pg_stat_all_tables WHERE schemaname = 'restricted'",
        "SELECT n_live_tup FROM pg_stat_user_tables", "SELECT heap_blks_read FROM pg_statio_all_tables",
        "SELECT idx_scan FROM pg_stat_all_indexes", "SELECT tup_inserted FROM pg_stat_database",
        f"SELECT pg_relation_size({oid})", f"SELECT pg_total_relation_size({oid})", f"SELECT pg_table_size({oid})",
        f"SELECT pg_indexes_size({oid})", f"SELECT pg_relation_size({oid}, 'main')",
        f"SELECT reltuples FROM pg_class WHERE oid = {oid}", f"SELECT relpages FROM pg_class WHERE oid = {oid}",
        f"SELECT relallvisible FROM pg_class WHERE oid = {oid}", f"SELECT * FROM pg_class WHERE oid = {oid}",
    ]


@pytest.mark.parametrize("role", ROLES)
def test_nothing_about_restricted_tables(restricted_with_stats, role):
    """Each probe as the role: permission denied (the owner runs the same probes, as the control)."""
    oid = restricted_with_stats
    with _connect(role) as conn:
        for probe in _probes(oid):
            with pytest.raises(Denied):
                conn.execute(probe)
        assert conn.execute("SELECT count(*) FROM pg_stats WHERE schemaname = 'restricted'").fetchone()[0] == 0
        assert conn.execute("SELECT count(*) FROM geometry_columns WHERE f_table_schema = 'restricted'"
                            ).fetchone()[0] == 0
    with connect("etl") as owner, owner.transaction():
        owner.execute("SET LOCAL ROLE hub_owner")
        owner.execute("SET LOCAL search_path = restricted, public")  # the two-argument ST_EstimatedExtent
        for probe in _probes(oid):
            owner.execute(probe)


def test_catalogue_listing_still_works_for_clients(restricted_with_stats, hub_db):
    """What psql, QGIS and GDAL need of the catalogue still answers for the analyst: the table list, column types,
    and GDAL's PostgreSQL driver reads the core table (count and extent from the data, not the statistics)."""
    with _connect("analyst") as conn:
        names = {r[0] for r in conn.execute(
            "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE n.nspname = 'cadastre' AND c.relkind = 'r'")}
        assert "cadastre_cantho" in names
        cols = conn.execute("SELECT a.attname FROM pg_attribute a WHERE a.attrelid = 'cadastre.cadastre_cantho'"
                            "::regclass AND a.attnum > 0").fetchall()
        assert ("geom",) in cols
        count = conn.execute("SELECT count(*) FROM cadastre.cadastre_cantho").fetchone()[0]
    assert shutil.which("ogrinfo")
    dsn = (f"PG:host=127.0.0.1 port={db_settings().port} dbname={hub_db} user=hub_analyst "
           f"password={role_password('analyst')}")
    res = subprocess.run(["ogrinfo", "-ro", "-so", dsn, "cadastre.cadastre_cantho"], capture_output=True, text=True,
                         timeout=60)
    assert res.returncode == 0, res.stderr
    assert f"Feature Count: {count}" in res.stdout and "Extent (geom): (105." in res.stdout
