"""Deterministic file writers for the sample set: Shapefile with a hand-written DBF, GeoPackage, MapInfo TAB.

* Shapefile: GDAL writes .shp/.shx/.prj (EPSG code → ESRI WKT without TOWGS84); the .dbf is written here byte by
  byte so its text fields can hold raw legacy bytes (VNI) and its header date is fixed; the .cpg is then set
  to the string the exporting software would have written (``UTF-8`` — a lie).
* GeoPackage: pyogrio raw write (WKB passes through untouched, so an unclosed ring survives), with
  ``OGR_CURRENT_DATE`` pinned so reruns give byte-identical files.
* MapInfo TAB: ``ENCODING=CP1252`` (``!charset WindowsLatin1``) while the strings are TCVN3 bytes, the CRS as a
  MapInfo custom datum carrying the pinned EPSG:6960 shift, BOUNDS chosen for exact 0.1 mm storage.
"""

from __future__ import annotations

import struct
from contextlib import contextmanager
from pathlib import Path

import numpy as np
import pyogrio
import shapely
from pyogrio.raw import write as raw_write

EXPORT_DATE = (2025, 6, 30)  # DBF header "last update" of every generated shapefile
GPKG_DATE = "2025-06-30T00:00:00Z"


@contextmanager
def gdal_config(**options: str):
    """Temporarily set GDAL config options, restoring previous values afterwards."""
    previous = {k: pyogrio.get_gdal_config_option(k) for k in options}
    pyogrio.set_gdal_config_options(options)
    try:
        yield
    finally:
        pyogrio.set_gdal_config_options(previous)


def dbf_bytes(fields: list[tuple[str, str, int, int]], records: list[list[object]], ldid: int = 0) -> bytes:
    """A dBASE III table: fields (name, 'C'|'N', length, decimals); text values as bytes, numbers as int/float."""
    header_len = 32 + 32 * len(fields) + 1
    record_len = 1 + sum(f[2] for f in fields)
    yy, mm, dd = EXPORT_DATE
    out = bytearray(struct.pack("<B3BIHH", 3, yy - 1900, mm, dd, len(records), header_len, record_len))
    out += bytes(17) + bytes([ldid]) + bytes(2)
    for name, ftype, length, dec in fields:
        out += name.encode("ascii").ljust(11, b"\0") + ftype.encode("ascii") + bytes(4)
        out += bytes([length, dec]) + bytes(14)
    out += b"\r"
    for rec in records:
        out += b" "
        for (_name, ftype, length, dec), value in zip(fields, rec):
            if ftype == "C":
                raw = value if isinstance(value, bytes) else str(value).encode("ascii")
                out += raw[:length].ljust(length, b" ")
            elif value is None:
                out += b" " * length
            else:
                txt = f"{value:.{dec}f}" if dec else f"{int(value)}"
                out += txt.rjust(length).encode("ascii")[:length]
    out += b"\x1a"
    return bytes(out)


def write_shapefile(path: Path, geoms: list, epsg: int, fields, records, cpg: str = "UTF-8") -> None:
    """Write geometry with GDAL, then replace the .dbf with `records` and the .cpg with `cpg`."""
    wkb = np.array([shapely.to_wkb(g) for g in geoms], dtype=object)
    raw_write(str(path), wkb, [np.arange(len(geoms), dtype=np.int32)], ["tmp"], driver="ESRI Shapefile",
              geometry_type="Polygon", crs=f"EPSG:{epsg}")
    path.with_suffix(".dbf").write_bytes(dbf_bytes(fields, records))
    path.with_suffix(".cpg").write_bytes(cpg.encode("ascii"))


def _field_arrays(columns: dict[str, list]) -> tuple[list[np.ndarray], list[str]]:
    """pyogrio raw field arrays: int32 / float64 / object (str) per column."""
    data = []
    for values in columns.values():
        if all(isinstance(v, (int, np.integer)) for v in values):
            data.append(np.asarray(values, dtype=np.int32))
        elif all(isinstance(v, float) for v in values):
            data.append(np.asarray(values, dtype=np.float64))
        else:
            data.append(np.asarray(values, dtype=object))
    return data, list(columns)


def write_gpkg(path: Path, layer: str, wkbs: list[bytes], columns: dict[str, list], crs: str,
               geometry_type: str = "Polygon") -> None:
    """Write a GeoPackage layer from raw WKB (verbatim) and columns, with a pinned timestamp."""
    data, names = _field_arrays(columns)
    if path.exists():
        path.unlink()
    with gdal_config(OGR_CURRENT_DATE=GPKG_DATE):
        raw_write(str(path), np.array(wkbs, dtype=object), data, names, layer=layer, driver="GPKG",
                  geometry_type=geometry_type, crs=crs)


def write_tab(path: Path, wkbs: list[bytes], columns: dict[str, list], crs: str,
              bounds: tuple[float, float, float, float]) -> None:
    """Write a MapInfo TAB declared WindowsLatin1; str values must be Latin-1 strings of the intended bytes."""
    data, names = _field_arrays(columns)
    for ext in (".tab", ".dat", ".map", ".id"):
        path.with_suffix(ext).unlink(missing_ok=True)
    raw_write(str(path), np.array(wkbs, dtype=object), data, names, driver="MapInfo File",
              geometry_type="Polygon", crs=crs,
              layer_options={"ENCODING": "CP1252", "BOUNDS": ",".join(f"{v:.0f}" for v in bounds)})


def exact_bounds(xmin: float, ymin: float, xmax: float, ymax: float) -> tuple[float, float, float, float]:
    """MapInfo BOUNDS 200 km wide/high, centred on a whole km: scale 2e9/200 km = 1e4 ⇒ exact 0.1 mm storage."""
    cx, cy = round((xmin + xmax) / 2, -3), round((ymin + ymax) / 2, -3)
    return cx - 100_000, cy - 100_000, cx + 100_000, cy + 100_000
