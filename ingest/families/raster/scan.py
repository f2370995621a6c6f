"""One pass over a raster's internal blocks: band statistics, class histogram, the value rules, the footprint.

Windowed: one block in memory at a time. Statistics are over valid pixels in physical units (stored × scale +
offset); the footprint is the grid's outline densified and taken to WGS 84 through the pinned EPSG:6960 path.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import rasterio
import shapely
from pyproj import Transformer

from hub import crs as hubcrs
from ingest.families.raster.crs import RasterCrs
from ingest.families.raster.options import RasterOptions

VIETNAM_BOUNDS = (101.5, 7.5, 117.5, 23.6)  # lon/lat, generous (islands included), as the vector checks use


@dataclass
class BandStats:
    """Running statistics of one band (physical units) and, for class rasters, pixel counts per value."""

    count: int = 0
    total: int = 0
    minimum: float = math.inf
    maximum: float = -math.inf
    mean: float = 0.0
    m2: float = 0.0  # sum of squared deviations (Chan's parallel update)
    out_of_range: int = 0
    histogram: dict[int, int] = field(default_factory=dict)

    def add(self, values: np.ndarray, lo_hi: tuple[float, float] | None) -> None:
        """Fold one block's valid values in (float64, physical units)."""
        n = values.size
        if n == 0:
            return
        bmean = float(values.mean())
        bm2 = float(((values - bmean) ** 2).sum())
        delta = bmean - self.mean
        tot = self.count + n
        self.mean += delta * n / tot
        self.m2 += bm2 + delta * delta * self.count * n / tot
        self.count = tot
        self.minimum = min(self.minimum, float(values.min()))
        self.maximum = max(self.maximum, float(values.max()))
        if lo_hi is not None:
            self.out_of_range += int(((values < lo_hi[0]) | (values > lo_hi[1])).sum())

    def as_stac(self) -> dict:
        """STAC raster:bands statistics."""
        if not self.count:
            return {"valid_percent": 0.0}
        return {"minimum": self.minimum, "maximum": self.maximum, "mean": self.mean,
                "stddev": math.sqrt(self.m2 / self.count), "valid_percent": 100.0 * self.count / self.total}


def scan(path: Path, opts: RasterOptions) -> BandStats:
    """Statistics of band 1 of a (COG) raster, block by block."""
    stats = BandStats()
    with rasterio.open(path) as src:
        stats.total = src.width * src.height
        nodata = src.nodata
        for _, window in src.block_windows(1):
            block = src.read(1, window=window)
            valid = np.ones(block.shape, bool) if nodata is None else (
                ~np.isnan(block) if isinstance(nodata, float) and math.isnan(nodata) else block != nodata)
            if block.dtype.kind == "f":
                valid &= np.isfinite(block)
            raw = block[valid]
            if opts.categorical:
                vals, counts = np.unique(raw, return_counts=True)
                for v, c in zip(vals.tolist(), counts.tolist()):
                    stats.histogram[int(v)] = stats.histogram.get(int(v), 0) + int(c)
            stats.add(raw.astype(np.float64) * opts.scale + opts.offset, None if opts.categorical else opts.range)
    return stats


def outline(width: int, height: int, transform, step_px: int = 64) -> np.ndarray:
    """The grid's outline (closed ring of x, y) with a vertex every `step_px` pixels along each edge."""
    nx, ny = max(2, width // step_px + 1), max(2, height // step_px + 1)
    cols = np.linspace(0, width, nx)
    rows = np.linspace(0, height, ny)
    ring_c = np.concatenate([cols, np.full(ny, width), cols[::-1], np.zeros(ny)])
    ring_r = np.concatenate([np.zeros(nx), rows, np.full(nx, height), rows[::-1]])
    x = transform.c + ring_c * transform.a
    y = transform.f + ring_r * transform.e
    return np.column_stack([np.append(x, x[0]), np.append(y, y[0])])


def to_wgs84(decision: RasterCrs):
    """A function (x, y) -> (lon, lat) WGS 84: the pinned EPSG:6960 pipeline for VN-2000, PROJ's conversion for
    WGS 84 UTM (same datum, no operation to choose)."""
    if decision.vn2000:
        t = hubcrs.to_wgs84(decision.epsg)
        return t.transform
    if decision.epsg == 4326:
        return lambda x, y: (np.asarray(x), np.asarray(y))
    t = Transformer.from_crs(decision.epsg, 4326, always_xy=True)
    return t.transform


def footprint(path: Path, decision: RasterCrs) -> shapely.Polygon:
    """The raster's outline in WGS 84 (lon, lat), pinned path."""
    with rasterio.open(path) as src:
        ring = outline(src.width, src.height, src.transform)
    lon, lat = to_wgs84(decision)(ring[:, 0], ring[:, 1])
    return shapely.Polygon(np.column_stack([lon, lat]))


def inside_vietnam(poly: shapely.Polygon) -> float:
    """Share of the footprint's area (in degrees², enough for a bounds test) inside Vietnam's bounds."""
    box = shapely.box(*VIETNAM_BOUNDS)
    return float(poly.intersection(box).area / poly.area) if poly.area > 0 else 0.0
