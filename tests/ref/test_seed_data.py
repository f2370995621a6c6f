"""Pure file tests of the reference seed CSVs in hub/ref/data (no database)."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import subprocess
import sys
import unicodedata
from collections import Counter, defaultdict
from functools import cache
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "hub" / "ref" / "data"
OLD, NEW = "GSO-2025-06-30", "GSO-2025-07-01"
HEADERS = {
    "code_list.csv": "code_list,title_vi,title_en,legal_basis,valid_from,valid_to",
    "land_use_code.csv": "code_list,code,parent_code,group_code,name_vi,name_en,is_aggregate,color_hex,is_sensitive",
    "land_use_code_map.csv": "from_list,from_code,to_list,to_code,relation,note",
    "admin_version.csv": "version_id,valid_from,valid_to,legal_basis",
    "admin_unit.csv": "version_id,level,code,name,unit_type,parent_code",
    "admin_lineage.csv": "old_version,old_level,old_code,new_version,new_level,new_code,relation,area_share,"
                         "is_default,legal_basis",
    "crs_zone.csv": "old_province_code,province_name,cm_deg,epsg,k0,legal_basis",
    "datum_op.csv": "op_id,name,towgs84,method,accuracy_m,is_default,note",
}
TT27, TT08, LEGACY, ZONE = "LANDUSE_TT27_2018", "LANDUSE_TT08_2024", "LANDUSE_LEGACY", "PLAN_ZONE_TT08_2024"
# Spec §3.2: new province -> (communes, xã, phường, đặc khu).
COMMUNES_BY_PROVINCE = {
    "01": (126, 75, 51, 0), "04": (56, 53, 3, 0), "08": (124, 117, 7, 0), "11": (45, 42, 3, 0), "12": (38, 36, 2, 0),
    "14": (75, 67, 8, 0), "15": (99, 89, 10, 0), "19": (92, 77, 15, 0), "20": (65, 61, 4, 0), "22": (54, 22, 30, 2),
    "24": (99, 66, 33, 0), "25": (148, 133, 15, 0), "31": (114, 67, 45, 2), "33": (104, 93, 11, 0),
    "37": (129, 97, 32, 0), "38": (166, 147, 19, 0), "40": (130, 119, 11, 0), "42": (69, 60, 9, 0),
    "44": (78, 69, 8, 1), "46": (40, 19, 21, 0), "48": (94, 70, 23, 1), "51": (96, 86, 9, 1), "52": (135, 110, 25, 0),
    "56": (65, 48, 16, 1), "66": (102, 88, 14, 0), "68": (124, 103, 20, 1), "75": (95, 72, 23, 0),
    "79": (168, 54, 113, 1), "80": (96, 82, 14, 0), "82": (102, 82, 20, 0), "86": (124, 105, 19, 0),
    "91": (102, 85, 14, 3), "92": (103, 72, 31, 0), "96": (64, 55, 9, 0),
}
# Spec §2.2: TM-3 EPSG code per central meridian.
EPSG_BY_CM = {"102.00": 5896, "105.00": 5897, "108.00": 5898, "107.75": 5899, "103.00": 9205, "104.00": 9206,
              "104.50": 9207, "104.75": 9208, "105.50": 9209, "105.75": 9210, "106.00": 9211, "106.25": 9212,
              "106.50": 9213, "107.00": 9214, "107.25": 9215, "107.50": 9216, "108.25": 9217, "108.50": 9218}


@cache
def read(name: str) -> tuple[dict, ...]:
    """Rows of a seed CSV as dicts."""
    return tuple(csv.DictReader(io.StringIO((DATA / name).read_text(encoding="utf-8"), newline="")))


@cache
def units(version: str, level: str) -> dict[str, dict]:
    """admin_unit rows of one version and level, by code."""
    return {r["code"]: r for r in read("admin_unit.csv") if r["version_id"] == version and r["level"] == level}


def lineage(level: str | None = None) -> list[dict]:
    """admin_lineage rows; province rows only with level='tinh', the rest otherwise."""
    rows = read("admin_lineage.csv")
    return [r for r in rows if (r["old_level"] == "tinh") == (level == "tinh")]


@cache
def land_use(code_list: str) -> dict[str, dict]:
    """land_use_code rows of one list, by code."""
    return {r["code"]: r for r in read("land_use_code.csv") if r["code_list"] == code_list}


def code_map() -> dict[tuple[str, str, str, str], dict]:
    """land_use_code_map rows by primary key."""
    return {(r["from_list"], r["from_code"], r["to_list"], r["to_code"]): r for r in read("land_use_code_map.csv")}


@pytest.mark.parametrize("name", sorted(HEADERS))
def test_file_format(name):
    """Each CSV: exact header, UTF-8, LF only, NFC everywhere, rows sorted and unique, listed in the manifest."""
    raw = (DATA / name).read_bytes()
    text = raw.decode("utf-8")
    assert "\r" not in text and text.endswith("\n")
    assert text.split("\n", 1)[0] == HEADERS[name]
    rows = list(csv.reader(io.StringIO(text, newline="")))[1:]
    assert rows == sorted(rows) and len(rows) == len(set(map(tuple, rows)))
    assert all(cell == unicodedata.normalize("NFC", cell) for row in rows for cell in row)
    entry = json.loads((DATA / "MANIFEST.json").read_text(encoding="utf-8"))[name]
    assert entry["rows"] == len(rows) and entry["sha256"] == hashlib.sha256(raw).hexdigest()
    assert entry["source"] and entry["generated_by"] == "python -m hub.ref.build_seed"


def test_build_seed_check_passes():
    """The committed files are exactly what `python -m hub.ref.build_seed` generates."""
    proc = subprocess.run([sys.executable, "-m", "hub.ref.build_seed", "--check"], cwd=ROOT,
                          capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stderr


def test_admin_versions():
    """Two versions meeting at the 1 Jul 2025 reform."""
    versions = {r["version_id"]: r for r in read("admin_version.csv")}
    assert versions[OLD]["valid_to"] == "2025-06-30" and versions[NEW]["valid_from"] == "2025-07-01"
    assert versions[NEW]["valid_to"] == ""


def test_old_version_counts():
    """63 provinces (6 cities incl. Huế since 2025), 696 districts, 10,035 communes before the reform."""
    assert (len(units(OLD, "tinh")), len(units(OLD, "huyen")), len(units(OLD, "xa"))) == (63, 696, 10035)
    assert Counter(u["unit_type"] for u in units(OLD, "tinh").values()) == {"tinh": 57, "thanh_pho_tw": 6}
    assert set(Counter(u["unit_type"] for u in units(OLD, "huyen").values())) == {"quan", "huyen", "thi_xa",
                                                                                  "thanh_pho"}
    assert set(Counter(u["unit_type"] for u in units(OLD, "xa").values())) == {"phuong", "xa", "thi_tran"}


def test_new_version_counts():
    """34 provinces (28 + 6 cities), no districts, 3,321 communes = 2,621 xã + 687 phường + 13 đặc khu."""
    assert Counter(u["unit_type"] for u in units(NEW, "tinh").values()) == {"tinh": 28, "thanh_pho_tw": 6}
    assert units(NEW, "huyen") == {}
    assert Counter(u["unit_type"] for u in units(NEW, "xa").values()) == {"xa": 2621, "phuong": 687, "dac_khu": 13}


def test_codes_padded_and_parents_exist():
    """Codes are 2/3/5-digit text; every parent exists one level up in the same version."""
    width = {"tinh": 2, "huyen": 3, "xa": 5}
    for r in read("admin_unit.csv"):
        assert r["code"].isdigit() and len(r["code"]) == width[r["level"]]
    assert all(d["parent_code"] in units(OLD, "tinh") for d in units(OLD, "huyen").values())
    assert all(c["parent_code"] in units(OLD, "huyen") for c in units(OLD, "xa").values())
    assert all(c["parent_code"] in units(NEW, "tinh") for c in units(NEW, "xa").values())
    assert all(p["parent_code"] == "" for v in (OLD, NEW) for p in units(v, "tinh").values())


@pytest.mark.parametrize("code,name", [("24", "Bắc Ninh"), ("91", "An Giang"), ("52", "Gia Lai"), ("15", "Lào Cai"),
                                       ("80", "Tây Ninh"), ("82", "Đồng Tháp"), ("44", "Quảng Trị"),
                                       ("92", "Thành phố Cần Thơ"), ("08", "Tuyên Quang")])
def test_new_province_codes(code, name):
    """New provinces re-use a predecessor's code, not necessarily the surviving name's (spec §3.2)."""
    assert units(NEW, "tinh")[code]["name"] == name


def test_special_zones():
    """Hoàng Sa (20333) belongs to Đà Nẵng (48), Trường Sa (22736) to Khánh Hòa (56)."""
    communes = units(NEW, "xa")
    assert communes["20333"]["name"] == "Đặc khu Hoàng Sa" and communes["20333"]["parent_code"] == "48"
    assert communes["22736"]["name"] == "Đặc khu Trường Sa" and communes["22736"]["parent_code"] == "56"
    assert all(c["name"].startswith("Đặc khu ") for c in communes.values() if c["unit_type"] == "dac_khu")


@pytest.mark.parametrize("province", sorted(COMMUNES_BY_PROVINCE))
def test_communes_per_province(province):
    """Per-province commune counts and types match the spec §3.2 table."""
    types = Counter(c["unit_type"] for c in units(NEW, "xa").values() if c["parent_code"] == province)
    expected = COMMUNES_BY_PROVINCE[province]
    assert (sum(types.values()), types["xa"], types["phuong"], types["dac_khu"]) == expected


def test_lineage_covers_old_and_new():
    """Every old commune has a successor, every successor exists, every new commune has a predecessor."""
    rows = lineage()
    assert {r["old_code"] for r in rows if r["old_level"] == "xa"} == set(units(OLD, "xa"))
    assert {r["old_code"] for r in rows if r["old_level"] == "huyen"} == {"318", "471", "498", "536", "755"}
    assert {r["new_code"] for r in rows} == set(units(NEW, "xa"))
    assert all(r["new_version"] == NEW and r["new_level"] == "xa" and r["area_share"] == "" for r in rows)


def test_lineage_splits():
    """471 old communes split (397 into 2, 58 into 3, 15 into 4, 1 into 5), each with exactly one default part."""
    parts = defaultdict(list)
    for r in lineage():
        parts[(r["old_level"], r["old_code"])].append(r)
    split = {k: v for k, v in parts.items() if v[0]["relation"] == "split_part"}
    assert len(split) == 471 and 400 <= len(split) <= 550
    assert Counter(len(v) for v in split.values()) == {2: 397, 3: 58, 4: 15, 5: 1}
    assert all(len({r["relation"] for r in v}) == 1 for v in parts.values())
    assert all(sum(r["is_default"] == "true" for r in v) == 1 for v in parts.values())
    whole = [v for v in parts.values() if v[0]["relation"] == "merged_into"]
    assert len(whole) == 9569 and all(len(v) == 1 for v in whole)


def test_lineage_keeps_commune_inside_successor_province():
    """A commune's successor lies in the new province its old province was merged into."""
    province_of = {r["old_code"]: r["new_code"] for r in lineage("tinh")}
    old_province = {code: units(OLD, "huyen")[c["parent_code"]]["parent_code"] for code, c in units(OLD, "xa").items()}
    old_province.update({code: d["parent_code"] for code, d in units(OLD, "huyen").items()})
    new_communes = units(NEW, "xa")
    assert all(province_of[old_province[r["old_code"]]] == new_communes[r["new_code"]]["parent_code"]
               for r in lineage())
    assert {r["new_code"] for r in lineage() if r["old_code"] == "498"} == {"20333"}


