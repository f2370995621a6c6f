"""The cadastre pipeline end to end against the real PostGIS: counts, text, privacy, ledger, guards."""

from __future__ import annotations

import hashlib

import psycopg
import pytest
import shapely
from psycopg import sql

from hub.catalog import ddl, load_dataset
from hub.db.connect import conninfo
from hub.errors import CrsError, LockBusy, PublishRefused
from hub.text import vni_encode
from ingest.core.ledger import lock_key as _lock_key
from ingest.core.run import Options, run_ingest
from ingest.publish.common import measure
from tests.ingest.conftest import parcels, write_shp

DS = "cadastre_cantho"


def test_rows_in_equals_loaded_plus_rejected_with_rules(hub_db, shp_factory, admin_conn):
    """Every row is loaded or quarantined with its rule; the ledger agrees."""
    rows = parcels(40)
    rows[9]["geometry"] = shapely.Polygon([(581000, 1110000), (581020, 1110020), (581020, 1110000), (581000, 1110020)])
    res = run_ingest(DS, [shp_factory(rows=rows).parent], Options(force=True))
    assert res["status"] == "published"
    assert res["rows_in"] == 40 == res["rows_loaded"] + res["rows_rejected"]
    by_rule = res["issues_by_rule"]
    assert by_rule["unknown_land_use"]["count"] == 5          # XYZ x5
    assert by_rule["land_use_homoglyph"]["count"] == 5        # Cyrillic О x5
    assert by_rule["invalid_geometry"]["count"] == 1
    assert by_rule["legacy_land_use"]["action"] == "flagged"  # BHK -> HNK
    quarantined = admin_conn.execute("SELECT count(*) FROM restricted.quarantine WHERE load_id = %s",
                                     (res["load_id"],)).fetchone()[0]
    assert quarantined == res["rows_rejected"]
    ledger = admin_conn.execute("SELECT rows_in, rows_loaded, rows_rejected, status FROM meta.load WHERE load_id = %s",
                                (res["load_id"],)).fetchone()
    assert ledger == (40, res["rows_loaded"], res["rows_rejected"], "published")


def test_text_is_decoded_and_owner_never_public(hub_db, shp_factory):
    """VNI bytes behind a lying .cpg become NFC Vietnamese; owner names stay in restricted."""
    run_ingest(DS, [shp_factory(16).parent], Options(force=True))
    with psycopg.connect(conninfo("api", hub_db, tcp=True)) as api:
        cols = [d.name for d in api.execute("SELECT * FROM pub.cadastre_cantho LIMIT 1").description]
        assert cols == ddl.public_view_columns(load_dataset(DS))
        addresses = {r[0] for r in api.execute("SELECT address FROM pub.cadastre_cantho")}
        assert addresses == {"Ấp Thới Hòa, xã Thới Long"}
        dump = str(api.execute("SELECT json_agg(c) FROM pub.cadastre_cantho c").fetchone()[0])
        assert "Nguyễn" not in dump and "CQP" not in dump


def test_personal_and_defence_tables_are_keyed_and_analyzed(hub_db, shp_factory, admin_conn):
    """The published personal and defence/security tables have PRIMARY KEY (row_id) and planner statistics, like the
    core table (their rows join it by row_id; QGIS needs a key to open a table)."""
    run_ingest(DS, [shp_factory(16).parent], Options(force=True))  # every 8th parcel is CQP (defence)
    ds = load_dataset(DS)
    for schema, table in (ds.personal_table, ds.sensitive_table, ds.core_table):
        name = f"{schema}.{table}"
        key = admin_conn.execute(
            "SELECT array_agg(a.attname) FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid "
            "AND a.attnum = ANY(i.indkey) WHERE i.indrelid = %s::regclass AND i.indisprimary", (name,)).fetchone()[0]
        assert key == ["row_id"], name
        rows, stats = admin_conn.execute(
            "SELECT c.reltuples, (SELECT count(*) FROM pg_statistic s WHERE s.starelid = c.oid) FROM pg_class c "
            "WHERE c.oid = %s::regclass", (name,)).fetchone()
        assert rows > 0 and stats > 0, name  # analyzed: the planner knows its rows and columns


