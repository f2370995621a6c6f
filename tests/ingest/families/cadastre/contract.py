"""The cadastre's inputs for the family contract test."""

from __future__ import annotations

from pathlib import Path

from tests.ingest.conftest import parcels, write_shp
from tests.ingest.families.contract import Broken

DATASET = "cadastre_upload"


def good(tmp: Path) -> list[Path]:
    """300 parcels (with legacy codes and a defence parcel among them: findings on many rows)."""
    return [write_shp(tmp / "good" / "xa_31117.shp", parcels(300))]


def broken(tmp: Path) -> list[Broken]:
    """No CRS, a truncated .prj, no parcel-number column, an unsupported format."""
    no_prj = write_shp(tmp / "noprj" / "xa.shp", parcels(5), epsg=None)
    cut = write_shp(tmp / "cut" / "xa.shp", parcels(5))
    cut.with_suffix(".prj").write_text(cut.with_suffix(".prj").read_text()[:60])
    rows = [{k: v for k, v in r.items() if k != "SoThuTuThu"} for r in parcels(5)]
    no_number = write_shp(tmp / "nonumber" / "xa.shp", rows)
    text = tmp / "notes.txt"
    text.write_text("not a map")
    return [Broken("missing .prj", [no_prj], 7, ("xa.shp", "no CRS", "--crs")),
            Broken("truncated .prj", [cut], 7, ("xa.shp", "cannot be read", "--crs")),
            Broken("no parcel number", [no_number], 8, ("xa.shp", "parcel_no", "--map")),
            Broken("unsupported format", [text], 5, ("notes.txt", "unsupported format"))]
