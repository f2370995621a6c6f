"""GeoHash encoder: Appendix A vectors (datum path changes the national parcel ID) and textbook values."""

from __future__ import annotations

import numpy as np
import pytest
from pyproj import Transformer

from hub.crs import to_vn2000_geographic, to_wgs84
from hub.geohash import BASE32, decode, decode_bbox, encode, encode_array

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


def _reference(lon: float, lat: float, precision: int) -> str:
    """The textbook bisection, one bit at a time (longitude first, `value >= mid` -> 1)."""
    bounds = [[-180.0, 180.0], [-90.0, 90.0]]
    bits, out = [], []
    for i in range(precision * 5):
        lo, hi = bounds[i % 2]
        v = lon if i % 2 == 0 else lat
        mid = (lo + hi) / 2
        bits.append(1 if v >= mid else 0)
        bounds[i % 2] = [mid, hi] if v >= mid else [lo, mid]
    for k in range(precision):
        out.append(BASE32[int("".join(map(str, bits[5 * k:5 * k + 5])), 2)])
    return "".join(out)


def test_vectorised_equals_textbook_bisection_on_cell_borders_and_random_points():
    """Bit for bit the reference algorithm, including values exactly on cell borders and the range ends."""

    rng = np.random.default_rng(3)
    lon = rng.uniform(-180, 180, 3000)
    lat = rng.uniform(-90, 90, 3000)
    k = rng.integers(0, 1 << 30, 500)
    lon = np.concatenate([lon, -180 + k * (360 / 2**30), [-180.0, 180.0, 0.0, -0.0, 179.99999999999997]])
    lat = np.concatenate([lat, -90 + k * (180 / 2**30), [-90.0, 90.0, 0.0, -0.0, 89.99999999999999]])
    lon = np.concatenate([lon, np.nextafter(lon[3000:3500], -np.inf)])
    lat = np.concatenate([lat, np.nextafter(lat[3000:3500], np.inf)])
    for precision in (1, 5, 7, 11, 12):
        got = encode_array(lon, lat, precision)
        want = [_reference(x, y, precision) for x, y in zip(lon.tolist(), lat.tolist())]
        assert got.tolist() == want, precision
