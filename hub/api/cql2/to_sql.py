"""Translate the CQL2 tuple AST to SQL: properties and functions from allowlists, every value a bound parameter."""

from __future__ import annotations

import datetime as dt

import shapely
from psycopg import sql

from hub.api.collections import Collection
from hub.api.cql2.temporal import Temporal
from hub.api.ogc_crs import OutCrs, geom_in
from hub.catalog.types import CQL2_CAST, TYPES
from hub.errors import InvalidParameter, M

GEOM_NAMES = {"geom", "geometry"}
KIND = {name: kind.cql2 for name, kind in TYPES.items() if kind.cql2}  # catalog type -> CQL2 literal kind
CAST = CQL2_CAST
SPATIAL_SQL = {"s_intersects": "ST_Intersects", "s_disjoint": "ST_Disjoint", "s_contains": "ST_Contains",
               "s_within": "ST_Within", "s_touches": "ST_Touches", "s_crosses": "ST_Crosses",
               "s_overlaps": "ST_Overlaps", "s_equals": "ST_Equals"}
# The only functions a filter may call (CQL2 case- and accent-insensitive comparison). CASEI lowercases under the
# database's default collation (the columns are COLLATE "C", whose lower() folds ASCII only: 'Ố' would stay);
# ACCENTI is public.hub_accenti (migration 0021: NFD, combining marks removed, đ/Đ -> d/D, NFC), the same
# definition as the records catalogue's hub.api.records.filters.accenti.
FUNCTIONS = {"casei": 'lower(({}) COLLATE "default")', "accenti": "public.hub_accenti({})"}
NOT_QUERYABLE = M("cql2.not_queryable")


