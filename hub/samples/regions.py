"""Real communes (old codes and lineage from ``vietnamadminunits`` 1.0.4, new codes from ``vietnam-provinces`` as in
the hub's reference data) and the synthetic layout of the sample set.

Selection (domain spec §11): for each of the two merged provinces, new communes formed from 2–3 old communes of
the same old province, one of them sharing an old commune that was split between two new communes
(``DICT_PROVINCE_WARD_DIVIDED`` of the package's converter data):

* A. Thành phố Cần Thơ (92): old Cần Thơ (92, KTT 105°00′, EPSG:5897) — new Phường Thốt Nốt 31212 and Phường
  Thuận Hưng 31207, old Phường Thốt Nốt 31207 split between them; old Sóc Trăng (94, KTT 105°30′, EPSG:9209) —
  new Xã Kế Sách 31528 = TT Kế Sách + Kế Thành + Kế An.
* B. Tuyên Quang (08): old Tuyên Quang (08, KTT 106°00′, EPSG:9211) — new Phường Nông Tiến 02212 and Xã Thái
  Bình 02494, old Xã Thái Bình 02494 split between them; old Hà Giang (02, KTT 105°30′, EPSG:9209) — new Xã Lũng
  Cú 00715 = Lũng Cú + Má Lé + Lũng Táo.

Geometry is synthetic: each old province gets a row of rectangular-ish commune blocks (km offsets from a
6-km-aligned origin near the real place), sheets laid on the TM-3 sheet grid of §1.2 inside the blocks.
"""

from __future__ import annotations

from dataclasses import dataclass, field

OLD_VERSION = "GSO-2025-06-30"
NEW_VERSION = "GSO-2025-07-01"


@dataclass(frozen=True)
class OldCommune:
    """A pre-2025 commune: GSO code, official name, district, province, unit type and its successors."""

    code: str
    name: str
    district: str
    province: str
    province_code: str
    unit: str  # phuong | xa | thi_tran
    new_codes: tuple[str, ...]  # successors; the first one is the default successor


@dataclass(frozen=True)
class NewCommune:
    """A commune of the two-level system (1 Jul 2025) and its real approximate centre (WGS 84)."""

    code: str
    name: str
    province_code: str
    province: str
    lon: float
    lat: float


@dataclass(frozen=True)
class SheetSpec:
    """One cadastral map sheet: old commune, sequential sheet number, scale and SW corner (km from the group origin)."""

    old_code: str
    sheet_no: int
    scale: int
    x_km: float
    y_km: float
    kind: str = "normal"  # normal | wrong_ktt | swapped | utm_extract | unclosed_extract
    parcels: int | None = None  # fixed parcel count (small extracts); None = from scale
    size_m: float | None = None  # extract size (default: the sheet frame of the scale)


@dataclass(frozen=True)
class Group:
    """All sheets of one old province inside one new province: CRS, layout origin and commune blocks."""

    key: str
    region: str  # "A" (Cần Thơ) or "B" (Tuyên Quang)
    old_province_code: str
    epsg: int
    anchor_lonlat: tuple[float, float]
    blocks: tuple[tuple[str, float, float], ...]  # (old code, x_from_km, x_to_km), west to east
    height_km: float
    sheets: tuple[SheetSpec, ...]
    split: tuple[str, float] | None = None  # (old code, x_km of the new-commune boundary)
    code_list: str = "LANDUSE_TT08_2024"
    hamlets: tuple[str, ...] = field(default=())


SHEET_SIZE_M = {500: 250.0, 1000: 500.0, 2000: 1000.0, 5000: 3000.0, 10000: 6000.0}

NEW_COMMUNES = {
    c.code: c
    for c in (
        NewCommune("31212", "Phường Thốt Nốt", "92", "Thành phố Cần Thơ", 105.504, 10.2917),
        NewCommune("31207", "Phường Thuận Hưng", "92", "Thành phố Cần Thơ", 105.562, 10.2263),
        NewCommune("31528", "Xã Kế Sách", "92", "Thành phố Cần Thơ", 105.944, 9.77057),
        NewCommune("02212", "Phường Nông Tiến", "08", "Tỉnh Tuyên Quang", 105.229, 21.8384),
        NewCommune("02494", "Xã Thái Bình", "08", "Tỉnh Tuyên Quang", 105.312, 21.8014),
        NewCommune("00715", "Xã Lũng Cú", "08", "Tỉnh Tuyên Quang", 105.302, 23.3241),
    )
}

_CT = ("Quận Thốt Nốt", "Thành phố Cần Thơ", "92")
_ST = ("Huyện Kế Sách", "Tỉnh Sóc Trăng", "94")
_TQC = ("Thành phố Tuyên Quang", "Tỉnh Tuyên Quang", "08")
_YS = ("Huyện Yên Sơn", "Tỉnh Tuyên Quang", "08")
_DV = ("Huyện Đồng Văn", "Tỉnh Hà Giang", "02")