def test_province_lineage():
    """63 old provinces -> 34 new; 11 unchanged (single predecessor, same code), 52 merged."""
    rows = lineage("tinh")
    assert {r["old_code"] for r in rows} == set(units(OLD, "tinh")) and len(rows) == 63
    assert {r["new_code"] for r in rows} == set(units(NEW, "tinh"))
    assert Counter(r["relation"] for r in rows) == {"unchanged": 11, "merged_into": 52}
    assert all(r["old_code"] == r["new_code"] for r in rows if r["relation"] == "unchanged")
    merged = {r["old_code"]: r["new_code"] for r in rows}
    assert (merged["27"], merged["24"], merged["89"], merged["91"], merged["93"]) == ("24", "24", "91", "91", "92")


def test_crs_zones():
    """63 old provinces with their TT 973/2001 central meridian and EPSG code."""
    zones = {r["old_province_code"]: r for r in read("crs_zone.csv")}
    assert set(zones) == set(units(OLD, "tinh"))
    epsg = {code: int(r["epsg"]) for code, r in zones.items()}
    assert (epsg["92"], epsg["94"], epsg["08"], epsg["02"]) == (5897, 9209, 9211, 9209)
    assert zones["79"]["cm_deg"] == "105.75" and zones["46"]["province_name"] == "Thừa Thiên Huế"
    assert all(EPSG_BY_CM[r["cm_deg"]] == int(r["epsg"]) for r in zones.values())
    assert all(r["k0"] == "0.9999" and r["legal_basis"] == "TT 973/2001/TT-TCĐC" for r in zones.values())


