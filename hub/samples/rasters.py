"""Sample rasters for the two provinces (DEM, slope, land cover) and the broken/hidden-case GeoTIFFs.

* Cần Thơ (A): DEM and slope on VN-2000 / TM-3 zone 482 (EPSG:5897, KTT 105°00′) at 20 m, int16 centimetres
  (scale 0.01) and uint16 tenths of a degree; land cover on WGS 84 at 0.0002° (ESA WorldCover classes).
* Tuyên Quang (B): DEM (float32, whole metres) and slope (uint16, 0.1°) on VN-2000 / UTM zone 48N (EPSG:3405) at
  30 m; land cover on WGS 84.
* broken/: one file per refusal rule (no CRS, TM-3 parameters on a bare WGS 84 datum, nodata contradicting the
  catalog, an undeclared land-cover class, a deprecated EPSG code, X/Y swapped so the grid lands outside Vietnam)
  and hidden/: a VN-2000 GeoTIFF whose CRS has no EPSG code, only WKT parameters and the EPSG:6960 TOWGS84.
Source files are striped DEFLATE GeoTIFFs, as survey offices hand them over (the hub makes the COGs).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import rasterio
from pyproj import CRS
from rasterio.transform import from_origin

from hub import crs as hubcrs
from hub.samples.terrain import Field, slope_degrees

# lon/lat boxes around the sample communes (domain §11 layout), with a margin of a few km
BOXES = {"A": (105.38, 9.68, 105.99, 10.27), "B": (105.02, 21.71, 105.44, 23.39)}
LANDCOVER_RES_DEG = 0.0002
DEM_NODATA_INT = -32768
FLOAT_NODATA = -9999.0
SLOPE_NODATA = 65535  # slope is stored in tenths of a degree (uint16, scale 0.1)


@dataclass(frozen=True)
class GridSpec:
    """A sample raster grid: CRS, pixel size (m or degrees) and the lon/lat box it must cover."""

    epsg: int
    res: float
    box: tuple[float, float, float, float]


def _grid_bounds(spec: GridSpec) -> tuple[float, float, float, float]:
    """The box in the grid's CRS (projected through the pure VN-2000 projection; lon/lat for WGS 84), snapped."""
    if spec.epsg == 4326:
        x0, y0, x1, y1 = spec.box
    else:
        t = hubcrs.to_vn2000_geographic(spec.epsg)
        lon = np.array([spec.box[0], spec.box[2], spec.box[0], spec.box[2]])
        lat = np.array([spec.box[1], spec.box[1], spec.box[3], spec.box[3]])
        x, y = t.transform(lon, lat, direction="INVERSE")
        x0, y0, x1, y1 = x.min(), y.min(), x.max(), y.max()
    r = spec.res
    return (np.floor(x0 / r) * r, np.floor(y0 / r) * r, np.ceil(x1 / r) * r, np.ceil(y1 / r) * r)


def _lonlat(spec: GridSpec, bounds, rows: slice, width: int) -> tuple[np.ndarray, np.ndarray]:
    """Pixel-centre lon/lat of rows `rows` (VN-2000 geographic for VN-2000 grids: the fields need no datum)."""
    x0, _, _, y1 = bounds
    cols = x0 + (np.arange(width) + 0.5) * spec.res
    ys = y1 - (np.arange(rows.start, rows.stop) + 0.5) * spec.res
    xx, yy = np.meshgrid(cols, ys)
    if spec.epsg == 4326:
        return xx, yy
    lon, lat = hubcrs.to_vn2000_geographic(spec.epsg).transform(xx.ravel(), yy.ravel())
    return lon.reshape(xx.shape), lat.reshape(xx.shape)


def _sample(spec: GridSpec, fn) -> tuple[np.ndarray, tuple]:
    """Evaluate fn(lon, lat) over the grid, 256 rows at a time; returns (array, bounds)."""
    bounds = _grid_bounds(spec)
    width = int(round((bounds[2] - bounds[0]) / spec.res))
    height = int(round((bounds[3] - bounds[1]) / spec.res))
    out = None
    for r0 in range(0, height, 256):
        rows = slice(r0, min(height, r0 + 256))
        block = fn(*_lonlat(spec, bounds, rows, width))
        if out is None:
            out = np.empty((height, width), block.dtype)
        out[rows] = block
    return out, bounds


