"""A land office's own column names (issue 10 items 1-3): every run reports its column mapping, an important
column left empty is a finding, `--map` rescues a run, "no loadable rows" names its cause, a truncated .prj is a
CRS error that --crs overrides, and the summary shows the first messages of each rule."""

from __future__ import annotations

import yaml

from hub.catalog.loader import CATALOG_DIR, load_all
from ingest.core.run import Options, run_ingest
from tests.ingest.conftest import parcels, write_shp
from tests.ingest.faultkit import assert_clean_error, hub

DS = "cadastre_upload"


def _renamed(tmp_path, **renames):
    """The standard parcels with some source columns renamed (as a land office's export has them) and an
    extra column."""
    rows = []
    for r in parcels(30):
        r = {renames.get(k, k): v for k, v in r.items()}
        r["NguonGoc"] = "DG"
        rows.append(r)
    return write_shp(tmp_path / "own" / "xa_31117.shp", rows)


def test_unknown_area_column_is_reported_and_mapped(hub_db, tmp_path):
    """DTPL instead of DienTich: the dry run names the unmapped fields and flags area_m2 empty in every row;
    --map DTPL=area_m2 fills it."""
    src = _renamed(tmp_path, DienTich="DTPL")
    res = run_ingest(DS, [src], Options(dry_run=True))
    cols = res["files"][0]["columns"]
    assert {"DTPL", "NguonGoc"} <= set(cols["unmapped"]) and "area_m2" in cols["empty"]
    assert res["issues_by_rule"]["column_empty"]["severity"] == "warn"
    assert "DTPL" in res["examples"]["column_empty"][0] and "--map FIELD=area_m2" in res["examples"]["column_empty"][0]
    fixed = run_ingest(DS, [src], Options(dry_run=True, column_map=(("DTPL", "area_m2"),)))
    assert "column_empty" not in fixed["issues_by_rule"]
    assert fixed["files"][0]["columns"]["mapped"]["DTPL"] == "area_m2"


def test_unknown_land_use_column_names_the_cause_instead_of_suggesting_force(hub_db, tmp_path):
    """MDSD instead of KyHieuMucD: every row is rejected; the refusal says why (the rule, an example, the
    unmapped fields and --map), not "rerun with --force"; --map MDSD=land_use_raw publishes."""
    src = _renamed(tmp_path, KyHieuMucD="MDSD")
    res = hub("ingest", DS, str(src))
    assert res.code == 10
    assert_clean_error(res, "no loadable rows", "unknown_land_use", "MDSD", "--map")
    assert "--force" not in res.stderr
    ok = hub("ingest", DS, str(src), "--map", "MDSD=land_use_raw", "--json")
    assert ok.code == 0, ok.stderr
    assert ok.json()["status"] == "published" and ok.json()["options"]["map"] == ["MDSD=land_use_raw"]


def test_summary_prints_examples_and_the_query_for_all_findings(hub_db, tmp_path):
    """The text summary shows the mapping, the first messages under each rule, and how to see them all."""
    res = hub("ingest", DS, str(_renamed(tmp_path)), "--dry-run")
    assert res.code == 0, res.stderr
    assert "source fields no column takes: NguonGoc" in res.stderr
    assert "unknown_land_use" in res.stderr and "xa_31117.shp row " in res.stderr
    assert "SELECT file, row_no, rule, message FROM meta.issue WHERE load_id" in res.stderr


def test_truncated_prj_is_a_crs_error_that_crs_overrides(hub_db, tmp_path):
    """A .prj cut at 60 characters: exit 7 saying the CRS definition cannot be read; with --crs it loads."""
    src = write_shp(tmp_path / "cut" / "xa_31117.shp", parcels(20))
    src.with_suffix(".prj").write_text(src.with_suffix(".prj").read_text()[:60])
    res = hub("ingest", DS, str(src))
    assert res.code == 7
    assert_clean_error(res, "xa_31117.shp", "cannot be read", "--crs")
    ok = hub("ingest", DS, str(src), "--crs", "5897", "--force", "--json")
    assert ok.code == 0, ok.stderr
    assert ok.json()["files"][0]["crs"] == "EPSG:5897" and ok.json()["files"][0]["crs_from"] == "--crs"


def test_an_entry_adds_source_names_to_a_template_column(tmp_path, monkeypatch):
    """`source_add` extends the template's aliases instead of replacing them (DienTich still maps)."""
    entry = yaml.safe_load((CATALOG_DIR / "cadastre_upload.yaml").read_text(encoding="utf-8"))
    entry["columns"] = [{"name": "area_m2", "source_add": ["DTPL"]}]
    (tmp_path / "cadastre_upload.yaml").write_text(yaml.safe_dump(entry, allow_unicode=True), encoding="utf-8")
    monkeypatch.setenv("HUB_CATALOG_DIR", str(tmp_path))
    load_all.cache_clear()
    try:
        ds = load_all()["cadastre_upload"]
        assert ds.column("area_m2").source[-1] == "DTPL" and "DienTich" in ds.column("area_m2").source
    finally:
        monkeypatch.delenv("HUB_CATALOG_DIR")
        load_all.cache_clear()
