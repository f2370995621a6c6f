"""PostgreSQL's binary `numeric` format for the COPY encoder (per distinct value: numeric columns are rare).

numeric_recv reads: int16 ndigits, int16 weight, uint16 sign, int16 dscale, then ndigits base-10000 digits,
most significant first; the value is Σ digit·10000^(weight − i). A float becomes the shortest decimal that
round-trips (Python's repr), the same value PostgreSQL prints for float8.
"""

from __future__ import annotations

import math
import struct
from decimal import Decimal

import pyarrow as pa

POSITIVE, NEGATIVE, NAN, PINF, NINF = 0x0000, 0x4000, 0xC000, 0xD000, 0xF000  # sign words (±Infinity: PG ≥ 14)


def payload(value: float | int) -> bytes:
    """The numeric_recv bytes of one finite or special value."""
    if isinstance(value, float) and not math.isfinite(value):
        sign = NAN if math.isnan(value) else (PINF if value > 0 else NINF)
        return struct.pack(">hhHh", 0, 0, sign, 0)
    sign, digits, exp = Decimal(repr(value) if isinstance(value, float) else int(value)).as_tuple()
    text = "".join(map(str, digits))
    if exp >= 0:
        whole, frac = text + "0" * exp, ""
    else:
        frac = text[exp:].rjust(-exp, "0")
        whole = text[:exp] or "0"
    dscale = len(frac)
    whole = whole.rjust(-(-len(whole) // 4) * 4, "0")
    frac = frac.ljust(-(-len(frac) // 4) * 4, "0")
    groups = [int(whole[i:i + 4]) for i in range(0, len(whole), 4)] + [int(frac[i:i + 4]) for i in range(0, len(frac), 4)]
    weight = len(whole) // 4 - 1
    while groups and groups[0] == 0:
        groups.pop(0)
        weight -= 1
    while groups and groups[-1] == 0:
        groups.pop()
    if not groups:
        return struct.pack(">hhHh", 0, 0, POSITIVE, dscale)
    return struct.pack(f">hhHh{len(groups)}h", len(groups), weight, NEGATIVE if sign else POSITIVE, dscale, *groups)


def column(arr: pa.Array) -> pa.Array:
    """A float or integer Arrow column as numeric_recv payloads (large_binary, NULLs kept), per distinct value."""
    values = arr.to_pylist()
    cache: dict = {}
    out = [None if v is None else (cache.get(v) or cache.setdefault(v, payload(v))) for v in values]
    return pa.array(out, pa.large_binary())
