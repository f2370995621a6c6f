"""The published coordinates against an independent EPSG:6960 computation (the issue's acceptance check)."""

from __future__ import annotations

import numpy as np
import pyogrio
import shapely
from pyproj import Transformer

from tests.ingest.conftest import parcels, write_shp
from tests.ingest.faultkit import hub

DS = "cadastre_upload"
EPSG = 9210  # VN-2000 TM-3 105°45' (HCMC): inside EPSG:5194's extent, where PROJ's own choice is 0.8 m off


def _independent(xy: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(EPSG:4756 lon/lat, WGS 84 lon/lat) through EPSG's own operation URN, not the hub's code."""
    to_geog = Transformer.from_crs(EPSG, 4756, always_xy=True)        # TM-3 inverse: a pure conversion
    lon, lat = to_geog.transform(xy[:, 0], xy[:, 1])
    shift = Transformer.from_pipeline("urn:ogc:def:coordinateOperation:EPSG::6960")  # lat/lon order
    wlat, wlon = shift.transform(lat, lon)
    return np.column_stack((lon, lat)), np.column_stack((wlon, wlat))


def test_published_wgs84_and_vn2000_match_epsg_6960_to_the_millimetre(hub_db, admin_conn, tmp_path):
    """Every vertex of every published parcel: WGS 84 within 1 mm (1e-8°) of EPSG:6960, VN-2000 geographic
    within the same of the TM-3 inverse; owner names only in restricted; a second identical run changes nothing."""
    rows = parcels(30, owner="Trần Thị Bích", x0=603400, y0=1191400)
    for r in rows:
        r["MaXa"], r["KyHieuMucD"] = "26734", "ODT"
    path = write_shp(tmp_path / "hcm" / "hcm.shp", rows, epsg=EPSG)
    first = hub("ingest", DS, path.parent, "--force", "--json")
    assert first.code == 0, first.stderr
    got = admin_conn.execute("SELECT row_id, ST_AsBinary(v.geom), ST_AsBinary(c.geom_vn2000) FROM pub.cadastre_upload v "
                             "JOIN cadastre.cadastre_upload c ON c.parcel_key = v.id ORDER BY row_id").fetchall()
    assert len(got) == 30
    stored = pyogrio.read_dataframe(path, encoding="latin1").geometry.values  # as written (a Shapefile orders rings clockwise)
    for row_id, wgs, vn in got:
        source = stored[row_id - 1]
        want_vn, want_wgs = _independent(shapely.get_coordinates(source))
        assert np.abs(shapely.get_coordinates(shapely.from_wkb(bytes(wgs))) - want_wgs).max() < 1e-8
        assert np.abs(shapely.get_coordinates(shapely.from_wkb(bytes(vn))) - want_vn).max() < 1e-8
    public_text = admin_conn.execute("SELECT string_agg(t::text, ' ') FROM pub.cadastre_upload t").fetchone()[0]
    assert "Bích" not in public_text and "Bich" not in public_text
    again = hub("ingest", DS, path.parent, "--json").json()
    assert again["status"] == "unchanged" and again["same_as_load"] == first.json()["load_id"]
