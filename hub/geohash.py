"""Standard GeoHash (base-32, longitude bit first), scalar and vectorised.

The national parcel ID (mã định danh thửa đất, domain spec §1.3) is the GeoHash-12 of a WGS 84 point, so the
hub needs a bit-exact encoder: the bisection below is the reference algorithm (``value >= mid`` → 1), not a
floor-of-scaled-value shortcut that can differ on cell borders. Inputs are lon/lat degrees in WGS 84; compute them
with the pinned datum path (``hub.crs.to_wgs84``), never with PROJ's automatic choice.
"""

from __future__ import annotations

import numpy as np

BASE32 = "0123456789bcdefghjkmnpqrstuvwxyz"
_DECODE = {c: i for i, c in enumerate(BASE32)}
_ALPHABET = np.frombuffer(BASE32.encode("ascii"), dtype="S1")


def _bisect_bits(values: np.ndarray, lo: float, hi: float, nbits: int) -> np.ndarray:
    """The `nbits` bisection bits of `values` in [lo, hi] as int64 (MSB first), without looping over the bits.

    The bisection's midpoints are the cell borders lo + k·w (w = (hi − lo) / 2^nbits); for nbits ≤ 30 every
    border is an exact double (a multiple of 2^-28 below 2^8), so the bits are k = max{k : border(k) ≤ value}.
    A float estimate of k is off by at most one and is corrected with exact comparisons against the borders,
    giving the reference algorithm's result bit for bit."""
    if nbits > 30:
        raise ValueError("at most 30 bits per coordinate")
    cells = 1 << nbits
    width = (hi - lo) / cells
    k = np.clip(np.floor((values - lo) / width), 0, cells - 1).astype(np.int64)
    k -= (lo + k * width > values) & (k > 0)
    k += (lo + (k + 1) * width <= values) & (k < cells - 1)
    return k


def _spread(x: np.ndarray) -> np.ndarray:
    """Bits of a < 2^32 integer moved to the even positions (b -> 2b): half of a Morton interleave."""
    x = x.astype(np.uint64)
    for shift, mask in ((16, 0x0000FFFF0000FFFF), (8, 0x00FF00FF00FF00FF), (4, 0x0F0F0F0F0F0F0F0F),
                        (2, 0x3333333333333333), (1, 0x5555555555555555)):
        x = (x | (x << np.uint64(shift))) & np.uint64(mask)
    return x


def encode_array(lon, lat, precision: int = 12) -> np.ndarray:
    """Vectorised GeoHash of lon/lat arrays (degrees, WGS 84); returns a numpy array of str."""
    if not 1 <= precision <= 12:
        raise ValueError("precision must be 1..12")
    lon = np.atleast_1d(np.asarray(lon, dtype=np.float64))
    lat = np.atleast_1d(np.asarray(lat, dtype=np.float64))
    if lon.shape != lat.shape:
        raise ValueError("lon and lat must have the same shape")
    if np.any(~np.isfinite(lon)) or np.any(~np.isfinite(lat)):
        raise ValueError("lon/lat must be finite")
    if np.any(np.abs(lat) > 90) or np.any(np.abs(lon) > 180):
        raise ValueError("lon must be in [-180, 180] and lat in [-90, 90]")
    nbits = precision * 5
    lon_bits = (nbits + 1) // 2  # even bit positions (0, 2, ...) are longitude
    lat_bits = nbits // 2
    lon_code = _bisect_bits(lon, -180.0, 180.0, lon_bits)
    lat_code = _bisect_bits(lat, -90.0, 90.0, lat_bits)
    # Longitude takes the first bit: when nbits is even its bits sit one place above latitude's.
    code = ((_spread(lon_code) << np.uint64(1)) | _spread(lat_code)) if nbits % 2 == 0 else \
        (_spread(lon_code) | (_spread(lat_code) << np.uint64(1)))
    code = code.astype(np.int64)
    chars = np.empty(lon.shape + (precision,), dtype="S1")
    for k in range(precision):
        shift = 5 * (precision - 1 - k)
        chars[..., k] = _ALPHABET[(code >> shift) & 31]
    return chars.view(f"S{precision}")[..., 0].astype(str)


def encode(lon: float, lat: float, precision: int = 12) -> str:
    """GeoHash of one WGS 84 lon/lat point (degrees)."""
    return str(encode_array([lon], [lat], precision)[0])


def decode_bbox(geohash: str) -> tuple[float, float, float, float]:
    """The cell of a GeoHash as (lon_min, lat_min, lon_max, lat_max)."""
    lon_lo, lon_hi, lat_lo, lat_hi = -180.0, 180.0, -90.0, 90.0
    even = True
    for ch in geohash.lower():
        value = _DECODE[ch]
        for shift in range(4, -1, -1):
            bit = (value >> shift) & 1
            if even:
                mid = (lon_lo + lon_hi) / 2
                lon_lo, lon_hi = (mid, lon_hi) if bit else (lon_lo, mid)
            else:
                mid = (lat_lo + lat_hi) / 2
                lat_lo, lat_hi = (mid, lat_hi) if bit else (lat_lo, mid)
            even = not even
    return lon_lo, lat_lo, lon_hi, lat_hi


def decode(geohash: str) -> tuple[float, float]:
    """Centre (lon, lat) of a GeoHash cell."""
    x0, y0, x1, y1 = decode_bbox(geohash)
    return (x0 + x1) / 2, (y0 + y1) / 2
