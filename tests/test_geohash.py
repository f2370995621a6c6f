"""GeoHash encoder: Appendix A vectors (datum path changes the national parcel ID) and textbook values."""

from __future__ import annotations

import numpy as np
import pytest
from pyproj import Transformer

from hub.crs import to_vn2000_geographic, to_wgs84
from hub.geohash import decode, decode_bbox, encode, encode_array

E, N = 603491.728, 1191454.599  # VN-2000 / TM-3 105°45′ (EPSG:9210), HCMC


def test_appendix_a_pinned_6960():
    lon, lat = to_wgs84(9210).transform(E, N)
    assert encode(lon, lat) == "w3gv7cp4mg2r"


def test_appendix_a_wrong_datum_paths_change_the_id():
    proj_default = Transformer.from_crs(9210, 4326, always_xy=True).transform(E, N)  # picks EPSG:5194 here
    no_shift = to_vn2000_geographic(9210).transform(E, N)
    assert encode(*proj_default) == "w3gv7cp4mgtc"
    assert encode(*no_shift) == "w3gv7cmbk1k6"


@pytest.mark.parametrize(("lon", "lat", "precision", "expected"), [
    (-5.6, 42.6, 5, "ezs42"),
    (10.40744, 57.64911, 11, "u4pruydqqvj"),
    (0.0, 0.0, 1, "s"),
    (-180.0, -90.0, 12, "000000000000"),
    (180.0, 90.0, 12, "zzzzzzzzzzzz"),
])
def test_textbook_values(lon, lat, precision, expected):
    assert encode(lon, lat, precision) == expected


def test_vectorised_equals_scalar_and_roundtrips():
    rng = np.random.default_rng(1)
    lon = rng.uniform(102, 110, 500)
    lat = rng.uniform(8, 23.5, 500)
    codes = encode_array(lon, lat)
    assert codes.dtype.kind == "U" and all(len(c) == 12 for c in codes)
    assert list(codes[:50]) == [encode(x, y) for x, y in zip(lon[:50], lat[:50])]
    for c, x, y in zip(codes[:50], lon, lat):
        x0, y0, x1, y1 = decode_bbox(c)
        assert x0 <= x < x1 and y0 <= y < y1
        assert (x1 - x0) < 4e-7 and (y1 - y0) < 2e-7  # 12 chars ≈ 3.7 cm × 1.9 cm
        cx, cy = decode(c)
        assert abs(cx - x) < 4e-7 and abs(cy - y) < 2e-7


def test_rejects_bad_input():
    with pytest.raises(ValueError):
        encode(200.0, 0.0)
    with pytest.raises(ValueError):
        encode(0.0, 0.0, 13)
    with pytest.raises(ValueError):
        encode_array([0.0, 1.0], [0.0])
