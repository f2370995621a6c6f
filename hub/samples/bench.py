"""Large clean benchmark GeoPackage (up to ~1M parcels), written in ~50k-parcel chunks with pyogrio append.

Every sheet is a 1:2000 frame (1 km) tiled by 17 × 17 jittered quadrilaterals (289 parcels, numbered zig-zag);
36 sheets (a 6 × 6 km block) form one synthetic commune carrying a real pre-2025 commune code of a province in
that zone (cycled), so reference checks behave as with real data (boundaries are not generated at this scale).
Fields are those of the Sóc Trăng sample (full names), UTF-8 NFC, no broken records; MaDinhDanh uses the pinned
EPSG:6960 path. Memory stays flat: one chunk of numpy arrays at a time.
"""

from __future__ import annotations

import csv
import math
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path

import numpy as np
import shapely
from pyogrio.raw import write as raw_write

from hub.crs import ZONES, to_wgs84
from hub.geohash import encode_array
from hub.samples import names
from hub.samples.files import FULL_FIELDS
from hub.samples.parcels import rng_for
from hub.samples.writers import GPKG_DATE, gdal_config

GRID = 17  # parcels per sheet side
PER_SHEET = GRID * GRID
CHUNK_SHEETS = 50_000 // PER_SHEET
ANCHORS = {9210: (106.60, 10.85), 5897: (105.80, 21.00), 9209: (105.95, 9.70), 9211: (105.25, 21.80),
           9208: (105.10, 10.40), 9207: (105.15, 9.20), 9213: (105.85, 21.55), 5899: (108.15, 16.05),
           9218: (108.05, 12.70), 9217: (109.15, 13.80), 3405: (105.80, 21.00), 3406: (108.20, 16.00)}
HAMLETS = ("An Bình", "Phú Hòa", "Tân Thành", "Đồng Tâm", "Hòa Lợi", "Thạnh Mỹ", "Long Hưng", "Vĩnh Phước")


@lru_cache(maxsize=8)
def _real_codes(epsg: int) -> tuple[str, ...]:
    """Pre-2025 commune codes of the first old province whose TT 973 zone is `epsg` (HCMC for 9210)."""
    data = Path(__file__).resolve().parents[1] / "ref" / "data"
    with open(data / "crs_zone.csv", encoding="utf-8") as fh:
        zones = [r["old_province_code"] for r in csv.DictReader(fh) if int(r["epsg"]) == epsg]
    province = "79" if epsg == 9210 else (zones[0] if zones else "79")
    with open(data / "admin_unit.csv", encoding="utf-8") as fh:
        rows = [r for r in csv.DictReader(fh) if r["version_id"] == "GSO-2025-06-30"]
    districts = {r["code"] for r in rows if r["level"] == "huyen" and r["parent_code"] == province}
    return tuple(sorted(r["code"] for r in rows if r["level"] == "xa" and r["parent_code"] in districts))


def _origin(epsg: int, n_sheets: int) -> tuple[float, float, int]:
    """SW corner (6-km aligned) of a square block of sheets centred on the zone's anchor, and its width in sheets."""
    side = math.ceil(math.sqrt(n_sheets))
    lon, lat = ANCHORS.get(epsg, (ZONES[epsg].cm_deg + 0.3, 16.0))
    e, n = to_wgs84(epsg).transform(lon, lat, direction="INVERSE")
    return math.floor((e - side * 500) / 6000) * 6000.0, math.floor((n - side * 500) / 6000) * 6000.0, side


def _names(rng: np.random.Generator, n: int) -> np.ndarray:
    """n synthetic 'family middle given' names (vectorised)."""
    fam, w = zip(*names.FAMILY_SOUTH)
    family = np.asarray(fam, dtype=object)[rng.choice(len(fam), n, p=np.asarray(w) / sum(w))]
    sex_f = rng.random(n) < 0.4
    out = np.empty(n, dtype=object)
    for sex, mask in (("m", ~sex_f), ("f", sex_f)):
        k = int(mask.sum())
        mid = np.asarray(names.MIDDLE[sex], dtype=object)[rng.integers(0, len(names.MIDDLE[sex]), k)]
        giv = np.asarray(names.GIVEN[sex], dtype=object)[rng.integers(0, len(names.GIVEN[sex]), k)]
        out[mask] = family[mask] + " " + mid + " " + giv
    return out