def test_public_view_columns_equal_catalog_public_columns(hub_db, shp_factory, admin_conn):
    """Security case P02: pub columns are exactly id + public columns + geom."""
    run_ingest(DS, [shp_factory(8).parent], Options(force=True))
    cols = [r[0] for r in admin_conn.execute(
        "SELECT column_name FROM information_schema.columns WHERE table_schema = 'pub' "
        "AND table_name = 'cadastre_cantho' ORDER BY ordinal_position")]
    ds = load_dataset(DS)
    assert cols == ["id", *[c.name for c in ds.by_sensitivity("public")], "geom"]
    assert not {c.name for c in ds.by_sensitivity("personal", "restricted")} & set(cols)


def test_identical_rerun_is_noop(hub_db, shp_factory, admin_conn):
    """The same input twice: the second run changes nothing and says so."""
    path = shp_factory(12, name="same").parent
    first = run_ingest(DS, [path], Options(force=True))
    second = run_ingest(DS, [path])
    assert second["status"] == "unchanged" and second["same_as_load"] == first["load_id"]
    assert admin_conn.execute("SELECT load_id FROM meta.published WHERE dataset_id = %s", (DS,)).fetchone()[0] \
        == first["load_id"]


def test_row_drop_guard_refuses_then_force(hub_db, shp_factory, admin_conn):
    """Far fewer rows than published: refused unless --force, and the refusal is in the ledger."""
    run_ingest(DS, [shp_factory(40, name="big").parent], Options(force=True))
    small = shp_factory(8, name="small").parent
    with pytest.raises(PublishRefused):
        run_ingest(DS, [small])
    status, sha = admin_conn.execute("SELECT status, source_sha256 FROM meta.load WHERE dataset_id = %s "
                                     "ORDER BY load_id DESC LIMIT 1", (DS,)).fetchone()
    assert status == "refused"
    # Hashed late in the run (other files than the published ones): recorded all the same.
    each = hashlib.sha256(b"".join(p.read_bytes() for p in sorted(small.glob("small.*")))).digest()
    assert sha == hashlib.sha256(b"small.shp" + each).hexdigest()
    assert run_ingest(DS, [small], Options(force=True))["status"] == "published"


def test_second_publisher_fails_fast(hub_db, shp_factory):
    """A concurrent run on the same dataset gets LockBusy (exit code 11) at once."""
    with psycopg.connect(conninfo("admin", hub_db), autocommit=True) as other:
        other.execute("SELECT pg_advisory_lock(%s)", (_lock_key(DS),))
        with pytest.raises(LockBusy) as err:
            run_ingest(DS, [shp_factory(4).parent])
        assert err.value.exit_code == 11


def test_lock_is_free_when_the_run_returns(hub_db, shp_factory):
    """The publish lock is released before run_ingest returns, not when the closed backend gets round to it: a
    second session takes it at once (20 back-to-back publishes under read load once met LockBusy)."""
    path = shp_factory(4, name="lockfree").parent
    with psycopg.connect(conninfo("admin", hub_db), autocommit=True) as other:
        for _ in range(3):
            run_ingest(DS, [path], Options(force=True))
            got = other.execute("SELECT pg_try_advisory_lock(%s)", (_lock_key(DS),)).fetchone()[0]
            assert got is True
            other.execute("SELECT pg_advisory_unlock(%s)", (_lock_key(DS),))


def test_missing_prj_is_a_crs_error(hub_db, tmp_path):
    """No .prj and no --crs: CRS_ERROR naming the file; --crs with the old province code works."""
    path = write_shp(tmp_path / "noprj" / "x.shp", parcels(4), epsg=None)
    with pytest.raises(CrsError) as err:
        run_ingest(DS, [path])
    assert "x.shp" in err.value.user_message() and err.value.exit_code == 7
    res = run_ingest(DS, [path], Options(crs="92", force=True))
    assert res["files"][0]["crs"] == "EPSG:5897" and res["files"][0]["crs_from"] == "--crs"


