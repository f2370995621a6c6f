"""The sample annexes laid out as sheets, with the deliberately broken records noted cell by cell.

* Cần Thơ (92): the 2026-era digital layout, one price per row (Năm | Tỉnh cũ | Xã/Phường | Mã loại đất | … |
  Giá đất (đồng/m²) | Hệ số | Ghi chú), Unicode, a "Tỉnh cũ" column for the merged former provinces, and the
  2027 adjustment in the same layout.
* Tuyên Quang (08): the classic printed layout, positions across (STT | Tên đường | Đoạn đường Từ/Đến | Giá đất
  (nghìn đồng/m²) VT1–VT4) with two-row merged headers and a column-number row, typed in TCVN3 (.VnTime), one
  sheet per former province, and an agricultural sheet with khu vực × vị trí across.
"""

from __future__ import annotations

from dataclasses import dataclass

from hub.samples.landprice.book import SheetSpec
from hub.samples.landprice.content import (
    CANTHO_FARM,
    CANTHO_FARM_KESACH,
    CANTHO_SEGMENTS,
    FARM_SHARES,
    LAND_SHARES,
    TQ_FARM,
    TQ_HAGIANG,
    TQ_OLD,
    Segment,
    round_k,
)
from hub.text import tcvn3_encode


@dataclass(frozen=True)
class Defect:
    """A deliberately broken record: where it is and the rule that must catch it."""

    file: str
    sheet: str
    cell: str
    rule: str
    note: str

    def as_dict(self) -> dict:
        """For the manifest."""
        return {"file": self.file, "sheet": self.sheet, "cell": self.cell, "rule": self.rule, "note": self.note}


CT_HEADER = ["Năm", "Tỉnh cũ", "Xã/Phường/Đặc khu", "Mã loại đất", "Loại đất", "Mã đường", "Đường", "Mã đoạn",
             "Đoạn đường", "Mã vị trí", "Vị trí", "Giá đất (đồng/m²)", "Hệ số điều chỉnh", "Ghi chú"]
CT_PRICE_COL = "L"
CT_NAMES = {"ODT": "Đất ở tại đô thị", "ONT": "Đất ở tại nông thôn", "TMD": "Đất thương mại, dịch vụ",
            "SKC": "Đất cơ sở sản xuất phi nông nghiệp"}


def _ct_titles(year: int, decision: str, signed: str, valid: str) -> list[list[object]]:
    """Title rows of a Cần Thơ annex."""
    return [["PHỤ LỤC"], [f"BẢNG GIÁ ĐẤT NĂM {year} TRÊN ĐỊA BÀN THÀNH PHỐ CẦN THƠ"],
            [f"(Kèm theo Quyết định số {decision} ngày {signed} của Ủy ban nhân dân thành phố Cần Thơ; "
             f"áp dụng từ ngày {valid})"], []]


