"""The served OpenAPI document: pygeoapi's, completed and corrected for what the hub actually serves.

pygeoapi's generator points at remote OGC YAML files (some gone, none reachable offline), omits response
descriptions, declares parameters the hub does not take and misses many it does. This module keeps pygeoapi's
operations (summaries, tags, ids) and replaces their parameters and responses with local components built from
the same allowlists the request parsers use, adds the hub's own routes (catalogue sortables, vector tiles), and
refuses to finish when a reference would not resolve, so a pygeoapi upgrade cannot silently break the document.
"""

from __future__ import annotations

import copy
import json

from hub.api.collections import Collection
from hub.api.features import keyset
from hub.api.openapi import paths as oas_paths
from hub.api.openapi.parts import parameters, ref, responses, schemas
from hub.settings import ApiSettings

ITEM = "/items/{featureId}"


def _local(target: str) -> str:
    """The local components reference standing for one of pygeoapi's remote references."""
    if target.startswith("#"):
        return target
    if "#/components/" in target:
        return "#/components/" + target.split("#/components/", 1)[1]
    kind, name = target.rsplit("/", 2)[-2:] if target.endswith(".yaml") else ("", "")
    if kind in ("responses", "schemas", "parameters"):
        return f"#/components/{kind}/{name.removesuffix('.yaml')}"
    raise ValueError(f"OpenAPI: no local equivalent for the remote reference {target}")


def _localise(node):
    """Every $ref made local (recursively, in place); returns the node."""
    if isinstance(node, dict):
        if isinstance(node.get("$ref"), str):
            node["$ref"] = _local(node["$ref"])
        for value in node.values():
            _localise(value)
    elif isinstance(node, list):
        for value in node:
            _localise(value)
    return node


def _check_refs(doc: dict, node=None) -> None:
    """Raise when a $ref does not resolve inside the document."""
    node = doc if node is None else node
    if isinstance(node, dict):
        target = node.get("$ref")
        if isinstance(target, str):
            here = doc
            for part in target.removeprefix("#/").split("/"):
                if not isinstance(here, dict) or part not in here:
                    raise ValueError(f"OpenAPI: unresolved reference {target}")
                here = here[part]
        for value in node.values():
            _check_refs(doc, value)
    elif isinstance(node, list):
        for value in node:
            _check_refs(doc, value)


def _get(paths: dict, path: str) -> dict | None:
    """The GET operation of a path, if declared."""
    item = paths.get(path)
    return item.get("get") if isinstance(item, dict) else None


def _metadata_op(op: dict | None, *extra: dict) -> None:
    """queryables / schema: JSON Schema or HTML."""
    if op is not None:
        op["parameters"] = [ref("parameters", "f-schema"), ref("parameters", "lang"), *extra]
        op["responses"] = {"200": ref("responses", "JsonSchema"), "400": ref("responses", "InvalidParameter"),
                           "404": ref("responses", "NotFound"), "500": ref("responses", "ServerError")}


def _features(paths: dict, coll: Collection, s: ApiSettings) -> dict:
    """Rewrite a served feature collection's operations; returns the paths to insert after its item path."""
    base = f"/collections/{coll.id}"
    items = _get(paths, f"{base}/items")
    items["parameters"] = oas_paths.items_parameters(coll, s)
    items["responses"] = oas_paths.items_responses(coll)
    item = _get(paths, base + ITEM)
    if item is not None:
        item["parameters"] = oas_paths.item_parameters(coll)
        item["responses"] = oas_paths.item_responses(coll)
    _metadata_op(_get(paths, f"{base}/queryables"), *oas_paths.queryables_parameters(coll))
    _metadata_op(_get(paths, f"{base}/schema"))
    return oas_paths.tiles_paths(coll, items.get("tags", [coll.id]))


