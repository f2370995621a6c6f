"""Land-price samples: the annexes of Cần Thơ (2026 table and 2027 adjustment) and Tuyên Quang as XLSX, their
road-segment layers, and a manifest listing every deliberately broken record by sheet, cell and rule."""

from __future__ import annotations

import json
from pathlib import Path

from hub.samples.landprice.book import write_book
from hub.samples.landprice.segments import cantho_segments, tuyenquang_segments
from hub.samples.landprice.sheets import cantho_sheets, tuyenquang_sheets

# The 2027 adjustment raises Cần Thơ's prices by 10 %, one segment of Quốc lộ 91 by 90 % (a year-over-year outlier).
ADJUSTMENT_2027 = {**{code: 1.1 for code in ("CT001-02", "CT002-01", "CT002-02", "CT003-01", "CT004-01",
                                                "CT005-01", "CT006-01", "CT006-02", "CT001-03")},
                   "CT001-01": 1.9}


def generate(out_dir: Path, scale: float = 1.0) -> list[Path]:
    """Write the land-price sample files under out_dir/landprice/ (scale does not apply: tables are small)."""
    out = Path(out_dir) / "landprice"
    out.mkdir(parents=True, exist_ok=True)
    files, defects, info = [], [], {}
    for name, (sheets, broken) in (
            ("cantho/landprice_cantho_2026.xlsx", cantho_sheets("cantho/landprice_cantho_2026.xlsx")),
            ("cantho/landprice_cantho_2027.xlsx", cantho_sheets("cantho/landprice_cantho_2027.xlsx", 2027,
                                                                ADJUSTMENT_2027, broken=False)),
            ("tuyenquang/landprice_tuyenquang_2026.xlsx",
             tuyenquang_sheets("tuyenquang/landprice_tuyenquang_2026.xlsx"))):
        files.append(write_book(out / name, sheets))
        defects += [d.as_dict() for d in broken]
        info[name] = {"sheets": [s.name for s in sheets]}
    for name, writer in (("cantho/segments_cantho.gpkg", cantho_segments),
                         ("tuyenquang/segments_tuyenquang.gpkg", tuyenquang_segments)):
        info[name] = writer(out / name)
        files.append(out / name)
    manifest = {"files": info, "broken": defects,
                "conventions": {"cell": "spreadsheet address of the price cell (or of the land-use code cell)",
                                "prices": "đồng/m² in Cần Thơ's files, nghìn đồng/m² in Tuyên Quang's"}}
    (out / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return [*files, out / "manifest.json"]
