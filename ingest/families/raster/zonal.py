"""Exact zonal statistics: every pixel weighted by the share of it a polygon covers (exactextract), never pixel
centres.

Polygons arrive in spatially ordered batches (already in the raster's grid CRS). A batch is split until the
window of pixels under it holds at most HUB_RASTER_WINDOW_CELLS cells; the window is read once (one rasterio read,
stored values, no scaling) and handed to exactextract as an in-memory grid, so a million parcels cost a few
thousand reads. A polygon larger than a window on its own is measured against the COG directly, exactextract
reading it piecewise (max_cells_in_memory). Statistics are computed on stored values and mapped to physical units
afterwards (linear: stored × scale + offset). In degree grids the weights are spherical areas (m²), so shares and
means are per square metre, not per pixel.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

import numpy as np
import rasterio
import shapely
from exactextract import exact_extract
from exactextract._exactextract import Feature
from exactextract.feature import FeatureSource
from exactextract.raster import NumPyRasterSource, RasterSource
from rasterio.windows import Window

from hub.settings import raster_settings


@dataclass(frozen=True)
class Grid:
    """What the statistics need to know about a raster: grid, stored-value semantics and classes."""

    path: str
    geographic: bool
    nodata: float | None
    scale: float
    offset: float
    classes: dict[int, str]  # pixel value -> class code (empty: continuous)

    @property
    def categorical(self) -> bool:
        """Class shares instead of mean/min/max."""
        return bool(self.classes)


@dataclass
class Result:
    """Statistics of one polygon (physical units; shares of the valid area)."""

    fid: str
    area_m2: float
    valid_share: float
    mean: float | None = None
    min: float | None = None
    max: float | None = None
    stddev: float | None = None
    classes: dict[str, float] | None = None
    majority: str | None = None


class _Feat(Feature):
    """One polygon for exactextract: its index in the batch and its WKB."""

    def __init__(self, i: int, wkb: bytes) -> None:
        """Keep the index (returned with the result) and the geometry."""
        Feature.__init__(self)
        self.i, self.wkb = i, wkb

    def get(self, name):
        """The only attribute is the batch index."""
        return self.i

    def set(self, name, value):
        """Results are read from the writer's output, not stored here."""

    def geometry(self):
        """The polygon as WKB."""
        return self.wkb

    def set_geometry(self, wkb):
        """Not needed: geometries are never copied to the output."""

    def set_geometry_format(self):
        """Geometries are WKB."""
        return "wkb"

    def fields(self):
        """The index column."""
        return ["i"]


class _Batch(FeatureSource):
    """A batch of polygons as an exactextract feature source."""

    def __init__(self, wkbs: list[bytes], index: Iterable[int]) -> None:
        """Polygons and their positions in the caller's batch."""
        super().__init__()
        self.items = list(zip(index, wkbs))

    def count(self):
        """Number of polygons."""
        return len(self.items)

    def __iter__(self):
        """One feature per polygon."""
        for i, w in self.items:
            yield _Feat(i, w)

    def srs_wkt(self):
        """Same CRS as the raster (the caller transformed the polygons)."""
        return None


class _CogSource(RasterSource):
    """The whole COG as an exactextract source reading stored values window by window (for huge polygons)."""

    def __init__(self, ds, nodata) -> None:
        """An open rasterio dataset."""
        super().__init__()
        self.ds, self.nd = ds, nodata

    def res(self):
        """Pixel size."""
        return abs(self.ds.transform.a), abs(self.ds.transform.e)

    def extent(self):
        """Grid bounds."""
        b = self.ds.bounds
        return b.left, b.bottom, b.right, b.top

    def nodata_value(self):
        """Stored nodata (None for NaN: the read returns a masked array)."""
        return _typed_nodata(self.nd, np.dtype(self.ds.dtypes[0]))

    def srs_wkt(self):
        """Not checked (polygons are already in the grid CRS)."""
        return None

    def read_window(self, x0, y0, nx, ny):
        """Stored values of one window."""
        arr = self.ds.read(1, window=Window(x0, y0, nx, ny))
        return _masked(arr, self.nd)


def _typed_nodata(nodata: float | None, dtype: np.dtype):
    """Nodata as the pixel type's Python scalar (exactextract's binding refuses a float for an integer grid);
    None for NaN, which is masked instead."""
    if nodata is None or math.isnan(nodata):
        return None
    return int(nodata) if np.dtype(dtype).kind in "iu" else float(nodata)


def _masked(arr: np.ndarray, nodata: float | None) -> np.ndarray:
    """NaN nodata as a mask (exactextract compares nodata by value)."""
    if nodata is not None and math.isnan(nodata):
        return np.ma.masked_invalid(arr)
    if arr.dtype.kind == "f" and not np.isfinite(arr).all():
        return np.ma.masked_invalid(arr)
    return arr


def _ops(grid: Grid) -> list[str]:
    """exactextract operations: `cells` (coverage fractions, for the valid share) and the statistics, weighted by
    coverage fraction in metric grids and by spherical m² in degree grids."""
    w = "(coverage_weight=area_spherical_m2)" if grid.geographic else ""
    if grid.categorical:
        return ["cells=count", f"frac{w}", "unique"]
    return ["cells=count", f"mean{w}", "min", "max", f"stdev{w}"]


