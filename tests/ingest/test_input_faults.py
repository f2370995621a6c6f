"""Input faults through the real `hub ingest` against the real PostGIS (security cases E05, E06, E07, E08).

E05: invalid features are quarantined, never skipped silently: rows_in == loaded + rejected, one quarantine row
per rejected row, a per-rule report in --json. E06: TCVN3 text round-trips exactly; declared utf-8 it is still
decoded per value and every such row is flagged encoding_uncertain; no mojibake is ever published.
E07: CRS missing, unknown or outside the catalog's allowed list → exit 7, nothing published.
E08: schema drift under `contract: freeze` → exit 8 (SCHEMA_VIOLATION), nothing published.
"""

from __future__ import annotations

import hashlib
import json

import pytest
import shapely
import yaml

from hub.catalog.loader import CATALOG_DIR, load_all
from hub.text import tcvn3_encode
from ingest.core.run import Options, run_ingest
from tests.ingest.conftest import parcels, write_shp
from tests.ingest.faultkit import MOJIBAKE, assert_clean_error, hub, last_load, max_load_id, published, served

DS = "cadastre_cantho"
VIEW = "cadastre_cantho"


@pytest.fixture(scope="module")
def baseline(hub_db, tmp_path_factory):
    """A published cadastre_cantho version the failing runs must leave untouched."""
    path = write_shp(tmp_path_factory.mktemp("e07base") / "base" / "base.shp", parcels(20, y0=1113000))
    run_ingest(DS, [path.parent], Options(force=True))


@pytest.fixture()
def unchanged(baseline, admin_conn):
    """Assert after the test that the published version and what pub serves did not change."""
    before = served(admin_conn, VIEW), published(admin_conn, DS)
    yield
    assert (served(admin_conn, VIEW), published(admin_conn, DS)) == before


def _clean_rows(n: int, y0: float) -> list[dict]:
    """n parcels whose only problems are the ones a test adds (land use LUC everywhere, distinct numbers)."""
    rows = parcels(n, y0=y0)
    for r in rows:
        r["KyHieuMucD"] = "LUC"
    return rows


# --- E05 -------------------------------------------------------------------------------------------------------

def test_e05_invalid_features_quarantined_with_per_rule_report(hub_db, admin_conn, tmp_path):
    """Bad geometry, duplicate key, a number too long for its integer column, a missing required value:
    each row is quarantined with its rule; rows_in == loaded + rejected; --json reports per rule."""
    rows = _clean_rows(12, y0=1120000)
    x, y = 581000, 1120000
    rows[0]["geometry"] = shapely.Polygon([(x, y), (x + 20, y + 20), (x + 20, y), (x, y + 20)])  # bow tie
    rows[2]["SoThuTuThu"] = rows[1]["SoThuTuThu"]                                             # duplicate key
    rows[3]["SoHieuToBa"] = "123456789012"                                   # 12 digits: too long for integer
    rows[4]["MaXa"] = None                                                               # NULL in required
    path = write_shp(tmp_path / "e05" / "e05.shp", rows)
    res = hub("ingest", DS, path.parent, "--force", "--json")
    assert res.code == 0, res.stderr
    out = res.json()
    assert out["rows_in"] == 12 == out["rows_loaded"] + out["rows_rejected"]
    assert out["rows_rejected"] == 5 and out["rows_loaded"] == 7
    by_rule = out["issues_by_rule"]
    expected = {"invalid_geometry": 1, "duplicate_key": 2, "bad_value": 1, "missing_required": 1}
    for rule, count in expected.items():
        assert by_rule[rule] == {"severity": "error", "action": "rejected", "count": count}, (rule, by_rule)
    q = admin_conn.execute("SELECT row_no, rules FROM restricted.quarantine WHERE load_id = %s ORDER BY row_no",
                           (out["load_id"],)).fetchall()
    assert q == [(1, ["invalid_geometry"]), (2, ["duplicate_key"]), (3, ["duplicate_key"]), (4, ["bad_value"]),
                 (5, ["missing_required"])]
    ledger = admin_conn.execute("SELECT rows_in, rows_loaded, rows_rejected, status FROM meta.load "
                                "WHERE load_id = %s", (out["load_id"],)).fetchone()
    assert ledger == (12, 7, 5, "published")
    assert admin_conn.execute("SELECT count(*) FROM pub.cadastre_cantho").fetchone()[0] == 7