def _chunk(rng, epsg, e0, n0, side, first_sheet, n_sheets):
    """Geometries (WKB) and field arrays for sheets first_sheet .. first_sheet + n_sheets - 1."""
    s = np.arange(first_sheet, first_sheet + n_sheets)
    sx, sy = s % side, s // side
    d = 1000.0 / GRID
    ii, jj = np.meshgrid(np.arange(GRID + 1), np.arange(GRID + 1))
    jit = rng.uniform(-0.28, 0.28, (n_sheets, 2, GRID + 1, GRID + 1)) * d
    jit[:, 0, :, 0] = jit[:, 0, :, -1] = 0.0
    jit[:, 1, 0, :] = jit[:, 1, -1, :] = 0.0
    xs = np.round(e0 + sx[:, None, None] * 1000.0 + ii * d + jit[:, 0], 3)
    ys = np.round(n0 + sy[:, None, None] * 1000.0 + jj * d + jit[:, 1], 3)
    # cell (j, i) corners (dj, di) in CCW order: SW, SE, NE, NW, SW
    ring = np.stack([np.stack([xs[:, dj:dj + GRID, di:di + GRID], ys[:, dj:dj + GRID, di:di + GRID]], -1)
                     for dj, di in ((0, 0), (0, 1), (1, 1), (1, 0), (0, 0))], axis=3)
    coords = ring.reshape(-1, 5, 2)
    polys = shapely.polygons(coords)
    n = len(coords)
    row = np.tile(np.repeat(np.arange(GRID), GRID), n_sheets)
    col = np.tile(np.tile(np.arange(GRID), GRID), n_sheets)
    t = GRID - 1 - row  # row index from the top
    number = t * GRID + np.where(t % 2 == 0, col, GRID - 1 - col) + 1
    commune = np.repeat((sy // 6) * math.ceil(side / 6) + sx // 6, PER_SHEET)
    sheet_no = np.repeat((sy % 6) * 6 + sx % 6 + 1, PER_SHEET)
    codes, probs = names.land_use_weights("A", 2000, "xa", "LANDUSE_TT08_2024")
    lu = np.asarray(codes, dtype=object)[rng.choice(len(codes), n, p=probs)]
    pts = shapely.point_on_surface(polys)
    lon, lat = to_wgs84(epsg).transform(shapely.get_x(pts), shapely.get_y(pts))
    hamlet = np.asarray(HAMLETS, dtype=object)[rng.integers(0, len(HAMLETS), n)]
    real = _real_codes(epsg)
    code_str = np.asarray(real, dtype=object)[commune % len(real)]
    fields = [code_str, sheet_no.astype(np.int32), number.astype(np.int32),
              np.round(shapely.area(polys), 1), lu,
              "Ấp " + hamlet + ", xã Thử Nghiệm " + (commune + 1).astype(str).astype(object),
              _names(rng, n), np.full(n, "", dtype=object), encode_array(lon, lat, 12).astype(object)]
    return shapely.to_wkb(polys), fields


def generate_bench_gpkg(path: Path, n_parcels: int, epsg: int = 9210, seed: int = 7,
                        progress: Callable[[int], None] | None = None) -> None:
    """Write n_parcels clean parcels (layer ThuaDat, EPSG `epsg`) in ~50k chunks; progress(k) after each chunk."""
    if n_parcels <= 0:
        raise ValueError("n_parcels must be > 0")
    if epsg not in ZONES:
        raise ValueError(f"EPSG:{epsg} is not a VN-2000 projected zone known to hub.crs")
    path = Path(path)
    path.unlink(missing_ok=True)
    n_sheets = math.ceil(n_parcels / PER_SHEET)
    e0, n0, side = _origin(epsg, n_sheets)
    done = 0
    with gdal_config(OGR_CURRENT_DATE=GPKG_DATE):
        for k, first in enumerate(range(0, n_sheets, CHUNK_SHEETS)):
            count = min(CHUNK_SHEETS, n_sheets - first)
            wkb, fields = _chunk(rng_for(seed, "bench", k), epsg, e0, n0, side, first, count)
            keep = min(len(wkb), n_parcels - done)
            raw_write(str(path), wkb[:keep], [f[:keep] for f in fields], FULL_FIELDS, layer="ThuaDat",
                      driver="GPKG", geometry_type="Polygon", crs=f"EPSG:{epsg}", append=k > 0)
            done += keep
            if progress:
                progress(keep)
