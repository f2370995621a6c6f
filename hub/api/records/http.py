"""HTTP side of the records catalogue: JSON items (searched by the hub), queryables and sortables, and the check of
HTML requests before pygeoapi renders them (same validation, so a bad value is the same 400 in every format)."""

from __future__ import annotations

import re
import urllib.parse

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from hub.api.config import RECORDS_ID
from hub.api.records import query as records_query
from hub.api.records.filters import JSON_TYPES, QUERYABLES
from hub.api.records.provider import entries, language
from hub.api.state import AsyncState
from hub.errors import InvalidParameter, NotFound
from hub.settings import ApiSettings

ITEMS = re.compile(rf"^/collections/{RECORDS_ID}/items/?\Z")  # \Z: `$` would accept a final newline
SORTABLES = re.compile(rf"^/collections/{RECORDS_ID}/sortables/?\Z")
QUERYABLES_PATH = re.compile(rf"^/collections/{RECORDS_ID}/queryables/?\Z")
ITEM = re.compile(rf"^/collections/{RECORDS_ID}/items/([^/]+?)/?\Z")
GEOJSON = "application/geo+json"
FORMATS = ("json", "geojson", "html", "jsonld")  # no CSV: records are nested documents


def _lang(request: Request) -> str:
    """`lang`, else the first Accept-Language tag, as vi or en."""
    return language(request.query_params.get("lang") or request.headers.get("accept-language", "")[:2])


def _href(base: str, args: dict[str, str], **override: str | None) -> str:
    """The items URL with the request's parameters, some replaced or removed."""
    merged = {k: v for k, v in {**args, **override}.items() if v is not None}
    return f"{base}?{urllib.parse.urlencode(merged, safe=',:/')}" if merged else base


def _links(s: ApiSettings, args: dict[str, str], q: records_query.RecordsQuery, matched: int) -> list[dict]:
    """self, alternate (HTML), collection, and next/prev by offset."""
    base = f"{s.url}/collections/{RECORDS_ID}/items"
    links = [{"rel": "self", "type": GEOJSON, "title": "this page", "href": _href(base, args)},
             {"rel": "alternate", "type": "text/html", "title": "this page as HTML",
              "href": _href(base, args, f="html")},
             {"rel": "collection", "type": "application/json", "title": "Dataset catalogue",
              "href": f"{s.url}/collections/{RECORDS_ID}"}]
    if not q.hits and q.offset + q.limit < matched:
        links.append({"rel": "next", "type": GEOJSON, "title": "next page",
                      "href": _href(base, args, offset=str(q.offset + q.limit))})
    if not q.hits and q.offset > 0:
        links.append({"rel": "prev", "type": GEOJSON, "title": "previous page",
                      "href": _href(base, args, offset=str(max(0, q.offset - q.limit)))})
    return links


async def items(request: Request, st: AsyncState, s: ApiSettings) -> Response:
    """GET /collections/datasets/items as GeoJSON: every Records Part 1 parameter and CQL2 filters."""
    args = dict(request.query_params)
    q = records_query.parse(args, s)
    recs = records_query.select(entries(await st.current(), _lang(request)), q)
    page = [] if q.hits else recs[q.offset:q.offset + q.limit]
    body = {"type": "FeatureCollection", "features": page, "numberMatched": len(recs),
            "numberReturned": len(page), "links": _links(s, args, q, len(recs))}
    return JSONResponse(body, media_type=GEOJSON, headers={"Content-Language": _lang(request)})


async def item(request: Request, record_id: str, st: AsyncState) -> Response:
    """GET /collections/datasets/items/{id} as GeoJSON (404 when no published dataset has that id)."""
    for e in entries(await st.current(), _lang(request)):
        if e.record["id"] == record_id:
            return JSONResponse(e.record, media_type=GEOJSON, headers={"Content-Language": _lang(request)})
    raise NotFound("record not found")


def check_html(scope, request: Request, s: ApiSettings) -> None:
    """Validate an HTML items request as the JSON one is validated; pygeoapi then renders it.

    pygeoapi knows only its own `filter-lang` names and reads `filter` as CQL text: a CQL2 text filter is passed
    on without `filter-lang` (validated here first), a CQL2 JSON one is refused with a pointer to f=json.
    """
    args = dict(request.query_params)
    records_query.parse(args, s)
    if args.get("f") not in (None, *FORMATS):
        raise InvalidParameter(f"f: the catalogue is served as {', '.join(FORMATS)}")
    if args.get("filter-lang") == "cql2-json" or args.get("filter", "").lstrip().startswith("{"):
        raise InvalidParameter("filter: CQL2 JSON filters are evaluated for JSON output only; request f=json")
    if "filter-lang" in args:
        args.pop("filter-lang")
        scope["query_string"] = urllib.parse.urlencode(args).encode("latin-1")


def _schema(s: ApiSettings, what: str, names) -> Response:
    """A JSON Schema listing record properties (queryables or sortables)."""
    props = {}
    for name in names:
        kind = QUERYABLES[name][0]
        props[name] = ({"format": "geometry-polygon", "x-ogc-role": "primary-geometry"} if kind == "geometry"
                       else {"title": name, **JSON_TYPES[kind]})
    props["id"]["x-ogc-role"] = "id"
    props["updated"]["x-ogc-role"] = "primary-instant"
    body = {"$schema": "https://json-schema.org/draft/2020-12/schema",
            "$id": f"{s.url}/collections/{RECORDS_ID}/{what}", "type": "object",
            "title": f"Dataset catalogue: {what}", "properties": props, "additionalProperties": False}
    return JSONResponse(body, media_type="application/schema+json")


def sortables(s: ApiSettings) -> Response:
    """GET /collections/datasets/sortables: the properties `sortby` accepts."""
    return _schema(s, "sortables", records_query.SORTABLES)


def queryables(s: ApiSettings) -> Response:
    """GET /collections/datasets/queryables (JSON): the properties a filter may name."""
    return _schema(s, "queryables", QUERYABLES)
