"""The served OpenAPI document: valid (openapi-spec-validator), self-contained, every accepted parameter declared
with a schema on the right path, and every declared media type one that the server actually sends."""

from __future__ import annotations

import urllib.parse

import pytest
import yaml
from openapi_spec_validator import validate

from hub.api import config as cfg
from tests.api.oas_tools import CRS84, FEATURES, RECORDS, enum, media_types, parameters, refs, resolve

ITEMS = f"/collections/{FEATURES}/items"
RECORD_ITEMS = f"/collections/{RECORDS}/items"
FEATURE_PARAMS = {"f", "lang", "bbox", "bbox-crs", "crs", "datetime", "limit", "offset", "cursor", "sortby",
                  "properties", "skipGeometry", "resulttype", "filter", "filter-lang", "filter-crs"}
RECORD_PARAMS = {"f", "lang", "q", "bbox", "bbox-crs", "datetime", "type", "ids", "externalIds", "limit", "offset",
                 "sortby", "filter", "filter-lang", "filter-crs", "resulttype"}
TILE = f"/collections/{FEATURES}/tiles/WebMercatorQuad/16/30933/52018"


@pytest.fixture(scope="module")
def doc(client) -> dict:
    """The OpenAPI document as served."""
    r = client.get("/openapi?f=json")
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/vnd.oai.openapi+json")
    return r.json()


@pytest.fixture(scope="module")
def feature_id(client) -> str:
    """The id of a published feature."""
    return client.get(f"{ITEMS}?limit=1").json()["features"][0]["id"]


def test_served_openapi_is_valid_and_self_contained(doc):
    """openapi-spec-validator accepts the served document; every reference is local (validates offline)."""
    validate(doc)
    assert doc["openapi"].startswith("3.0")
    assert refs(doc) and all(r.startswith("#/") for r in refs(doc))


def test_committed_openapi_is_valid():
    """The committed ogc_config/openapi.yml (all catalog collections) validates too."""
    committed = yaml.safe_load((cfg.TEMPLATE_DIR / "openapi.yml").read_text(encoding="utf-8"))
    validate(committed)
    assert all(r.startswith("#/") for r in refs(committed))
    assert f"/collections/{RECORDS}/sortables" in committed["paths"]


def test_feature_items_parameters(doc, client):
    """items: every parameter hub.api.features.query accepts, with schemas; CRS lists match the collection's `crs`."""
    params = parameters(doc, ITEMS)
    queryables = client.get(f"/collections/{FEATURES}/queryables?f=json").json()["properties"]
    props = {n for n in queryables if n != "geometry"}
    assert set(params) == FEATURE_PARAMS | props
    assert all(p["in"] == "query" and p["schema"] for p in params.values())
    for name in props:  # queryable property filters, typed like the queryables
        assert params[name]["schema"]["type"] == queryables[name]["type"], name
        assert params[name]["style"] == "form" and params[name]["explode"] is False  # what QGIS looks for
    coll = client.get(f"/collections/{FEATURES}?f=json").json()
    for name in ("crs", "bbox-crs", "filter-crs"):
        assert enum(params[name]) == coll["crs"] and CRS84 in enum(params[name]), name
    assert coll["storageCrs"] in enum(params["crs"])
    assert set(enum(params["sortby"])) == props | {f"-{n}" for n in props}
    assert set(enum(params["properties"])) == props
    assert set(enum(params["filter-lang"])) == {"cql2-text", "cql2-json"}
    assert set(enum(params["f"])) == {"json", "geojson", "html", "jsonld", "csv"}
    assert params["cursor"]["schema"]["type"] == "string"


def test_limit_is_a_component_reference_qgis_and_gdal_read(doc):
    """QGIS reads components.parameters.limit; GDAL follows the items path's $ref: maximum >= 1000, default 1000."""
    limit = doc["components"]["parameters"]["limit"]["schema"]
    assert limit["default"] == 1000 and limit["maximum"] >= 1000
    for path in (ITEMS, RECORD_ITEMS):
        assert {"$ref": "#/components/parameters/limit"} in doc["paths"][path]["get"]["parameters"], path


def test_feature_item_parameters(doc):
    """items/{featureId}: the path id, crs and f (no CSV for a single feature)."""
    params = parameters(doc, f"{ITEMS}/{{featureId}}")
    assert set(params) == {"featureId", "crs", "f", "lang"}
    assert params["featureId"]["in"] == "path" and params["featureId"]["required"] is True
    assert CRS84 in enum(params["crs"]) and "csv" not in enum(params["f"])


def test_records_parameters_queryables_and_sortables(doc, client):
    """The catalogue: Records Part 1 parameters, sortby limited to /sortables, /queryables and /sortables paths."""
    params = parameters(doc, RECORD_ITEMS)
    assert RECORD_PARAMS <= set(params)
    sortables = client.get(f"/collections/{RECORDS}/sortables").json()["properties"]
    assert set(enum(params["sortby"])) == set(sortables) | {f"-{n}" for n in sortables}
    assert enum(params["bbox-crs"])[0] == CRS84 and "csv" not in enum(params["f"])
    for name in ("q", "type", "ids", "externalIds"):
        assert params[name]["schema"]["type"] == "array" and params[name]["explode"] is False, name
    for path in ("queryables", "sortables"):
        assert "application/schema+json" in media_types(doc, f"/collections/{RECORDS}/{path}"), path


