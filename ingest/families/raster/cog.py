"""GeoTIFF -> Cloud-Optimised GeoTIFF: the decided CRS, declared nodata/scale/offset and classes, overviews.

The source is wrapped in a VRT (georeferencing and band metadata overridden, pixels untouched) and written by
GDAL's COG driver, which streams blocks and builds the overviews in a temporary file: memory stays at the GDAL
block cache whatever the raster's size. The result is validated (rio-cogeo's structural check plus the hub's own:
CRS, geotransform, band metadata and overviews read back).
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass
from pathlib import Path
from xml.sax.saxutils import escape

import rasterio
from pyproj import CRS
from rasterio.enums import Resampling
from rio_cogeo.cogeo import cog_validate

from hub.errors import InputError
from hub.settings import raster_settings
from ingest.families.raster.crs import RasterCrs
from ingest.families.raster.options import RasterOptions

SUPPORTED_DTYPES = {"uint8", "int8", "uint16", "int16", "uint32", "int32", "float32", "float64"}
_VRT_TYPES = {"uint8": "Byte", "int8": "Int8", "uint16": "UInt16", "int16": "Int16", "uint32": "UInt32",
              "int32": "Int32", "float32": "Float32", "float64": "Float64"}


@dataclass(frozen=True)
class SourceInfo:
    """What the GeoTIFF itself says (read from its header only)."""

    path: Path
    width: int
    height: int
    count: int
    dtype: str
    transform: tuple[float, ...]
    wkt: str | None
    nodata: float | None
    scale: float
    offset: float
    driver: str


def sha256(path: Path) -> str:
    """SHA-256 of a file, read in 1 MiB blocks."""
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def inspect(path: Path, band: int) -> SourceInfo:
    """Open the file's header: a raster GDAL reads, north-up, georeferenced by a geotransform."""
    name = path.name
    try:  # deprecated EPSG codes are read as written (GDAL would substitute their replacement silently)
        with rasterio.Env(OSR_USE_NON_DEPRECATED="NO"), rasterio.open(path) as src:
            if band > src.count:
                raise InputError(f"band {band} requested but the file has {src.count}", file=name, field="band",
                                 rule="band_missing")
            t = src.transform
            if src.gcps[0] and t.is_identity:
                raise InputError("the raster is georeferenced by ground control points only; warp it to a grid "
                                 "first (gdalwarp)", file=name, field="geotransform", rule="not_gridded")
            if t.is_identity:
                raise InputError("the raster has no geotransform (no georeferencing)", file=name,
                                 field="geotransform", rule="not_gridded")
            if t.b != 0 or t.d != 0:
                raise InputError("the raster grid is rotated; warp it to a north-up grid first (gdalwarp)",
                                 file=name, field="geotransform", rule="rotated_grid")
            if t.e > 0:
                raise InputError("the raster is south-up (positive row step); warp it to a north-up grid first",
                                 file=name, field="geotransform", rule="rotated_grid")
            dtype = src.dtypes[band - 1]
            if dtype not in SUPPORTED_DTYPES:
                raise InputError(f"pixel type {dtype} is not supported (integers or float32/64)", file=name,
                                 field="dtype", rule="bad_value")
            return SourceInfo(path, src.width, src.height, src.count, dtype, tuple(t)[:6],
                              src.crs.to_wkt() if src.crs else None, src.nodatavals[band - 1],
                              src.scales[band - 1], src.offsets[band - 1], src.driver)
    except rasterio.errors.RasterioIOError as exc:
        raise InputError("not a raster GDAL can read (GeoTIFF expected)", file=name, rule="unreadable",
                         internal=str(exc)) from exc


def declared(info: SourceInfo, opts: RasterOptions) -> tuple[float | None, float, float]:
    """(nodata, scale, offset) for the COG: the entry's, which the file must not contradict."""
    name = info.path.name
    nodata = opts.nodata
    if info.nodata is not None and not (math.isnan(info.nodata) and nodata is not None and math.isnan(nodata)):
        if nodata is None:
            nodata = info.nodata
        elif info.nodata != nodata:
            raise InputError(f"the file's nodata is {info.nodata:g} but the catalog declares {nodata:g}", file=name,
                             field="nodata", rule="nodata_conflict")
    for what, got, want in (("scale", info.scale, opts.scale), ("offset", info.offset, opts.offset)):
        default = 1.0 if what == "scale" else 0.0
        if got != default and got != want:
            raise InputError(f"the file's {what} is {got:g} but the catalog declares {want:g}", file=name,
                             field=what, rule="scale_conflict")
    if nodata is not None and not math.isnan(nodata) and info.dtype.startswith(("uint", "int")):
        import numpy as np

        lim = np.iinfo(info.dtype)
        if not (lim.min <= nodata <= lim.max) or nodata != int(nodata):
            raise InputError(f"nodata {nodata:g} cannot be stored as {info.dtype}", file=name, field="nodata",
                             rule="nodata_conflict")
    return nodata, opts.scale, opts.offset


def _color_table(opts: RasterOptions) -> str:
    """A VRT colour table (palette entries for every value up to the largest class) for 8-bit class rasters."""
    by_value = opts.class_by_value()
    top = max(by_value) if by_value else 0
    entries = []
    for v in range(top + 1):
        c = by_value.get(v)
        r, g, b = (int(c.color[i:i + 2], 16) for i in (1, 3, 5)) if c else (0, 0, 0)
        entries.append(f'<Entry c1="{r}" c2="{g}" c3="{b}" c4="{255 if c else 0}"/>')
    return f"<ColorInterp>Palette</ColorInterp><ColorTable>{''.join(entries)}</ColorTable>"


