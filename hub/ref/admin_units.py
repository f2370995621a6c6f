"""Administrative units before/after 1 Jul 2025 and their lineage, read from the installed packages' data files.

Sources (spec §3):
* GSO-2025-06-30 (63 provinces / 696 districts / 10,035 communes): vietnamadminunits `data/dataset.db`, table
  `admin_units_legacy` (one row per commune; 5 island districts without communes have a NULL ward).
* GSO-2025-07-01 (34 provinces / 3,321 communes): vietnam-provinces `data/nested-divisions.json`.
* Lineage: vietnamadminunits `data/converter_2025.json`, keyed by name keys, not codes. Old keys resolve through
  `admin_units_legacy`; new ward keys resolve to the vietnamadminunits ward name and from there, by province and a
  tone-placement-insensitive name key, to the vietnam-provinces code (the two packages disagree on 114 new codes,
  so vietnamadminunits' own new codes are not used). The 5 island districts without communes map as districts.
"""

from __future__ import annotations

import json
import re
import sqlite3
import unicodedata
from contextlib import closing
from importlib.util import find_spec
from pathlib import Path

OLD, NEW = "GSO-2025-06-30", "GSO-2025-07-01"
VERSION_HEADER = ("version_id", "valid_from", "valid_to", "legal_basis")
# valid_from of the pre-reform snapshot: 2025-01-01, the last general effective date of the 2023-2025 mergers
# (Huế is already a centrally-run city in the data) -- an assumption, the packages carry no snapshot date.
VERSIONS = (
    (OLD, "2025-01-01", "2025-06-30", "QĐ 124/2004/QĐ-TTg (GSO list, as amended to 30 Jun 2025)"),
    (NEW, "2025-07-01", "", "QĐ 19/2025/QĐ-TTg [U on number]; NQ 202/2025/QH15"),
)
UNIT_HEADER = ("version_id", "level", "code", "name", "unit_type", "parent_code")
LINEAGE_HEADER = ("old_version", "old_level", "old_code", "new_version", "new_level", "new_code", "relation",
                  "area_share", "is_default", "legal_basis")
PROVINCE_BASIS = "NQ 202/2025/QH15"
COMMUNE_BASIS = "NQ UBTVQH15 2025 sắp xếp ĐVHC cấp xã (theo tỉnh)"

_TYPES = {"Tỉnh": "tinh", "Thành phố": "thanh_pho", "Quận": "quan", "Huyện": "huyen", "Thị xã": "thi_xa",
          "Phường": "phuong", "Xã": "xa", "Thị trấn": "thi_tran", "tỉnh": "tinh",
          "thành phố trung ương": "thanh_pho_tw", "xã": "xa", "phường": "phuong", "đặc khu": "dac_khu"}
_TONES = {"\u0300", "\u0301", "\u0303", "\u0309", "\u0323"}


def package_dir(name: str) -> Path:
    """Directory of an installed package, found without importing it."""
    spec = find_spec(name)
    if spec is None or not spec.submodule_search_locations:
        raise ModuleNotFoundError(name)
    return Path(next(iter(spec.submodule_search_locations)))


def clean(text: str) -> str:
    """NFC with runs of whitespace collapsed (vietnam-provinces has 10 names with a double space)."""
    return " ".join(unicodedata.normalize("NFC", text).split())


def name_key(name: str) -> tuple[str, tuple[str, ...]]:
    """Matching key insensitive to tone placement (Hoà/Hòa), case and punctuation (’/', –/-)."""
    decomposed = unicodedata.normalize("NFD", name.lower())
    tones = tuple(ch for ch in decomposed if ch in _TONES)
    base = unicodedata.normalize("NFC", "".join(ch for ch in decomposed if ch not in _TONES))
    return re.sub(r"[\W_]+", "", base), tones


def _query(sql: str) -> list[sqlite3.Row]:
    """Rows of a read-only query on vietnamadminunits' data/dataset.db."""
    db = package_dir("vietnamadminunits") / "data" / "dataset.db"
    with closing(sqlite3.connect(f"file:{db}?mode=ro", uri=True)) as conn:
        conn.row_factory = sqlite3.Row
        return conn.execute(sql).fetchall()


def _legacy_rows() -> list[sqlite3.Row]:
    """Rows of vietnamadminunits' admin_units_legacy table (one per pre-reform commune)."""
    return _query("SELECT * FROM admin_units_legacy")


def _vam_new_rows() -> list[sqlite3.Row]:
    """Rows of vietnamadminunits' admin_units table (34-province data, used only for its name keys)."""
    return _query("SELECT provinceKey, provinceCode, wardKey, ward FROM admin_units")


def _new_provinces() -> list[dict]:
    """vietnam-provinces' nested province/ward records."""
    path = package_dir("vietnam_provinces") / "data" / "nested-divisions.json"
    return json.loads(path.read_text(encoding="utf-8"))


