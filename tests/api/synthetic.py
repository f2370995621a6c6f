"""Synthetic Cần Thơ parcels written as the GeoPackage a land office would hand over (VN-2000 TM-3, EPSG:5897).

The layout is a lon/lat grid near Ninh Kiều (the API tests' bboxes, tiles and report points refer to it); each
parcel's corners are moved to the TM-3 grid with the pinned EPSG:6960 path, so the pipeline's reprojection
brings them back to the same WGS 84 positions. Field names are the catalog's source aliases.
"""

from __future__ import annotations

import unicodedata
from pathlib import Path

import geopandas as gpd
import numpy as np
import pyogrio
import shapely
from shapely.geometry import box

from hub.crs import to_wgs84
from hub.samples.parcels import national_ids

SOURCE_EPSG = 5897  # VN-2000 / TM-3 105°00′, the zone of former Cần Thơ
COLS, ROWS_N = 60, 50  # 3,000 parcels
LON0, LAT0, STEP = 105.74, 10.02, 0.0002  # ~22 m parcels near Cần Thơ
LAND_USE = ["LUC", "ONT+CLN", "CLN", "ODT", "NTS", "ONT", "LUC+NTS", "HNK"]
STREETS = ["Đường 30 Tháng 4", "Đường Nguyễn Văn Cừ", "Đường Trần Hưng Đạo", "Ấp Thới Thạnh", "Khu vực Bình Thường B"]
COMMUNES = ["31150", "31153", "31157"]


def nfc(text: str) -> str:
    """NFC-normalised text."""
    return unicodedata.normalize("NFC", text)


def security_code(i: int) -> str | None:
    """Defence (CQP) or security (CAN) land for a few parcels: they must never reach a public view."""
    return {5: "CQP", 50: "CAN"}.get(i % 97)


def parcel_records() -> list[dict]:
    """One dict per source parcel: the source fields plus `_lonlat` (the intended WGS 84 box)."""
    out = []
    for i in range(COLS * ROWS_N):
        cx, cy = i % COLS, i // COLS
        x0, y0 = LON0 + cx * STEP, LAT0 + cy * STEP
        commune = COMMUNES[cx * len(COMMUNES) // COLS]
        # An id that old QGIS/GDAL misread as a date every 7th parcel, none every 13th; the rest get the official
        # GeoHash-12 in write_source.
        national = None if i % 13 == 4 else (f"09012-{20 + cy % 10:02d}-{cx + 10:02d}" if i % 7 == 0 else "")
        out.append({
            "MaXa": commune, "SoHieuToBanDo": 1 + cy // 10, "SoThuTuThua": 1 + i, "MaDinhDanh": national,
            "KyHieuMucDichSuDung": security_code(i) or LAND_USE[i % len(LAND_USE)],
            "DiaChi": nfc(f"Số {i % 200 + 1}, {STREETS[i % len(STREETS)]}, phường Ninh Kiều"),
            "TenChu": nfc(f"Nguyễn Văn {chr(65 + i % 26)}"), "GhiChu": nfc("Ghi chú nội bộ"),
            "_lonlat": box(x0, y0, x0 + STEP * 0.98, y0 + STEP * 0.98),
        })
    return out


def to_grid(geoms: list) -> list:
    """WGS 84 polygons on the TM-3 grid (pinned EPSG:6960 inverse, vertex by vertex)."""
    inverse = to_wgs84(SOURCE_EPSG)

    def move(coords: np.ndarray) -> np.ndarray:
        """Transform an (n, 2) array of lon/lat."""
        x, y = inverse.transform(coords[:, 0], coords[:, 1], direction="INVERSE")
        return np.column_stack([x, y])

    return list(shapely.transform(geoms, move))


def write_source(path: Path) -> list[dict]:
    """Write the GeoPackage; returns the records with their `key`, `area` (declared) and `is_sensitive`."""
    recs = parcel_records()
    grid = to_grid([r["_lonlat"] for r in recs])
    official = national_ids([list(g.exterior.coords) for g in grid], SOURCE_EPSG)
    rows = []
    for i, (r, g) in enumerate(zip(recs, grid)):
        declared = None if i % 11 == 3 else float(round(g.area)) + (i % 5) - 2  # NULLs and many repeats
        r.update(key=f"{r['MaXa']}.{r['SoHieuToBanDo']}.{r['SoThuTuThua']}", area=declared,
                 is_sensitive=security_code(i) is not None)
        if r["MaDinhDanh"] == "":
            r["MaDinhDanh"] = official[i]
        rows.append({**{k: v for k, v in r.items() if k[0].isupper()}, "DienTich": declared, "geometry": g})
    path.parent.mkdir(parents=True, exist_ok=True)
    gdf = gpd.GeoDataFrame(rows, crs=f"EPSG:{SOURCE_EPSG}")
    pyogrio.write_dataframe(gdf, path, driver="GPKG", layer="thua_dat")
    return recs