def test_e05_duplicate_key_between_a_public_and_a_defence_parcel(hub_db, admin_conn, tmp_path):
    """A key shared by an ordinary parcel and a defence (CQP) parcel, and a key twice among CQP parcels: all four
    rows are quarantined as duplicate_key, none is published or kept in the restricted defence table."""
    rows = _clean_rows(8, y0=1122000)
    rows[1]["KyHieuMucD"] = "CQP"
    rows[1]["SoThuTuThu"] = rows[0]["SoThuTuThu"]            # ordinary + defence, same key
    rows[3]["KyHieuMucD"] = rows[4]["KyHieuMucD"] = "CQP"
    rows[4]["SoThuTuThu"] = rows[3]["SoThuTuThu"]            # defence + defence, same key
    path = write_shp(tmp_path / "e05c" / "e05c.shp", rows)
    out = hub("ingest", DS, path.parent, "--force", "--json").json()
    assert out["rows_in"] == 8 and out["rows_rejected"] == 4 and out["rows_loaded"] == 4
    assert out["issues_by_rule"]["duplicate_key"]["count"] == 4
    q = admin_conn.execute("SELECT row_no FROM restricted.quarantine WHERE load_id = %s AND rules = "
                           "ARRAY['duplicate_key'] ORDER BY row_no", (out["load_id"],)).fetchall()
    assert [r[0] for r in q] == [1, 2, 4, 5]
    assert admin_conn.execute("SELECT count(*) FROM pub.cadastre_cantho").fetchone()[0] == 4
    assert admin_conn.execute("SELECT count(*) FROM restricted.cadastre_cantho_sensitive").fetchone()[0] == 0


def test_e05_unusable_area_is_reported_not_loaded_silently(hub_db, admin_conn, tmp_path):
    """A declared area overflowing float, NaN or text: reported with bad_value, never stored as Infinity/NaN/NULL
    without a word."""
    rows = _clean_rows(6, y0=1121000)
    rows[0]["DienTich"], rows[1]["DienTich"], rows[2]["DienTich"] = "1e999", "NaN", "abc"
    path = write_shp(tmp_path / "e05b" / "e05b.shp", rows)
    out = hub("ingest", DS, path.parent, "--force", "--json").json()
    assert out["rows_in"] == out["rows_loaded"] + out["rows_rejected"]
    stored = admin_conn.execute("SELECT count(*) FROM cadastre.cadastre_cantho WHERE area_m2 IN "
                                "('Infinity', '-Infinity', 'NaN')").fetchone()[0]
    assert stored == 0
    flagged = {r[0] for r in admin_conn.execute("SELECT row_no FROM meta.issue WHERE load_id = %s AND "
                                                "rule = 'bad_value'", (out["load_id"],))}
    assert flagged == {1, 2, 3}


# --- E06 -------------------------------------------------------------------------------------------------------

ADDRESS = "đường Mường Khương, xã Đồng Sơn"  # ư = 0xAD (the Latin-1 soft hyphen), đ = 0xAE, Đ = 0xA7, ơ = 0xAC
OWNER = "Trần Văn Ơn"  # Ơ = 0xA5: one of TCVN3's few capitals


@pytest.fixture(scope="module")
def tcvn3_file(tmp_path_factory):
    """A Shapefile whose DBF holds TCVN3 bytes behind a .cpg that says UTF-8 (as land offices' files do)."""
    raw = tcvn3_encode(ADDRESS)
    assert b"\xad" in raw and b"\xae" in raw and b"\xac" in raw and b"\xa7" in raw
    rows = _clean_rows(8, y0=1122000)
    for r in rows:
        r["DiaChi"] = raw.decode("latin-1")
        r["TenChu"] = tcvn3_encode(OWNER).decode("latin-1")
    return write_shp(tmp_path_factory.mktemp("e06") / "tcvn3" / "tcvn3.shp", rows, cpg="UTF-8")


