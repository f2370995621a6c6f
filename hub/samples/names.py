"""Synthetic attribute values: owner names, addresses, notes and land-use codes per region and sheet scale.

Owner names are random combinations of common family, middle and given names drawn from a seeded generator;
they describe nobody. Place names (hamlets, streets) look real on purpose: the encoders must meet the same
letters as in production data.
"""

from __future__ import annotations

import numpy as np

from hub.samples.regions import OLD_COMMUNES, admin_names

FAMILY_SOUTH = (("Nguyễn", 34), ("Trần", 11), ("Lê", 10), ("Phạm", 6), ("Huỳnh", 5), ("Võ", 5), ("Phan", 4),
                ("Trương", 3), ("Đặng", 2), ("Bùi", 2), ("Hồ", 2), ("Lý", 2), ("Dương", 2), ("Lương", 1),
                ("Châu", 2), ("Thạch", 3), ("Sơn", 2), ("Kim", 2), ("Danh", 1), ("Lâm", 2))
FAMILY_NORTH = (("Nguyễn", 28), ("Hoàng", 8), ("Trần", 7), ("Lê", 5), ("Phạm", 4), ("Đỗ", 3), ("Vũ", 4),
                ("Nông", 5), ("Ma", 4), ("Hà", 4), ("Triệu", 3), ("Bàn", 3), ("Lương", 2), ("Dương", 3),
                ("Đặng", 3), ("Quan", 2), ("Lường", 2), ("Phùng", 2))
FAMILY_HIGHLAND = (("Giàng", 12), ("Sùng", 10), ("Thào", 9), ("Vàng", 9), ("Lù", 8), ("Ly", 7), ("Mua", 5),
                   ("Hầu", 5), ("Vừ", 4), ("Sình", 3), ("Lầu", 4), ("Cháng", 3), ("Nguyễn", 5), ("Hoàng", 3))
MIDDLE = {"m": ("Văn", "Văn", "Văn", "Hữu", "Minh", "Quốc", "Đức", "Thanh", "Công", "Ngọc"),
          "f": ("Thị", "Thị", "Thị", "Ngọc", "Thu", "Kim", "Thanh", "Mỹ", "Bích")}
MIDDLE_HIGHLAND = {"m": ("Mí", "Seo", "Chứ", "Văn", "Mý", "Sính"), "f": ("Thị", "Thị", "Mỷ", "Thị")}
GIVEN = {"m": ("Hùng", "Dũng", "Tuấn", "Long", "Phúc", "Đức", "Thành", "Minh", "Hải", "Nam", "Sơn", "Tâm",
               "Khải", "Lộc", "Thắng", "Tài", "Hưng", "Trung", "Quang", "Vinh", "Cường", "Lực", "Thuận",
               "Phước", "Hậu", "Khương", "Trường", "Quyền", "Nghĩa", "Tuệ"),
         "f": ("Lan", "Hoa", "Hương", "Mai", "Hằng", "Thủy", "Nga", "Linh", "Trang", "Yến", "Phượng", "Hạnh",
               "Nhung", "Loan", "Thảo", "Ngọc", "Liên", "Diệu", "Xuân", "Thương", "Tư", "Hường", "Nhàn")}
GIVEN_HIGHLAND = {"m": ("Chúa", "Dính", "Súa", "Pháy", "Sính", "Tủa", "Chơ", "Dũng", "Páo", "Mua", "Chứ"),
                  "f": ("Mỷ", "Dí", "Sua", "Pà", "Say", "Chá", "Mai", "Lan", "Dợ")}
STREETS_CT = ("Quốc lộ 91", "Nguyễn Trọng Quyền", "Lê Thị Tạo", "Châu Văn Liêm", "Nguyễn Thái Học",
              "Trần Hưng Đạo", "Lê Lợi", "Bùi Hữu Nghĩa", "Mai Văn Bộ", "Nguyễn Công Trứ", "Huỳnh Thị Nở")
NOTES = ("Đã cấp GCN", "Chưa cấp GCN", "Đang tranh chấp ranh giới", "Thửa tách từ thửa số {n}",
         "Đất công do UBND quản lý", "Hợp thửa năm 2019", "Chuyển nhượng năm 2021", "Đo đạc lại năm 2016")

# Land-use weights per (region, scale); "RES" = ODT in phường/thị trấn, ONT in xã. TT 08/2024 code list.
LAND_USE = {
    ("A", 500): {"RES": 70, "TMD": 8, "DGT": 6, "DGD": 2, "DYT": 1, "TON": 1, "TIN": 1, "DVH": 1, "CLN": 5, "SKC": 2},
    ("A", 1000): {"RES": 35, "CLN": 25, "LUK": 10, "NTS": 8, "DGT": 6, "DTL": 4, "SON": 3, "TMD": 4, "NTD": 2,
                  "HNK": 3},
    ("A", 2000): {"LUC": 40, "LUK": 12, "NTS": 8, "TSL": 4, "CLN": 14, "RES": 10, "DGT": 4, "DTL": 4, "SON": 2,
                  "HNK": 2},
    ("B", 1000): {"RES": 40, "CLN": 25, "LUK": 15, "HNK": 10, "DGT": 10},
    ("B", 2000): {"RES": 30, "CLN": 20, "LUK": 20, "LUC": 5, "HNK": 8, "NTS": 4, "DGT": 6, "DTL": 3, "SON": 2,
                  "NTD": 2},
    ("B", 5000): {"RSX": 35, "CLN": 15, "HNK": 10, "NHK": 6, "LUK": 10, "RES": 8, "RPH": 6, "DGT": 4, "SON": 3,
                  "DCS": 3},
    ("B", 10000): {"RSX": 45, "RPH": 20, "RDD": 10, "NHK": 8, "DCS": 6, "NCS": 5, "RES": 3, "DGT": 3},
}
PUBLIC_CODES = {"DGT", "DTL", "SON", "DGD", "DYT", "DVH", "NTD", "TON", "TIN", "DCS", "NCS", "RPH", "RDD"}


