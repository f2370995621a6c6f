"""One query builder for the provider and the fast path: validated request parameters -> SQL + bound values."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping
from dataclasses import dataclass, field

from psycopg import sql

from hub.api import cql2
from hub.api.collections import Collection
from hub.api.cql2 import to_sql as cql2_sql
from hub.api.features import keyset
from hub.api.ogc_crs import CRS84, OutCrs, geom_out, parse_crs
from hub.errors import InvalidParameter
from hub.settings import ApiSettings

RESERVED = {"f", "lang", "limit", "offset", "cursor", "bbox", "bbox-crs", "crs", "datetime", "sortby",
            "properties", "skipGeometry", "resulttype", "filter", "filter-lang", "filter-crs", "q"}
MAX_SORT_KEYS = 5


@dataclass
class ItemsQuery:
    """A validated items request."""

    coll: Collection
    limit: int
    offset: int = 0
    after: keyset.Position | None = None
    out_crs: OutCrs = field(default_factory=lambda: OutCrs(CRS84, None))
    conds: list[sql.Composable] = field(default_factory=list)
    params: list = field(default_factory=list)
    sortby: list[tuple[str, bool]] = field(default_factory=list)  # (column, descending)
    properties: list[str] | None = None
    skip_geometry: bool = False
    hits: bool = False

    @property
    def filtered(self) -> bool:
        """Whether any condition restricts the rows (numberMatched then needs a count)."""
        return bool(self.conds)

    @property
    def keyset(self) -> bool:
        """Whether `next` links use a keyset cursor (default order, or sort keys a cursor can carry)."""
        return keyset.supported(self.coll, self.sortby)

    def next_cursor(self, row: tuple) -> str | None:
        """The cursor after a page row (id, feature, sort keys...), or None when `next` must use offset."""
        if not self.keyset:
            return None
        return keyset.encode(self.coll, self.sortby, row[2:2 + len(self.sortby)], row[0])


def int_param(value: str, name: str, low: int) -> int:
    """A non-negative integer parameter (400 naming the parameter otherwise)."""
    try:
        out = int(value)
    except (TypeError, ValueError):
        raise InvalidParameter(f"{name}: must be an integer") from None
    if out < low:
        raise InvalidParameter(f"{name}: must be at least {low}")
    return out


def bbox_numbers(value: str) -> list[float]:
    """The 4 comma-separated finite numbers of a bbox parameter (of 6, the two heights are dropped)."""
    parts = value.split(",")
    if len(parts) not in (4, 6):
        raise InvalidParameter("bbox: needs 4 (or 6) comma-separated numbers")
    try:
        nums = [float(p) for p in parts]
    except ValueError:
        raise InvalidParameter("bbox: values must be numbers") from None
    if not all(math.isfinite(n) for n in nums):
        raise InvalidParameter("bbox: values must be finite numbers")
    return [nums[0], nums[1], nums[3], nums[4]] if len(nums) == 6 else nums


def check_corners(x1: float, y1: float, x2: float, y2: float, degrees: bool) -> None:
    """The lower corner first; in degrees, longitudes and latitudes in range."""
    if x1 > x2 or y1 > y2:
        raise InvalidParameter("bbox: lower corner must not exceed the upper corner")
    if degrees and not (-180 <= x1 <= 180 and -180 <= x2 <= 180 and -90 <= y1 <= 90 and -90 <= y2 <= 90):
        raise InvalidParameter("bbox: longitude must lie in [-180, 180] and latitude in [-90, 90]")


def parse_bbox(value: str, crs: OutCrs) -> tuple[sql.Composable, list]:
    """bbox (+ bbox-crs) as an intersect condition on the stored geometry."""
    nums = bbox_numbers(value)
    if crs.latlon:
        nums = [nums[1], nums[0], nums[3], nums[2]]
    x1, y1, x2, y2 = nums
    check_corners(x1, y1, x2, y2, degrees=crs.decimals == 9)
    env = sql.SQL("ST_MakeEnvelope(%s, %s, %s, %s, {})").format(sql.Literal(crs.srid))
    if crs.srid != 4326:
        env = sql.SQL("ST_Transform(ST_Segmentize({}, {}), 4326)").format(env, sql.Literal(
            1000.0 if crs.decimals == 3 else 0.01))
    return sql.SQL("ST_Intersects(geom, {})").format(env), [x1, y1, x2, y2]  # corners already lon/lat or E/N


def instant(text: str, kind: str = "date", end: bool = False) -> dt.date | dt.datetime:
    """One end of a datetime interval, as the time column's kind: a date, or an aware timestamp (a date given
    for a timestamp column covers its whole day, UTC)."""
    try:
        if len(text) == 10:
            day = dt.date.fromisoformat(text)
            if kind == "date":
                return day
            moment = dt.datetime.combine(day, dt.time.max if end else dt.time.min, dt.UTC)
            return moment
        moment = dt.datetime.fromisoformat(text.replace("Z", "+00:00").replace("z", "+00:00"))
        if kind == "date":
            return moment.date()
        if moment.tzinfo is None:
            raise InvalidParameter("datetime: a date-time needs a time zone (e.g. Z or +07:00)")
        return moment
    except (ValueError, OverflowError):
        raise InvalidParameter("datetime: not an RFC 3339 date, date-time or interval") from None


def instant_date(text: str) -> dt.date:
    """One end of a datetime interval, as a date."""
    got = instant(text, "date")
    assert isinstance(got, dt.date)
    return got


def parse_datetime(value: str, coll: Collection) -> tuple[sql.Composable, list] | None:
    """datetime= as a condition on the collection's time: an instant column must fall in the interval; a validity
    period (valid_from .. valid_to, open-ended when NULL) must intersect it (None when the collection has none)."""
    ends = value.split("/")
    if len(ends) > 2 or any(e == "" for e in ends):
        raise InvalidParameter("datetime: not an RFC 3339 date, date-time or interval")
    if len(ends) == 2 and ends[0] == ".." and ends[1] == "..":
        raise InvalidParameter("datetime: an interval needs at least one bound")
    if len(ends) == 1 and ends[0] == "..":
        raise InvalidParameter("datetime: not an RFC 3339 date, date-time or interval")
    kind = coll.time.kind if coll.time else "date"
    lo = None if ends[0] == ".." else instant(ends[0], kind)
    hi = (instant(ends[0], kind, end=True) if len(ends) == 1 else
          (None if ends[1] == ".." else instant(ends[1], kind, end=True)))
    if lo and hi and lo > hi:
        raise InvalidParameter("datetime: interval start is after its end")
    if coll.time_column is None:
        return None
    col = sql.Identifier(coll.time_column)
    end = coll.time.end if coll.time and coll.time.end in coll.columns else None
    conds, params = [], []
    if end is None:
        if lo:
            conds.append(sql.SQL("{} >= %s").format(col))
            params.append(lo)
        if hi:
            conds.append(sql.SQL("{} <= %s").format(col))
            params.append(hi)
    else:  # [valid_from, valid_to) intersects [lo, hi]
        if hi:
            conds.append(sql.SQL("{} <= %s").format(col))
            params.append(hi)
        if lo:
            conds.append(sql.SQL("({0} IS NULL OR {0} > %s)").format(sql.Identifier(end)))
            params.append(lo)
    return sql.SQL(" AND ").join(conds), params


def coerce(value: str, ctype: str, name: str):
    """A query-string value typed like its public column (400 naming the property otherwise)."""
    try:
        if ctype in ("integer", "bigint"):
            return int(value)
        if ctype in ("numeric", "double"):
            out = float(value)
            if not math.isfinite(out):
                raise ValueError
            return out
        if ctype == "date":
            return dt.date.fromisoformat(value)
        if ctype == "boolean":
            return {"true": True, "false": False}[value.lower()]
        if ctype == "text":
            return value
    except (ValueError, KeyError):
        pass
    raise InvalidParameter(f"{name}: value does not match the property type ({ctype})")


def _names(value: str, coll: Collection, param: str) -> list[str]:
    """A comma list of public property names (never echoes an unknown name: it may be a restricted one)."""
    names = [v.strip() for v in value.split(",") if v.strip()]
    for n in names:
        if n == "id" or coll.column_type(n) is None:
            raise InvalidParameter(f"{param}: unknown property (see the collection's queryables)")
    return names


def parse_items(coll: Collection, args: Mapping[str, str], s: ApiSettings) -> ItemsQuery:
    """Validate every items parameter and build the query (400/413 with the parameter and the reason)."""
    limit = int_param(args.get("limit", s.default_limit), "limit", 1) if "limit" in args else s.default_limit
    q = ItemsQuery(coll, min(limit, s.max_limit))
    if "offset" in args:
        q.offset = int_param(args["offset"], "offset", 0)
        if q.offset > s.max_offset:
            raise InvalidParameter(f"offset: larger than {s.max_offset}; follow `next` links instead")
    crs_list = coll.output_epsg
    q.out_crs = parse_crs(args.get("crs"), crs_list, "crs")
    if "bbox-crs" in args and "bbox" not in args:
        raise InvalidParameter("bbox-crs: given without bbox")
    if "bbox" in args and coll.geometry_type is None:
        raise InvalidParameter("bbox: this collection has no geometry (filter it by its properties or datetime)")
    if "bbox" in args:
        cond, params = parse_bbox(args["bbox"], parse_crs(args.get("bbox-crs"), crs_list, "bbox-crs"))
        q.conds.append(cond)
        q.params += params
    if "datetime" in args:
        got = parse_datetime(args["datetime"], coll)
        if got:
            q.conds.append(got[0])
            q.params += got[1]
    for key, value in args.items():
        ctype = coll.column_type(key) if key not in RESERVED and key != "id" else None
        if ctype and ctype != "jsonb":
            q.conds.append(sql.SQL("{} = %s").format(sql.Identifier(key)))
            q.params.append(coerce(value, ctype, key))
    if "sortby" in args:
        for item in args["sortby"].split(","):
            item = item.strip()
            desc = item.startswith("-")
            name = item.lstrip("+-").strip()
            _names(name or "?", coll, "sortby")
            q.sortby.append((name, desc))
        if not q.sortby or len(q.sortby) > MAX_SORT_KEYS:
            raise InvalidParameter(f"sortby: give 1 to {MAX_SORT_KEYS} properties")
    if "cursor" in args:
        q.after = keyset.decode(args["cursor"], coll, q.sortby)
    if "properties" in args:
        q.properties = _names(args["properties"], coll, "properties")
    q.skip_geometry = args.get("skipGeometry", "false").lower() == "true"
    if args.get("skipGeometry", "false").lower() not in ("true", "false"):
        raise InvalidParameter("skipGeometry: must be true or false")
    rt = args.get("resulttype", "results")
    if rt not in ("results", "hits"):
        raise InvalidParameter("resulttype: must be results or hits")
    q.hits = rt == "hits"
    if "filter" in args:
        ast = cql2.parse(args["filter"], args.get("filter-lang"), s.max_filter_chars, s.max_filter_depth,
                         s.max_geometry_vertices)
        cond, params = cql2_sql.where(ast, coll, parse_crs(args.get("filter-crs"), crs_list, "filter-crs"))
        q.conds.append(cond)
        q.params += params
    elif "filter-lang" in args and args["filter-lang"] not in ("cql2-text", "cql2-json"):
        raise InvalidParameter("filter-lang: must be cql2-text or cql2-json")
    return q


def _view(coll: Collection) -> sql.Composable:
    """The public view (catalog names only)."""
    return sql.Identifier(coll.schema, coll.view)


_FEATURE_EXPR: dict[tuple, tuple[sql.Composable, sql.Composable]] = {}


def feature_expr(coll: Collection, out: OutCrs, properties: list[str] | None,
                 skip_geometry: bool) -> tuple[sql.Composable, sql.Composable]:
    """`_feature_expr`, composed once per (view, columns, output CRS, properties, geometry) and then reused:
    composing it cost more Python time per page than reading the page's rows."""
    key = (coll.schema, coll.view, tuple(coll.columns), out, None if properties is None else tuple(properties),
           skip_geometry)
    got = _FEATURE_EXPR.get(key)
    if got is None:
        if len(_FEATURE_EXPR) > 1024:
            _FEATURE_EXPR.clear()
        got = _FEATURE_EXPR[key] = _feature_expr(coll, out, properties, skip_geometry)
    return got


