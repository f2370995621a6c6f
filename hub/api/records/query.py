"""Records query parameters (OGC API Records Part 1: q, bbox, datetime, type, ids, externalIds, limit, sortby,
filter): validated into a RecordsQuery, applied in Python to the catalogue entries.

Every value is checked (400 naming the parameter otherwise) and only compared with record values; property names
come from the allowlist in hub.api.records.filters. `q` follows the standard: comma-separated terms are ORed, words
inside a term must appear together and in order; matching ignores case and Vietnamese accents (NFC throughout).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from hub.api import cql2
from hub.api.features.query import bbox_numbers, check_corners, instant_date, int_param
from hub.api.ogc_crs import CRS84
from hub.api.records.filters import QUERYABLES, compile_filter, fold
from hub.errors import InvalidParameter
from hub.settings import ApiSettings

MAX_VALUE_CHARS = 2000  # q, ids, type, externalIds, property values
MAX_LIST_ITEMS = 100
MAX_SORT_KEYS = 5
SORTABLES = ("id", "type", "title", "license", "updated", "version", "rowCount")
EQUALS = ("title", "description", "license", "rights", "language", "version", "rowCount")  # `name=value` params
CRS84_URIS = {CRS84, CRS84 + "h"}
EXTERNAL_ID = re.compile(r"^(?:[^:]+:)?[^:]+$")


@dataclass
class Entry:
    """One record as served, and its bilingual search text (folded) for `q`."""

    record: dict
    text: str


@dataclass
class RecordsQuery:
    """A validated records request."""

    limit: int
    offset: int = 0
    hits: bool = False
    terms: list[str] = field(default_factory=list)
    bbox: tuple[float, float, float, float] | None = None
    interval: tuple[dt.date | None, dt.date | None] | None = None
    types: set[str] | None = None
    ids: set[str] | None = None
    external: list[str] | None = None
    equals: list[tuple[str, str]] = field(default_factory=list)
    sortby: list[tuple[str, bool]] = field(default_factory=list)
    match: Callable[[dict], bool] | None = None


def _value(args: Mapping[str, str], name: str) -> str:
    """One parameter's text, length-capped."""
    value = args[name]
    if len(value) > MAX_VALUE_CHARS:
        raise InvalidParameter(f"{name}: longer than {MAX_VALUE_CHARS} characters")
    return value


def _list(args: Mapping[str, str], name: str) -> list[str]:
    """A comma-separated list parameter: non-empty items, at most MAX_LIST_ITEMS."""
    items = [v.strip() for v in _value(args, name).split(",")]
    if not all(items) or len(items) > MAX_LIST_ITEMS:
        raise InvalidParameter(f"{name}: give 1 to {MAX_LIST_ITEMS} comma-separated non-empty values")
    return items


def _bbox(args: Mapping[str, str]) -> tuple[float, float, float, float]:
    """bbox in CRS84 (4 or 6 numbers, lower corner first)."""
    if args.get("bbox-crs", CRS84) not in CRS84_URIS:
        raise InvalidParameter("bbox-crs: the catalogue is searched in CRS84 only")
    x1, y1, x2, y2 = bbox_numbers(_value(args, "bbox"))
    check_corners(x1, y1, x2, y2, degrees=True)
    return x1, y1, x2, y2


def _day(text: str) -> dt.date | None:
    """One end of a datetime interval as a date ('..' = open)."""
    return None if text == ".." else instant_date(text)


def _interval(value: str) -> tuple[dt.date | None, dt.date | None]:
    """datetime= as an inclusive date interval (records' temporal extents are dates)."""
    ends = value.split("/")
    if len(ends) > 2 or "" in ends or (len(ends) == 1 and ends[0] == ".."):
        raise InvalidParameter("datetime: not an RFC 3339 date, date-time or interval")
    lo = _day(ends[0])
    hi = lo if len(ends) == 1 else _day(ends[1])
    if len(ends) == 2 and lo is None and hi is None:
        raise InvalidParameter("datetime: an interval needs at least one bound")
    if lo and hi and lo > hi:
        raise InvalidParameter("datetime: interval start is after its end")
    return lo, hi


def _sortby(value: str) -> list[tuple[str, bool]]:
    """sortby: [+|-]name, ... from SORTABLES."""
    keys = []
    for item in value.split(","):
        item = item.strip()  # a '+' in a URL query arrives as a space
        name = item.lstrip("+-").strip()
        if name not in SORTABLES:
            raise InvalidParameter(f"sortby: not sortable (sortables: {', '.join(SORTABLES)})")
        keys.append((name, item.startswith("-")))
    if not keys or len(keys) > MAX_SORT_KEYS:
        raise InvalidParameter(f"sortby: give 1 to {MAX_SORT_KEYS} properties")
    return keys


