"""VN-2000 -> WGS 84 through the pinned EPSG:6960 path, in pyproj and in PostGIS, against Appendix A."""

from __future__ import annotations

import math

import pytest
from pyproj import Transformer

from hub import crs

# Appendix A: WGS 84 lon, lat -> VN-2000 TM-3 E, N with the pinned 6960 shift (pyproj 3.7.2 / PROJ 9.5.1).
VECTORS = [
    ("Ha Noi", 105.8522, 21.0287, 5897, 588383.929, 2326366.344),
    ("TP HCM", 106.6981, 10.7725, 9210, 603492.525, 1191454.645),
    ("Da Nang", 108.2022, 16.0544, 5899, 548188.299, 1775651.161),
    ("Can Tho", 105.7469, 10.0452, 5897, 581676.438, 1110947.981),
    ("Ha Giang", 104.9836, 22.8233, 9209, 446797.967, 2524917.294),
]


@pytest.mark.parametrize("name,lon,lat,epsg,east,north", VECTORS)
def test_pyproj_pinned_matches_appendix_a(name, lon, lat, epsg, east, north):
    """pyproj with the hub's explicit pipeline reproduces the table to 1 cm, both directions."""
    e, n = crs.to_wgs84(epsg).transform(lon, lat, direction="INVERSE")
    assert abs(e - east) < 0.01 and abs(n - north) < 0.01, (name, e, n)
    lon2, lat2 = crs.to_wgs84(epsg).transform(east, north)
    assert math.hypot((lon2 - lon) * 111_320 * math.cos(math.radians(lat)), (lat2 - lat) * 110_574) < 0.01


@pytest.mark.parametrize("name,lon,lat,epsg,east,north", VECTORS)
def test_pipeline_equals_epsg_6960_operation(name, lon, lat, epsg, east, north):
    """The hub pipeline equals PROJ's own EPSG:6960 operation (lat/lon order) to 1 mm."""
    geo = crs.to_vn2000_geographic(epsg).transform(east, north)
    official = Transformer.from_pipeline("urn:ogc:def:coordinateOperation:EPSG::6960")
    lat_o, lon_o = official.transform(geo[1], geo[0])
    lon_h, lat_h = crs.to_wgs84(epsg).transform(east, north)
    assert abs(lon_o - lon_h) < 1e-8 and abs(lat_o - lat_h) < 1e-8


@pytest.mark.parametrize("name,lon,lat,epsg,east,north", VECTORS)
def test_postgis_pinned_srid_matches_appendix_a(admin_conn, name, lon, lat, epsg, east, north):
    """PostGIS 3.3 through the custom pinned SRID agrees with the table to 1 cm."""
    row = admin_conn.execute(
        "SELECT ST_X(g), ST_Y(g) FROM (SELECT ST_Transform(ST_SetSRID(ST_MakePoint(%s, %s), 4326), %s) g) t",
        (lon, lat, crs.pinned_srid(epsg))).fetchone()
    assert abs(row[0] - east) < 0.01 and abs(row[1] - north) < 0.01, (name, row)


def test_postgis_default_path_differs_in_mekong(admin_conn):
    """Why the pin exists: PostGIS's own choice for EPSG:9210 at HCMC is ~0.8 m off the official result."""
    e_default, _ = admin_conn.execute(
        "SELECT ST_X(g), ST_Y(g) FROM (SELECT ST_Transform(ST_SetSRID(ST_MakePoint(106.6981, 10.7725), 4326), 9210) g) t"
    ).fetchone()
    assert 0.5 < abs(e_default - 603492.525) < 1.2


def test_geohash_of_national_id_uses_pinned_path(admin_conn):
    """The parcel-id GeoHash of Appendix A: pinned 'w3gv7cp4mg2r', PROJ default 'w3gv7cp4mgtc'."""
    pinned, default = admin_conn.execute(
        "SELECT ST_GeoHash(ST_Transform(ST_SetSRID(ST_MakePoint(603491.728, 1191454.599), %s), 4326), 12), "
        "ST_GeoHash(ST_Transform(ST_SetSRID(ST_MakePoint(603491.728, 1191454.599), 9210), 4326), 12)",
        (crs.pinned_srid(9210),)).fetchone()
    assert pinned == "w3gv7cp4mg2r"
    assert default == "w3gv7cp4mgtc"


def test_missing_tm3_codes_registered(admin_conn):
    """EPSG 9205-9218 exist in spatial_ref_sys after migration, as do the pinned SRIDs."""
    n = admin_conn.execute("SELECT count(*) FROM spatial_ref_sys WHERE srid BETWEEN 9205 AND 9218").fetchone()[0]
    pinned = admin_conn.execute("SELECT count(*) FROM spatial_ref_sys WHERE srid > 900000 AND srid < 910000 "
                                "AND proj4text LIKE %s", (f"%{crs.TOWGS84_6960}%",)).fetchone()[0]
    assert n == 14
    assert pinned == len(crs.ZONES) + 1