class Translator:
    """Builds one WHERE clause; `params` collects the bound values in order."""

    def __init__(self, coll: Collection, filter_crs: OutCrs) -> None:
        """Start with no parameters."""
        self.coll, self.crs = coll, filter_crs
        self.params: list = []

    def bind(self, value, kind: str) -> sql.Composable:
        """A typed placeholder for one value."""
        self.params.append(value)
        return sql.SQL("%s::{}").format(sql.SQL(CAST[kind]))

    def pred(self, node) -> sql.Composable:
        """A boolean SQL expression for a predicate node."""
        tag = node[0]
        if tag in ("and", "or"):
            joiner = sql.SQL(" AND " if tag == "and" else " OR ")
            return sql.SQL("({})").format(joiner.join(self.pred(n) for n in node[1]))
        if tag == "not":
            return sql.SQL("(NOT {})").format(self.pred(node[1]))
        if tag == "cmp":
            return self._cmp(node[1], node[2], node[3])
        if tag == "like":
            return self._like(node[1], node[2], node[3])
        if tag == "between":
            left, kind = self.expr(node[1])
            if kind not in ("number", "date", "timestamp"):
                raise InvalidParameter("filter: BETWEEN applies to numbers and dates")
            lo, hi = self.expr(node[2], kind)[0], self.expr(node[3], kind)[0]
            return sql.SQL("({} {}BETWEEN {} AND {})").format(left, sql.SQL("NOT " if node[4] else ""), lo, hi)
        if tag == "in":
            left, kind = self.expr(node[1])
            vals = [self.literal(v, kind) for v in node[2]]
            self.params.append(vals)
            cond = sql.SQL("({} = ANY(%s::{}[]))").format(left, sql.SQL(CAST[kind]))
            return sql.SQL("(NOT {})").format(cond) if node[3] else cond
        if tag == "isnull":
            left, _ = self.expr(node[1])
            return sql.SQL("({} IS {}NULL)").format(left, sql.SQL("NOT " if node[2] else ""))
        if tag == "spatial":
            return self._spatial(node[1], node[2], node[3])
        if tag == "temporal":
            return self._temporal(node[1], node[2], node[3])
        if tag == "boolexpr":
            expr, kind = self.expr(node[1], "boolean")
            if kind != "boolean":
                raise InvalidParameter("filter: expression is not a condition")
            return expr
        raise InvalidParameter("filter: unsupported expression")

    def _prop(self, name: str) -> tuple[sql.Composable, str]:
        """An allowlisted property and its kind."""
        ctype = self.coll.column_type(name)
        if ctype is None or ctype not in KIND:
            raise InvalidParameter(NOT_QUERYABLE)
        return sql.Identifier(name), KIND[ctype]

    def literal(self, node, kind: str):
        """A literal node coerced to `kind` (400 when it does not fit)."""
        tag, value = node[0], node[1] if len(node) > 1 else None
        try:
            if kind == "text" and tag == "lit" and isinstance(value, str):
                return value
            if kind == "number" and tag == "lit" and isinstance(value, (int, float)) and not isinstance(value, bool):
                return value
            if kind == "boolean" and tag == "lit" and isinstance(value, bool):
                return value
            if kind == "date":
                if tag == "date":
                    return value
                if tag == "lit" and isinstance(value, str):
                    return dt.date.fromisoformat(value)
            if kind == "timestamp":
                if tag in ("ts", "date"):
                    return value
                if tag == "lit" and isinstance(value, str):
                    return dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            pass
        raise InvalidParameter(f"filter: a value does not match the property type ({kind})")

    def expr(self, node, want: str | None = None) -> tuple[sql.Composable, str]:
        """A scalar expression and its kind; literals take the kind wanted by the other side."""
        tag = node[0]
        if tag == "prop":
            return self._prop(node[1])
        if tag == "func":
            if node[1] not in FUNCTIONS or len(node[2]) != 1:
                raise InvalidParameter(M("cql2.function_not_allowed", allowed=", ".join(FUNCTIONS)))
            inner, kind = self.expr(node[2][0], "text")
            if kind != "text":
                raise InvalidParameter(M("cql2.function_takes_text", name=node[1]))
            return sql.SQL(FUNCTIONS[node[1]]).format(inner), "text"
        if tag in ("lit", "date", "ts"):
            kind = want or {"date": "date", "ts": "timestamp"}.get(tag) or self._lit_kind(node[1])
            return self.bind(self.literal(node, kind), kind), kind
        raise InvalidParameter("filter: unsupported value in this position")

    @staticmethod
    def _lit_kind(value) -> str:
        """The natural kind of a bare literal."""
        if isinstance(value, bool):
            return "boolean"
        return "number" if isinstance(value, (int, float)) else "text"

    def _side_kind(self, node) -> str | None:
        """The kind a non-literal operand imposes, or None for a literal."""
        if node[0] == "prop":
            return self._prop(node[1])[1]
        if node[0] == "func":
            return "text"
        return None

    def _like(self, a, b, negated: bool) -> sql.Composable:
        """LIKE; CASEI on both sides becomes ILIKE of what they wrap (the same match), so the trigram
        index on ACCENTI(column) (hub.catalog.ddl.index_search) serves `CASEI(ACCENTI(p)) LIKE CASEI(ACCENTI(x))`."""
        op = "LIKE"
        a, b = _casei_outside(a), _casei_outside(b)
        if _is_func(a, "casei") and _is_func(b, "casei"):
            op, a, b = "ILIKE", a[2][0], b[2][0]
        left, kind = self.expr(a)
        right, rkind = self.expr(b, "text")
        if kind != "text" or rkind != "text":
            raise InvalidParameter("filter: LIKE applies to text properties and text patterns")
        return sql.SQL("({} {}{} {})").format(left, sql.SQL("NOT " if negated else ""), sql.SQL(op), right)

    def _cmp(self, op: str, a, b) -> sql.Composable:
        """A comparison with both sides of the same kind."""
        want = self._side_kind(a) or self._side_kind(b)
        left, lk = self.expr(a, want)
        right, rk = self.expr(b, want or lk)
        if lk != rk:
            raise InvalidParameter("filter: compared values have different types")
        return sql.SQL("({} {} {})").format(left, sql.SQL(op), right)

    def geometry(self, node) -> sql.Composable:
        """A geometry literal in the filter CRS, as a stored-CRS (EPSG:4326) SQL expression."""
        self.params.append(shapely.to_wkb(node[1]))
        return geom_in(sql.SQL("ST_GeomFromWKB(%s, {})").format(sql.Literal(self.crs.srid)), self.crs)

    def _spatial(self, fn: str, a, b) -> sql.Composable:
        """S_* on the geometry column and a literal (either order)."""
        if a[0] == "geom" and b[0] == "prop":
            a, b = b, a
            fn = {"s_contains": "s_within", "s_within": "s_contains"}.get(fn, fn)
        if a[0] != "prop" or a[1] not in GEOM_NAMES or b[0] != "geom":
            raise InvalidParameter("filter: spatial functions compare the geometry with a geometry literal")
        if self.coll.geometry_type is None:
            raise InvalidParameter("filter: this collection has no geometry")
        return sql.SQL("{}(geom, {})").format(sql.SQL(SPATIAL_SQL[fn]), self.geometry(b))

    def _temporal(self, fn: str, a, b) -> sql.Composable:
        """T_* on date/timestamp properties, instants and intervals (hub.api.cql2.temporal)."""
        return Temporal(self._prop, self.params).sql(fn, a, b)


def _is_func(node, name: str) -> bool:
    """Whether a node calls the one-argument function `name`."""
    return node[0] == "func" and node[1] == name and len(node[2]) == 1


def _casei_outside(node):
    """ACCENTI(CASEI(x)) as CASEI(ACCENTI(x)): the two commute, and the index is on ACCENTI(column)."""
    if _is_func(node, "accenti") and _is_func(node[2][0], "casei"):
        return ("func", "casei", [("func", "accenti", node[2][0][2])])
    return node


def where(ast, coll: Collection, filter_crs: OutCrs) -> tuple[sql.Composable, list]:
    """SQL condition and parameters for a parsed filter."""
    t = Translator(coll, filter_crs)
    return t.pred(ast), t.params
