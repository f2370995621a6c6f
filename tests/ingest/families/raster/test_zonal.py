"""Zonal statistics per parcel, against an independent exact computation (axis-aligned parcels: each pixel's
weight is the product of two interval overlaps), computed when either side loads; the COG and the statistics
served by a real `hub serve`."""

from __future__ import annotations

import httpx
import numpy as np
import rasterio

from ingest.core.run import Options, run_ingest
from tests.api.serve import serving
from tests.ingest.conftest import parcels, write_shp
from tests.ingest.families.raster.contract import write

RES = 20.0
X0, YTOP = 580_993.0, 1_110_107.0  # 7 m off the parcels' 20 m lattice: every parcel cuts pixels
SHAPE = (12, 56)


def _dem() -> np.ndarray:
    """Seeded centimetres (int16), no nodata under the parcels."""
    return np.random.default_rng(7).integers(100, 5000, SHAPE).astype(np.int16)


def _overlap(a0, a1, b0, b1) -> np.ndarray:
    """Length of the overlap of intervals [a0, a1] and [b0, b1] (vectorised over a)."""
    return np.clip(np.minimum(a1, b1) - np.maximum(a0, b0), 0, None)


def _expected(box: tuple[float, float, float, float], z: np.ndarray) -> tuple[float, float, float]:
    """Coverage-weighted mean, min and max (metres) of a box over the grid."""
    cols = X0 + RES * np.arange(SHAPE[1])
    rows = YTOP - RES * np.arange(SHAPE[0])
    wx = _overlap(cols, cols + RES, box[0], box[2])
    wy = _overlap(rows - RES, rows, box[1], box[3])
    w = np.outer(wy, wx)
    hit = w > 0
    return (float((w * z).sum() / w.sum()) * 0.01, float(z[hit].min()) * 0.01, float(z[hit].max()) * 0.01)


def _zonal(conn, target: str) -> dict[str, tuple]:
    """feature id -> (mean, min, max, valid share, computed_at) from the published view."""
    return {r[0]: r[1:] for r in conn.execute(
        "SELECT feature_id, mean, min, max, valid_share, computed_at FROM pub.raster_upload_zonal "
        "WHERE target = %s", (target,))}


def test_parcel_statistics_are_exact_and_follow_either_side(hub_db, tmp_path, admin_conn):
    """Raster after parcels, then parcels again (some changed): every parcel's statistics agree with the
    independent computation to 1e-6 (the issue asks 0.1 %; the rest is the lossless VN-2000 round trip); unchanged
    parcels are not recomputed."""
    rows = parcels(60)
    run_ingest("cadastre_upload", [write_shp(tmp_path / "a" / "xa_31117.shp", rows)], Options(force=True))
    tif = write(tmp_path / "r" / "dem_zonal.tif", "EPSG:5897", _dem(), bounds=(X0, YTOP - RES * SHAPE[0],
                                                                               X0 + RES * SHAPE[1], YTOP))
    summary = run_ingest("raster_upload", [tif], Options(force=True))
    assert summary["status"] == "published" and summary["rows_loaded"] == 1
    z = _dem()
    got = _zonal(admin_conn, "cadastre_upload")
    keys = {r["SoThuTuThu"]: r["geometry"].bounds for r in rows}
    published = {r[0] for r in admin_conn.execute("SELECT id FROM pub.cadastre_upload")}
    assert set(got) == published and len(published) > 30  # defence parcels are not published
    for fid, (mean, lo, hi, share, _) in got.items():
        want = _expected(keys[fid.rsplit(".", 1)[-1]], z)
        assert abs(mean - want[0]) <= 1e-6 * abs(want[0]) and (lo, hi) == (want[1], want[2]) and share == 1.0, fid
    first = {k: v[4] for k, v in got.items()}
    moved = [dict(r) for r in rows[:55]] + [dict(r, geometry=r["geometry"].buffer(-3, join_style="mitre"))
                                            for r in rows[55:]]
    run_ingest("cadastre_upload", [write_shp(tmp_path / "b" / "xa_31117.shp", moved)], Options(force=True))
    again = _zonal(admin_conn, "cadastre_upload")
    assert set(again) == published
    changed = {k for k in again if again[k][4] != first[k]}
    assert changed == {k for k in again if int(k.rsplit(".", 1)[-1]) > 55}
    for fid in changed:
        box = moved[int(fid.rsplit(".", 1)[-1]) - 1]["geometry"].bounds
        assert abs(again[fid][0] - _expected(box, z)[0]) <= 1e-6 * abs(again[fid][0])
    count = admin_conn.execute("SELECT row_count FROM meta.published_collection WHERE collection = "
                               "'raster_upload_zonal'").fetchone()[0]
    assert count == admin_conn.execute("SELECT count(*) FROM pub.raster_upload_zonal").fetchone()[0] >= len(published)


