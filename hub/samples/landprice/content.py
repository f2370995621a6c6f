"""What the sample price tables say: communes, roads, segments and their prices (synthetic, deterministic).

Streets are real street names of the sample communes' towns; prices are invented but shaped like real tables:
VT2/VT3/VT4 at about 0.5/0.35/0.25 of VT1, commercial (TMD) at 80 % and non-agricultural production (SKC) at 60 %
of the residential price, all rounded to 1,000 đồng.
"""

from __future__ import annotations

from dataclasses import dataclass

POSITION_SHARES = (1.0, 0.5, 0.35, 0.25)
LAND_SHARES = {"TMD": 0.8, "SKC": 0.6}


@dataclass(frozen=True)
class Segment:
    """A priced road segment: its road, from/to text, codes (Cần Thơ's digital table has them) and VT1 price."""

    commune: str
    former: str  # old province name as the table writes it
    road: str
    seg_from: str
    seg_to: str
    vt1: int  # residential VT1, đồng/m²
    road_code: str = ""
    segment_code: str = ""
    positions: int = 4

    def prices(self, land_share: float = 1.0) -> list[int]:
        """VT1… prices of the segment for a land type at `land_share` of residential, rounded to 1,000 đồng."""
        return [round_k(self.vt1 * land_share * s) for s in POSITION_SHARES[:self.positions]]


def round_k(value: float) -> int:
    """Round to 1,000 đồng (half up), as the tables print."""
    return int(value / 1000 + 0.5) * 1000


def _ct(commune: str, former: str, road: str, rcode: str, segs: list[tuple[str, str, int]]) -> list[Segment]:
    """Segments of one Cần Thơ road with codes CTnnn-kk."""
    return [Segment(commune, former, road, a, b, p, rcode, f"{rcode}-{k:02d}") for k, (a, b, p) in
            enumerate(segs, start=1)]


CANTHO_SEGMENTS: list[Segment] = [
    *_ct("Phường Thốt Nốt", "Cần Thơ", "Quốc lộ 91", "CT001",
         [("Cầu Thốt Nốt", "Cầu Kinh Ngang", 22_000_000), ("Cầu Kinh Ngang", "Ranh phường Thuận Hưng", 14_500_000)]),
    *_ct("Phường Thốt Nốt", "Cần Thơ", "Nguyễn Trọng Quyền", "CT002",
         [("Quốc lộ 91", "Lê Thị Tạo", 18_000_000), ("Lê Thị Tạo", "Bến đò Thốt Nốt", 12_000_000)]),
    *_ct("Phường Thốt Nốt", "Cần Thơ", "Lê Thị Tạo", "CT003", [("Quốc lộ 91", "Nguyễn Trọng Quyền", 16_000_000)]),
    *_ct("Phường Thốt Nốt", "Cần Thơ", "Châu Văn Liêm", "CT004", [("Quốc lộ 91", "Chợ Thốt Nốt", 13_500_000)]),
    *_ct("Phường Thuận Hưng", "Cần Thơ", "Quốc lộ 91", "CT001",
         [("Ranh phường Thốt Nốt", "Cầu Trà Uối", 9_800_000)]),
    *_ct("Phường Thuận Hưng", "Cần Thơ", "Nguyễn Thái Học", "CT005", [("Quốc lộ 91", "Kênh Ranh", 7_500_000)]),
    *_ct("Phường Thuận Hưng", "Cần Thơ", "Trần Hưng Đạo", "CT006",
         [("Quốc lộ 91", "Nguyễn Thái Học", 8_200_000), ("Nguyễn Thái Học", "Cuối đường", 6_100_000)]),
    *_ct("Xã Kế Sách", "Sóc Trăng", "Đường tỉnh 932", "ST101",
         [("Cầu Kế Sách", "Ngã ba An Lạc Thôn", 4_200_000), ("Ngã ba An Lạc Thôn", "Ranh xã Kế An", 2_600_000)]),
    *_ct("Xã Kế Sách", "Sóc Trăng", "Lê Lợi", "ST102", [("Đường tỉnh 932", "Chợ Kế Sách", 3_800_000)]),
    *_ct("Xã Kế Sách", "Sóc Trăng", "Bùi Hữu Nghĩa", "ST103", [("Lê Lợi", "Cuối đường", 2_900_000)]),
]
# (commune, former province, [(code, name, VT1 price in đồng/m²)]) for the agricultural sheets.
CANTHO_FARM = [
    ("Phường Thốt Nốt", "Cần Thơ", [("LUC", "Đất chuyên trồng lúa", 135_000), ("HNK", "Đất trồng cây hằng năm "
                                    "khác", 140_000), ("CLN", "Đất trồng cây lâu năm", 180_000),
                                    ("NTS", "Đất nuôi trồng thủy sản", 135_000)]),
    ("Phường Thuận Hưng", "Cần Thơ", [("LUC", "Đất chuyên trồng lúa", 120_000),
                                      ("CLN", "Đất trồng cây lâu năm", 160_000)]),
]
CANTHO_FARM_KESACH = ("Xã Kế Sách", "Sóc Trăng", [("LUC", "Đất chuyên trồng lúa", 85_000),
                                                  ("CLN", "Đất trồng cây lâu năm", 120_000),
                                                  ("NTS", "Đất nuôi trồng thủy sản", 90_000)])