def _converter() -> dict:
    """vietnamadminunits' 2025 conversion dictionaries."""
    path = package_dir("vietnamadminunits") / "data" / "converter_2025.json"
    return json.loads(path.read_text(encoding="utf-8"))


def _prefix_type(name: str) -> str:
    """unit_type of a legacy province from its name prefix ('Thành phố' -> centrally-run city)."""
    return "thanh_pho_tw" if name.startswith("Thành phố ") else _TYPES[name.split(" ", 1)[0]]


def _old_units() -> list[tuple]:
    """GSO-2025-06-30 provinces, districts and communes."""
    units = set()
    for r in _legacy_rows():
        units.add((OLD, "tinh", r["provinceCode"], clean(r["province"]), _prefix_type(r["province"]), ""))
        units.add((OLD, "huyen", r["districtCode"], clean(r["district"]), _TYPES[r["districtType"]],
                   r["provinceCode"]))
        if r["wardCode"]:
            units.add((OLD, "xa", r["wardCode"], clean(r["ward"]), _TYPES[r["wardType"]], r["districtCode"]))
    return list(units)


def _new_units() -> list[tuple]:
    """GSO-2025-07-01 provinces and communes (no districts; commune parent = province)."""
    units = []
    for p in _new_provinces():
        pcode = f"{p['code']:02d}"
        units.append((NEW, "tinh", pcode, clean(p["name"]), _TYPES[p["division_type"]], ""))
        units += [(NEW, "xa", f"{w['code']:05d}", clean(w["name"]), _TYPES[w["division_type"]], pcode)
                  for w in p["wards"]]
    return units


def admin_unit_rows() -> list[tuple]:
    """All rows of admin_unit.csv (unordered; the builder sorts)."""
    return _old_units() + _new_units()


def _old_index() -> tuple[dict, dict]:
    """Old province key -> code, and old 'province_district_ward' key -> (level, code)."""
    provinces, communes = {}, {}
    for r in _legacy_rows():
        provinces[r["provinceKey"]] = r["provinceCode"]
        key = f"{r['provinceKey']}_{r['districtKey']}_{r['wardKey'] or ''}"
        communes[key] = ("xa", r["wardCode"]) if r["wardCode"] else ("huyen", r["districtCode"])
    return provinces, communes


def _new_index() -> tuple[dict, dict]:
    """New province key -> code, and (new province key, ward key) -> vietnam-provinces commune code."""
    by_name = {}
    for p in _new_provinces():
        for w in p["wards"]:
            key = (f"{p['code']:02d}", name_key(w["name"]))
            if key in by_name:
                raise ValueError(f"ambiguous new commune name key {key}")
            by_name[key] = f"{w['code']:05d}"
    provinces, communes = {}, {}
    for r in _vam_new_rows():
        provinces[r["provinceKey"]] = r["provinceCode"]
        communes[(r["provinceKey"], r["wardKey"])] = by_name[(r["provinceCode"], name_key(r["ward"]))]
    return provinces, communes


def _province_lineage(conv: dict, old_prov: dict, new_prov: dict) -> list[tuple]:
    """63 old provinces -> 34 new: unchanged when a new province has a single predecessor."""
    rows = []
    for new_key, old_keys in conv["DICT_PROVINCE"].items():
        for old_key in old_keys:
            relation = "unchanged" if len(old_keys) == 1 else "merged_into"
            rows.append((OLD, "tinh", old_prov[old_key], NEW, "tinh", new_prov[new_key], relation, "", True,
                         PROVINCE_BASIS))
    return rows


def _commune_lineage(conv: dict, old_com: dict, new_com: dict) -> list[tuple]:
    """Old communes (and 5 commune-less island districts) -> new communes; split default = package's, else first."""
    rows = []
    for prov_key, wards in conv["DICT_PROVINCE_WARD_NO_DIVIDED"].items():
        for new_ward, old_keys in wards.items():
            for old_key in old_keys:
                level, code = old_com[old_key]
                rows.append((OLD, level, code, NEW, "xa", new_com[(prov_key, new_ward)], "merged_into", "", True,
                             COMMUNE_BASIS))
    for prov_key, divided in conv["DICT_PROVINCE_WARD_DIVIDED"].items():
        for old_key, parts in divided.items():
            level, code = old_com[old_key]
            has_default = any(part["isDefaultNewWard"] for part in parts)
            rows += [(OLD, level, code, NEW, "xa", new_com[(prov_key, part["newWardKey"])], "split_part", "",
                      bool(part["isDefaultNewWard"]) if has_default else i == 0, COMMUNE_BASIS)
                     for i, part in enumerate(parts)]
    return rows


def admin_lineage_rows() -> list[tuple]:
    """All rows of admin_lineage.csv (unordered; the builder sorts)."""
    conv = _converter()
    old_prov, old_com = _old_index()
    new_prov, new_com = _new_index()
    return _province_lineage(conv, old_prov, new_prov) + _commune_lineage(conv, old_com, new_com)
