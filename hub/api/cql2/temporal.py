"""CQL2 temporal functions (T_*) as SQL: every operand is an interval [start, end], relations per Allen's algebra.

A date or timestamp property, DATE() and TIMESTAMP() are instants, the degenerate interval [t, t];
INTERVAL(a, b) has instants or allowlisted properties as ends, '..' for an open end (-infinity / infinity).
When either operand involves a timestamp, both are compared as timestamptz (dates at 00:00 UTC); otherwise
as dates. Values are bound parameters with a typed cast; properties come from the collection's allowlist.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from psycopg import sql

from hub.errors import InvalidParameter

# (left end, operator, right end) comparisons, ANDed (t_disjoint: ORed); s/e = start/end of operand A or B.
RELATIONS: dict[str, list[tuple[str, str, str]]] = {
    "t_before": [("ae", "<", "bs")],
    "t_after": [("as", ">", "be")],
    "t_meets": [("ae", "=", "bs")],
    "t_metby": [("as", "=", "be")],
    "t_overlaps": [("as", "<", "bs"), ("ae", ">", "bs"), ("ae", "<", "be")],
    "t_overlappedby": [("as", ">", "bs"), ("as", "<", "be"), ("ae", ">", "be")],
    "t_starts": [("as", "=", "bs"), ("ae", "<", "be")],
    "t_startedby": [("as", "=", "bs"), ("ae", ">", "be")],
    "t_during": [("as", ">", "bs"), ("ae", "<", "be")],
    "t_contains": [("as", "<", "bs"), ("ae", ">", "be")],
    "t_finishes": [("as", ">", "bs"), ("ae", "=", "be")],
    "t_finishedby": [("as", "<", "bs"), ("ae", "=", "be")],
    "t_equals": [("as", "=", "bs"), ("ae", "=", "be")],
    "t_intersects": [("as", "<=", "be"), ("ae", ">=", "bs")],
    "t_disjoint": [("as", ">", "be"), ("ae", "<", "bs")],
}
ORED = {"t_disjoint"}
FUNCTIONS = frozenset(RELATIONS)
CAST = {"date": "date", "timestamp": "timestamptz"}
UTC = dt.UTC
BAD_OPERAND = ("filter: temporal functions compare date/timestamp properties, DATE(), TIMESTAMP() and "
               "INTERVAL() values")

# An end of an operand: ("prop", name) | ("value", date or datetime) | ("open", -1 or +1)
End = tuple


class Temporal:
    """Builds one T_* condition; `prop` resolves an allowlisted property to (identifier, kind)."""

    def __init__(self, prop: Callable[[str], tuple[sql.Composable, str]], params: list) -> None:
        """Share the translator's property resolver and parameter list."""
        self.prop, self.params = prop, params

    def operand(self, node) -> tuple[End, End, set[str]]:
        """(start, end, kinds) of a temporal operand."""
        tag = node[0]
        if tag == "interval":
            start, end = self._end(node[1], -1), self._end(node[2], 1)
            if start[0] == end[0] == "value" and _after(start[1], end[1]):
                raise InvalidParameter("filter: interval start is after its end")
            return start, end, {k for k in (_kind(start, self.prop), _kind(end, self.prop)) if k}
        one = self._end(node, 0)
        return one, one, {_kind(one, self.prop)}

    def _end(self, node, side: int) -> End:
        """One instant (a property or a literal) or an open end ('..' inside INTERVAL only)."""
        if node is None:
            if side == 0:
                raise InvalidParameter(BAD_OPERAND)
            return ("open", side)
        if node[0] == "prop":
            if self.prop(node[1])[1] not in CAST:
                raise InvalidParameter("filter: temporal functions apply to date and timestamp properties")
            return ("prop", node[1])
        if node[0] in ("date", "ts"):
            return ("value", node[1])
        raise InvalidParameter(BAD_OPERAND)

    def sql(self, fn: str, a, b) -> sql.Composable:
        """The SQL condition of T_<fn>(a, b)."""
        if fn not in RELATIONS:
            raise InvalidParameter("filter: unknown temporal function")
        a_s, a_e, ka = self.operand(a)
        b_s, b_e, kb = self.operand(b)
        kind = "timestamp" if "timestamp" in ka | kb else "date"
        ends = {"as": a_s, "ae": a_e, "bs": b_s, "be": b_e}
        terms = [sql.SQL("{} {} {}").format(self._sql_end(ends[x], kind), sql.SQL(op), self._sql_end(ends[y], kind))
                 for x, op, y in RELATIONS[fn]]  # built left to right: placeholders and params stay in order
        joiner = sql.SQL(" OR " if fn in ORED else " AND ")
        return sql.SQL("({})").format(joiner.join(terms))

    def _sql_end(self, end: End, kind: str) -> sql.Composable:
        """One end as SQL of the comparison kind."""
        if end[0] == "open":
            return sql.SQL("{}::{}").format(sql.Literal("-infinity" if end[1] < 0 else "infinity"),
                                            sql.SQL(CAST[kind]))
        if end[0] == "prop":
            ident, pkind = self.prop(end[1])
            if kind == "timestamp" and pkind == "date":
                return sql.SQL("({}::timestamp AT TIME ZONE 'UTC')").format(ident)
            return ident
        value = _as_ts(end[1]) if kind == "timestamp" else end[1]
        if kind == "date" and isinstance(value, dt.datetime):
            raise InvalidParameter("filter: a timestamp cannot be compared as a date")
        self.params.append(value)
        return sql.SQL("%s::{}").format(sql.SQL(CAST[kind]))


def _kind(end: End, prop) -> str | None:
    """The kind of one end (None for an open end)."""
    if end[0] == "open":
        return None
    if end[0] == "prop":
        return prop(end[1])[1]
    return "timestamp" if isinstance(end[1], dt.datetime) else "date"


def _after(a, b) -> bool:
    """Whether instant a is after instant b (400 when they cannot be compared)."""
    try:
        return _as_ts(a) > _as_ts(b)
    except OverflowError:
        raise InvalidParameter("filter: temporal value out of range") from None


def _as_ts(value) -> dt.datetime:
    """A date (00:00 UTC) or datetime as an aware datetime (400 when it cannot be represented)."""
    try:
        if isinstance(value, dt.datetime):
            return value if value.tzinfo else value.replace(tzinfo=UTC)
        return dt.datetime(value.year, value.month, value.day, tzinfo=UTC)
    except (OverflowError, ValueError):
        raise InvalidParameter("filter: temporal value out of range") from None