def _result(fid: str, props: dict, grid_area: float, area_m2: float, grid: Grid, pixel_area: float) -> Result:
    """Map exactextract's output (stored values) to a Result in physical units. The valid share is measured in
    the grid itself (covered valid cells × cell area / polygon area, both in grid units): exact, whatever the
    grid's units."""
    cells = float(props.get("cells") or 0.0)
    valid_share = min(1.0, cells * pixel_area / grid_area) if grid_area > 0 else 0.0
    out = Result(fid, area_m2, valid_share)
    if cells <= 0:
        return out
    if grid.categorical:
        shares: dict[str, float] = {}
        for v, f in zip(np.asarray(props["unique"]).tolist(), np.asarray(props["frac"]).tolist()):
            code = grid.classes.get(int(v), str(int(v)))
            shares[code] = shares.get(code, 0.0) + float(f)
        out.classes = {k: round(v, 9) for k, v in sorted(shares.items(), key=lambda kv: -kv[1])}
        out.majority = next(iter(out.classes))
        return out
    s, o = grid.scale, grid.offset
    lo, hi = float(props["min"]) * s + o, float(props["max"]) * s + o
    out.mean = float(props["mean"]) * s + o
    out.min, out.max = (lo, hi) if s > 0 else (hi, lo)
    out.stddev = float(props["stdev"]) * abs(s)
    return out


def geodesic_area_m2(geoms) -> np.ndarray:
    """Ellipsoidal areas (m², WGS 84 ellipsoid, which VN-2000 shares) of lon/lat polygons."""
    from pyproj import Geod

    geod = Geod(ellps="WGS84")
    return np.array([abs(geod.geometry_area_perimeter(g)[0]) for g in geoms], dtype=np.float64)


class Engine:
    """Statistics of one raster for batches of polygons in its grid CRS."""

    def __init__(self, grid: Grid) -> None:
        """Open the COG once."""
        self.grid = grid
        self.ds = rasterio.open(grid.path)
        t = self.ds.transform
        self.pixel_area = abs(t.a * t.e)
        self.cap = raster_settings().window_cells
        self.ops = _ops(grid)

    def close(self) -> None:
        """Close the COG."""
        self.ds.close()

    def _window(self, bounds: np.ndarray) -> Window | None:
        """The pixel window under bounds (minx, miny, maxx, maxy), snapped outwards and clipped to the grid."""
        t, w, h = self.ds.transform, self.ds.width, self.ds.height
        c0 = max(0, math.floor((bounds[0] - t.c) / t.a))
        c1 = min(w, math.ceil((bounds[2] - t.c) / t.a))
        r0 = max(0, math.floor((bounds[3] - t.f) / t.e))
        r1 = min(h, math.ceil((bounds[1] - t.f) / t.e))
        if c1 <= c0 or r1 <= r0:
            return None
        return Window(c0, r0, c1 - c0, r1 - r0)

    def run(self, fids: list[str], geoms: np.ndarray) -> Iterator[Result]:
        """Statistics of a batch (any order); polygons off the raster yield nothing."""
        if not len(fids):
            return
        bounds = shapely.bounds(geoms)
        grid_area = shapely.area(geoms)
        areas = np.column_stack([grid_area, geodesic_area_m2(geoms) if self.grid.geographic else grid_area])
        yield from self._split(np.arange(len(fids)), fids, geoms, bounds, areas)

    def _split(self, idx, fids, geoms, bounds, areas) -> Iterator[Result]:
        """Halve the batch along its longer side until its window fits the cap."""
        b = bounds[idx]
        total = np.array([b[:, 0].min(), b[:, 1].min(), b[:, 2].max(), b[:, 3].max()])
        win = self._window(total)
        if win is None:
            return
        if win.width * win.height <= self.cap:
            yield from self._measure(idx, fids, geoms, areas, win)
            return
        if len(idx) == 1:
            yield from self._measure_large(int(idx[0]), fids, geoms, areas)
            return
        axis = 0 if total[2] - total[0] >= total[3] - total[1] else 1
        centre = (b[:, axis] + b[:, axis + 2]) / 2
        order = np.argsort(centre, kind="stable")
        half = len(idx) // 2
        yield from self._split(idx[order[:half]], fids, geoms, bounds, areas)
        yield from self._split(idx[order[half:]], fids, geoms, bounds, areas)

    def _measure(self, idx, fids, geoms, areas, win: Window) -> Iterator[Result]:
        """One window read, one exactextract call for the polygons under it."""
        arr = _masked(self.ds.read(1, window=win), self.grid.nodata)
        t = self.ds.window_transform(win)
        xmin, ymax = t.c, t.f
        xmax, ymin = xmin + win.width * t.a, ymax + win.height * t.e
        src = NumPyRasterSource(arr, xmin, ymin, xmax, ymax, nodata=_typed_nodata(self.grid.nodata, arr.dtype))
        yield from self._extract(src, idx, fids, geoms, areas)

    def _measure_large(self, i: int, fids, geoms, areas) -> Iterator[Result]:
        """A polygon larger than a window: exactextract reads the COG piecewise."""
        src = _CogSource(self.ds, self.grid.nodata)
        yield from self._extract(src, np.array([i]), fids, geoms, areas, max_cells=self.cap)

    def _extract(self, src, idx, fids, geoms, areas, max_cells: int = 30_000_000) -> Iterator[Result]:
        """Run exactextract over a source for the polygons idx."""
        feats = _Batch(shapely.to_wkb(geoms[idx]).tolist(), idx.tolist())
        rows = exact_extract(src, feats, self.ops, include_cols=["i"], max_cells_in_memory=max_cells)
        for row in rows:
            p = row["properties"]
            i = int(p["i"])
            yield _result(fids[i], p, float(areas[i, 0]), float(areas[i, 1]), self.grid, self.pixel_area)