def _feature_expr(coll: Collection, out: OutCrs, properties: list[str] | None,
                  skip_geometry: bool) -> tuple[sql.Composable, sql.Composable]:
    """SQL building one GeoJSON Feature as compact UTF-8 bytes from the row alias `page`, and the FROM item it needs.

    The text is concatenated in SQL: the geometry text of ST_AsGeoJSON is not re-parsed as json, and the
    properties come from row_to_json over a LATERAL row of the allowlisted columns (row_to_json resolves the
    column output functions once per query; json_build_object does it for every value of every row). The result
    is bytea (convert_to, a copy): read in binary format it reaches Python as bytes, never decoded nor re-encoded.
    """
    names = properties if properties is not None else list(coll.columns)
    geom = sql.Literal("null") if skip_geometry or coll.geometry_type is None else sql.SQL(
        "coalesce(ST_AsGeoJSON({}, {}, 0), 'null')").format(
        geom_out(sql.Identifier("page", "geom"), out), sql.Literal(out.decimals))
    if names:
        props = sql.SQL("row_to_json(props)::text")
        lateral = sql.SQL(", LATERAL (SELECT {}) props").format(
            sql.SQL(", ").join(sql.Identifier("page", n) for n in names))
    else:
        props, lateral = sql.Literal("{}"), sql.SQL("")
    expr = sql.SQL("convert_to({} || to_json(page.id)::text || {} || {} || {} || {} || {}, 'UTF8')").format(
        sql.Literal('{"type":"Feature","id":'), sql.Literal(',"geometry":'), geom, sql.Literal(',"properties":'),
        props, sql.Literal("}"))
    return expr, lateral


