"""VN_WQI constants of QĐ 1460/QĐ-TCMT (12 Nov 2019) for surface water. STATUS: UNVERIFIED [U].

No signed copy of QĐ 1460 could be read for this build (reference/anchors-environment-survey.md §7: no transcribed
worked example exists). What each value rests on:
* Groups I–V and their parameters: domain spec §6.2 and thiennhien.net's summary of the decision (25/11/2019) [S].
* Class ranges 91–100 / 76–90 / 51–75 / 26–50 / 10–25 / < 10 and the names "Rất tốt, Tốt, Trung bình, Xấu, Kém,
  Ô nhiễm rất nặng": a monitoring bulletin citing QĐ 1460 (vienthuysan2.org.vn, công văn 79/TTQT-ĐT 2022) and
  tranxuanthuy/vnwqi agree [S]; the domain spec's "26–50 kém, 10–25 ô nhiễm nặng" [M][U] disagrees and is not used.
  The colour of 91–100 (xanh nước biển 51;51;255) is in tapchimoitruong.vn's article on the decision [S]; the
  other colours follow VN_AQI's palette as tranxuanthuy/vnwqi has them [U].
* Breakpoints below: tranxuanthuy/vnwqi backend tables [U], read so that the first breakpoint of every parameter is
  q = 100 (that code shifts Cd, Pb, Hg and N-NH4 by one row, giving q = 75 at the very limit it treats as 100 one
  µg/L lower; the consistent reading is used here). N-NO2 has a single threshold there (≤ 0.05 → 100, else 10).
* DO saturation: DO_bh = 14.652 − 0.41022·T + 0.0079910·T² − 0.000077774·T³ (mg/L, T in °C), as in QĐ 879/2011 [S].
Every WQI row the hub stores carries WQI_ALGORITHM_VERSION, which names this status.
"""

from __future__ import annotations

from dataclasses import dataclass

DECISION = "QĐ 1460/QĐ-TCMT (12/11/2019)"
WQI_ALGORITHM_VERSION = "VN_WQI/QD1460-2019/hub-1 (tables unverified)"

GROUPS: dict[str, tuple[str, ...]] = {
    "I": ("PH",),
    "II": ("ALDRIN", "BHC", "DIELDRIN", "DDTS", "HEPTACHLOR"),
    "III": ("AS", "CD", "PB", "CR6", "CU", "ZN", "HG"),
    "IV": ("DO", "BOD5", "COD", "TOC", "N-NH4", "N-NO3", "N-NO2", "P-PO4"),
    "V": ("COLIFORM", "ECOLI"),
}

# Group II: at or below the limit (µg/L) → 100, above → 10.
PESTICIDE_LIMITS = {"ALDRIN": 0.1, "BHC": 0.02, "DIELDRIN": 0.1, "DDTS": 1.0, "HEPTACHLOR": 0.2}
Q_FLOOR = 10.0  # the WQI_SI of a value beyond the table


@dataclass(frozen=True)
class Curve:
    """Piecewise-linear WQI_SI of one parameter: q at each breakpoint, Q_FLOOR outside [bp[0], bp[-1]] where q
    falls (two-sided curves: pH, DO %sat), q[0] at or below bp[0] for one-sided ones."""

    bp: tuple[float, ...]
    q: tuple[float, ...]
    two_sided: bool = False


