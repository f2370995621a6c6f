"""OpenAPI operations of what the hub serves itself: feature items (fast path), records search, tiles.

Each builder returns parameters and responses that match hub.api.features.query, hub.api.records.query and hub.api.features.tiles:
every accepted query parameter is declared with its schema, and every declared media type is one that is served.
"""

from __future__ import annotations

from hub.api.collections import Collection
from hub.api.features import query
from hub.api.ogc_crs import CRS84, supported_uris
from hub.api.openapi.parts import CSV, GEOJSON, HTML, JSONLD, filter_param, ref
from hub.api.openapi.parts import query as param
from hub.api.records import query as records_query
from hub.api.records.filters import JSON_TYPES as RECORD_TYPES
from hub.api.records.filters import QUERYABLES as RECORD_QUERYABLES
from hub.settings import ApiSettings

DATA_ERRORS = {"400": ref("responses", "InvalidParameter"), "404": ref("responses", "NotFound"),
               "500": ref("responses", "ServerError"), "503": ref("responses", "ServiceUnavailable"),
               "504": ref("responses", "Timeout")}
TMS = "WebMercatorQuad"


def crs_schema_name(coll: Collection) -> str:
    """The components.schemas key of a collection's CRS list."""
    return f"crs-{coll.id}"


def feature_schema_name(coll: Collection) -> str:
    """The components.schemas key of a collection's GeoJSON Feature."""
    return f"feature-{coll.id}"


def collection_schemas(coll: Collection) -> dict:
    """The collection's CRS URIs (crs, bbox-crs, filter-crs) and its GeoJSON Feature with typed properties."""
    props = {n: {**coll.json_schema(n), "nullable": True} for n in coll.columns}
    feature = {"type": "object", "required": ["type", "geometry", "properties"], "properties": {
        "type": {"type": "string", "enum": ["Feature"]}, "id": {"type": "string"},
        "geometry": ref("schemas", "geometryGeoJSON"),
        "properties": {"type": "object", "properties": props},
        "links": {"type": "array", "items": ref("schemas", "link")}}}
    return {crs_schema_name(coll): {"type": "string", "format": "uri", "enum": supported_uris(coll.output_epsg),
                                    "default": CRS84},
            feature_schema_name(coll): feature}


def _crs_param(coll: Collection, name: str, description: str) -> dict:
    """crs / bbox-crs / filter-crs: one of the collection's CRS URIs."""
    return param(name, ref("schemas", crs_schema_name(coll)), description)


def _sortby(names: list[str], max_keys: int) -> dict:
    """`sortby`: 1..max_keys property names, each optionally prefixed by '-' (descending) or '+'."""
    return param("sortby", {"type": "array", "minItems": 1, "maxItems": max_keys, "items": {
        "type": "string", "enum": [*names, *[f"-{n}" for n in names]]}},
        "Sort keys, comma-separated; `-name` sorts descending (ties broken by id).", example=[f"-{names[0]}"])


def property_filters(coll: Collection) -> list[dict]:
    """`name=value` equality filters on the queryable public properties (typed like the column)."""
    return [param(n, coll.json_schema(n), f"Only features whose `{n}` equals this value.")
            for n, t in coll.columns.items() if t != "jsonb" and n not in query.RESERVED and n != "id"]


def _filter_example(coll: Collection) -> str:
    """A filter that is valid for the collection (used as the parameter's example)."""
    numeric = [n for n, t in coll.columns.items() if t in ("integer", "bigint", "numeric", "double")]
    return f"{numeric[0]} >= 0" if numeric else f"{next(iter(coll.columns))} IS NOT NULL"


def items_parameters(coll: Collection, s: ApiSettings) -> list[dict]:
    """Every parameter /collections/{id}/items accepts (hub.api.features.query.parse_items and the HTML/CSV pages)."""
    names = list(coll.columns)
    return [
        ref("parameters", "f-items"), ref("parameters", "lang"), ref("parameters", "bbox"),
        _crs_param(coll, "bbox-crs", "The CRS of `bbox` (default CRS84)."),
        _crs_param(coll, "crs", "The CRS of the response geometries (default CRS84; VN-2000 through EPSG:6960)."),
        ref("parameters", "datetime"), ref("parameters", "limit"), ref("parameters", "offset"),
        ref("parameters", "cursor"), _sortby(names, query.MAX_SORT_KEYS),
        param("properties", {"type": "array", "items": {"type": "string", "enum": names}},
              "Only these properties, comma-separated.", example=names[:2]),
        ref("parameters", "skipGeometry"), ref("parameters", "resulttype"),
        filter_param(s, _filter_example(coll)), ref("parameters", "filter-lang"),
        _crs_param(coll, "filter-crs", "The CRS of geometry literals in `filter` (default CRS84)."),
        *property_filters(coll),
    ]


def queryables_parameters(coll: Collection) -> list[dict]:
    """pygeoapi's extra parameters of a feature collection's /queryables."""
    return [param("properties", {"type": "array", "items": {"type": "string", "enum": list(coll.columns)}},
                  "Only these queryables, comma-separated."),
            param("profile", {"type": "string", "enum": ["actual-domain", "valid-domain"]},
                  "The domain profile of the queryables.")]


def _features_response(coll: Collection) -> dict:
    """200 of items: GeoJSON (typed properties), HTML, CSV and JSON-LD."""
    fc = {"type": "object", "required": ["type", "features"], "properties": {
        "type": {"type": "string", "enum": ["FeatureCollection"]},
        "features": {"type": "array", "items": ref("schemas", feature_schema_name(coll))},
        "numberMatched": {"type": "integer", "minimum": 0}, "numberReturned": {"type": "integer", "minimum": 0},
        "links": {"type": "array", "items": ref("schemas", "link")}}}
    return {"description": "A page of features (`next` link to the following page)", "content": {
        GEOJSON: {"schema": fc}, HTML: {"schema": {"type": "string"}}, CSV: {"schema": {"type": "string"}},
        JSONLD: {"schema": {"type": "object"}}}}