def _write(path: Path, arr: np.ndarray, bounds, res: float, crs, *, nodata=None, scale=1.0, unit=None,
           predictor: int = 2) -> dict:
    """Write a striped DEFLATE GeoTIFF; returns its manifest entry."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.unlink(missing_ok=True)
    profile = {"driver": "GTiff", "width": arr.shape[1], "height": arr.shape[0], "count": 1, "dtype": arr.dtype.name,
               "crs": crs, "transform": from_origin(bounds[0], bounds[3], res, res), "compress": "deflate",
               "predictor": predictor, "zlevel": 6}
    if nodata is not None:
        profile["nodata"] = nodata
    with rasterio.Env(GDAL_TIFF_OVR_BLOCKSIZE=256), rasterio.open(path, "w", **profile) as dst:
        dst.write(arr, 1)
        if scale != 1.0:
            dst.scales = (scale,)
        if unit:
            dst.units = (unit,)
    return {"width": arr.shape[1], "height": arr.shape[0], "dtype": arr.dtype.name, "bytes": path.stat().st_size}


def _dem_and_slope(field: Field, spec: GridSpec, region: str) -> tuple[np.ndarray, np.ndarray, tuple]:
    """Elevation (float64 m) and slope (float32 degrees) on one grid; edge pixels of the slope are nodata."""
    z, bounds = _sample(spec, field.elevation)
    slope = np.round(slope_degrees(z, spec.res, spec.res) * 10).astype(np.uint16)
    slope[[0, -1], :] = SLOPE_NODATA
    slope[:, [0, -1]] = SLOPE_NODATA
    return z, slope, bounds


def write_region(out: Path, region: str, seed: int) -> dict[str, dict]:
    """DEM, slope and land cover of one region into out/<province>/; returns manifest entries."""
    name = "cantho" if region == "A" else "tuyenquang"
    field = Field(region, BOXES[region], seed)
    entries: dict[str, dict] = {}
    if region == "A":
        spec = GridSpec(5897, 20.0, BOXES[region])
        z, slope, bounds = _dem_and_slope(field, spec, region)
        dem = np.round(z * 100).astype(np.int16)
        dem[:3, :5] = DEM_NODATA_INT  # a corner without data, as in a clipped survey block
        entries[f"rasters/{name}/dem_{name}.tif"] = {**_write(
            out / f"rasters/{name}/dem_{name}.tif", dem, bounds, spec.res, "EPSG:5897", nodata=DEM_NODATA_INT,
            scale=0.01, unit="m"), "epsg": 5897, "scale": 0.01, "nodata": DEM_NODATA_INT}
    else:
        spec = GridSpec(3405, 30.0, BOXES[region])
        z, slope, bounds = _dem_and_slope(field, spec, region)
        dem = np.round(z).astype(np.float32)  # whole metres, as 1:50,000 base-map DEMs give
        entries[f"rasters/{name}/dem_{name}.tif"] = {**_write(
            out / f"rasters/{name}/dem_{name}.tif", dem, bounds, spec.res, "EPSG:3405", nodata=FLOAT_NODATA,
            unit="m", predictor=3), "epsg": 3405, "nodata": FLOAT_NODATA}
    entries[f"rasters/{name}/slope_{name}.tif"] = {**_write(
        out / f"rasters/{name}/slope_{name}.tif", slope, bounds, spec.res, f"EPSG:{spec.epsg}", nodata=SLOPE_NODATA,
        scale=0.1, unit="degree"), "epsg": spec.epsg, "nodata": SLOPE_NODATA, "scale": 0.1}
    lspec = GridSpec(4326, LANDCOVER_RES_DEG, BOXES[region])
    cover, lbounds = _sample(lspec, field.land_cover)
    entries[f"rasters/{name}/landcover_{name}.tif"] = {**_write(
        out / f"rasters/{name}/landcover_{name}.tif", cover, lbounds, lspec.res, "EPSG:4326", nodata=0),
        "epsg": 4326, "nodata": 0, "classes": sorted(int(v) for v in np.unique(cover))}
    return entries


def custom_vn2000_wkt(cm: float, *, datum: str = "Vietnam_2000", towgs84: bool = True) -> str:
    """A TM-3 WKT1 with no AUTHORITY anywhere (as MapInfo/old ArcGIS exports write it)."""
    shift = f",TOWGS84[{hubcrs.TOWGS84_6960}]" if towgs84 else ""
    return (f'PROJCS["VN-2000 / TM-3 KTT {cm}",GEOGCS["VN-2000",DATUM["{datum}",SPHEROID["WGS 84",6378137,'
            f'298.257223563]{shift}],PRIMEM["Greenwich",0],UNIT["degree",0.0174532925199433]],'
            f'PROJECTION["Transverse_Mercator"],PARAMETER["latitude_of_origin",0],PARAMETER["central_meridian",{cm}],'
            f'PARAMETER["scale_factor",0.9999],PARAMETER["false_easting",500000],PARAMETER["false_northing",0],'
            f'UNIT["metre",1],AXIS["Easting",EAST],AXIS["Northing",NORTH]]')


def write_cases(out: Path, seed: int) -> dict[str, dict]:
    """The hidden case and one broken file per refusal rule (small DEM crops of the Cần Thơ field)."""
    field = Field("A", BOXES["A"], seed)
    box = (105.42, 10.19, 105.47, 10.24)  # around Phường Thới Thuận (old 31210)
    spec = GridSpec(5897, 20.0, box)
    z, bounds = _sample(spec, field.elevation)
    dem = np.round(z * 100).astype(np.int16)
    entries: dict[str, dict] = {}

    def case(rel: str, arr, crs, expect: dict, *, nodata=DEM_NODATA_INT, scale=0.01, b=bounds, res=spec.res):
        """Write one case file and record what the hub must do with it."""
        entries[rel] = {**_write(out / rel, arr, b, res, crs, nodata=nodata, scale=scale, unit="m"), **expect}

    case("rasters/hidden/dem_thoithuan_vn2000_no_epsg.tif", dem, CRS.from_wkt(custom_vn2000_wkt(105.0)),
         {"expect": "loaded", "epsg": 5897, "origin": "file (WKT parameters)"})
    case("rasters/broken/dem_no_crs.tif", dem, None, {"expect": "refused", "rule": "crs", "exit_code": 7})
    case("rasters/broken/dem_tm3_on_bare_wgs84.tif", dem,
         CRS.from_wkt(custom_vn2000_wkt(105.0, datum="WGS_1984", towgs84=False)),
         {"expect": "refused", "rule": "crs", "exit_code": 7, "must_name": "--crs 5897"})
    case("rasters/broken/dem_deprecated_6957.tif", dem, CRS.from_epsg(6957),
         {"expect": "refused", "rule": "crs", "exit_code": 7, "must_name": "EPSG:5897"})
    case("rasters/broken/dem_nodata_conflict.tif", dem, "EPSG:5897",
         {"expect": "refused", "rule": "nodata_conflict", "exit_code": 5}, nodata=-9999)
    swapped = (bounds[1], bounds[0], bounds[3], bounds[2])  # northing written as easting
    case("rasters/broken/dem_xy_swapped.tif", dem, "EPSG:5897",
         {"expect": "refused", "rule": "outside_vietnam", "exit_code": 7}, b=swapped)
    cover, lbounds = _sample(GridSpec(4326, LANDCOVER_RES_DEG, box), field.land_cover)
    cover[10:20, 10:30] = 77  # no such WorldCover class
    case("rasters/broken/landcover_unknown_class.tif", cover, "EPSG:4326",
         {"expect": "refused", "rule": "unknown_class", "exit_code": 8, "must_name": "77"},
         nodata=0, scale=1.0, b=lbounds, res=LANDCOVER_RES_DEG)
    return entries


def generate_rasters(out_dir: Path, seed: int = 2025) -> dict[str, dict]:
    """Every sample raster under out_dir/rasters; returns {relative path: facts} for the manifest."""
    out = Path(out_dir)
    entries = {**write_region(out, "A", seed), **write_region(out, "B", seed), **write_cases(out, seed)}
    return dict(sorted(entries.items()))
