"""CQL2 filters on catalogue records, evaluated in Python over the few published records.

The hub's CQL2 parser (hub.api.cql2, text and JSON) gives a tuple AST; `compile_filter` checks it once against
the allowlisted record properties (QUERYABLES) and their types, and turns it into nested closures. Nothing the
client sends is evaluated as code: every node type is interpreted here, spatial predicates call shapely methods
from a fixed table, LIKE is a wildcard matcher (no regular expressions), anything else is a 400.
"""

from __future__ import annotations

import datetime as dt
import operator
import unicodedata
from collections.abc import Callable
from typing import Any

from shapely.geometry import shape

from hub.api.cql2.temporal import RELATIONS
from hub.errors import InvalidParameter

UTC = dt.UTC
Getter = Callable[[dict], Any]


def _prop(name: str) -> Getter:
    """A getter of one record property."""
    return lambda r: r["properties"].get(name)


def _updated(r: dict) -> dt.datetime | None:
    """The record's `updated` timestamp (aware)."""
    value = r["properties"].get("updated")
    return dt.datetime.fromisoformat(value) if value else None


# name -> (kind, getter): the only properties a filter (and sortby) may name
QUERYABLES: dict[str, tuple[str, Getter]] = {
    "id": ("text", lambda r: r["id"]),
    "type": ("text", _prop("type")),
    "title": ("text", _prop("title")),
    "description": ("text", _prop("description")),
    "license": ("text", _prop("license")),
    "rights": ("text", _prop("rights")),
    "language": ("text", lambda r: (r["properties"].get("language") or {}).get("code")),
    "updated": ("timestamp", _updated),
    "version": ("number", _prop("version")),
    "rowCount": ("number", _prop("rowCount")),
    "geometry": ("geometry", lambda r: shape(r["geometry"]) if r.get("geometry") else None),
}
JSON_TYPES = {"text": {"type": "string"}, "number": {"type": "integer"},
              "timestamp": {"type": "string", "format": "date-time"}}
CMP = {"=": operator.eq, "<>": operator.ne, "<": operator.lt, ">": operator.gt, "<=": operator.le,
       ">=": operator.ge}
ORDERED = {"text", "number", "timestamp"}
SPATIAL = {"s_intersects": "intersects", "s_disjoint": "disjoint", "s_contains": "contains", "s_within": "within",
           "s_touches": "touches", "s_crosses": "crosses", "s_overlaps": "overlaps", "s_equals": "equals"}
MAX_PATTERN = 1000
NOT_QUERYABLE = "filter: property is not queryable (see the catalogue's queryables)"
STAR, ANY = object(), object()
FAR_PAST, FAR_FUTURE = dt.datetime.min.replace(tzinfo=UTC), dt.datetime.max.replace(tzinfo=UTC)


def casei(text: str) -> str:
    """Case-folded text (CQL2 CASEI)."""
    return text.casefold()


def accenti(text: str) -> str:
    """Text without accents (CQL2 ACCENTI): combining marks removed, đ/Đ as d/D; NFC."""
    bare = "".join(c for c in unicodedata.normalize("NFD", text) if not unicodedata.combining(c))
    return unicodedata.normalize("NFC", bare.replace("đ", "d").replace("Đ", "D"))


def fold(text: str) -> str:
    """Text for accent- and case-insensitive search: no accents, case-folded, single spaces."""
    return " ".join(casei(accenti(text)).split())


FUNCTIONS = {"casei": casei, "accenti": accenti}


def like_tokens(pattern: str) -> list:
    """A CQL2 LIKE pattern as tokens: characters, ANY (`_`), STAR (`%`); backslash escapes the next one."""
    if len(pattern) > MAX_PATTERN:
        raise InvalidParameter(f"filter: LIKE pattern longer than {MAX_PATTERN} characters")
    tokens, escaped = [], False
    for ch in pattern:
        if escaped:
            tokens.append(ch)
            escaped = False
        elif ch == "\\":
            escaped = True
        else:
            tokens.append(STAR if ch == "%" else ANY if ch == "_" else ch)
    return tokens + (["\\"] if escaped else [])