CURVES: dict[str, Curve] = {
    # group I (pH ≤ 5.5 or ≥ 9 → 10: the boundary form of QĐ 879, where 1 became 10)
    "PH": Curve((5.5, 6.0, 8.5, 9.0), (50, 100, 100, 50), two_sided=True),
    # group III, mg/L
    "AS": Curve((0.01, 0.02, 0.05, 0.1), (100, 75, 50, 25)),
    "CD": Curve((0.005, 0.008, 0.01, 0.1), (100, 75, 50, 25)),
    "PB": Curve((0.02, 0.04, 0.05, 0.5), (100, 75, 50, 25)),
    "CR6": Curve((0.01, 0.02, 0.04, 0.05, 0.1), (100, 75, 50, 25, 10)),
    "CU": Curve((0.1, 0.2, 0.5, 1.0, 2.0), (100, 75, 50, 25, 10)),
    "ZN": Curve((0.5, 1.0, 1.5, 2.0, 3.0), (100, 75, 50, 25, 10)),
    "HG": Curve((0.001, 0.0015, 0.002, 0.01), (100, 75, 50, 25)),
    # group IV: DO as % saturation, the rest mg/L
    "DO_SAT": Curve((20, 50, 75, 88, 112, 125, 150, 200), (25, 50, 75, 100, 100, 75, 50, 25), two_sided=True),
    "BOD5": Curve((4, 6, 15, 25, 50), (100, 75, 50, 25, 10)),
    "COD": Curve((10, 15, 30, 50, 150), (100, 75, 50, 25, 10)),
    "TOC": Curve((4, 6, 15, 25, 50), (100, 75, 50, 25, 10)),
    "N-NH4": Curve((0.3, 0.6, 0.9, 5.0), (100, 75, 50, 25)),
    "N-NO3": Curve((2, 5, 10, 15), (100, 75, 50, 25)),
    "N-NO2": Curve((0.05,), (100,)),
    "P-PO4": Curve((0.1, 0.2, 0.3, 0.5, 4.0), (100, 75, 50, 25, 10)),
    # group V, MPN/100 mL
    "COLIFORM": Curve((2500, 5000, 7500, 10000), (100, 75, 50, 25)),
    "ECOLI": Curve((20, 50, 100, 200), (100, 75, 50, 25)),
}


@dataclass(frozen=True)
class WqiClass:
    """A VN_WQI class: range, names, colour and the water use it allows."""

    low: int
    high: int
    name_vi: str
    name_en: str
    colour_vi: str
    rgb: tuple[int, int, int]
    use_vi: str
    use_en: str

    @property
    def hex(self) -> str:
        """#rrggbb."""
        return "#{:02x}{:02x}{:02x}".format(*self.rgb)


CLASSES: tuple[WqiClass, ...] = (
    WqiClass(91, 100, "Rất tốt", "Very good", "Xanh nước biển", (51, 51, 255),
             "Sử dụng tốt cho mục đích cấp nước sinh hoạt", "Good for drinking-water supply"),
    WqiClass(76, 90, "Tốt", "Good", "Xanh lá cây", (0, 228, 0),
             "Sử dụng cho mục đích cấp nước sinh hoạt nhưng cần các biện pháp xử lý phù hợp",
             "Drinking-water supply after suitable treatment"),
    WqiClass(51, 75, "Trung bình", "Moderate", "Vàng", (255, 255, 0),
             "Sử dụng cho mục đích tưới tiêu và các mục đích tương đương khác", "Irrigation and similar uses"),
    WqiClass(26, 50, "Xấu", "Bad", "Da cam", (255, 126, 0),
             "Sử dụng cho giao thông thủy và các mục đích tương đương khác", "Waterway transport and similar uses"),
    WqiClass(10, 25, "Kém", "Poor", "Đỏ", (255, 0, 0),
             "Nước ô nhiễm nặng, cần các biện pháp xử lý trong tương lai",
             "Heavily polluted; treatment measures needed"),
    WqiClass(0, 9, "Ô nhiễm rất nặng", "Very heavily polluted", "Nâu", (126, 0, 35),
             "Nước nhiễm độc, cần có biện pháp khắc phục, xử lý", "Toxic water; remediation needed"),
)


def class_of(wqi: int | None) -> WqiClass | None:
    """The class of a rounded VN_WQI (None for no data)."""
    if wqi is None:
        return None
    for c in CLASSES:
        if wqi >= c.low:
            return c
    return CLASSES[-1]
