"""The raster family's inputs for the family contract test: a raster is one source row."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from pyproj import CRS

from hub.samples.rasters import DEM_NODATA_INT, _write, custom_vn2000_wkt
from tests.ingest.families.contract import Broken

DATASET = "raster_upload"
# VN-2000 / TM-3 105°00' (EPSG:5897) metres around Phường Thới Thuận, Cần Thơ; 20 m pixels
BOUNDS = (587_000.0, 1_126_000.0, 589_000.0, 1_128_000.0)


def dem(rows: int = 100, cols: int = 100) -> np.ndarray:
    """Centimetres of a gentle delta slope, a nodata corner, and a few pixels deeper than the plausible -100 m."""
    y, x = np.mgrid[0:rows, 0:cols]
    z = (150 + 2 * x + y).astype(np.int16)
    z[:2, :3] = DEM_NODATA_INT
    z[50, 50:54] = -15_000  # -150 m: value_out_of_range (a warning: the row loads, with its finding)
    return z


def write(path: Path, crs, arr: np.ndarray | None = None, bounds=BOUNDS, nodata=DEM_NODATA_INT) -> Path:
    """A striped DEFLATE GeoTIFF as survey offices deliver them."""
    _write(path, dem() if arr is None else arr, bounds, 20.0, crs, nodata=nodata, scale=0.01, unit="m")
    return path


def good(tmp: Path) -> list[Path]:
    """One DEM in EPSG:5897 and one without an EPSG code (VN-2000 recognised from its WKT parameters)."""
    return [write(tmp / "good" / "dem_thoithuan.tif", "EPSG:5897"),
            write(tmp / "good" / "dem_thoithuan_wkt.tif", CRS.from_wkt(custom_vn2000_wkt(105.0)))]


def broken(tmp: Path) -> list[Broken]:
    """No CRS, TM-3 numbers on a bare WGS 84 datum, X/Y swapped, nodata contradicting the entry, not a TIFF."""
    text = tmp / "renamed.tif"
    text.write_text("not a raster")
    swapped = (BOUNDS[1], BOUNDS[0], BOUNDS[3], BOUNDS[2])
    return [
        Broken("no CRS", [write(tmp / "nocrs" / "dem.tif", None)], 7, ("dem.tif", "no CRS", "--crs")),
        Broken("VN-2000 numbers on bare WGS 84", [write(tmp / "bare" / "dem.tif", CRS.from_wkt(
            custom_vn2000_wkt(105.0, datum="WGS_1984", towgs84=False)))], 7, ("dem.tif", "--crs")),
        Broken("X and Y swapped", [write(tmp / "swap" / "dem.tif", "EPSG:5897", bounds=swapped)], 7,
               ("dem.tif", "outside Vietnam", "swapped")),
        Broken("nodata conflict", [write(tmp / "nodata" / "dem.tif", "EPSG:5897", nodata=-9999)], 5,
               ("dem.tif", "nodata", "-9999")),
        Broken("not a TIFF", [text], 5, ("renamed.tif", "not a GeoTIFF")),
    ]