def _addresses(conn) -> list[str]:
    """Every address the pub view serves."""
    return [r[0] for r in conn.execute("SELECT address FROM pub.cadastre_cantho ORDER BY id")]


def _no_mojibake(conn) -> None:
    """No published text value holds a character of wrongly decoded legacy text."""
    text = json.dumps(conn.execute("SELECT json_agg(c) FROM pub.cadastre_cantho c").fetchone()[0],
                      ensure_ascii=False)
    assert not [m for m in MOJIBAKE if m in text], text[:500]


def test_e06_tcvn3_declared_round_trips_exactly(hub_db, admin_conn, tcvn3_file):
    """--encoding tcvn3: the text in pub equals the original, byte-exact NFC (ư from 0xAD survives)."""
    res = hub("ingest", DS, tcvn3_file.parent, "--encoding", "tcvn3", "--force", "--json")
    assert res.code == 0, res.stderr
    out = res.json()
    assert out["rows_loaded"] == 8 and "encoding_uncertain" not in out["issues_by_rule"]
    assert _addresses(admin_conn) == [ADDRESS] * 8
    owners = admin_conn.execute("SELECT DISTINCT owner_name FROM restricted.cadastre_cantho_personal").fetchall()
    assert owners == [(OWNER,)]
    _no_mojibake(admin_conn)


def test_e06_tcvn3_declared_utf8_decoded_per_value_and_flagged(hub_db, admin_conn, tcvn3_file):
    """--encoding utf-8 on TCVN3 bytes. Designed behaviour (hub/text/detect.py): the hint is only a ranking
    bonus; per-value detection still picks TCVN3 (the bytes are not UTF-8), the hint mismatch lowers the
    confidence (×0.75) and sets `encoding_hint_mismatch`, which the cadastre pipeline reports as the
    `encoding_uncertain` rule (warn: flagged, loaded). So the text is correct, every row is flagged, and
    nothing is mojibake."""
    res = hub("ingest", DS, tcvn3_file.parent, "--encoding", "utf-8", "--force", "--json")
    assert res.code == 0, res.stderr
    out = res.json()
    assert out["issues_by_rule"]["encoding_uncertain"] == {"severity": "warn", "action": "flagged", "count": 16}
    assert _addresses(admin_conn) == [ADDRESS] * 8
    _no_mojibake(admin_conn)
    fields = {r[0] for r in admin_conn.execute("SELECT field FROM meta.issue WHERE load_id = %s AND "
                                               "rule = 'encoding_uncertain'", (out["load_id"],))}
    assert fields == {"DiaChi", "TenChu"}  # 8 rows × 2 text fields; the rows themselves are loaded


# --- E07 -------------------------------------------------------------------------------------------------------

LCC_UNKNOWN = ('PROJCS["Custom LCC",GEOGCS["Unknown",DATUM["Mystery_Datum",SPHEROID["S",6378137,298.257]],'
               'PRIMEM["Greenwich",0],UNIT["degree",0.0174532925199433]],PROJECTION["Lambert_Conformal_Conic"],'
               'PARAMETER["standard_parallel_1",10],PARAMETER["standard_parallel_2",20],'
               'PARAMETER["latitude_of_origin",15],PARAMETER["central_meridian",106],PARAMETER["false_easting",0],'
               'PARAMETER["false_northing",0],UNIT["Meter",1]]')


