"""Small hand-made source files for pipeline tests (the full sample set is tested separately)."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pyogrio
import pytest
import shapely

from hub.text import tcvn3_encode, vni_encode

COMMUNE = "31117"  # an old commune of Cần Thơ (92), TM-3 105°00' (EPSG:5897)
# The homoglyph arrives as UTF-8 bytes inside the Latin-1 DBF, as mixed files have it.
CODES = ["LUC", "ONT+CLN", " ont ", "XYZ", "BHK", "\u041eDT".encode().decode("latin-1"), "NTS", "CQP"]


def parcels(n: int, owner: str = "Nguyễn Văn Đức", x0: float = 581000, y0: float = 1110000) -> list[dict]:
    """n square parcels on one sheet with VNI text, one per land-use case in CODES (cycled)."""
    rows = []
    for i in range(n):
        x = x0 + (i % 50) * 20
        y = y0 + (i // 50) * 20
        rows.append({"MaXa": COMMUNE, "SoHieuToBa": "3", "SoThuTuThu": str(i + 1), "DienTich": "400.0",
                     "KyHieuMucD": CODES[i % len(CODES)], "DiaChi": vni_encode("Ấp Thới Hòa, xã Thới Long"),
                     "TenChu": vni_encode(owner), "geometry": shapely.box(x, y, x + 20, y + 20)})
    return rows


def write_shp(path: Path, rows: list[dict], epsg: int | None = 5897, cpg: str = "UTF-8") -> Path:
    """A Shapefile with Latin-1 (byte-transparent) DBF text and a lying .cpg."""
    path.parent.mkdir(parents=True, exist_ok=True)
    gdf = gpd.GeoDataFrame(rows, crs=f"EPSG:{epsg}" if epsg else None)
    pyogrio.write_dataframe(gdf, path, encoding="latin1")
    path.with_suffix(".cpg").write_text(cpg)
    return path


@pytest.fixture()
def shp_factory(tmp_path):
    """Write a shapefile of n parcels into a fresh folder; returns its path."""
    def make(n: int = 40, name: str = "p", **kw) -> Path:
        rows = kw.pop("rows", None) or parcels(n)
        return write_shp(tmp_path / name / f"{name}.shp", rows, **kw)
    return make


__all__ = ["parcels", "write_shp", "tcvn3_encode"]
