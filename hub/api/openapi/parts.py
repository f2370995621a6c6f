"""Building blocks of the hub's OpenAPI document: schemas, responses and shared query parameters (all local, so
the document validates and resolves without network access; pygeoapi's remote references are replaced by these).
"""

from __future__ import annotations

from hub.settings import ApiSettings

GEOJSON = "application/geo+json"
JSON = "application/json"
HTML = "text/html"
JSONLD = "application/ld+json"
CSV = "text/csv"
SCHEMA_JSON = "application/schema+json"
MVT = "application/vnd.mapbox-vector-tile"
OPENAPI_JSON = "application/vnd.oai.openapi+json;version=3.0"
TEXT = {"schema": {"type": "string"}}
ANY_OBJECT = {"schema": {"type": "object"}}


def ref(kind: str, name: str) -> dict:
    """A local reference into components."""
    return {"$ref": f"#/components/{kind}/{name}"}


def _array(item: str) -> dict:
    """An array of local schema references."""
    return {"type": "array", "items": ref("schemas", item)}


def schemas() -> dict:
    """Shared JSON schemas (links, exceptions, OGC documents, GeoJSON)."""
    links = _array("link")
    return {
        "link": {"type": "object", "required": ["href"], "properties": {
            "href": {"type": "string"}, "rel": {"type": "string"}, "type": {"type": "string"},
            "hreflang": {"type": "string"}, "title": {"type": "string"}, "templated": {"type": "boolean"}}},
        "exception": {"type": "object", "required": ["code"], "properties": {
            "code": {"type": "string"}, "type": {"type": "string"}, "description": {"type": "string"},
            "requestId": {"type": "string"}}},
        "landingPage": {"type": "object", "required": ["links"], "properties": {
            "title": {"type": "string"}, "description": {"type": "string"}, "links": links}},
        "confClasses": {"type": "object", "required": ["conformsTo"], "properties": {
            "conformsTo": {"type": "array", "items": {"type": "string"}}}},
        "collection": {"type": "object", "required": ["id", "links"], "properties": {
            "id": {"type": "string"}, "title": {"type": "string"}, "description": {"type": "string"},
            "links": links, "extent": {"type": "object"}, "itemType": {"type": "string"},
            "crs": {"type": "array", "items": {"type": "string"}}, "storageCrs": {"type": "string"}}},
        "collections": {"type": "object", "required": ["links", "collections"], "properties": {
            "links": links, "collections": _array("collection")}},
        "geometryGeoJSON": {"type": "object", "nullable": True, "required": ["type"], "properties": {
            "type": {"type": "string"}}},
        "featureGeoJSON": {"type": "object", "required": ["type", "geometry", "properties"], "properties": {
            "type": {"type": "string", "enum": ["Feature"]}, "id": {"oneOf": [{"type": "string"},
                                                                             {"type": "integer"}]},
            "geometry": ref("schemas", "geometryGeoJSON"), "properties": {"type": "object", "nullable": True},
            "links": links}},
        "featureCollectionGeoJSON": {"type": "object", "required": ["type", "features"], "properties": {
            "type": {"type": "string", "enum": ["FeatureCollection"]}, "features": _array("featureGeoJSON"),
            "links": links, "numberMatched": {"type": "integer", "minimum": 0},
            "numberReturned": {"type": "integer", "minimum": 0}}},
        "tileSet": {"type": "object", "required": ["dataType", "crs", "links"], "properties": {
            "title": {"type": "string"}, "dataType": {"type": "string"}, "crs": {"type": "string"},
            "tileMatrixSetURI": {"type": "string"}, "links": links}},
        "tileSets": {"type": "object", "required": ["tilesets"], "properties": {
            "tilesets": _array("tileSet"), "links": links}},
        "execute": {"type": "object", "properties": {"inputs": {"type": "object"}, "outputs": {"type": "object"},
                                                     "response": {"type": "string"}}},
    }


def _errors_content() -> dict:
    """An OGC exception body (JSON; JSON-LD or an HTML page when that format was asked for)."""
    return {JSON: {"schema": ref("schemas", "exception")}, HTML: TEXT, JSONLD: {"schema": ref("schemas", "exception")}}


def _doc(description: str, schema: str | None, *, html: bool = True, jsonld: bool = True,
         media: str = JSON) -> dict:
    """A response offered as JSON (schema from components) and, when served, HTML and JSON-LD."""
    content = {media: {"schema": ref("schemas", schema)} if schema else ANY_OBJECT}
    if html:
        content[HTML] = TEXT
    if jsonld:
        content[JSONLD] = ANY_OBJECT
    return {"description": description, "content": content}