def test_datum_ops():
    """EPSG:6960 is the only default; EPSG:5194 is stored with position-vector (flipped) rotations."""
    ops = {r["op_id"]: r for r in read("datum_op.csv")}
    assert [k for k, r in ops.items() if r["is_default"] == "true"] == ["EPSG:6960"]
    assert ops["EPSG:6960"]["towgs84"] == ("-191.90441429,-39.30318279,-111.45032835,"
                                           "0.00928836,-0.01975479,0.00427372,0.252906278")
    assert [float(v) for v in ops["EPSG:5194"]["towgs84"].split(",")[3:6]] == [-0.00205, -0.0005, 0.00335]
    assert "publication" in ops["EPSG:5194"]["note"]


def test_code_lists_and_groups():
    """The four land-use lists exist and every code row uses a known list, group and parent."""
    lists = {r["code_list"] for r in read("code_list.csv")}
    assert lists == {TT27, TT08, LEGACY, ZONE}
    for r in read("land_use_code.csv"):
        assert r["code_list"] in lists and r["group_code"] in {"NNP", "PNN", "CSD", "MVB", "ZONE"}
        assert r["parent_code"] == "" or r["parent_code"] in land_use(r["code_list"])
        assert r["color_hex"] == "" or (len(r["color_hex"]) == 7 and r["color_hex"][0] == "#")
    assert all(r["group_code"] == "ZONE" for r in land_use(ZONE).values())


