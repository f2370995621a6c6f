"""The raster samples, case by case from their manifest: each broken GeoTIFF is refused with its rule, exit code
and the words its message must hold; the hidden VN-2000 GeoTIFF without an EPSG code loads as EPSG:5897 from
its WKT parameters; a demo dataset loads from the path its spec names."""

from __future__ import annotations

import pytest

from hub.catalog.families import spec
from hub.samples.rasters import write_cases, write_region
from ingest.core.run import Options, run_ingest
from tests.ingest.faultkit import assert_clean_error, hub

DATASET_OF = {"dem": "raster_upload", "landcover": "landcover_cantho"}


@pytest.fixture(scope="module")
def cases(tmp_path_factory):
    """The broken and hidden cases with their manifest entries."""
    out = tmp_path_factory.mktemp("raster_cases")
    return out, write_cases(out, 2025)


def test_each_broken_raster_is_refused_with_its_rule(cases, hub_db):
    """One clean `error:` line per case: its exit code, the file, the rule's words."""
    out, entries = cases
    broken = {rel: e for rel, e in entries.items() if e["expect"] == "refused"}
    assert {e["rule"] for e in broken.values()} >= {"crs", "nodata_conflict", "outside_vietnam", "unknown_class"}
    for rel, e in broken.items():
        name = rel.rsplit("/", 1)[-1]
        res = hub("ingest", DATASET_OF[name.split("_")[0]], str(out / rel))
        assert res.code == e["exit_code"], (rel, res.code, res.stderr)
        assert_clean_error(res, name, *([e["must_name"]] if e.get("must_name") else []))


def test_hidden_vn2000_without_epsg_is_recognised(cases, hub_db, admin_conn):
    """TM-3 parameters on a datum named VN-2000 with the EPSG:6960 shift: EPSG:5897, said how."""
    out, entries = cases
    rel = next(r for r, e in entries.items() if e["expect"] == "loaded")
    summary = run_ingest("raster_upload", [out / rel], Options(force=True))
    assert summary["status"] == "published"
    epsg, crs_from = admin_conn.execute("SELECT epsg, crs_from FROM pub.raster_upload WHERE raster_key = %s",
                                        (rel.rsplit("/", 1)[-1][:-4],)).fetchone()
    assert (epsg, crs_from) == (entries[rel]["epsg"], entries[rel]["origin"])


def test_a_demo_raster_loads_from_its_spec_path(tmp_path, hub_db, admin_conn):
    """landcover_cantho from the path spec.demo names: published with its classes and a valid STAC Item."""
    write_region(tmp_path, "A", 2025)
    sub = dict(spec("raster").demo)["landcover_cantho"]
    summary = run_ingest("landcover_cantho", [tmp_path / sub], Options(force=True))
    assert summary["status"] == "published" and summary["rows_loaded"] == 1
    stac, classes = admin_conn.execute("SELECT stac, classes FROM pub.landcover_cantho").fetchone()
    assert stac["properties"]["proj:code"] == "EPSG:4326" and len(classes) == 11
    assert {c["name"] for c in stac["assets"]["data"]["classification:classes"]} >= {"tree", "crop", "water"}
