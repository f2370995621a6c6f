"""Land-use codes of the TT 08/2024 list (hub/ref/data/land_use_code.csv) and the names price tables give them.

Annexes name land types in words ("Đất ở tại đô thị", "Đất thương mại, dịch vụ", "Đất trồng lúa") more often
than by code; the names of the code list plus the usual table wordings map to codes on the folded text.
"""

from __future__ import annotations

import csv
import re
from functools import lru_cache
from pathlib import Path

from ingest.families.landprice.names import fold

CODE_LIST = "LANDUSE_TT08_2024"
_CSV = Path(__file__).resolve().parents[3] / "hub" / "ref" / "data" / "land_use_code.csv"
RESIDENTIAL = frozenset({"ODT", "ONT"})

# Wordings seen in price annexes (folded) -> code; "RES" is residential land whose urban/rural kind the sheet or
# commune decides. Longest phrases are tried first.
_SYNONYMS = {
    "dat o tai do thi": "ODT", "dat o do thi": "ODT", "odt": "ODT",
    "dat o tai nong thon": "ONT", "dat o nong thon": "ONT", "ont": "ONT",
    "dat o": "RES",
    "dat thuong mai dich vu": "TMD", "thuong mai dich vu": "TMD", "dat thuong mai": "TMD", "tmd": "TMD",
    "dat co so san xuat phi nong nghiep": "SKC", "co so san xuat phi nong nghiep": "SKC",
    "dat san xuat kinh doanh phi nong nghiep": "SKC", "san xuat kinh doanh phi nong nghiep": "SKC",
    "dat sxkd phi nong nghiep": "SKC", "skc": "SKC",
    "dat trong lua": "LUA", "dat lua": "LUA", "dat chuyen trong lua": "LUC", "dat trong lua con lai": "LUK",
    "dat trong cay hang nam khac": "HNK", "dat trong cay hang nam": "CHN", "dat cay hang nam": "CHN",
    "dat trong cay lau nam": "CLN", "dat cay lau nam": "CLN",
    "dat rung san xuat": "RSX", "dat rung phong ho": "RPH", "dat rung dac dung": "RDD",
    "dat nuoi trong thuy san": "NTS", "dat lam muoi": "LMU", "dat nong nghiep khac": "NKH",
}
_CODE = re.compile(r"^[A-Z]{3}$")


@lru_cache(maxsize=1)
def codes() -> dict[str, str]:
    """TT 08/2024 code -> Vietnamese name."""
    with open(_CSV, encoding="utf-8", newline="") as fh:
        return {r["code"]: r["name_vi"] for r in csv.DictReader(fh) if r["code_list"] == CODE_LIST}


@lru_cache(maxsize=1)
def _names() -> list[tuple[str, str]]:
    """(folded phrase, code), longest first: the code list's names and the annex wordings."""
    table = {fold(name): code for code, name in codes().items()}
    table.update(_SYNONYMS)
    return sorted(table.items(), key=lambda kv: -len(kv[0]))


def is_known(code: str) -> bool:
    """Whether a code is in the TT 08/2024 list."""
    return code in codes()


@lru_cache(maxsize=1 << 12)
def code_of(text: str | None) -> str | None:
    """The code a land-type text names ('Đất ở tại đô thị' -> ODT, 'ODT' -> ODT, 'Đất ở' -> RES), or None."""
    if not text:
        return None
    stripped = text.strip()
    if _CODE.match(stripped.upper()) and stripped.upper() == stripped:
        return stripped
    folded = fold(stripped)
    for phrase, code in _names():
        if folded == phrase or folded.startswith(phrase + " ") or f" {phrase} " in f" {folded} ":
            return code
    return None
