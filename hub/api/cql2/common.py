"""Shared pieces of the CQL2 parsers (text and JSON encodings): operator sets, caps and literal checks."""

from __future__ import annotations

import datetime as dt
import math

import shapely

from hub.api.cql2.temporal import FUNCTIONS as TEMPORAL_FUNCTIONS
from hub.errors import InvalidParameter, PayloadTooLarge

SPATIAL = {"s_intersects", "s_disjoint", "s_contains", "s_within", "s_touches", "s_crosses", "s_overlaps",
           "s_equals"}
TEMPORAL = TEMPORAL_FUNCTIONS  # all fifteen CQL2 temporal functions
CMP = {"=", "<>", "<", ">", "<=", ">="}
WKT_TYPES = {"POINT", "LINESTRING", "POLYGON", "MULTIPOINT", "MULTILINESTRING", "MULTIPOLYGON"}
MAX_IN_ITEMS = 1000


def bad(why: str) -> InvalidParameter:
    """A 400 about the filter parameter."""
    return InvalidParameter(f"filter: {why}")


def check_size(text: str, max_chars: int, max_depth: int) -> None:
    """Length and bracket-nesting caps, checked before any parsing (A09)."""
    if len(text) > max_chars:
        raise PayloadTooLarge(f"filter: longer than {max_chars} characters")
    depth = peak = 0
    quote = None
    for ch in text:
        if quote:
            if ch == quote:
                quote = None
        elif ch in "'\"":
            quote = ch
        elif ch in "([{":
            depth += 1
            peak = max(peak, depth)
        elif ch in ")]}":
            depth -= 1
    if peak > max_depth + 6:  # geometry literals and JSON encodings add a few levels of brackets
        raise bad(f"nested deeper than {max_depth} levels")


def geom_ok(g, max_vertices: int):
    """Vertex cap and finiteness of a geometry literal (A10)."""
    if shapely.get_num_coordinates(g) > max_vertices:
        raise PayloadTooLarge(f"filter: geometry literal has more than {max_vertices} vertices")
    coords = shapely.get_coordinates(g)
    if g.is_empty or not all(math.isfinite(v) for v in coords.ravel()):
        raise bad("geometry literal is empty or has non-finite coordinates")
    return ("geom", g)


def literal_date(value: str, kind: str):
    """A DATE or TIMESTAMP literal."""
    try:
        if kind == "date":
            return ("date", dt.date.fromisoformat(value))
        ts = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
        return ("ts", ts if ts.tzinfo else ts.replace(tzinfo=dt.UTC))
    except (ValueError, TypeError):
        raise bad(f"invalid {kind} literal") from None