def test_dry_run_publishes_nothing(hub_db, shp_factory, admin_conn):
    """--dry-run validates and reports; the published load stays as it was."""
    before = admin_conn.execute("SELECT load_id FROM meta.published WHERE dataset_id = %s", (DS,)).fetchone()
    res = run_ingest(DS, [shp_factory(6, name="dry").parent], Options(dry_run=True))
    after = admin_conn.execute("SELECT load_id FROM meta.published WHERE dataset_id = %s", (DS,)).fetchone()
    assert res["status"] == "dry_run" and before == after
    leftovers = admin_conn.execute("SELECT count(*) FROM pg_tables WHERE schemaname = 'staging' "
                                   "AND tablename LIKE %s", (f"%l{res['load_id']}%",)).fetchone()[0]
    assert leftovers == 0


def test_raw_bytes_and_decision_kept(hub_db, shp_factory, admin_conn):
    """Decoding keeps the raw bytes and the decision: core provenance for public fields, restricted for owners."""
    from hub.text import vni_encode

    res = run_ingest(DS, [shp_factory(4, name="raw").parent], Options(force=True))
    prov, personal = admin_conn.execute(
        "SELECT c.provenance, p.personal_provenance FROM cadastre.cadastre_cantho c "
        "JOIN restricted.cadastre_cantho_personal p USING (row_id) ORDER BY row_id LIMIT 1").fetchone()
    encoding, confidence, raw = prov["encoding"]["address"]
    assert encoding == "vni" and confidence >= 0.6
    assert bytes.fromhex(raw) == vni_encode("Ấp Thới Hòa, xã Thới Long").encode("latin-1")
    assert "owner_name" not in prov["encoding"]
    assert bytes.fromhex(personal["owner_name"][2]).decode("latin-1") == vni_encode("Nguyễn Văn Đức")
    assert res["status"] == "published"


def test_plain_rows_have_no_provenance_document_but_row_id_and_ledger_tell_it(hub_db, tmp_path, admin_conn):
    """Rows whose text needed no decision store NULL provenance; row_id gives file and row, the ledger the file's
    checksum and CRS decision. Rows with a decision keep file, row and the decision in their provenance."""
    rows = parcels(6)
    for r in rows:
        r["KyHieuMucD"], r["DiaChi"], r["TenChu"] = "LUC", "Ap 1", "Nguyen Van A"
    rows[4]["DiaChi"] = vni_encode("Ấp Thới Hòa")  # VNI bytes: decoded with a decision
    path = write_shp(tmp_path / "plain" / "plain.shp", rows)
    res = run_ingest(DS, [path.parent], Options(force=True))
    got = admin_conn.execute("SELECT row_id, provenance FROM cadastre.cadastre_cantho ORDER BY row_id").fetchall()
    assert [r[0] for r in got] == [1, 2, 3, 4, 5, 6]                         # file 0, rows 1..6
    assert [r[1] is None for r in got] == [True, True, True, True, False, True]
    assert got[4][1]["file"] == "plain.shp" and got[4][1]["row"] == 5 and "address" in got[4][1]["encoding"]
    files = admin_conn.execute("SELECT source_files FROM meta.load WHERE load_id = %s", (res["load_id"],)).fetchone()[0]
    assert files[0]["file"] == "plain.shp" and files[0]["crs"] == "EPSG:5897" and files[0]["crs_from"]
    sidecars = sorted(path.parent.glob("plain.*"))  # hashed alongside the run (--force): recorded at the end
    assert files[0]["sha256"] == hashlib.sha256(b"".join(p.read_bytes() for p in sidecars)).hexdigest()
    assert files[0]["bytes"] == sum(p.stat().st_size for p in sidecars)
    total = admin_conn.execute("SELECT source_sha256 FROM meta.load WHERE load_id = %s", (res["load_id"],)).fetchone()
    assert total[0] == hashlib.sha256(b"plain.shp" + bytes.fromhex(files[0]["sha256"])).hexdigest()


