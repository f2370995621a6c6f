"""The 'hidden' upload case: a province and a layout the samples do not use (Thành phố Huế, 46).

Land types across (Đất ở | Đất thương mại, dịch vụ | Đất sản xuất, kinh doanh phi nông nghiệp) under a merged
"Giá đất vị trí 1" header, headers typed without diacritics in one column, text in VNI (VNI-Times), numbers as
text with space grouping ("15 000") and the unit only in a footnote; a People's Council resolution of 2024.
Each value here is what the test expects back, to the đồng.
"""

from __future__ import annotations

from pathlib import Path

from hub.samples.landprice.book import SheetSpec, write_book
from hub.text import vni_encode

# (road, from, to, residential VT1, TMD, SKC) in nghìn đồng/m² as printed; None = "-" (not applicable).
ROWS = [
    ("Lê Lợi", "Cầu Trường Tiền", "Hà Nội", 65_000, 52_000, 39_000),
    ("Lê Lợi", "Hà Nội", "Cầu Phú Xuân", 58_500, 46_800, 35_100),
    ("Hùng Vương", "Cầu Phú Xuân", "Bà Triệu", 48_000, 38_400, None),
    ("Nguyễn Huệ", "Lê Lợi", "Điện Biên Phủ", 37_250, 29_800, 22_350),
    ("Trần Hưng Đạo", "Cầu Trường Tiền", "Cầu Gia Hội", 52_000, "Thỏa thuận", 31_200),
]
SHEET = "Gia dat o do thi"  # a sheet name without diacritics, as exported by old tools


def _vni(text: str) -> str:
    """Text as a VNI-Times cell stores it (VNI bytes seen as Latin-1 characters)."""
    return vni_encode(text)


def _k(v: object) -> object:
    """'65 000' for numbers (space thousands), as the annex prints them."""
    return f"{v:,}".replace(",", " ") if isinstance(v, int) else ("-" if v is None else v)


def write(path: Path) -> Path:
    """Write the hidden-case workbook."""
    rows = [
        [_vni("PHỤ LỤC 1")],
        [_vni("BẢNG GIÁ ĐẤT Ở TẠI ĐÔ THỊ, ĐẤT THƯƠNG MẠI, DỊCH VỤ VÀ ĐẤT SẢN XUẤT, KINH DOANH PHI NÔNG NGHIỆP")],
        [_vni("(Ban hành kèm theo Nghị quyết số 35/2024/NQ-HĐND ngày 15 tháng 11 năm 2024 của Hội đồng nhân dân "
              "thành phố Huế; áp dụng từ ngày 01/12/2024 đến hết ngày 31/12/2025)")],
        [],
        ["TT", _vni("Tên đường phố"), _vni("Đoạn đường"), None, _vni("Giá đất vị trí 1")],
        [None, None, "Tu", "Den", _vni("Đất ở"), _vni("Đất thương mại, dịch vụ"),
         _vni("Đất sản xuất, kinh doanh phi nông nghiệp")],
        ["A", _vni("PHƯỜNG THUẬN HÓA")],
    ]
    for n, (road, a, b, res, tmd, skc) in enumerate(ROWS, start=1):
        rows.append([n, _vni(road), _vni(a), _vni(b), _k(res), _k(tmd), _k(skc)])
    rows += [[], [_vni("Ghi chú: Đơn vị tính: nghìn đồng/m²; vị trí 2, 3, 4 tính theo hệ số của vị trí 1.")]]
    spec = SheetSpec(SHEET, rows, merged=["A1:G1", "A2:G2", "A3:G3", "A5:A6", "B5:B6", "C5:D5", "E5:G5", "B7:G7"],
                     font="VNI-Times")
    return write_book(path, [spec])
