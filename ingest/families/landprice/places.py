"""Former provinces named in a table (a "Tỉnh cũ" column, or one sheet per old province; domain §3.3) -> old codes.

Names come from the hub's admin reference (hub/ref/data/admin_unit.csv, version GSO-2025-06-30, the 63 provinces
before the merger) and from the catalog's `former_provinces`, which wins; matching is on folded words.
"""

from __future__ import annotations

import csv
import re
from functools import lru_cache
from pathlib import Path

from ingest.families.landprice.names import fold

_CSV = Path(__file__).resolve().parents[3] / "hub" / "ref" / "data" / "admin_unit.csv"
OLD_VERSION = "GSO-2025-06-30"
NEW_VERSION = "GSO-2025-07-01"
_TYPE = re.compile(r"^(?:tinh|thanh pho)\s+")


@lru_cache(maxsize=2)
def provinces(version: str = OLD_VERSION) -> dict[str, str]:
    """Folded province name without its type word ('ha giang') -> code, for one admin version."""
    with open(_CSV, encoding="utf-8", newline="") as fh:
        return {_TYPE.sub("", fold(r["name"])): r["code"] for r in csv.DictReader(fh)
                if r["version_id"] == version and r["level"] == "tinh"}


def province_code(text: str | None, extra: dict[str, str] | None = None,
                  version: str = OLD_VERSION) -> tuple[str, str] | None:
    """(code, name as written) of the province a text names ('Hà Giang (cũ)', 'tỉnh Sóc Trăng cũ'), or None.

    The longest name contained in the folded text wins ('ha nam' must not match inside 'ha nam ninh')."""
    if not text:
        return None
    folded = f" {fold(text)} "
    table = {fold(k): v for k, v in (extra or {}).items()}
    for name, code in sorted({**provinces(version), **table}.items(), key=lambda kv: -len(kv[0])):
        if name and f" {name} " in folded:
            return code, text.strip()
    return None