OLD_COMMUNES = {
    c.code: c
    for c in (
        OldCommune("31210", "Phường Thới Thuận", *_CT, "phuong", ("31212",)),
        OldCommune("31212", "Phường Thuận An", *_CT, "phuong", ("31212",)),
        OldCommune("31207", "Phường Thốt Nốt", *_CT, "phuong", ("31212", "31207")),
        OldCommune("31219", "Phường Trung Kiên", *_CT, "phuong", ("31207",)),
        OldCommune("31228", "Phường Thuận Hưng", *_CT, "phuong", ("31207",)),
        OldCommune("31528", "Thị trấn Kế Sách", *_ST, "thi_tran", ("31528",)),
        OldCommune("31555", "Xã Kế Thành", *_ST, "xa", ("31528",)),
        OldCommune("31558", "Xã Kế An", *_ST, "xa", ("31528",)),
        OldCommune("02209", "Xã Tràng Đà", *_TQC, "xa", ("02212",)),
        OldCommune("02212", "Phường Nông Tiến", *_TQC, "phuong", ("02212",)),
        OldCommune("02494", "Xã Thái Bình", *_YS, "xa", ("02494", "02212")),
        OldCommune("02482", "Xã Phú Thịnh", *_YS, "xa", ("02494",)),
        OldCommune("02500", "Xã Tiến Bộ", *_YS, "xa", ("02494",)),
        OldCommune("00715", "Xã Lũng Cú", *_DV, "xa", ("00715",)),
        OldCommune("00718", "Xã Má Lé", *_DV, "xa", ("00715",)),
        OldCommune("00724", "Xã Lũng Táo", *_DV, "xa", ("00715",)),
    )
}

S = SheetSpec
GROUPS: tuple[Group, ...] = (
    Group(
        "cantho_old", "A", "92", 5897, (105.533, 10.259),
        (("31210", 0, 3), ("31212", 3, 5), ("31207", 5, 9), ("31219", 9, 12), ("31228", 12, 15)), 4.0,
        (
            S("31210", 1, 2000, 1, 1), S("31210", 2, 1000, 1, 2.5),
            S("31212", 1, 1000, 3.5, 2.0), S("31212", 2, 500, 3.6, 0.6, "utm_extract", 30, 150.0),
            S("31207", 1, 500, 5.5, 2.75), S("31207", 2, 2000, 6, 1),
            S("31219", 1, 2000, 10, 1), S("31228", 1, 1000, 13, 2),
        ),
        split=("31207", 6.5),
        hamlets=("Thới Thạnh", "Phụng Thạnh", "Long Thạnh A", "Thạnh Phước 1", "Tân Phước", "Trung Thạnh",
                 "Lân Thạnh", "Qui Thạnh", "Thuận Tiến", "Thới Hòa"),
    ),
    Group(
        "soctrang_old", "A", "94", 9209, (105.944, 9.7706),
        (("31528", 0, 3), ("31555", 3, 6), ("31558", 6, 10)), 4.0,
        (
            S("31528", 1, 500, 1, 2), S("31528", 2, 1000, 1.5, 1),
            S("31555", 1, 2000, 4, 1), S("31555", 2, 500, 4.3, 2.6, "unclosed_extract", 4, 80.0),
            S("31558", 1, 2000, 7, 1), S("31558", 2, 2000, 8, 2, "wrong_ktt"),
        ),
        hamlets=("An Khương", "An Bình", "An Định", "An Thạnh", "Phú Hòa", "Ninh Thới", "Xóm Chòi",
                 "Trường Lạc", "Kế Thành", "Tà Lọt", "Mang Cá"),
    ),
    Group(
        "tuyenquang_old", "B", "08", 9211, (105.27, 21.82),
        (("02209", 0, 5), ("02212", 5, 10), ("02494", 10, 19), ("02482", 19, 25), ("02500", 25, 37)), 10.0,
        (
            S("02209", 1, 2000, 2, 7), S("02209", 2, 1000, 1.5, 3, "swapped", 20),
            S("02212", 1, 2000, 6, 7), S("02212", 2, 5000, 6, 3),
            S("02494", 1, 10000, 12, 2), S("02482", 1, 5000, 21, 3), S("02500", 1, 10000, 30, 2),
        ),
        split=("02494", 15.0),
        code_list="LANDUSE_TT27_2018",
        hamlets=("Làng Chẩu", "Đồng Giàn", "Cây Quýt", "Thái Ninh", "Khuôn Khán", "Hợp Thành", "Đồng Bầu",
                 "Tân Thành", "Nà Ho", "Bản Pài", "Đồng Chùa"),
    ),
    Group(
        "hagiang_old", "B", "02", 9209, (105.30, 23.32),
        (("00715", 0, 8), ("00718", 8, 20), ("00724", 20, 28)), 10.0,
        (
            S("00715", 1, 5000, 3, 3), S("00715", 2, 2000, 1, 7),
            S("00718", 1, 10000, 12, 2), S("00724", 1, 5000, 21, 3),
        ),
        code_list="LANDUSE_TT27_2018",
        hamlets=("Lô Lô Chải", "Thèn Ván", "Séo Lủng", "Sì Lồ Lầu", "Pải Lủng", "Đoàn Kết", "Tả Giàng Phìn",
                 "Sủng Lìa", "Xóm Mới", "Lũng Hòa", "Khó Già"),
    ),
)
GROUP_BY_KEY = {g.key: g for g in GROUPS}

# Parcels per full sheet at scale 1 (A: 12 sheets ≈ 5,000; B: 10 sheets ≈ 3,000).
PARCELS_PER_SHEET = {"A": {500: 450, 1000: 420, 2000: 400}, "B": {2000: 300, 5000: 300, 10000: 300}}


def group_of(old_code: str) -> Group:
    """The layout group that holds an old commune."""
    for g in GROUPS:
        if any(b[0] == old_code for b in g.blocks):
            return g
    raise KeyError(old_code)


def admin_names(old_code: str) -> tuple[str, str, str]:
    """(commune, district, province) names of an old commune, lower-cased type prefix as used in addresses."""
    c = OLD_COMMUNES[old_code]

    def low(name: str) -> str:
        """Lower-case the administrative type prefix ('Phường X' -> 'phường X')."""
        for prefix in ("Thành phố", "Thị trấn", "Phường", "Xã", "Quận", "Huyện", "Tỉnh"):
            if name.startswith(prefix):
                return prefix.lower() + name[len(prefix):]
        return name

    return low(c.name), low(c.district), low(c.province)
