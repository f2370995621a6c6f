"""Keyset paging: opaque, typed cursors over (sort keys..., id) and the SQL predicate that resumes after one.

Order: every sort key with explicit NULL placement as PostgreSQL's indexes order it (ASC NULLS LAST,
DESC NULLS FIRST: NULL counts as the largest value), then id ASC as the tie-breaker (ids are unique and never
NULL). A cursor is base64url(JSON [version, sort spec, [key values], id]); on decode every value is checked
against the catalog type of its column, and the predicate binds each value as a parameter with a typed cast.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import json
import math
import re
from dataclasses import dataclass
from decimal import Decimal

from psycopg import sql

from hub.api.collections import Collection
from hub.errors import InvalidParameter

VERSION = 1
MAX_CURSOR_CHARS = 4096  # a longer position (very long text keys) makes the `next` link fall back to offset
MAX_TEXT_CHARS = 1000
CASTS = {"text": "text", "integer": "integer", "bigint": "bigint", "numeric": "numeric",
         "double": "double precision", "date": "date", "boolean": "boolean", "timestamptz": "timestamptz"}
INT_RANGE = {"integer": 2**31, "bigint": 2**63}
NON_FINITE = {"NaN", "Infinity", "-Infinity"}
_DECIMAL = re.compile(r"-?\d{1,1000}(?:\.\d{1,1000})?")
BAD = "cursor: invalid (use the `next` link as given)"


@dataclass(frozen=True)
class Position:
    """Where a cursor points: the last row's sort-key values and id."""

    keys: tuple
    id: str


def spec(sortby: list[tuple[str, bool]]) -> str:
    """The canonical text of a sort order ('-a,b'); the default order is ''."""
    return ",".join(("-" if desc else "") + col for col, desc in sortby)


def supported(coll: Collection, sortby: list[tuple[str, bool]]) -> bool:
    """Whether every sort key has a type a cursor can carry (otherwise `next` pages by offset)."""
    return all(coll.column_type(col) in CASTS for col, _ in sortby)


def order_by(sortby: list[tuple[str, bool]], alias: str | None = None) -> sql.Composable:
    """ORDER BY items: the sort keys with explicit NULL placement, then id ASC."""
    def ident(col: str) -> sql.Composable:
        """A column, qualified by the alias when given."""
        return sql.Identifier(alias, col) if alias else sql.Identifier(col)

    items = [sql.SQL("{} {}").format(ident(col), sql.SQL("DESC NULLS FIRST" if desc else "ASC NULLS LAST"))
             for col, desc in sortby]
    items.append(sql.SQL("{} ASC").format(ident("id")))
    return sql.SQL(", ").join(items)


def _text_ok(value) -> bool:
    """A string PostgreSQL text can hold (no NUL, no lone surrogate) of bounded length."""
    if not isinstance(value, str) or len(value) > MAX_TEXT_CHARS or "\x00" in value:
        return False
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _dump_value(value, ctype: str):
    """One sort-key value of a result row as a JSON value."""
    if value is None:
        return None
    if ctype == "numeric":
        dec = Decimal(value)
        if dec.is_nan():
            return "NaN"
        if dec.is_infinite():
            return "Infinity" if dec > 0 else "-Infinity"
        return format(dec, "f")
    if ctype == "double":
        if math.isnan(value):
            return "NaN"
        if math.isinf(value):
            return "Infinity" if value > 0 else "-Infinity"
        return float(value)
    if ctype in ("date", "timestamptz"):
        return value.isoformat()
    return value


def _load_value(value, ctype: str):
    """One decoded JSON value checked against its column type (ValueError when it does not fit)."""
    if value is None:
        return None
    if ctype == "text" and _text_ok(value):
        return value
    if ctype in INT_RANGE and isinstance(value, int) and not isinstance(value, bool):
        if -INT_RANGE[ctype] <= value < INT_RANGE[ctype]:
            return value
    if ctype == "numeric" and isinstance(value, str) and (value in NON_FINITE or _DECIMAL.fullmatch(value)):
        return value  # bound as text and cast to numeric: exact, never through a float
    if ctype == "double":
        if isinstance(value, str) and value in NON_FINITE:
            return float(value.replace("Infinity", "inf"))
        if isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value):
            return float(value)
    if ctype == "boolean" and isinstance(value, bool):
        return value
    if ctype == "date" and isinstance(value, str) and len(value) == 10:
        return dt.date.fromisoformat(value)
    if ctype == "timestamptz" and isinstance(value, str) and len(value) <= 40:
        out = dt.datetime.fromisoformat(value)
        if out.tzinfo is not None:
            return out
    raise ValueError("value does not fit its column")