def test_published_count_extent_and_interval_measured_while_loading_match_the_table(hub_db, shp_factory, admin_conn):
    """The row count, WGS 84 extent and validity interval recorded at publish (measured from the chunks as they
    were copied) equal what the published table holds; the SQL box is float4-rounded outwards, so it may be
    larger by a hair, never smaller."""
    rows = parcels(40)
    rows[3]["KyHieuMucD"] = "CQP"  # a defence parcel: kept out of the core table and out of the extent
    res = run_ingest(DS, [shp_factory(rows=rows).parent], Options(force=True))
    ds = load_dataset(DS)
    count, bbox, lo, hi = admin_conn.execute(
        "SELECT row_count, bbox, (interval_start AT TIME ZONE 'UTC')::date, (interval_end AT TIME ZONE 'UTC')::date "
        "FROM meta.published_collection WHERE dataset_id = %s", (DS,)).fetchone()
    stats = measure(admin_conn, ds.primary, ds.core_table)
    sql_count, sql_box, sql_lo, sql_hi = stats.rows, stats.bbox, stats.first, stats.last
    assert res["status"] == "published" and stats and count == sql_count and (lo, hi) == (sql_lo, sql_hi)
    defence = admin_conn.execute(sql.SQL("SELECT count(*) FROM {}").format(sql.Identifier(*ds.sensitive_table)))
    assert count == res["rows_loaded"] - defence.fetchone()[0] < res["rows_loaded"]  # defence rows are elsewhere
    assert all(abs(a - b) < 1e-5 for a, b in zip(bbox, sql_box))
    assert sql_box[0] <= bbox[0] and sql_box[1] <= bbox[1] and sql_box[2] >= bbox[2] and sql_box[3] >= bbox[3]


def test_published_rows_are_written_frozen_and_all_visible(hub_db, shp_factory, admin_conn):
    """COPY FREEZE into the run's own staging tables: every page of the published table is all-visible already
    (the visibility map ANALYZE reads), so readers and VACUUM never rewrite it."""
    run_ingest(DS, [shp_factory(rows=parcels(60)).parent], Options(force=True))
    ds = load_dataset(DS)
    pages, visible = admin_conn.execute("SELECT relpages, relallvisible FROM pg_class WHERE oid = %s::regclass",
                                        (".".join(ds.core_table),)).fetchone()
    assert pages > 0 and visible == pages


def test_rows_keep_their_numbers_across_chunks_and_the_split_edge_chunks(hub_db, tmp_path, admin_conn, monkeypatch):
    """A GeoPackage read in 100-row chunks by two workers (the first and last chunks split in quarters): every row
    keeps its own number, so the quarantine points at the right rows and every other row is published."""
    import geopandas as gpd
    import pyogrio

    from hub.settings import ingest_settings

    rows = parcels(430)
    for r in rows:
        r.update(KyHieuMucD="LUC", DiaChi="Ấp Thới Hòa, xã Thới Long", TenChu="Nguyễn Văn Đức")
    bad = [0, 1, 99, 100, 101, 412, 429]  # chunk edges, inside the split first and last chunks
    for i in bad:
        x, y = rows[i]["geometry"].bounds[:2]
        rows[i]["geometry"] = shapely.Polygon([(x, y), (x + 20, y + 20), (x + 20, y), (x, y + 20)])  # bow tie
    path = tmp_path / "chunks.gpkg"
    pyogrio.write_dataframe(gpd.GeoDataFrame(rows, crs="EPSG:5897"), path)
    monkeypatch.setenv("HUB_INGEST_CHUNK_ROWS", "100")
    monkeypatch.setenv("HUB_INGEST_WORKERS", "2")
    ingest_settings.cache_clear()
    try:
        res = run_ingest(DS, [path], Options(force=True))
    finally:
        ingest_settings.cache_clear()
    assert res["rows_in"] == 430 and res["rows_rejected"] == len(bad) and res["rows_loaded"] == 430 - len(bad)
    q = admin_conn.execute("SELECT row_no FROM restricted.quarantine WHERE load_id = %s ORDER BY row_no",
                           (res["load_id"],)).fetchall()
    assert [r[0] for r in q] == [i + 1 for i in bad]
    published = admin_conn.execute("SELECT array_agg(parcel_no ORDER BY parcel_no) FROM pub.cadastre_cantho")
    assert published.fetchone()[0] == [i + 1 for i in range(430) if i not in bad]
