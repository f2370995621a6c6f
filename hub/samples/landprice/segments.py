"""Road-segment layers for the sample price tables: LineStrings with a segment id, covering part of the segments.

Lines run through the cadastral sample sheets of the same communes (hub.samples.regions: group origin + sheet
offsets), in the old province's VN-2000 TM-3 grid, so parcels lie beside them. Cần Thơ's layer carries the
table's segment codes; Tuyên Quang's table has none, so its layer names road and ends, one of them typed without
diacritics (an uncertain match the hub must report, not use).
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import shapely

from hub.samples.parcels import group_origin
from hub.samples.regions import GROUP_BY_KEY, SHEET_SIZE_M
from hub.samples.writers import GPKG_DATE, gdal_config


def _frame(group: str, old_code: str, sheet_no: int) -> tuple[float, float, float]:
    """SW corner and size of a cadastral sample sheet."""
    g = GROUP_BY_KEY[group]
    spec = next(s for s in g.sheets if s.old_code == old_code and s.sheet_no == sheet_no)
    e0, n0 = group_origin(g)
    return e0 + spec.x_km * 1000.0, n0 + spec.y_km * 1000.0, spec.size_m or SHEET_SIZE_M[spec.scale]


def _across(x0: float, y0: float, size: float, at: float, parts: int, vertical: bool = False) -> list:
    """A straight road across a sheet at a share `at` of its height (or width), cut into `parts` segments."""
    out = []
    for k in range(parts):
        a, b = x0 + size * k / parts, x0 + size * (k + 1) / parts
        y = y0 + size * at
        line = [(a, y), (b, y + 3.0)]
        if vertical:
            line = [(y - y0 + x0, a - x0 + y0), (y - y0 + x0 + 3.0, b - x0 + y0)]
        out.append(shapely.LineString(line))
    return out


def cantho_segments(path: Path) -> dict:
    """Segments of Quốc lộ 91 and Nguyễn Trọng Quyền in Phường Thốt Nốt (EPSG:5897), plus one id unknown to the
    table."""
    x0, y0, size = _frame("cantho_old", "31207", 1)
    rows = []
    for k, line in enumerate(_across(x0, y0, size, 0.5, 2), start=1):
        rows.append({"segment_id": f"CT001-{k:02d}", "road": "Quốc lộ 91", "geometry": line})
    rows.append({"segment_id": "CT002-01", "road": "Nguyễn Trọng Quyền",
                 "geometry": _across(x0, y0, size, 0.5, 1, vertical=True)[0]})
    x1, y1, s1 = _frame("cantho_old", "31212", 1)
    rows.append({"segment_id": "CT999-01", "road": "Đường chưa có trong bảng giá",
                 "geometry": _across(x1, y1, s1, 0.3, 1)[0]})
    return _write(path, rows, 5897)


def tuyenquang_segments(path: Path) -> dict:
    """Segments of Đường Bình Thuận and Đường Lê Lợi in Phường Nông Tiến (EPSG:9211), named, without codes."""
    x0, y0, size = _frame("tuyenquang_old", "02212", 1)
    lines = _across(x0, y0, size, 0.5, 2)
    rows = [
        {"segment_id": "TQ-BT-01", "road": "Đường Bình Thuận", "from_text": "Cầu Nông Tiến",
         "to_text": "Ngã ba Tràng Đà", "geometry": lines[0]},
        {"segment_id": "TQ-BT-02", "road": "Duong Binh Thuan", "from_text": "Nga ba Trang Da",
         "to_text": "Het dia phan phuong", "geometry": lines[1]},
        {"segment_id": "TQ-LL-01", "road": "Đường Lê Lợi", "from_text": "Đường Bình Thuận",
         "to_text": "Đường Chiến Thắng Sông Lô", "geometry": _across(x0, y0, size, 0.5, 1, vertical=True)[0]},
    ]
    return _write(path, rows, 9211)


def _write(path: Path, rows: list[dict], epsg: int) -> dict:
    """One GeoPackage layer `doan_duong` with pinned dates."""
    path.unlink(missing_ok=True)
    frame = gpd.GeoDataFrame(rows, crs=f"EPSG:{epsg}")
    with gdal_config(OGR_CURRENT_DATE=GPKG_DATE):
        frame.to_file(path, layer="doan_duong", driver="GPKG")
    return {"rows": len(frame), "layer": "doan_duong", "crs": f"EPSG:{epsg}"}
