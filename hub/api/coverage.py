"""OGC API - Coverages for the published COGs: pygeoapi's rasterio provider, with the two faults issue 14 names
fixed. The stock provider reads the whole raster for a request without subset (and masks a full-resolution crop
for a bbox); this one reads one window, decimated so no response holds more than HUB_RASTER_MAX_COVERAGE_CELLS
cells (GDAL then reads the COG's overviews): memory is bounded whatever the raster's size. The stock provider
also names projected CRSs `OGC/1.3/<code>`, which does not exist; this one writes `EPSG/0/<code>`. A CRS84 bbox
reaches a VN-2000 grid through the pinned EPSG:6960 pipeline, never PROJ's own choice."""

from __future__ import annotations

import math

import numpy as np
import rasterio
from psycopg import sql
from pygeoapi.provider.base import BaseProvider, ProviderQueryError
from pygeoapi.provider.rasterio_ import RasterioProvider
from rasterio.io import MemoryFile
from rasterio.windows import Window, from_bounds

from hub import crs as hubcrs
from hub.settings import raster_settings

EPSG_URI = "http://www.opengis.net/def/crs/EPSG/0/{}"


def cog_path(collection: str) -> str:
    """The published COG of a raster collection (its first raster in key order), found through its pub view."""
    from hub.api.collections import public_collections
    from hub.api.state import sync_pool

    coll = public_collections().get(collection)
    if coll is None or coll.dataset.family != "raster":
        raise ProviderQueryError(f"{collection} is not a raster collection")
    with sync_pool().connection() as conn:
        row = conn.execute(sql.SQL("SELECT href FROM {} ORDER BY raster_key LIMIT 1").format(
            sql.Identifier(coll.schema, coll.view))).fetchone()
    if row is None:
        raise ProviderQueryError(f"{collection} has no published raster")
    return str(raster_settings().store / coll.dataset.id / row[0].rsplit("/", 1)[-1])


def _to_grid(epsg: int):
    """(lon, lat) WGS 84 -> the grid's CRS: the inverse of the pinned pipeline for VN-2000 grids."""
    if hubcrs.is_vn2000(epsg):
        t = hubcrs.to_wgs84(epsg)
        return lambda x, y: t.transform(x, y, direction="INVERSE")
    from pyproj import Transformer

    return Transformer.from_crs(4326, epsg, always_xy=True).transform


class HubCoverageProvider(RasterioProvider):
    """Windowed, decimated reads of a published COG (see the module docstring)."""

    def __init__(self, provider_def):
        """Open the collection's COG (`data: {collection: id}`; a plain path for benchmarks)."""
        BaseProvider.__init__(self, provider_def)
        data = provider_def["data"]
        self.data = cog_path(data["collection"]) if isinstance(data, dict) else str(data)
        self._data = rasterio.open(self.data)
        self._coverage_properties = self._get_coverage_properties()
        self.axes = self._coverage_properties["axes"]
        self.crs = self._coverage_properties["bbox_crs"]
        self.num_bands = self._coverage_properties["num_bands"]
        self.get_fields()
        self.native_format = provider_def["format"]["name"]

    def _get_coverage_properties(self):
        """The stock properties with the CRS named by its EPSG URI."""
        props = super()._get_coverage_properties()
        epsg = self._data.crs.to_epsg() if self._data.crs else None
        if epsg:
            props["bbox_crs"] = EPSG_URI.format(epsg) if self._data.crs.is_projected else props["bbox_crs"]
        return props

    def _window(self, subsets: dict, bbox: list) -> Window:
        """The pixel window a bbox (CRS84) or an x/y subset (grid CRS) asks for, clipped to the grid."""
        ds = self._data
        full = Window(0, 0, ds.width, ds.height)
        if bbox:
            x0, y0, x1, y1 = bbox
            epsg = ds.crs.to_epsg()
            if epsg != 4326:
                xs, ys = _to_grid(epsg)(np.array([x0, x1, x0, x1]), np.array([y0, y0, y1, y1]))
                x0, x1, y0, y1 = float(np.min(xs)), float(np.max(xs)), float(np.min(ys)), float(np.max(ys))
        else:
            xl, yl = self._coverage_properties["x_axis_label"], self._coverage_properties["y_axis_label"]
            if xl not in subsets and yl not in subsets:
                return full
            b = ds.bounds
            x0, x1 = subsets.get(xl, [b.left, b.right])
            y0, y1 = subsets.get(yl, [b.bottom, b.top])
        win = from_bounds(x0, y0, x1, y1, ds.transform).round_offsets().round_lengths()
        try:
            return win.intersection(full)
        except rasterio.errors.WindowError as exc:
            raise ProviderQueryError("the requested area does not intersect the coverage") from exc

    def query(self, properties=[], subsets={}, bbox=None, bbox_crs=4326, datetime_=None, format_="json",
              **kwargs):
        """One window, decimated to the cell cap; CoverageJSON or GeoTIFF."""
        if bbox and int(bbox_crs) != 4326:
            raise ProviderQueryError("bbox is read in CRS84 (lon, lat)")
        ds = self._data
        indexes = [int(b) for b in properties] if properties else list(range(1, ds.count + 1))
        win = self._window(subsets or {}, bbox or [])
        cap = raster_settings().max_coverage_cells
        step = max(1.0, math.sqrt(win.width * win.height / cap))
        out_w, out_h = max(1, int(win.width / step)), max(1, int(win.height / step))
        data = ds.read(indexes, window=win, out_shape=(len(indexes), out_h, out_w), masked=True)
        t = ds.window_transform(win) * rasterio.Affine.scale(win.width / out_w, win.height / out_h)
        meta = {**ds.meta, "driver": "GTiff", "width": out_w, "height": out_h, "count": len(indexes),
                "transform": t}
        if format_ == "json":
            left, top = t.c, t.f
            meta["bbox"] = [left, top + out_h * t.e, left + out_w * t.a, top]
            meta["bands"] = indexes
            meta["units"] = ds.units
            return self.gen_covjson(meta, data)
        with MemoryFile() as mem:
            with mem.open(**meta, compress="deflate") as dst:
                dst.write(data.filled(ds.nodata if ds.nodata is not None else 0))
            return mem.read()