FARM_SHARES = (1.0, 0.85, 0.7)

TQ_OLD = [  # (section title, commune kind) -> segments; prices in đồng/m² (the file prints nghìn đồng)
    ("PHƯỜNG NÔNG TIẾN", [
        Segment("Phường Nông Tiến", "Tuyên Quang", "Đường Bình Thuận", "Cầu Nông Tiến", "Ngã ba Tràng Đà",
                15_000_000),
        Segment("Phường Nông Tiến", "Tuyên Quang", "Đường Bình Thuận", "Ngã ba Tràng Đà", "Hết địa phận phường",
                9_500_000),
        Segment("Phường Nông Tiến", "Tuyên Quang", "Đường Chiến Thắng Sông Lô", "Cầu Nông Tiến", "Đường Lê Lợi",
                12_000_000),
        Segment("Phường Nông Tiến", "Tuyên Quang", "Đường Chiến Thắng Sông Lô", "Đường Lê Lợi", "Cảng Tuyên Quang",
                8_000_000),
        Segment("Phường Nông Tiến", "Tuyên Quang", "Đường Lê Lợi", "Đường Bình Thuận", "Đường Chiến Thắng Sông Lô",
                10_500_000),
        Segment("Phường Nông Tiến", "Tuyên Quang", "Đường Nguyễn Văn Cừ", "Đường Bình Thuận", "Hết đường",
                7_000_000),
    ]),
    ("XÃ THÁI BÌNH", [
        Segment("Xã Thái Bình", "Tuyên Quang", "Quốc lộ 2", "Ranh phường Nông Tiến", "Cầu Thái Bình", 4_500_000,
                positions=3),
        Segment("Xã Thái Bình", "Tuyên Quang", "Quốc lộ 2", "Cầu Thái Bình", "Ranh xã Tiến Bộ", 3_000_000,
                positions=3),
        Segment("Xã Thái Bình", "Tuyên Quang", "Đường Phú Thịnh", "Quốc lộ 2", "Trường tiểu học Thái Bình",
                1_800_000, positions=3),
    ]),
]
TQ_HAGIANG = [
    ("XÃ LŨNG CÚ", [
        Segment("Xã Lũng Cú", "Hà Giang", "Quốc lộ 4C", "Ranh xã Má Lé", "Chợ Lũng Cú", 1_600_000),
        Segment("Xã Lũng Cú", "Hà Giang", "Quốc lộ 4C", "Chợ Lũng Cú", "Ranh xã Lũng Táo", 1_100_000),
        Segment("Xã Lũng Cú", "Hà Giang", "Đường lên Cột cờ Lũng Cú", "Quốc lộ 4C", "Chân Cột cờ", 2_000_000),
    ]),
]
# Agricultural land, nghìn đồng/m² in the file: (name, KV1 VT1, KV2 VT1) in đồng; VT2/VT3 by FARM_SHARES.
TQ_FARM = [("Đất chuyên trồng lúa", 60_000, 45_000), ("Đất trồng cây hằng năm khác", 55_000, 40_000),
           ("Đất trồng cây lâu năm", 58_000, 42_000), ("Đất rừng sản xuất", 12_000, 9_000),
           ("Đất nuôi trồng thủy sản", 50_000, 38_000)]