def encode(coll: Collection, sortby: list[tuple[str, bool]], keys: tuple | list, last_id: str) -> str | None:
    """The opaque cursor after a row (None when it would be too long for a link: page by offset then)."""
    values = [_dump_value(v, coll.column_type(col)) for (col, _), v in zip(sortby, keys)]
    doc = json.dumps([VERSION, spec(sortby), values, last_id], ensure_ascii=False, separators=(",", ":"))
    out = base64.urlsafe_b64encode(doc.encode()).decode().rstrip("=")
    return out if len(out) <= MAX_CURSOR_CHARS else None


def decode(value: str, coll: Collection, sortby: list[tuple[str, bool]]) -> Position:
    """The position a cursor points after, validated and typed for this sort order (400 otherwise)."""
    if len(value) > MAX_CURSOR_CHARS:
        raise InvalidParameter(BAD)
    if not supported(coll, sortby):
        raise InvalidParameter("cursor: not available for this sortby; page with offset")
    try:
        doc = json.loads(base64.urlsafe_b64decode(value + "=" * (-len(value) % 4)).decode())
        if not (isinstance(doc, list) and len(doc) == 4 and doc[0] == VERSION and isinstance(doc[2], list)):
            raise ValueError("shape")
        if doc[1] != spec(sortby):
            raise InvalidParameter("cursor: it belongs to another sortby; start again from the first page")
        if len(doc[2]) != len(sortby) or not _text_ok(doc[3]):
            raise ValueError("keys")
        keys = tuple(_load_value(v, coll.column_type(col)) for (col, _), v in zip(sortby, doc[2]))
    except (binascii.Error, UnicodeDecodeError, ValueError, TypeError, RecursionError, OverflowError):
        raise InvalidParameter(BAD) from None
    return Position(keys, doc[3])


_ID_AFTER = sql.SQL("id > %s")


def after(coll: Collection, sortby: list[tuple[str, bool]], pos: Position) -> tuple[sql.Composable, list]:
    """Rows strictly after `pos` in order_by(sortby): an OR chain over the key prefixes, NULL-aware.

    Term i says "equal on keys 1..i-1 and after on key i"; the last term compares the id. Placeholders are
    generated in text order, so `params` lines up with them.
    """
    if not sortby:  # the default order: ids only (an index range scan)
        return _ID_AFTER, [pos.id]
    params: list = []

    def bind(value, ctype: str) -> sql.Composable:
        """A bound, typed placeholder."""
        params.append(value)
        return sql.SQL("%s::{}").format(sql.SQL(CASTS[ctype]))

    def same(col: str, value) -> sql.Composable:
        """The column equals the cursor's value (NULL equals NULL here)."""
        if value is None:
            return sql.SQL("{} IS NULL").format(sql.Identifier(col))
        return sql.SQL("{} = {}").format(sql.Identifier(col), bind(value, coll.column_type(col)))

    def later(col: str, desc: bool, value) -> sql.Composable | None:
        """The column sorts strictly after the cursor's value (None: nothing can; NULL is the largest value)."""
        ident = sql.Identifier(col)
        if value is None:
            return sql.SQL("{} IS NOT NULL").format(ident) if desc else None
        if desc:
            return sql.SQL("{} < {}").format(ident, bind(value, coll.column_type(col)))
        return sql.SQL("({} > {} OR {} IS NULL)").format(ident, bind(value, coll.column_type(col)), ident)

    keys = list(zip(sortby, pos.keys))
    terms: list[sql.Composable] = []
    for i, ((col, desc), value) in enumerate(keys):
        if value is None and not desc:
            continue  # no row sorts after NULL on an ascending key
        prefix = [same(c, v) for (c, _), v in keys[:i]]
        terms.append(sql.SQL(" AND ").join([*prefix, later(col, desc, value)]))
    prefix = [same(c, v) for (c, _), v in keys]
    params.append(pos.id)
    terms.append(sql.SQL(" AND ").join([*prefix, sql.SQL("id > %s")]))
    return sql.SQL("({})").format(sql.SQL(" OR ").join(sql.SQL("({})").format(t) for t in terms)), params