def items_responses(coll: Collection) -> dict:
    """Responses of items."""
    return {"200": _features_response(coll), **DATA_ERRORS}


def item_parameters(coll: Collection) -> list[dict]:
    """Parameters of /collections/{id}/items/{featureId}."""
    return [ref("parameters", "featureId"), _crs_param(coll, "crs", "The CRS of the response geometry."),
            ref("parameters", "f-item"), ref("parameters", "lang")]


def item_responses(coll: Collection) -> dict:
    """Responses of one feature."""
    ok = {"description": "One feature", "content": {
        GEOJSON: {"schema": ref("schemas", feature_schema_name(coll))}, HTML: {"schema": {"type": "string"}},
        JSONLD: {"schema": {"type": "object"}}}}
    return {"200": ok, **DATA_ERRORS}


# A value of each `name=value` filter of the catalogue, shown in the API document (and sent by its clients' tests).
EQUALS_EXAMPLES = {"title": "Thửa đất địa chính – Thành phố Cần Thơ", "description": "bảng giá đất",
                   "license": "CC-BY-4.0", "rights": "Sở Nông nghiệp và Môi trường", "language": "vi",
                   "version": 1, "rowCount": 1000}


def records_parameters(s: ApiSettings) -> list[dict]:
    """Every parameter the catalogue's items accept (hub.api.records.query.parse)."""
    crs84 = {"type": "string", "format": "uri", "enum": [CRS84, CRS84 + "h"], "default": CRS84}
    words = {"type": "array", "items": {"type": "string", "minLength": 1}}
    listed = {**words, "minItems": 1, "maxItems": records_query.MAX_LIST_ITEMS}
    equals = [param(n, RECORD_TYPES[RECORD_QUERYABLES[n][0]], f"Only records whose `{n}` equals this value.",
                    example=EQUALS_EXAMPLES[n]) for n in records_query.EQUALS]
    return [
        ref("parameters", "f-item"), ref("parameters", "lang"),
        param("q", words, "Free-text search (comma-separated terms are ORed; accents and case ignored).",
              example=["đất"]),
        ref("parameters", "bbox"), param("bbox-crs", crs84, "The CRS of `bbox` (CRS84 only)."),
        ref("parameters", "datetime"),
        param("type", listed, "Only records of these types.", example=["dataset"]),
        param("ids", listed, "Only records with these ids."),
        param("externalIds", {**listed, "items": {"type": "string", "pattern": records_query.EXTERNAL_ID.pattern}},
              "Only records with one of these external ids (`value` or `scheme:value`)."),
        param("externalId", {**listed, "items": {"type": "string", "pattern": records_query.EXTERNAL_ID.pattern}},
              "The drafts' name of `externalIds`.", deprecated=True),
        ref("parameters", "limit"), ref("parameters", "offset"),
        _sortby(list(records_query.SORTABLES), records_query.MAX_SORT_KEYS),
        filter_param(s, "type = 'dataset'"), ref("parameters", "filter-lang"),
        param("filter-crs", crs84, "The CRS of geometry literals in `filter` (CRS84 only)."),
        ref("parameters", "resulttype"), *equals,
    ]


def records_responses() -> dict:
    """Responses of the catalogue's items."""
    return {"200": ref("responses", "Records"), **DATA_ERRORS}


def record_responses() -> dict:
    """Responses of one record."""
    return {"200": ref("responses", "Record"), **DATA_ERRORS}


def tiles_paths(coll: Collection, tags: list[str]) -> dict:
    """The vector tile paths of a collection (hub.api.features.tiles), or none when the catalog gives it no tiles."""
    spec = coll.publication.tiles if coll.geometry_type else None
    if spec is None:
        return {}
    base = f"/collections/{coll.id}/tiles"
    errors = {k: v for k, v in DATA_ERRORS.items() if k != "400"}
    side = 2 ** spec.max_zoom - 1
    index = [{"name": name, "in": "path", "required": True, "description": desc, "schema": schema}
             for name, desc, schema in (
                 ("tileMatrix", "Zoom level", {"type": "integer", "minimum": spec.min_zoom, "maximum": spec.max_zoom}),
                 ("tileRow", "Row (y), below 2^tileMatrix", {"type": "integer", "minimum": 0, "maximum": side}),
                 ("tileCol", "Column (x), below 2^tileMatrix", {"type": "integer", "minimum": 0, "maximum": side}))]
    op = coll.id.capitalize()
    return {
        base: {"get": {"summary": "Vector tilesets", "tags": tags, "operationId": f"get{op}TileSets",
                       "responses": {"200": ref("responses", "TileSets"), **errors}}},
        f"{base}/{TMS}": {"get": {"summary": "The WebMercatorQuad vector tileset", "tags": tags,
                                  "operationId": f"get{op}TileSet",
                                  "responses": {"200": ref("responses", "TileSet"), **errors}}},
        f"{base}/{TMS}/{{tileMatrix}}/{{tileRow}}/{{tileCol}}": {"get": {
            "summary": f"A vector tile (MVT; zoom {spec.min_zoom}-{spec.max_zoom}, at most {spec.max_features} "
                       "features)", "tags": tags, "operationId": f"get{op}Tile", "parameters": index,
            "responses": {"200": ref("responses", "Tile"), **DATA_ERRORS}}},
    }