def _records(paths: dict, records_id: str, s: ApiSettings) -> dict:
    """Rewrite the catalogue's operations; returns the sortables path to insert after its queryables."""
    base = f"/collections/{records_id}"
    items = _get(paths, f"{base}/items")
    if items is None:
        return {}
    items["parameters"] = oas_paths.records_parameters(s)
    items["responses"] = oas_paths.records_responses()
    item = _get(paths, base + ITEM)
    if item is not None:
        item["parameters"] = [ref("parameters", "featureId"), ref("parameters", "f-item"), ref("parameters", "lang")]
        item["responses"] = oas_paths.record_responses()
    _metadata_op(_get(paths, f"{base}/queryables"))
    _metadata_op(_get(paths, f"{base}/schema"))
    return {f"{base}/sortables": {"get": {
        "summary": "The properties `sortby` accepts", "tags": items.get("tags", [records_id]),
        "operationId": f"get{records_id.capitalize()}Sortables",
        "responses": {"200": ref("responses", "Sortables"), "500": ref("responses", "ServerError")}}}}


def _server_ops(paths: dict) -> None:
    """Landing page, conformance, collections, OpenAPI, OPTIONS and processes: responses as served."""
    errors = {"400": ref("responses", "InvalidParameter"), "500": ref("responses", "ServerError")}
    for path, name in (("/", "LandingPage"), ("/conformance", "Conformance"), ("/collections", "Collections")):
        if _get(paths, path) is not None:
            paths[path]["get"]["responses"] = {"200": ref("responses", name), **errors}
    api = _get(paths, "/openapi")
    if api is not None:
        api["parameters"] = [ref("parameters", "f-schema"), ref("parameters", "lang"),
                             *[p for p in api.get("parameters", []) if p.get("name") == "ui"]]
        api["responses"] = {"200": ref("responses", "OpenAPI"), **errors}
    for path, op in paths.items():
        if isinstance(op.get("options"), dict):
            op["options"]["responses"]["404"] = ref("responses", "NotFound")
        if path.startswith("/processes/") and path.count("/") == 2 and _get(paths, path) is not None:
            op["get"]["responses"]["200"] = ref("responses", "Process")
        execute = op.get("post") if path.endswith("/execution") else None
        if execute is not None:
            execute["responses"].update({"400": ref("responses", "InvalidParameter"),
                                         "413": ref("responses", "PayloadTooLarge")})


def _tile_matrix_sets() -> dict:
    """pygeoapi's tile matrix set routes, which the tilesets link to."""
    tms = {"name": "tileMatrixSetId", "in": "path", "required": True, "description": "A tile matrix set id",
           "schema": {"type": "string", "enum": ["WebMercatorQuad", "WorldCRS84Quad"]}}
    fmt = [ref("parameters", "f-schema")]
    ok = {"400": ref("responses", "InvalidParameter"), "404": ref("responses", "NotFound"),
          "500": ref("responses", "ServerError")}
    return {
        "/TileMatrixSets": {"get": {"summary": "Tile matrix sets", "tags": ["server"],
                                    "operationId": "getTileMatrixSets", "parameters": fmt,
                                    "responses": {"200": ref("responses", "TileMatrixSets"), **ok}}},
        "/TileMatrixSets/{tileMatrixSetId}": {"get": {
            "summary": "One tile matrix set", "tags": ["server"], "operationId": "getTileMatrixSet",
            "parameters": [tms, *fmt], "responses": {"200": ref("responses", "TileMatrixSets"), **ok}}},
    }


SAME = {"Queryables": "JsonSchema"}  # pygeoapi's response name -> the hub's
PYGEOAPI_FEATURE_TYPES = ("application/json", "application/geo+json", "text/html", "application/ld+json")