def responses() -> dict:
    """Shared responses; every declared media type is one the server sends for that resource."""
    return {
        "200": {"description": "successful operation", "content": {JSON: ANY_OBJECT, HTML: TEXT, JSONLD: ANY_OBJECT}},
        "204": {"description": "no content"},
        "default": {"description": "Unexpected error", "content": {JSON: {"schema": ref("schemas", "exception")}}},
        "LandingPage": _doc("The landing page: links to the API definition, conformance and collections",
                            "landingPage"),
        "Conformance": _doc("The conformance classes the server implements", "confClasses"),
        "Collections": _doc("The collections of this server", "collections"),
        "Collection": _doc("One collection: metadata, extent, CRSs and links", "collection"),
        "Records": _doc("A page of catalogue records", "featureCollectionGeoJSON", media=GEOJSON),
        "Record": _doc("One catalogue record", "featureGeoJSON", media=GEOJSON),
        "JsonSchema": {"description": "A JSON Schema of the properties (queryables or the feature schema)",
                       "content": {SCHEMA_JSON: ANY_OBJECT, HTML: TEXT}},
        "Sortables": {"description": "The properties `sortby` accepts (JSON Schema)",
                      "content": {SCHEMA_JSON: ANY_OBJECT}},
        "OpenAPI": {"description": "This document (JSON), or an interactive page (HTML)",
                    "content": {OPENAPI_JSON: ANY_OBJECT, HTML: TEXT}},
        "TileSets": {"description": "The vector tilesets of a collection",
                     "content": {JSON: {"schema": ref("schemas", "tileSets")}}},
        "TileSet": {"description": "The WebMercatorQuad vector tileset of a collection",
                    "content": {JSON: {"schema": ref("schemas", "tileSet")}}},
        "Tile": {"description": "A Mapbox vector tile (empty when no feature intersects it)",
                 "content": {MVT: {"schema": {"type": "string", "format": "binary"}}}},
        "TileMatrixSets": _doc("Tile matrix sets", None, jsonld=False),
        "ProcessList": _doc("The processes offered", None),
        "Process": _doc("A process description", None),
        "ExecuteAsync": {"description": "Job accepted (asynchronous execution)", "content": {JSON: ANY_OBJECT}},
        "InvalidParameter": {"description": "A parameter has an invalid value; the body says which and why",
                             "content": _errors_content()},
        "NotFound": {"description": "No such resource", "content": _errors_content()},
        "PayloadTooLarge": {"description": "The request body is too large", "content": _errors_content()},
        "ServerError": {"description": "A server error (the body carries a request id, never internals)",
                        "content": _errors_content()},
        "ServiceUnavailable": {"description": "The database is not reachable; retry later",
                               "content": _errors_content()},
        "Timeout": {"description": "The query exceeded its time limit; narrow it (bbox, filter, limit)",
                    "content": _errors_content()},
    }


def query(name: str, schema: dict, description: str, **extra) -> dict:
    """A form-style, non-exploded query parameter (the OGC API convention; QGIS reads these fields)."""
    return {"name": name, "in": "query", "required": False, "style": "form", "explode": False,
            "description": description, "schema": schema, **extra}


def _formats(*values: str) -> dict:
    """An `f` parameter schema."""
    return {"type": "string", "enum": list(values), "default": "json"}


def parameters(old: dict, s: ApiSettings) -> dict:
    """Shared parameters: pygeoapi's `lang`, `bbox` and `skipGeometry`, and the hub's own."""
    keep = {k: old[k] for k in ("lang", "bbox", "skipGeometry", "bbox-crs", "subset", "properties", "scale-factor")
            if k in old}  # the last four: OGC API - Coverages (raster collections)
    fdesc = "Output format (also negotiable with the Accept header)."
    return {
        "f": query("f", _formats("json", "html", "jsonld"), fdesc),
        "f-items": query("f", _formats("json", "geojson", "html", "jsonld", "csv"), fdesc),
        "f-item": query("f", _formats("json", "geojson", "html", "jsonld"), fdesc),
        "f-schema": query("f", _formats("json", "html"), fdesc),
        **keep,
        "offset": query("offset", {"type": "integer", "minimum": 0, "default": 0},
                        f"Index of the first item (0 = the first). Feature collections accept at most {s.max_offset}; "
                        "their `next` links carry a keyset `cursor` instead, which costs the same at any depth."),
        "limit": query("limit", {"type": "integer", "minimum": 1, "maximum": s.max_limit, "default": s.default_limit},
                        f"Page size (default {s.default_limit}, maximum {s.max_limit}; larger values are capped)."),
        "cursor": query("cursor", {"type": "string", "pattern": "^[A-Za-z0-9_-]+$", "maxLength": 4096},
                         "Opaque keyset position from a `next` link (deep pages cost the same as the first)."),
        "datetime": query("datetime", {"type": "string"},
                           "A date, date-time or interval (`start/end`, `..` for an open end), RFC 3339.",
                           example="2021-01-01/.."),
        "resulttype": query("resulttype", {"type": "string", "enum": ["results", "hits"], "default": "results"},
                             "`hits` returns only numberMatched."),
        "filter-lang": query("filter-lang", {"type": "string", "enum": ["cql2-text", "cql2-json"],
                                              "default": "cql2-text"}, "The language of `filter`."),
        "featureId": {"name": "featureId", "in": "path", "required": True, "description": "A feature or record id.",
                      "schema": {"type": "string"}},
    }


def filter_param(s: ApiSettings, example: str) -> dict:
    """`filter`: a CQL2 text or JSON expression over the queryables."""
    return query("filter", {"type": "string", "maxLength": s.max_filter_chars},
                  "A CQL2 filter (text or JSON, see `filter-lang`) over the properties listed by /queryables.",
                  example=example)