def _filter(args: Mapping[str, str], s: ApiSettings, ast) -> Callable[[dict], bool] | None:
    """filter / filter-lang / filter-crs (CQL2 text or JSON), or an AST already parsed by the caller."""
    lang = args.get("filter-lang")
    if lang not in (None, "cql2-text", "cql2-json"):
        raise InvalidParameter("filter-lang: must be cql2-text or cql2-json")
    if args.get("filter-crs", CRS84) not in CRS84_URIS:
        raise InvalidParameter("filter-crs: the catalogue is filtered in CRS84 only")
    if ast is None and "filter" in args:
        ast = cql2.parse(args["filter"], lang, s.max_filter_chars, s.max_filter_depth, s.max_geometry_vertices)
    return compile_filter(ast) if ast is not None else None


def parse(args: Mapping[str, str], s: ApiSettings, ast=None) -> RecordsQuery:
    """Validate every records parameter (400 with the parameter and the reason); unknown names are ignored."""
    limit = int_param(args["limit"], "limit", 1) if "limit" in args else s.default_limit
    q = RecordsQuery(min(limit, s.max_limit))
    if "offset" in args:
        q.offset = int_param(args["offset"], "offset", 0)
    if args.get("resulttype", "results") not in ("results", "hits"):
        raise InvalidParameter("resulttype: must be results or hits")
    q.hits = args.get("resulttype") == "hits"
    if "q" in args:
        q.terms = [t for t in (fold(term) for term in _value(args, "q").split(",")) if t]
    if "bbox-crs" in args and "bbox" not in args:
        raise InvalidParameter("bbox-crs: given without bbox")
    if "bbox" in args:
        q.bbox = _bbox(args)
    if "datetime" in args:
        q.interval = _interval(_value(args, "datetime"))
    if "type" in args:
        q.types = set(_list(args, "type"))
    if "ids" in args:
        q.ids = set(_list(args, "ids"))
    for name in ("externalIds", "externalId"):  # the approved standard's name, and the drafts' singular
        if name in args:
            q.external = _list(args, name)
            if not all(EXTERNAL_ID.match(v) for v in q.external):
                raise InvalidParameter(f"{name}: values are `value` or `scheme:value`")
    q.equals = [(name, _value(args, name)) for name in EQUALS if name in args]
    if "sortby" in args:
        q.sortby = _sortby(_value(args, "sortby"))
    q.match = _filter(args, s, ast)
    return q


def _footprint(record: dict) -> tuple[float, float, float, float] | None:
    """The record geometry's bounding box."""
    geom = record.get("geometry")
    if not geom:
        return None
    xs = [p[0] for ring in geom["coordinates"] for p in ring]
    ys = [p[1] for ring in geom["coordinates"] for p in ring]
    return min(xs), min(ys), max(xs), max(ys)


def _period(record: dict) -> tuple[dt.date | None, dt.date | None] | None:
    """The record's temporal extent as dates (None = open end); None when it has none."""
    time = record.get("time")
    if not time:
        return None
    ends = [None if v in (None, "..") else dt.date.fromisoformat(v[:10]) for v in time["interval"]]
    return ends[0], ends[1]


def _external(record: dict, wanted: list[str]) -> bool:
    """Whether one of the record's external ids matches `value`, `scheme:value` or `scheme:`."""
    ids = record["properties"].get("externalIds") or []
    for w in wanted:
        scheme, _, value = w.rpartition(":")
        for x in ids:
            if value == x.get("value") and (not scheme or scheme == x.get("scheme")):
                return True
    return False


def _keep(e: Entry, q: RecordsQuery) -> bool:
    """Whether one entry satisfies every parameter (they are ANDed)."""
    r = e.record
    if q.terms and not any(t in e.text for t in q.terms):
        return False
    if q.ids is not None and r["id"] not in q.ids:
        return False
    if q.types is not None and r["properties"].get("type") not in q.types:
        return False
    if q.external is not None and not _external(r, q.external):
        return False
    if any(str(QUERYABLES[name][1](r)) != value for name, value in q.equals):
        return False
    if q.bbox is not None:
        fp = _footprint(r)
        if fp is None or fp[2] < q.bbox[0] or fp[0] > q.bbox[2] or fp[3] < q.bbox[1] or fp[1] > q.bbox[3]:
            return False
    if q.interval is not None:
        period = _period(r)
        lo, hi = q.interval
        if period is None or (hi and period[0] and period[0] > hi) or (lo and period[1] and period[1] < lo):
            return False
    return q.match is None or q.match(r)


def select(entries: list[Entry], q: RecordsQuery) -> list[dict]:
    """Matching records in order (sortby keys, then id)."""
    out = sorted((e.record for e in entries if _keep(e, q)), key=lambda r: r["id"])
    for name, desc in reversed(q.sortby):
        get = QUERYABLES[name][1]
        present = [r for r in out if get(r) is not None]
        present.sort(key=get, reverse=desc)
        out = present + [r for r in out if get(r) is None]  # nulls last
    return out