def land_use_weights(region: str, scale: int, unit: str, code_list: str,
                     highland: bool = False) -> tuple[list[str], np.ndarray]:
    """Codes and probabilities for a sheet; legacy (TT 27/2018) files use BHK instead of HNK."""
    table = dict(LAND_USE[(region, scale)])
    if highland:  # karst plateau: maize on upland fields and bare rock instead of paddy rice
        for rice in ("LUK", "LUC"):
            table["NHK"] = table.get("NHK", 0) + table.pop(rice, 0)
        table["NCS"] = table.get("NCS", 0) + 6
    codes, weights = [], []
    for code, w in table.items():
        if code == "RES":
            code = "ONT" if unit == "xa" else "ODT"
        if code == "HNK" and code_list == "LANDUSE_TT27_2018":
            code = "BHK"
        if code == "NHK" and code_list == "LANDUSE_TT08_2024":
            code = "HNK"
        codes.append(code)
        weights.append(w)
    p = np.asarray(weights, dtype=float)
    return codes, p / p.sum()


def person(rng: np.random.Generator, style: str) -> tuple[str, str]:
    """A synthetic full name (family + middle + given) and its sex 'm'/'f'; style south | north | highland."""
    sex = "m" if rng.random() < 0.6 else "f"
    fam = {"south": FAMILY_SOUTH, "north": FAMILY_NORTH, "highland": FAMILY_HIGHLAND}[style]
    names, weights = zip(*fam)
    family = names[rng.choice(len(names), p=np.asarray(weights) / sum(weights))]
    middle_t, given_t = (MIDDLE_HIGHLAND, GIVEN_HIGHLAND) if style == "highland" else (MIDDLE, GIVEN)
    middle = middle_t[sex][rng.integers(len(middle_t[sex]))]
    given = given_t[sex][rng.integers(len(given_t[sex]))]
    return f"{family} {middle} {given}", sex


def owner(rng: np.random.Generator, style: str, land_use: str, old_code: str) -> str:
    """TenChu: an organisation for public/defence land, else a person, a household or a couple."""
    commune, district, province = admin_names(old_code)
    if land_use == "CQP":
        return f"Bộ Chỉ huy Quân sự {province}"
    if land_use == "CAN":
        return f"Công an {province}"
    if land_use in PUBLIC_CODES:
        return f"UBND {commune}"
    if land_use in ("TMD", "SKC") and rng.random() < 0.5:
        return f"Công ty TNHH Mẫu Số {int(rng.integers(1, 99)):02d}"
    name, sex = person(rng, style)
    r = rng.random()
    if r < 0.25:
        return f"Hộ {'ông' if sex == 'm' else 'bà'} {name}"
    if r < 0.35:
        spouse, _ = person(rng, style)
        return f"{name} và {spouse}"
    return name


def address(rng: np.random.Generator, old_code: str, scale: int, hamlets: tuple[str, ...]) -> str:
    """DiaChi with the old (pre-2025) administrative names, as the legacy data carries them."""
    c = OLD_COMMUNES[old_code]
    commune, district, province = admin_names(old_code)
    hamlet = hamlets[rng.integers(len(hamlets))]
    if c.province_code == "92":
        place = f"khu vực {hamlet}"
        if scale <= 1000 and rng.random() < 0.7:
            street = STREETS_CT[rng.integers(len(STREETS_CT))]
            place = f"số {int(rng.integers(1, 400))} đường {street}, {place}"
    elif c.province_code == "94":
        place = f"ấp {hamlet}"
    elif c.unit == "phuong":
        place = f"tổ dân phố {int(rng.integers(1, 20))}"
    else:
        place = f"thôn {hamlet}"
    place = place[0].upper() + place[1:]
    return f"{place}, {commune}, {district}, {province}"


def note(rng: np.random.Generator, number: int) -> str:
    """GhiChu: empty for most parcels, else a short cadastral remark."""
    if rng.random() < 0.85:
        return ""
    return NOTES[rng.integers(len(NOTES))].format(n=max(1, number - int(rng.integers(1, 9))))


def cccd(rng: np.random.Generator, province_code: str, sex: str, year: int) -> str:
    """A structurally valid synthetic 12-digit CCCD: birth-province code, century/sex digit, year, 6 digits."""
    century_sex = (0 if year < 2000 else 2) + (1 if sex == "f" else 0)
    return f"0{province_code}{century_sex}{year % 100:02d}{int(rng.integers(0, 10**6)):06d}"


def name_style(old_code: str) -> str:
    """Naming style of an old commune: Mekong south, northern midlands, or Hmong highland (Hà Giang)."""
    prov = OLD_COMMUNES[old_code].province_code
    return {"92": "south", "94": "south", "08": "north", "02": "highland"}[prov]