def vrt_xml(info: SourceInfo, decision: RasterCrs, opts: RasterOptions, nodata: float | None) -> str:
    """The VRT that gives the source pixels the decided CRS and the declared band metadata."""
    wkt = CRS.from_epsg(decision.epsg).to_wkt()
    gt = info.transform
    geotransform = ", ".join(repr(v) for v in (gt[2], gt[0], gt[1], gt[5], gt[3], gt[4]))
    band = [f'<VRTRasterBand dataType="{_VRT_TYPES[info.dtype]}" band="1">']
    if nodata is not None:
        band.append(f"<NoDataValue>{'nan' if math.isnan(nodata) else repr(nodata)}</NoDataValue>")
    if opts.unit:
        band.append(f"<UnitType>{escape(opts.unit)}</UnitType>")
    if opts.scale != 1.0 or opts.offset != 0.0:
        band.append(f"<Offset>{opts.offset!r}</Offset><Scale>{opts.scale!r}</Scale>")
    band.append(f"<Description>{escape(opts.title_en or opts.kind)}</Description>")
    band.append(_color_table(opts) if opts.categorical and info.dtype == "uint8" else "<ColorInterp>Gray</ColorInterp>")
    band.append(f'<SimpleSource><SourceFilename relativeToVRT="0">{escape(str(info.path.resolve()))}'
                f"</SourceFilename><SourceBand>{opts.band}</SourceBand></SimpleSource></VRTRasterBand>")
    return (f'<VRTDataset rasterXSize="{info.width}" rasterYSize="{info.height}">'
            f'<SRS dataAxisToSRSAxisMapping="{_axis_mapping(decision.epsg)}">{escape(wkt)}</SRS>'
            f"<GeoTransform>{geotransform}</GeoTransform>{''.join(band)}</VRTDataset>")


def _axis_mapping(epsg: int) -> str:
    """GDAL's data-axis-to-CRS-axis mapping: the grid is always x = east/lon, y = north/lat."""
    c = CRS.from_epsg(epsg)
    first = c.axis_info[0].direction.lower() if c.axis_info else "east"
    return "2,1" if first == "north" else "1,2"


def overview_resampling(opts: RasterOptions) -> Resampling:
    """Overviews of classes keep classes (nearest); measurements are averaged."""
    return Resampling.nearest if opts.categorical else Resampling.average


def write_cog(info: SourceInfo, decision: RasterCrs, opts: RasterOptions, dst: Path) -> dict:
    """Write the COG to `dst` (atomically: a temporary name, then renamed); returns its facts."""
    from rasterio.shutil import copy as rio_copy

    s = raster_settings()
    nodata, _, _ = declared(info, opts)
    tmp = dst.with_name(f".{dst.name}.partial")
    tmp.unlink(missing_ok=True)
    predictor = "YES" if info.dtype != "uint8" or not opts.categorical else "NO"
    with rasterio.Env(GDAL_CACHEMAX=s.gdal_cache_mb, GDAL_NUM_THREADS="2", GDAL_TIFF_INTERNAL_MASK="YES"):
        with rasterio.open(vrt_xml(info, decision, opts, nodata)) as vrt:
            rio_copy(vrt, tmp, driver="COG", COMPRESS="DEFLATE", PREDICTOR=predictor, LEVEL=6,
                     BLOCKSIZE=s.block_size, OVERVIEWS="AUTO", OVERVIEW_RESAMPLING=overview_resampling(opts).name.upper(),
                     BIGTIFF="IF_SAFER", NUM_THREADS=2)
    facts = validate(tmp, decision, info, opts, nodata)
    tmp.replace(dst)
    return facts


def validate(path: Path, decision: RasterCrs, info: SourceInfo, opts: RasterOptions, nodata: float | None) -> dict:
    """Structural COG check (rio-cogeo) and the hub's read-back of what must have been written."""
    valid, errors, warnings = cog_validate(str(path), quiet=True)
    problems = list(errors)
    with rasterio.open(path) as cog:
        if cog.crs is None or cog.crs.to_epsg() != decision.epsg:
            problems.append(f"CRS read back as {cog.crs} instead of EPSG:{decision.epsg}")
        if tuple(cog.transform)[:6] != info.transform:
            problems.append("geotransform changed")
        if (cog.nodata is None) != (nodata is None) or (nodata is not None and not math.isnan(nodata)
                                                        and cog.nodata != nodata):
            problems.append(f"nodata read back as {cog.nodata}")
        if cog.scales[0] != opts.scale or cog.offsets[0] != opts.offset:
            problems.append(f"scale/offset read back as {cog.scales[0]}/{cog.offsets[0]}")
        if max(cog.width, cog.height) > 2 * raster_settings().block_size and not cog.overviews(1):
            problems.append("no overviews")
        overviews = cog.overviews(1)
        blocks = cog.block_shapes[0]
    if not valid or problems:
        raise InputError("the Cloud-Optimised GeoTIFF failed validation: " + "; ".join(problems), file=info.path.name,
                         rule="cog_invalid")
    return {"overviews": overviews, "block_shape": list(blocks), "cog_warnings": list(warnings),
            "bytes": path.stat().st_size}
