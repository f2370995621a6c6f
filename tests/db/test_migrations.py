"""Migrations: ordered, recorded with checksums, idempotent, and create every family schema."""

from __future__ import annotations

import psycopg
import pytest

from hub.db.migrate import applied, available, migrate
from hub.errors import MigrationError

SCHEMAS = {"ref", "meta", "staging", "cadastre", "landprice", "planning", "survey", "envmon", "restricted", "pub"}


def test_all_migrations_applied_and_rerun_is_noop(hub_db, admin_conn):
    """Every file is applied once; a second run applies nothing."""
    have = applied(admin_conn)
    assert sorted(have) == [m.version for m in available()]
    assert migrate(hub_db) == []


def test_family_schemas_exist_and_owned(admin_conn):
    """Schemas for the four families and their plumbing, owned by hub_owner."""
    rows = dict(admin_conn.execute(
        "SELECT nspname, pg_get_userbyid(nspowner) FROM pg_namespace WHERE nspname = ANY(%s)",
        (list(SCHEMAS),)).fetchall())
    assert set(rows) == SCHEMAS
    assert set(rows.values()) == {"hub_owner"}


def test_pub_holds_only_views(admin_conn):
    """The public schema has views and nothing else."""
    kinds = {r[0] for r in admin_conn.execute(
        "SELECT c.relkind FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'pub'")}
    assert kinds <= {"v"}


def test_reference_data_versions(admin_conn):
    """Reference data carries versions: code lists, admin versions and seed checksums."""
    versions = {r[0] for r in admin_conn.execute("SELECT version_id FROM ref.admin_version")}
    assert {"GSO-2025-06-30", "GSO-2025-07-01"} <= versions
    counts = dict(admin_conn.execute(
        "SELECT version_id || ':' || level, count(*) FROM ref.admin_unit GROUP BY 1").fetchall())
    assert counts["GSO-2025-06-30:tinh"] == 63
    assert counts["GSO-2025-06-30:huyen"] == 696
    assert counts["GSO-2025-06-30:xa"] == 10035
    assert counts["GSO-2025-07-01:tinh"] == 34
    assert counts["GSO-2025-07-01:xa"] == 3321
    seeds = admin_conn.execute("SELECT count(*) FROM ref.seed WHERE length(sha256) = 64").fetchone()[0]
    assert seeds >= 8
    lists = {r[0] for r in admin_conn.execute("SELECT code_list FROM ref.land_use_code")}
    assert {"LANDUSE_TT27_2018", "LANDUSE_TT08_2024", "LANDUSE_LEGACY"} <= lists


def test_province_codes_after_reform(admin_conn):
    """Spot checks against domain spec §3.2 (codes re-used from a predecessor)."""
    names = dict(admin_conn.execute(
        "SELECT code, name FROM ref.admin_unit WHERE version_id = 'GSO-2025-07-01' AND level = 'tinh'").fetchall())
    assert "Bắc Ninh" in names["24"] and "An Giang" in names["91"] and "Cần Thơ" in names["92"]
    assert admin_conn.execute("SELECT cm_deg, epsg FROM ref.crs_zone WHERE old_province_code = '94'").fetchone() \
        == (pytest.approx(105.5), 9209)


def test_edited_migration_is_refused(hub_db, admin_conn):
    """Changing an applied migration's checksum fails loudly instead of drifting."""
    admin_conn.execute("UPDATE hub_migrations.applied SET checksum = 'x' WHERE version = 1")
    try:
        with pytest.raises(MigrationError):
            migrate(hub_db)
    finally:
        first = available()[0]
        admin_conn.execute("UPDATE hub_migrations.applied SET checksum = %s WHERE version = 1", (first.checksum,))


def test_findings_keep_their_load_without_a_per_row_foreign_key(hub_db, admin_conn):
    """meta.issue's integrity is checked per statement: an orphan finding is refused, deleting a load deletes its
    findings, a load id cannot change."""
    with admin_conn.transaction(force_rollback=True):
        load_id = admin_conn.execute("INSERT INTO meta.load (dataset_id, status) VALUES ('t', 'running') "
                                     "RETURNING load_id").fetchone()[0]
        admin_conn.execute("INSERT INTO meta.issue (load_id, dataset_id, rule, severity, action, message) "
                           "SELECT %s, 't', 'r', 'warn', 'flagged', 'm' FROM generate_series(1, 3)", (load_id,))
        with pytest.raises(psycopg.errors.ForeignKeyViolation), admin_conn.transaction():
            admin_conn.execute("INSERT INTO meta.issue (load_id, dataset_id, rule, severity, action, message) "
                               "VALUES (%s, 't', 'r', 'warn', 'flagged', 'm')", (load_id + 1000,))
        with pytest.raises(psycopg.errors.ForeignKeyViolation), admin_conn.transaction():
            admin_conn.execute("UPDATE meta.issue SET load_id = %s WHERE load_id = %s", (load_id + 1000, load_id))
        with pytest.raises(psycopg.errors.ForeignKeyViolation), admin_conn.transaction():
            admin_conn.execute("UPDATE meta.load SET load_id = %s WHERE load_id = %s", (load_id + 1000, load_id))
        admin_conn.execute("DELETE FROM meta.load WHERE load_id = %s", (load_id,))
        left = admin_conn.execute("SELECT count(*) FROM meta.issue WHERE load_id = %s", (load_id,)).fetchone()[0]
        assert left == 0