def _drop_undefined_parameters(oas: dict) -> None:
    """pygeoapi's operations of collections the hub does not complete (e.g. land_use_codes, no geometry) may name
    parameters and responses the hub's components do not define (`crs`, `Features`): those references go (a
    response keeps its name and the media types pygeoapi serves), the others stay checked."""
    defined = set(oas.get("components", {}).get("parameters", {}))
    answers = set(oas.get("components", {}).get("responses", {}))
    for item in oas.get("paths", {}).values():
        for op in item.values():
            for code, resp in (op.get("responses", {}) if isinstance(op, dict) else {}).items():
                ref = str(resp.get("$ref", "")) if isinstance(resp, dict) else ""
                name = ref.removeprefix("#/components/responses/") if ref.startswith("#/components/") else ""
                if name and name not in answers and SAME.get(name) in answers:
                    op["responses"][code] = {"$ref": f"#/components/responses/{SAME[name]}"}
                elif name and name not in answers:
                    op["responses"][code] = {"description": name, "content": {
                        t: {"schema": {"type": "object"}} for t in PYGEOAPI_FEATURE_TYPES}}
            if isinstance(op, dict) and isinstance(op.get("parameters"), list):
                op["parameters"] = [p for p in op["parameters"] if not (
                    isinstance(p, dict) and str(p.get("$ref", "")).startswith("#/components/parameters/")
                    and p["$ref"].rsplit("/", 1)[1] not in defined)]


COVERAGE_MEDIA = {"application/prs.coverage+json": {"schema": {"type": "object"}},
                  "image/tiff; application=geotiff": {"schema": {"type": "string", "format": "binary"}}}


def _coverage_ops(paths: dict, comps: dict) -> None:
    """pygeoapi's coverage operations answer 200 with a *Features* response; the hub's (hub.api.coverage) answer
    CoverageJSON or GeoTIFF: say so, with the hub's error responses."""
    comps["responses"]["Coverage"] = {"description": "A coverage window, decimated to the cell cap "
                                                     "(HUB_RASTER_MAX_COVERAGE_CELLS)", "content": COVERAGE_MEDIA}
    for path, item in paths.items():
        op = item.get("get") if isinstance(item, dict) and path.endswith("/coverage") else None
        if op is not None:
            op["responses"] = {"200": {"$ref": "#/components/responses/Coverage"},
                               **{code: {"$ref": f"#/components/responses/{name}"} for code, name in
                                  (("400", "InvalidParameter"), ("404", "NotFound"), ("500", "ServerError"))}}


def complete(doc: dict, collections: dict[str, Collection], records_id: str, s: ApiSettings,
             example_bbox: list[float]) -> dict:
    """pygeoapi's document with local, complete and correct parameters, responses and hub routes."""
    oas = copy.deepcopy(doc)
    comps = oas.setdefault("components", {})
    comps["parameters"] = parameters(comps.get("parameters", {}), s)
    comps["parameters"]["bbox"]["example"] = list(example_bbox)
    comps["responses"] = responses()
    comps["schemas"] = schemas()
    paths = oas.setdefault("paths", {})
    after: dict[str, dict] = {}
    served = {cid: c for cid, c in sorted(collections.items()) if _get(paths, f"/collections/{cid}/items")}
    for cid, coll in served.items():
        comps["schemas"].update(oas_paths.collection_schemas(coll))
        after[f"/collections/{cid}{ITEM}"] = _features(paths, coll, s)
    if served:
        comps["parameters"]["cursor"]["example"] = keyset.encode(next(iter(served.values())), [], [], "0")
    after[f"/collections/{records_id}/queryables"] = _records(paths, records_id, s)
    _server_ops(paths)
    _coverage_ops(paths, comps)
    ordered: dict = {}
    for path, item in paths.items():
        ordered[path] = item
        ordered.update(after.get(path, {}))
    if any(coll.publication.tiles is not None and coll.geometry_type for coll in served.values()):
        ordered.update(_tile_matrix_sets())
    oas["paths"] = ordered
    _localise(oas)
    _drop_undefined_parameters(oas)
    _check_refs(oas)
    return json.loads(json.dumps(oas))  # no shared sub-objects: the YAML rendering has no anchors or aliases