@pytest.mark.parametrize("case", ["missing_prj", "garbage_prj", "unknown_wkt", "vn2000_not_allowed"])
def test_e07_crs_error_exit_7_nothing_published(case, unchanged, admin_conn, tmp_path):
    """No .prj, an unreadable or unknown CRS, or a VN-2000 zone outside the catalog's allowed list
    (cadastre_cantho allows 5897, 9209, 3405; the file says EPSG:9210) → exit 7 naming the file."""
    epsg = {"missing_prj": None, "garbage_prj": None, "unknown_wkt": None, "vn2000_not_allowed": 9210}[case]
    path = write_shp(tmp_path / case / f"{case}.shp", _clean_rows(6, y0=1123000), epsg=epsg)
    if case == "garbage_prj":
        path.with_suffix(".prj").write_text("this is not a coordinate reference system")
    elif case == "unknown_wkt":
        path.with_suffix(".prj").write_text(LCC_UNKNOWN)
    since = max_load_id(admin_conn)
    res = hub("ingest", DS, path.parent)
    assert res.code == 7, res.stderr
    assert_clean_error(res, f"{case}.shp", "rule crs")
    if case == "vn2000_not_allowed":
        assert "EPSG:9210" in res.stderr
    load_id, status, _, _ = last_load(admin_conn, DS)
    assert load_id > since and status == "failed"


# --- E08 -------------------------------------------------------------------------------------------------------

FROZEN = "cadastre_frozen"


@pytest.fixture()
def frozen_catalog(tmp_path, monkeypatch):
    """A catalog folder with one extra entry, cadastre_upload under `contract: freeze` (HUB_CATALOG_DIR)."""
    entry = yaml.safe_load((CATALOG_DIR / "cadastre_upload.yaml").read_text(encoding="utf-8"))
    entry.update(id=FROZEN, publication={"collection": FROZEN}, source={"contract": "freeze"})
    folder = tmp_path / "catalogs"
    folder.mkdir()
    (folder / f"{FROZEN}.yaml").write_text(yaml.safe_dump(entry, allow_unicode=True), encoding="utf-8")
    monkeypatch.setenv("HUB_CATALOG_DIR", str(folder))
    yield folder
    load_all.cache_clear()


def _nothing_published(conn) -> None:
    """The frozen dataset has no published version, table or view."""
    assert conn.execute("SELECT count(*) FROM meta.published WHERE dataset_id = %s", (FROZEN,)).fetchone()[0] == 0
    assert conn.execute("SELECT to_regclass('pub.cadastre_frozen'), to_regclass('cadastre.cadastre_frozen')"
                        ).fetchone() == (None, None)


def test_e08_frozen_contract_accepts_catalog_fields(frozen_catalog, hub_db, admin_conn, tmp_path):
    """Control: a file with exactly the catalog's source fields passes field mapping under freeze (dry run)."""
    path = write_shp(tmp_path / "ok" / "ok.shp", _clean_rows(4, y0=1124000))
    res = hub("ingest", FROZEN, path.parent, "--dry-run", "--json")
    assert res.code == 0, res.stderr
    assert res.json()["status"] == "dry_run"
    _nothing_published(admin_conn)


@pytest.mark.parametrize("drift", ["new_column", "renamed_column"])
def test_e08_schema_drift_under_freeze_is_schema_violation(drift, frozen_catalog, hub_db, admin_conn, tmp_path):
    """A new source column, or a required one renamed, under `contract: freeze` → exit 8, nothing published."""
    rows = _clean_rows(4, y0=1125000)
    for r in rows:
        if drift == "new_column":
            r["SoTaiKhoan"] = "0123456789"
        else:
            r["MaXaMoi"] = r.pop("MaXa")
    path = write_shp(tmp_path / drift / f"{drift}.shp", rows)
    res = hub("ingest", FROZEN, path.parent, "--force")
    assert res.code == 8, res.stderr
    assert_clean_error(res, f"{drift}.shp", "SoTaiKhoan" if drift == "new_column" else "MaXaMoi")
    assert last_load(admin_conn, FROZEN)[1] == "failed"
    # The run stopped before hashing would have started (with ANALYZE): the ledger still gets it.
    sha = admin_conn.execute("SELECT source_sha256 FROM meta.load WHERE dataset_id = %s ORDER BY load_id DESC "
                             "LIMIT 1", (FROZEN,)).fetchone()[0]
    each = hashlib.sha256(b"".join(p.read_bytes() for p in sorted(path.parent.glob(f"{drift}.*")))).digest()
    assert sha == hashlib.sha256(f"{drift}.shp".encode() + each).hexdigest()
    _nothing_published(admin_conn)