def like(text: str, tokens: list) -> bool:
    """Whether text matches the tokens (iterative wildcard match with one backtrack point: O(len*len))."""
    t = p = 0
    star, mark = -1, 0
    while t < len(text):
        if p < len(tokens) and tokens[p] is not STAR and (tokens[p] is ANY or tokens[p] == text[t]):
            t, p = t + 1, p + 1
        elif p < len(tokens) and tokens[p] is STAR:
            star, mark, p = p, t, p + 1
        elif star >= 0:
            mark += 1
            t, p = mark, star + 1
        else:
            return False
    while p < len(tokens) and tokens[p] is STAR:
        p += 1
    return p == len(tokens)


def _instant(value) -> dt.datetime:
    """A date (00:00 UTC) or datetime as an aware datetime."""
    if isinstance(value, dt.datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    return dt.datetime(value.year, value.month, value.day, tzinfo=UTC)


class _Compiler:
    """Type-checks the AST once and builds closures over a record."""

    def expr(self, node) -> tuple[str, Getter]:
        """(kind, getter) of a scalar expression."""
        tag = node[0]
        if tag == "prop":
            if node[1] not in QUERYABLES:
                raise InvalidParameter(NOT_QUERYABLE)
            return QUERYABLES[node[1]]
        if tag == "lit":
            value = node[1]
            if isinstance(value, bool):
                return "boolean", lambda r: value
            if isinstance(value, str):
                text = unicodedata.normalize("NFC", value)
                return "text", lambda r: text
            return "number", lambda r: value
        if tag in ("date", "ts"):
            instant = _instant(node[1])
            return "timestamp", lambda r: instant
        if tag == "geom":
            geom = node[1]
            return "geometry", lambda r: geom
        if tag == "func":
            fn = FUNCTIONS.get(node[1])
            if fn is None or len(node[2]) != 1:
                raise InvalidParameter("filter: the catalogue supports the functions CASEI(text) and ACCENTI(text)")
            kind, arg = self.expr(node[2][0])
            if kind != "text":
                raise InvalidParameter(f"filter: {node[1].upper()} applies to text")
            return "text", lambda r: None if arg(r) is None else fn(arg(r))
        raise InvalidParameter("filter: unsupported expression")

    def pred(self, node) -> Callable[[dict], bool]:
        """A predicate over one record."""
        tag = node[0]
        if tag in ("and", "or"):
            parts = [self.pred(n) for n in node[1]]
            return (lambda r: all(p(r) for p in parts)) if tag == "and" else (lambda r: any(p(r) for p in parts))
        if tag == "not":
            inner = self.pred(node[1])
            return lambda r: not inner(r)
        if tag == "cmp":
            return self._cmp(node[1], node[2], node[3])
        if tag == "like":
            return self._like(node[1], node[2], node[3])
        if tag == "between":
            return self._between(*node[1:])
        if tag == "in":
            return self._in(node[1], node[2], node[3])
        if tag == "isnull":
            get, neg = self.expr(node[1])[1], node[2]
            return lambda r: (get(r) is None) != neg
        if tag == "spatial":
            return self._spatial(node[1], node[2], node[3])
        if tag == "temporal":
            return self._temporal(node[1], node[2], node[3])
        if tag == "boolexpr":
            kind, get = self.expr(node[1])
            if kind != "boolean":
                raise InvalidParameter("filter: a boolean expression is expected")
            return lambda r: bool(get(r))
        raise InvalidParameter("filter: unsupported expression")

    def _same(self, a, b, what: str) -> tuple[str, Getter, Getter]:
        """Both operands, checked to be of one kind."""
        (ka, ga), (kb, gb) = self.expr(a), self.expr(b)
        if ka != kb:
            raise InvalidParameter(f"filter: {what} needs operands of one type (got {ka} and {kb})")
        return ka, ga, gb

    def _cmp(self, op: str, a, b) -> Callable[[dict], bool]:
        """A comparison (SQL semantics: false when either side is null)."""
        kind, ga, gb = self._same(a, b, "a comparison")
        if kind not in ORDERED and op not in ("=", "<>"):
            raise InvalidParameter(f"filter: {kind} values support only = and <>")
        fn = CMP[op] if kind != "geometry" else (lambda x, y: x.equals(y) == (op == "="))

        def check(r: dict) -> bool:
            """Evaluate on one record."""
            x, y = ga(r), gb(r)
            return x is not None and y is not None and bool(fn(x, y))
        return check

    def _like(self, a, pattern, neg: bool) -> Callable[[dict], bool]:
        """LIKE / NOT LIKE on text."""
        kind, ga, gp = self._same(a, pattern, "LIKE")
        if kind != "text":
            raise InvalidParameter("filter: LIKE applies to text")
        fixed = like_tokens(gp({})) if pattern[0] == "lit" else None  # NFC literal, tokenised once

        def check(r: dict) -> bool:
            """Evaluate on one record."""
            x, p = ga(r), gp(r)
            return x is not None and p is not None and like(x, fixed or like_tokens(p)) != neg
        return check

    def _between(self, a, lo, hi, neg: bool) -> Callable[[dict], bool]:
        """BETWEEN on numbers and timestamps."""
        kind, ga, gl = self._same(a, lo, "BETWEEN")
        kh, gh = self.expr(hi)
        if kind not in ("number", "timestamp") or kh != kind:
            raise InvalidParameter("filter: BETWEEN applies to numbers and timestamps")
        return lambda r: None not in (ga(r), gl(r), gh(r)) and (gl(r) <= ga(r) <= gh(r)) != neg

    def _in(self, a, items: list, neg: bool) -> Callable[[dict], bool]:
        """IN / NOT IN a list of values of the left side's type."""
        kind, ga = self.expr(a)
        getters = []
        for item in items:
            ki, gi = self.expr(item)
            if ki != kind or kind == "geometry":
                raise InvalidParameter("filter: IN needs values of the property's type")
            getters.append(gi)
        return lambda r: ga(r) is not None and any(ga(r) == g(r) for g in getters) != neg

    def _spatial(self, fn: str, a, b) -> Callable[[dict], bool]:
        """S_* on the record's footprint and geometry literals (CRS84)."""
        kind, ga, gb = self._same(a, b, fn.upper())
        if kind != "geometry":
            raise InvalidParameter("filter: spatial functions compare geometries")
        method = SPATIAL.get(fn)
        if method is None:
            raise InvalidParameter("filter: unknown spatial function")

        def check(r: dict) -> bool:
            """Evaluate on one record."""
            x, y = ga(r), gb(r)
            return x is not None and y is not None and bool(getattr(x, method)(y))
        return check

    def _operand(self, node) -> tuple[Getter, Getter]:
        """(start, end) getters of a temporal operand: a timestamp expression or an INTERVAL."""
        if node[0] != "interval":
            kind, get = self.expr(node)
            if kind != "timestamp":
                raise InvalidParameter("filter: temporal functions compare `updated`, DATE(), TIMESTAMP() "
                                       "and INTERVAL() values")
            return get, get
        ends = []
        for end, far in ((node[1], FAR_PAST), (node[2], FAR_FUTURE)):
            ends.append(self._operand(end)[0] if end is not None else (lambda r, v=far: v))
        return ends[0], ends[1]

    def _temporal(self, fn: str, a, b) -> Callable[[dict], bool]:
        """T_* per Allen's relations (the table the SQL translator uses)."""
        if fn not in RELATIONS:
            raise InvalidParameter("filter: unknown temporal function")
        (a_s, a_e), (b_s, b_e) = self._operand(a), self._operand(b)
        getters = {"as": a_s, "ae": a_e, "bs": b_s, "be": b_e}
        terms = [(getters[x], CMP[op], getters[y]) for x, op, y in RELATIONS[fn]]
        combine = any if fn == "t_disjoint" else all

        def check(r: dict) -> bool:
            """Evaluate on one record."""
            values = [(x(r), f, y(r)) for x, f, y in terms]
            return all(x is not None and y is not None for x, _, y in values) and combine(
                f(x, y) for x, f, y in values)
        return check


def compile_filter(ast) -> Callable[[dict], bool]:
    """A record predicate from the parser's AST (400 for unknown properties, functions or type mismatches)."""
    return _Compiler().pred(ast)