def test_catalogue_links_to_sortables(client):
    """The catalogue's collection document links its sortables (rel ogc sortables), and the link is served."""
    links = client.get(f"/collections/{RECORDS}?f=json").json()["links"]
    (link,) = [x for x in links if x["rel"] == "http://www.opengis.net/def/rel/ogc/1.0/sortables"]
    r = client.get(urllib.parse.urlsplit(link["href"]).path)
    assert r.status_code == 200 and r.headers["content-type"] == link["type"] == "application/schema+json"


def _served_type(response) -> str:
    """A response's media type without parameters."""
    return response.headers["content-type"].split(";")[0].strip()


def test_declared_media_types_are_served(doc, client, feature_id):
    """For every GET path and every `f` value it declares, the 200 comes with a declared media type."""
    fill = {"{featureId}": feature_id, "{tileMatrixSetId}": "WebMercatorQuad"}
    checked = set()
    for path, item in doc["paths"].items():
        if "get" not in item or "{tileMatrix}" in path or "/jobs" in path:
            continue
        url = path
        for key, value in fill.items():
            url = url.replace(key, urllib.parse.quote(value, safe=""))
        if path.startswith(RECORD_ITEMS + "/"):
            url = f"{RECORD_ITEMS}/{FEATURES}"
        if path.startswith("/collections/land_use_codes/items/"):
            url = "/collections/land_use_codes/items/LANDUSE_TT08_2024.LUC"
        assert "{" not in url, path
        declared = {t.split(";")[0] for t in media_types(doc, path)}
        formats = parameters(doc, path).get("f")
        for f in enum(formats) if formats else [None]:
            r = client.get(url, params={"f": f} if f else None)
            assert r.status_code == 200, (url, f, r.text[:200])
            assert _served_type(r) in declared, (url, f, r.headers["content-type"], declared)
            checked.add(_served_type(r))
    tile = client.get(TILE)
    assert tile.status_code == 200 and _served_type(tile) in media_types(doc, TILE.rsplit("/16/", 1)[0]
                                                                           + "/{tileMatrix}/{tileRow}/{tileCol}")
    assert {"application/geo+json", "text/html", "text/csv", "application/ld+json",
            "application/schema+json"} <= checked


def test_errors_are_declared_as_served(doc, client):
    """A bad parameter is a declared 400 with a declared media type; an unknown feature a declared 404."""
    r = client.get(ITEMS, params={"bbox": "1,2"})
    assert r.status_code == 400 and _served_type(r) in media_types(doc, ITEMS, "400")
    r = client.get(f"{ITEMS}/no-such-feature")
    assert r.status_code == 404 and _served_type(r) in media_types(doc, f"{ITEMS}/{{featureId}}", "404")
    r = client.get("/collections/no-such-collection/items/x%0A")  # Starlette's own 404: an OGC exception too
    assert r.status_code == 404 and r.json()["code"] == "NotFound"


@pytest.mark.parametrize("path", [ITEMS, RECORD_ITEMS])
def test_parameter_examples_are_accepted(doc, client, path):
    """Every example the document gives for a query parameter is a value the server accepts (200)."""
    tried = 0
    for name, p in parameters(doc, path).items():
        if "example" not in p:
            continue
        value = p["example"]
        text = ",".join(str(v) for v in value) if isinstance(value, list) else str(value)
        r = client.get(path, params={name: text, "limit": "5"})
        assert r.status_code == 200, (name, text, r.text[:200])
        tried += 1
    assert tried >= 4


def test_runtime_openapi_covers_published_collections_only(doc, client):
    """The served document describes the published collection (with tiles) and not unpublished ones."""
    assert ITEMS in doc["paths"] and "/collections/cadastre_tuyenquang/items" not in doc["paths"]
    assert resolve(doc, doc["paths"][f"/collections/{FEATURES}/tiles"]["get"]["responses"]["200"])


def test_found_by_the_conformance_fuzz_run(client):
    """Regressions the schemathesis run found: a trailing newline is not the items page, an empty JSON-LD page is
    valid JSON, and the catalogue refuses CSV with a 400 (it used to fail with a 500 while streaming)."""
    r = client.get(f"{ITEMS}/%0A")
    assert r.status_code == 404 and r.json()["code"] == "NotFound"
    for path in (ITEMS, RECORD_ITEMS):
        r = client.get(path, params={"f": "jsonld", "filter": "id = 'none'"})
        assert r.status_code == 200 and r.json()["features"] == [], path
    r = client.get(RECORD_ITEMS, params={"f": "csv"})
    assert r.status_code == 400 and r.json()["description"].startswith("f:")
    every = client.get(RECORD_ITEMS, params={"lang": "vi"}).json()["numberMatched"]
    same = client.get(RECORD_ITEMS, params={"lang": "vi", "language": "vi"}).json()["numberMatched"]
    assert every >= 1 and same == every  # `language` compares the record's language code
