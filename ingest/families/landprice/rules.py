"""Validation of price rows, vectorised on the Arrow table (domain §4.2 heuristics; rule names as in the spec).

Each rule returns `Finding`s (row indices + messages); severities and parameters are the catalog's. Scopes:
a *segment* is (former province, commune, land type, khu vực, segment key); a *position cell* adds the position.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ingest.families.landprice.landuse import RESIDENTIAL, is_known
from ingest.families.landprice.records import Finding

PRICE_MIN, PRICE_MAX = 1_000, 1_000_000_000  # VND/m² (domain §4.2)
SEGMENT = ("former_province", "commune", "land_use_code", "area", "segment_key")
CELL = SEGMENT + ("position",)
PLACE = ("former_province", "commune", "area", "segment_key", "position")


def vnd(value: int) -> str:
    """15000000 -> '15.000.000' (Vietnamese grouping)."""
    return f"{value:,}".replace(",", ".")


def group_ids(t: pa.Table, columns: Iterable[str]) -> np.ndarray:
    """One integer per distinct combination of the columns (nulls are a value of their own)."""
    parts = [pc.fill_null(t.column(c).cast(pa.string()), "\x00") for c in columns]
    joined = pc.binary_join_element_wise(*parts, "\x1f") if len(parts) > 1 else parts[0]
    return pc.dictionary_encode(joined).combine_chunks().indices.to_numpy(zero_copy_only=False).astype(np.int64)


def _np(t: pa.Table, name: str, fill: object) -> np.ndarray:
    """A column as numpy with nulls filled."""
    return pc.fill_null(t.column(name), fill).to_numpy(zero_copy_only=False)


def _priced(t: pa.Table) -> np.ndarray:
    """Rows with a price."""
    return pc.is_valid(t.column("price_vnd")).to_numpy(zero_copy_only=False)


def _position_index(t: pa.Table) -> np.ndarray:
    """VT1…VT9 -> 1…9; other or missing positions -> 0."""
    pos = _np(t, "position", "")
    out = np.zeros(len(pos), dtype=np.int64)
    for k in range(1, 10):
        out[pos == f"VT{k}"] = k
    return out


def vt_order(t: pa.Table) -> list[Finding]:
    """VT1 ≥ VT2 ≥ VT3 ≥ VT4 (≥ VT5) within a segment: a position priced above the one before it is flagged."""
    pos, price, cell = _position_index(t), _np(t, "price_vnd", -1), _np(t, "cell", "")
    ok = (pos > 0) & _priced(t)
    gid = group_ids(t, SEGMENT)
    idx = np.flatnonzero(ok)
    order = idx[np.lexsort((pos[idx], gid[idx]))]
    prev, cur = order[:-1], order[1:]
    bad = (gid[prev] == gid[cur]) & (pos[prev] < pos[cur]) & (price[cur] > price[prev])
    rows, before = cur[bad], prev[bad]
    msgs = [f"VT{pos[i]} {vnd(int(price[i]))} > VT{pos[j]} {vnd(int(price[j]))} đồng/m² ({cell[j]}) in the same "
            "segment: positions must not rise away from the road" for i, j in zip(rows, before)]
    return [Finding("vt_order", rows, msgs, "price_vnd")] if len(rows) else []


def land_type_order(t: pa.Table) -> list[Finding]:
    """ODT/ONT ≥ TMD ≥ SKC at the same place and position, where all three are priced."""
    land, price, priced = _np(t, "land_use_code", ""), _np(t, "price_vnd", -1), _priced(t)
    gid = group_ids(t, PLACE)
    n = int(gid.max()) + 1 if len(gid) else 0
    by: dict[str, np.ndarray] = {}
    for name, mask in (("RES", np.isin(land, list(RESIDENTIAL))), ("TMD", land == "TMD"), ("SKC", land == "SKC")):
        arr = np.full(n, -1, dtype=np.int64)
        sel = mask & priced
        arr[gid[sel]] = price[sel]
        by[name] = arr
    full = (by["RES"] >= 0) & (by["TMD"] >= 0) & (by["SKC"] >= 0)
    out = []
    for name, upper, label in (("TMD", "RES", "the residential price"), ("SKC", "TMD", "the TMD price")):
        sel = priced & (land == name) & full[gid] & (price > by[upper][gid])
        rows = np.flatnonzero(sel)
        if len(rows):
            out.append(Finding("land_type_order", rows, [f"{name} {vnd(int(price[i]))} đồng/m² exceeds {label} "
                                                         f"{vnd(int(by[upper][gid[i]]))} at the same place"
                                                         for i in rows], "price_vnd"))
    return out


def unit_contradiction(t: pa.Table, lo: int = PRICE_MIN, hi: int = PRICE_MAX,
                       share: float = 0.5) -> tuple[list[Finding], np.ndarray]:
    """Prices that only make sense in another unit: in a unit scope (sheet × where the unit was read), at least
    `share` of the prices fall outside [lo, hi] but inside it once multiplied or divided by 1,000. The unit is
    never changed: every priced row of the scope is an error. Returns the findings and the rows they cover."""
    price, priced = _np(t, "price_vnd", -1).astype(np.float64), _priced(t)
    gid = group_ids(t, ("sheet", "unit_source"))
    outside = priced & ((price < lo) | (price > hi))
    other = outside & (((price * 1000 >= lo) & (price * 1000 <= hi)) | ((price / 1000 >= lo) & (price / 1000 <= hi)))
    n = int(gid.max()) + 1 if len(gid) else 0
    total = np.bincount(gid[priced], minlength=n)
    wrong = np.bincount(gid[other], minlength=n)
    bad_scope = (total > 0) & (wrong >= share * np.maximum(total, 1))
    rows = np.flatnonzero(priced & bad_scope[gid])
    if not len(rows):
        return [], rows
    sheet, src, mult = _np(t, "sheet", ""), _np(t, "unit_source", ""), _np(t, "unit_multiplier", 1)
    msgs = []
    for i in rows:
        g = gid[i]
        vals = price[(gid == g) & priced]
        msgs.append(f"sheet '{sheet[i]}': {int(wrong[g])} of {int(total[g])} prices ({vnd(int(vals.min()))}–"
                    f"{vnd(int(vals.max()))} đồng/m² with ×{int(mult[i])} from {src[i]}) make sense only in another "
                    "unit; the unit is not guessed: correct the header or set the layout's unit")
    return [Finding("unit_contradiction", rows, msgs, "price_vnd")], rows


def price_range(t: pa.Table, lo: int = PRICE_MIN, hi: int = PRICE_MAX, skip: np.ndarray | None = None) -> list[Finding]:
    """A price outside [lo, hi] đồng/m²."""
    price, priced = _np(t, "price_vnd", -1), _priced(t)
    sel = priced & ((price < lo) | (price > hi))
    if skip is not None and len(skip):
        sel[skip] = False
    rows = np.flatnonzero(sel)
    msgs = [f"{vnd(int(price[i]))} đồng/m² is outside [{vnd(lo)}; {vnd(hi)}]" for i in rows]
    return [Finding("price_range", rows, msgs, "price_vnd")] if len(rows) else []


def unknown_land_use(t: pa.Table) -> list[Finding]:
    """A land-use code that is not in the TT 08/2024 list."""
    codes = t.column("land_use_code").to_pylist()
    rows = np.asarray([i for i, c in enumerate(codes) if c and not is_known(c)], dtype=np.int64)
    msgs = [f"land-use code '{codes[i]}' is not in the TT 08/2024 list" for i in rows]
    return [Finding("unknown_land_use", rows, msgs, "land_use_code")] if len(rows) else []


def duplicate_price(t: pa.Table) -> list[Finding]:
    """The same (segment, position, land type) twice: later copies are flagged, and the first too if the
    prices differ (which one is right cannot be told)."""
    priced = _priced(t)
    gid = group_ids(t, CELL)
    gid = np.where(priced, gid, -1 - np.arange(len(gid)))  # unpriced rows never pair
    price, cell = _np(t, "price_vnd", -1), _np(t, "cell", "")
    order = np.lexsort((np.arange(len(gid)), gid))
    first_of = {}
    rows, msgs = [], []
    conflicted: set[int] = set()
    for i in order:
        g = gid[i]
        if g < 0:
            continue
        j = first_of.setdefault(g, i)
        if j == i:
            continue
        same = price[i] == price[j]
        rows.append(i)
        msgs.append(f"repeats {cell[j]} (same segment, position and land type"
                    f"{', same price' if same else f', other price {vnd(int(price[j]))}'})")
        if not same and j not in conflicted:
            conflicted.add(j)
            rows.append(j)
            msgs.append(f"{cell[i]} gives the same segment, position and land type another price "
                        f"({vnd(int(price[i]))})")
    return [Finding("duplicate_price", np.asarray(rows, dtype=np.int64), msgs, "price_vnd")] if rows else []


def yoy_change(t: pa.Table, previous: pa.Table, threshold: float = 0.5) -> list[Finding]:
    """A price that moved by more than `threshold` (0.5 = ±50 %) against the previous version of the table."""
    if previous.num_rows == 0 or t.num_rows == 0:
        return []
    keys = list(CELL)
    prev = previous.select(keys + ["price_vnd"]).filter(pc.is_valid(previous.column("price_vnd")))
    prev = prev.group_by(keys).aggregate([("price_vnd", "min")]).rename_columns(keys + ["previous"])
    cur = t.select(keys + ["price_vnd"]).append_column("_i", pa.array(np.arange(t.num_rows)))
    joined = cur.join(prev, keys=keys, join_type="inner")
    new, old = _np(joined, "price_vnd", 0).astype(np.float64), _np(joined, "previous", 0).astype(np.float64)
    ratio = np.divide(new, old, out=np.ones_like(new), where=old > 0)
    sel = np.abs(ratio - 1) > threshold
    rows = _np(joined, "_i", 0)[sel].astype(np.int64)
    msgs = [f"{vnd(int(n))} đồng/m² against {vnd(int(o))} in the previous version ({(r - 1) * 100:+.0f} %)"
            for n, o, r in zip(new[sel], old[sel], ratio[sel])]
    return [Finding("yoy_change", rows, msgs, "price_vnd")] if len(rows) else []


def validate(t: pa.Table, params: dict[str, dict] | None = None, previous: pa.Table | None = None) -> list[Finding]:
    """Every row and set rule of the family (parameters per rule from the catalog)."""
    params = params or {}
    rng = params.get("price_range", {})
    lo, hi = int(rng.get("min", PRICE_MIN)), int(rng.get("max", PRICE_MAX))
    unit_found, unit_rows = unit_contradiction(t, lo, hi, float(params.get("unit_contradiction", {}).get(
        "share", 0.5)))
    out = [*unit_found, *price_range(t, lo, hi, unit_rows), *vt_order(t), *land_type_order(t),
           *unknown_land_use(t), *duplicate_price(t)]
    if previous is not None:
        out += yoy_change(t, previous, float(params.get("yoy_change", {}).get("threshold", 0.5)))
    return out