def test_cog_and_statistics_served_over_http(hub_db, tmp_path, admin_conn):
    """The STAC asset href answers byte ranges (GDAL reads the COG over HTTP); other names are 404; the
    statistics are a feature collection filterable by feature id."""
    run_ingest("cadastre_upload", [write_shp(tmp_path / "a" / "xa_31117.shp", parcels(20))], Options(force=True))
    tif = write(tmp_path / "r" / "dem_http.tif", "EPSG:5897", _dem(), bounds=(X0, YTOP - RES * SHAPE[0],
                                                                              X0 + RES * SHAPE[1], YTOP))
    run_ingest("raster_upload", [tif], Options(force=True))
    href, stac = admin_conn.execute("SELECT href, stac FROM pub.raster_upload WHERE raster_key = 'dem_http'"
                                    ).fetchone()
    assert stac["assets"]["data"]["href"] == href and stac["properties"]["proj:code"] == "EPSG:5897"
    with serving(tmp_path) as base:
        part = httpx.get(base + href, headers={"Range": "bytes=0-15"}, timeout=10)
        assert part.status_code == 206 and part.content[:4] == b"II*\x00" and len(part.content) == 16
        assert httpx.get(f"{base}/rasters/raster_upload/{'0' * 20}.tif", timeout=10).status_code == 404
        assert httpx.get(f"{base}/rasters/raster_upload/..%2Fx.tif", timeout=10).status_code == 404
        with rasterio.Env(GDAL_HTTP_UNSAFESSL="NO"), rasterio.open(f"/vsicurl/{base}{href}") as src:
            assert src.crs.to_epsg() == 5897 and src.read(1)[5, 5] == _dem()[5, 5]
            assert src.overviews(1) is not None
        items = httpx.get(f"{base}/collections/raster_upload_zonal/items",
                          params={"f": "json", "target": "cadastre_upload", "limit": 100}, timeout=20).json()
        assert len(items["features"]) == admin_conn.execute("SELECT count(*) FROM pub.cadastre_upload").fetchone()[0]
        assert {f["properties"]["raster_key"] for f in items["features"]} == {"dem_http"}


def test_parcel_report_section_cites_the_statistics(hub_db, tmp_path, admin_conn):
    """The raster section of the parcel report, as the API's role reads it: the parcel's statistics, cited; a
    parcel without any says what was searched."""
    import psycopg

    from hub.api.processes import sections
    from hub.db.connect import conninfo
    from ingest.families.raster.report import section

    assert sections.registered()["raster"] == "ingest.families.raster.report:section"
    run_ingest("cadastre_upload", [write_shp(tmp_path / "a" / "xa_31117.shp", parcels(20))], Options(force=True))
    tif = write(tmp_path / "r" / "dem_report.tif", "EPSG:5897", _dem(), bounds=(X0, YTOP - RES * SHAPE[0],
                                                                                X0 + RES * SHAPE[1], YTOP))
    run_ingest("raster_upload", [tif], Options(force=True))
    fid = admin_conn.execute("SELECT min(id) FROM pub.cadastre_upload").fetchone()[0]
    with psycopg.connect(conninfo("api", hub_db, tcp=True), autocommit=True) as api:
        got = section(api, sections.Parcel("cadastre_upload", fid, {}, None), None)
        none = section(api, sections.Parcel("cadastre_upload", "31117.9.999", {}, None), None)
    (row,) = [r for r in got.data["rasters"] if r["dataset"] == "raster_upload"]  # other rasters may cover it
    want = admin_conn.execute("SELECT mean FROM pub.raster_upload_zonal WHERE target = 'cadastre_upload' AND "
                              "feature_id = %s", (fid,)).fetchone()[0]
    assert row["raster"] == "dem_report" and row["mean"] == want and row["unit"] == "m" and row["kind"] == "dem"
    assert "raster_upload" in [s["dataset"] for s in got.sources]
    assert none.data is None and "raster_upload_zonal" in none.unavailable


def test_coverage_endpoint_subsets_without_reading_the_whole_raster(hub_db, tmp_path, admin_conn):
    """OGC API - Coverages: GDAL reads the GeoTIFF response; a CRS84 bbox gives the window through the pinned
    path; the CRS is named by its EPSG URI; a request larger than the cell cap is decimated (overviews)."""
    big = np.random.default_rng(3).integers(100, 5000, (200, 200)).astype(np.int16)
    tif = write(tmp_path / "r" / "dem_cov.tif", "EPSG:5897", big, bounds=(X0, YTOP - 4000, X0 + 4000, YTOP))
    run_ingest("raster_upload", [tif], Options(force=True))
    with serving(tmp_path, env={"HUB_RASTER_MAX_COVERAGE_CELLS": "10000"}) as base:
        url = f"{base}/collections/raster_upload/coverage?f=GTiff"
        with rasterio.open(f"/vsicurl/{url}") as src:  # 40,000 cells asked: decimated to the cap
            assert src.crs.to_epsg() == 5897 and src.width * src.height <= 10000 and src.width >= 90
            assert abs(src.bounds.left - X0) < 1e-6 and abs(src.bounds.top - YTOP) < 1e-6
        lon, lat = 105.7589, 10.0195  # the grid centre (pinned inverse of EPSG:5897)
        part = httpx.get(f"{base}/collections/raster_upload/coverage", params={
            "f": "json", "bbox": f"{lon - 0.002},{lat - 0.002},{lon + 0.002},{lat + 0.002}"}, timeout=20)
        assert part.status_code == 200, part.text
        cov = part.json()
        assert "EPSG/0/5897" in str(cov["domain"]["referencing"])
        axes = cov["domain"]["axes"]
        assert 0 < axes["x"]["num"] * axes["y"]["num"] < 200 * 200