def cantho_sheets(file: str, year: int = 2026, factor: dict[str, float] | None = None,
                  broken: bool = True) -> tuple[list[SheetSpec], list[Defect]]:
    """The Cần Thơ annex (2026, or the 2027 adjustment: VT1 × factor per segment code, no broken records)."""
    factor = factor or {}
    if year == 2026:
        titles = _ct_titles(2026, "45/2025/QĐ-UBND", "20 tháng 12 năm 2025", "01/01/2026")
    else:
        titles = _ct_titles(year, "12/2026/QĐ-UBND", "15 tháng 12 năm 2026", f"01/01/{year}")
    defects: list[Defect] = []
    rows: list[list[object]] = titles + [CT_HEADER]
    name = "Bảng giá đất"
    for seg in CANTHO_SEGMENTS:
        residential = "ODT" if seg.commune.startswith("Phường") else "ONT"
        base = Segment(**{**seg.__dict__, "vt1": round_k(seg.vt1 * factor.get(seg.segment_code, 1.0))})
        for land, share in ((residential, 1.0), ("TMD", LAND_SHARES["TMD"]), ("SKC", LAND_SHARES["SKC"])):
            for k, price in enumerate(base.prices(share), start=1):
                code, value = land, price
                r = len(rows) + 1
                where = f"{CT_PRICE_COL}{r}"
                if broken and seg.segment_code == "CT006-01" and land == residential and k == 3:
                    value = base.prices()[1] + 400_000
                    defects.append(Defect(file, name, where, "vt_order", "VT3 printed above VT2"))
                if broken and seg.segment_code == "CT003-01" and land == residential and k == 4:
                    code = "ODX"
                    defects.append(Defect(file, name, f"D{r}", "unknown_land_use", "code ODX is in no code list"))
                if broken and seg.segment_code == "CT004-01" and land == "TMD" and k == 2:
                    value = "Thỏa thuận"
                    defects.append(Defect(file, name, where, "text_in_number", "text in the price cell"))
                if seg.segment_code == "CT002-01" and k == 1:
                    value = f"{price:,}".replace(",", ".")  # numbers stored as text, Vietnamese grouping
                row = [year, seg.former, seg.commune, code, CT_NAMES[land], seg.road_code, seg.road,
                       seg.segment_code, f"Từ {seg.seg_from} đến {seg.seg_to}", f"VT{k}", f"Vị trí {k}", value, 1]
                rows.append(row)
                if broken and seg.segment_code == "CT005-01" and land == residential and k == 1:
                    rows.append(list(row))
                    defects.append(Defect(file, name, f"{CT_PRICE_COL}{r + 1}", "duplicate_price",
                                          f"repeats row {r}"))
    sheets = [SheetSpec(name, rows, merged=[f"A{i}:N{i}" for i in (1, 2, 3)])]
    farm = titles + [CT_HEADER]
    for commune, former, lands in CANTHO_FARM:
        for code, label, vt1 in lands:
            for k, s in enumerate(FARM_SHARES, start=1):
                farm.append([year, former, commune, code, label, None, None, None, None, f"VT{k}", f"Vị trí {k}",
                             round_k(vt1 * s), 1])
    sheets.append(SheetSpec("Đất nông nghiệp", farm, merged=[f"A{i}:N{i}" for i in (1, 2, 3)]))
    if broken:
        wrong = titles + [CT_HEADER]
        commune, former, lands = CANTHO_FARM_KESACH
        for code, label, vt1 in lands:
            for k, s in enumerate(FARM_SHARES, start=1):
                wrong.append([year, former, commune, code, label, None, None, None, None, f"VT{k}", f"Vị trí {k}",
                              round_k(vt1 * s) // 1000, 1])  # thousands under a header saying đồng/m²
                defects.append(Defect(file, "Đất NN Kế Sách", f"{CT_PRICE_COL}{len(wrong)}", "unit_contradiction",
                                      "values in nghìn đồng under a header saying đồng/m²"))
        sheets.append(SheetSpec("Đất NN Kế Sách", wrong, merged=[f"A{i}:N{i}" for i in (1, 2, 3)]))
    return sheets, defects


def tcvn3(text: str) -> str:
    """Text as a .VnTime cell stores it: TCVN3 bytes seen as Windows-1252/Latin-1 characters."""
    return tcvn3_encode(text).decode("latin-1")


TQ_DECISION = ("(Kèm theo Quyết định số 68/2025/QĐ-UBND ngày 26 tháng 12 năm 2025 của Ủy ban nhân dân tỉnh "
               "Tuyên Quang; áp dụng từ ngày 01/01/2026)")
_ROMAN = ("I", "II", "III", "IV", "V")


def _k(price: int) -> object:
    """A price in nghìn đồng as the sheet prints it: a number, or text with dot grouping above 9,999."""
    value = price // 1000
    return f"{value:,}".replace(",", ".") if value >= 10_000 and value % 3 == 0 else value


def _tq_residential(file: str, name: str, sections, unit_span: str) -> tuple[SheetSpec, list[Defect]]:
    """A residential sheet of the Tuyên Quang annex (positions across, TCVN3)."""
    defects: list[Defect] = []
    rows: list[list[object]] = [["PHỤ LỤC I"], ["BẢNG GIÁ ĐẤT Ở TẠI ĐÔ THỊ VÀ NÔNG THÔN"], [TQ_DECISION], [],
                                ["STT", "Tên đường", "Đoạn đường", None, "Giá đất (nghìn đồng/m²)"],
                                [None, None, "Từ", "Đến", "VT1", "VT2", "VT3", "VT4"],
                                ["(1)", "(2)", "(3)", "(4)", "(5)", "(6)", "(7)", "(8)"]]
    merged = ["A1:H1", "A2:H2", "A3:H3", "A5:A6", "B5:B6", "C5:D5", unit_span]
    n = 0
    for s, (title, segs) in enumerate(sections):
        rows.append([_ROMAN[s], title])
        merged.append(f"B{len(rows)}:H{len(rows)}")
        by_road: dict[str, list[Segment]] = {}
        for seg in segs:
            by_road.setdefault(seg.road, []).append(seg)
        for road, group in by_road.items():
            n += 1
            first = len(rows) + 1
            for seg in group:
                prices: list[object] = [_k(p) for p in seg.prices()] + ["-"] * (4 - seg.positions)
                r = len(rows) + 1
                if seg.road == "Đường Lê Lợi":
                    prices[1] = _k(seg.prices()[0] + 500_000)
                    defects.append(Defect(file, name, f"F{r}", "vt_order", "VT2 printed above VT1"))
                if seg.road == "Đường Nguyễn Văn Cừ":
                    prices[2] = "Thoả thuận"
                    defects.append(Defect(file, name, f"G{r}", "text_in_number", "text in the price cell"))
                row = [n, road, seg.seg_from, seg.seg_to, *prices]
                rows.append(row)
                if seg.road == "Quốc lộ 2" and seg.seg_from == "Cầu Thái Bình":
                    rows.append(list(row))
                    for col in "EFG":
                        defects.append(Defect(file, name, f"{col}{r + 1}", "duplicate_price", f"repeats row {r}"))
            if len(group) > 1:
                merged += [f"A{first}:A{len(rows)}", f"B{first}:B{len(rows)}"]
    if unit_span != "E5:H5":
        for r, row in enumerate(rows, start=1):
            if r > 7 and len(row) == 8 and row[7] != "-":
                defects.append(Defect(file, name, f"H{r}", "unit_missing",
                                      f"the unit header is merged over {unit_span} only, VT4 has no unit"))
    encoded = [[tcvn3(v) if isinstance(v, str) else v for v in row] for row in rows]
    return SheetSpec(name, encoded, merged=merged, font=".VnTime"), defects


def _tq_farm() -> SheetSpec:
    """The agricultural sheet: land types down, khu vực 1/2 × VT1–VT3 across, unit in a title row."""
    rows: list[list[object]] = [["PHỤ LỤC III"], ["BẢNG GIÁ ĐẤT NÔNG NGHIỆP"], [TQ_DECISION],
                                ["Đơn vị tính: nghìn đồng/m²"],
                                ["STT", "Loại đất", "Khu vực 1", None, None, "Khu vực 2"],
                                [None, None, "VT1", "VT2", "VT3", "VT1", "VT2", "VT3"]]
    for n, (label, kv1, kv2) in enumerate(TQ_FARM, start=1):
        rows.append([n, label, *[round_k(kv1 * s) // 1000 for s in FARM_SHARES],
                     *[round_k(kv2 * s) // 1000 for s in FARM_SHARES]])
    encoded = [[tcvn3(v) if isinstance(v, str) else v for v in row] for row in rows]
    return SheetSpec("Đất nông nghiệp", encoded, merged=["A1:H1", "A2:H2", "A3:H3", "A4:H4", "A5:A6", "B5:B6",
                                                         "C5:E5", "F5:H5"], font=".VnTime")


def tuyenquang_sheets(file: str) -> tuple[list[SheetSpec], list[Defect]]:
    """The Tuyên Quang annex: one residential sheet per former province, one agricultural sheet."""
    old, d1 = _tq_residential(file, "Tuyên Quang cũ", TQ_OLD, "E5:H5")
    hg, d2 = _tq_residential(file, "Hà Giang cũ", TQ_HAGIANG, "E5:G5")
    return [old, hg, _tq_farm()], d1 + d2