def _where(q: ItemsQuery, with_cursor: bool) -> tuple[sql.Composable, list]:
    """WHERE clause and parameters."""
    conds, params = list(q.conds), list(q.params)
    if with_cursor and q.after is not None:
        cond, more = keyset.after(q.coll, q.sortby, q.after)
        conds.append(cond)
        params += more
    if not conds:
        return sql.SQL(""), params
    return sql.SQL(" WHERE ") + sql.SQL(" AND ").join(conds), params


def items_sql(q: ItemsQuery) -> tuple[sql.Composable, list]:
    """SELECT id, feature text, sort keys for one page (GeoJSON built only for the page rows; limit+1 detects a
    next page; the sort keys of the last row make the `next` cursor)."""
    where, params = _where(q, True)
    expr, lateral = feature_expr(q.coll, q.out_crs, q.properties, q.skip_geometry)
    keys = sql.SQL("").join(sql.SQL(", {}").format(sql.Identifier("page", c)) for c, _ in q.sortby)
    stmt = sql.SQL("SELECT page.id, {}{} FROM (SELECT * FROM {}{} ORDER BY {} LIMIT %s OFFSET %s) page{} "
                   "ORDER BY {}").format(expr, keys, _view(q.coll), where, keyset.order_by(q.sortby), lateral,
                                         keyset.order_by(q.sortby, "page"))
    return stmt, [*params, q.limit + 1, q.offset]


def count_sql(q: ItemsQuery) -> tuple[sql.Composable, list]:
    """Exact count of matching rows (cursor and paging ignored)."""
    where, params = _where(q, False)
    return sql.SQL("SELECT count(*) FROM {}{}").format(_view(q.coll), where), params


def explain_sql(q: ItemsQuery) -> tuple[sql.Composable, list]:
    """Planner estimate of matching rows (used when the exact count exceeds its time box)."""
    where, params = _where(q, False)
    return sql.SQL("EXPLAIN (FORMAT JSON) SELECT 1 FROM {}{}").format(_view(q.coll), where), params


def item_sql(coll: Collection, fid: str, out: OutCrs) -> tuple[sql.Composable, list]:
    """One feature by its string id."""
    expr, lateral = feature_expr(coll, out, None, False)
    return sql.SQL("SELECT {} FROM {} page{} WHERE page.id = %s").format(expr, _view(coll), lateral), [fid]