def test_land_use_placement():
    """Status column placement: 'both' in both lists, 2018-only and 2024-new codes in one list each."""
    tt27, tt08 = land_use(TT27), land_use(TT08)
    assert {"OTC", "ONT", "ODT", "LUC", "CQP", "CAN", "HNK"} <= set(tt27) & set(tt08)
    assert {"SXN", "CDG", "BHK", "NHK", "DDT", "DDL", "DSH", "LUN"} <= set(tt27) - set(tt08)
    assert {"CNT", "CQA", "DDD", "DMT", "DKT", "SCT", "DCT", "DPC"} <= set(tt08) - set(tt27)
    assert "OCT" not in tt27 and "OCT" not in tt08
    assert tt27["CQP"]["parent_code"] == "CDG" and tt08["CQP"]["parent_code"] == "CQA"
    assert tt27["LUC"]["name_vi"] == "Đất chuyên trồng lúa nước" and tt08["LUC"]["name_vi"] == "Đất chuyên trồng lúa"
    assert {"T", "2L", "LNK", "AO", "Màu", "RĐ"} == set(land_use(LEGACY))


def test_land_use_flags():
    """Defence/security codes are sensitive; aggregates flagged; colours from spec §1.5."""
    for code_list in (TT27, TT08):
        rows = land_use(code_list)
        assert {c for c, r in rows.items() if r["is_sensitive"] == "true"} == {"CQP", "CAN", "CQA"} & set(rows)
        assert rows["NNP"]["is_aggregate"] == "true" and rows["ONT"]["is_aggregate"] == "false"
        assert rows["LUC"]["color_hex"] == "#FFFC8C" and rows["CQP"]["color_hex"] == "#FF6450"
    assert land_use(TT27)["HNK"]["is_aggregate"] == "true" and land_use(TT08)["HNK"]["is_aggregate"] == "false"


def test_kdd_is_nfc_with_d_stroke():
    """KĐD is stored as NFC text containing U+0110 (Đ), not as ASCII 'KDD'."""
    codes = land_use(ZONE)
    assert "K\u0110D" in codes and "KDD" not in codes
    assert unicodedata.normalize("NFC", "KĐD") == "K\u0110D"


def test_crosswalk():
    """Merges from spec §1.5, exact same-code rows, OCT spelling, [U] on manual rows, known codes only."""
    cmap = code_map()
    for src, dst in (("BHK", "HNK"), ("NHK", "HNK"), ("DDT", "DDD"), ("DDL", "DDD"), ("DSH", "DKV")):
        assert cmap[(TT27, src, TT08, dst)]["relation"] == "merged"
    assert cmap[(TT27, "ONT", TT08, "ONT")]["relation"] == "exact"
    assert cmap[(TT27, "OCT", TT08, "OTC")]["relation"] == "exact"
    assert {k[3] for k in cmap if k[:2] == (TT27, "CDG")} == {"TSC", "CQA", "DSN", "CSK", "CCC"}
    relations = {"exact", "narrower", "broader", "merged", "split", "manual"}
    for (from_list, from_code, to_list, to_code), r in cmap.items():
        assert r["relation"] in relations and to_code in land_use(to_list)
        assert from_code in land_use(from_list) or from_code == "OCT"
        assert r["relation"] != "manual" or "[U]" in r["note"]
    assert all(r["note"] == "[U] verify per dataset" for k, r in cmap.items() if k[0] == LEGACY)
    mapped = {k[1] for k in cmap if k[0] == TT27 and k[2] == TT08}
    assert set(land_use(TT27)) - mapped == {"MVB", "MVT", "MVR", "MVK"}