def test_catalog_type_change_is_published_over_the_previous_version(hub_db, admin_conn, tmp_path, monkeypatch):
    """A column whose type changes in the catalog (here area_m2: double -> numeric) is published over the previous
    version: the public view is rebuilt in the publish transaction (CREATE OR REPLACE VIEW cannot retype it)."""
    path = write_shp(tmp_path / "retype" / "retype.shp", _clean_rows(5, y0=1125000))
    assert hub("ingest", "cadastre_upload", path.parent, "--force").code == 0
    entry = yaml.safe_load((CATALOG_DIR / "cadastre_upload.yaml").read_text(encoding="utf-8"))
    folder = tmp_path / "catalogs"
    folder.mkdir()
    base = yaml.safe_load((CATALOG_DIR / "templates" / "cadastre_parcels.yaml").read_text(encoding="utf-8"))
    columns = [dict(c, type="numeric") if c["name"] == "area_m2" else c for c in base["columns"]]
    (folder / "cadastre_upload.yaml").write_text(yaml.safe_dump({**entry, "columns": columns}, allow_unicode=True),
                                                 encoding="utf-8")
    monkeypatch.setenv("HUB_CATALOG_DIR", str(folder))
    load_all.cache_clear()
    try:
        res = hub("ingest", "cadastre_upload", path.parent, "--force", "--json")
        assert res.code == 0, res.stderr
        assert res.json()["status"] == "published"
        typ = admin_conn.execute("SELECT data_type FROM information_schema.columns WHERE table_schema = 'pub' "
                                 "AND table_name = 'cadastre_upload' AND column_name = 'area_m2'").fetchone()[0]
        assert typ == "numeric"
        assert admin_conn.execute("SELECT count(*) FROM pub.cadastre_upload").fetchone()[0] == 5
        assert admin_conn.execute("SELECT has_table_privilege('hub_api', 'pub.cadastre_upload', 'SELECT')"
                                  ).fetchone()[0]
    finally:
        load_all.cache_clear()


# --- findings counted once per row ---------------------------------------------------------------------------

def test_rows_flagged_by_row_and_set_rules_are_counted_once(hub_db, admin_conn, tmp_path, monkeypatch):
    """A catalog that keeps duplicate keys as a warning: a row flagged by a row rule (a 2018 land-use code) and by
    the set rule (its key twice) is one flagged row, not two."""
    entry = yaml.safe_load((CATALOG_DIR / f"{DS}.yaml").read_text(encoding="utf-8"))
    entry.update(id="cadastre_dupwarn", publication={"collection": "cadastre_dupwarn"},
                 validation={"duplicate_key": {"severity": "warn"}})
    folder = tmp_path / "catalogs"
    folder.mkdir()
    (folder / "cadastre_dupwarn.yaml").write_text(yaml.safe_dump(entry, allow_unicode=True), encoding="utf-8")
    monkeypatch.setenv("HUB_CATALOG_DIR", str(folder))
    load_all.cache_clear()
    try:
        rows = _clean_rows(6, y0=1126000)
        rows[1]["SoThuTuThu"] = rows[0]["SoThuTuThu"]         # rows 1 and 2 share a key (warning)
        rows[1]["KyHieuMucD"] = rows[2]["KyHieuMucD"] = "BHK"  # rows 2 and 3: legacy code (warning)
        path = write_shp(tmp_path / "dup" / "dup.shp", rows)
        out = run_ingest("cadastre_dupwarn", [path.parent], Options(force=True))
        assert out["rows_in"] == 6 == out["rows_loaded"] and out["rows_rejected"] == 0
        assert out["issues_by_rule"]["duplicate_key"] == {"severity": "warn", "action": "flagged", "count": 2}
        assert out["issues_by_rule"]["legacy_land_use"]["count"] == 2
        assert out["rows_flagged"] == 3
        ledger = admin_conn.execute("SELECT rows_flagged FROM meta.load WHERE load_id = %s", (out["load_id"],))
        assert ledger.fetchone()[0] == 3
    finally:
        load_all.cache_clear()
