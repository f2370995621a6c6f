"""Every conformance class in /conformance that has query parameters is backed by the OpenAPI document (the
parameters and paths it requires are declared) and by the server (a request using them succeeds)."""

from __future__ import annotations

import pytest

from tests.api.oas_tools import CRS84, FEATURES, RECORDS, enum, parameters

FEATURES_2 = "http://www.opengis.net/spec/ogcapi-features-2/1.0/conf/"
FEATURES_3 = "http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/"
CQL2 = "http://www.opengis.net/spec/cql2/1.0/conf/"
RECORDS_1 = "http://www.opengis.net/spec/ogcapi-records-1/1.0/conf/"
ITEMS = f"/collections/{FEATURES}/items"
RECORD_ITEMS = f"/collections/{RECORDS}/items"
VN2000 = "http://www.opengis.net/def/crs/EPSG/0/9210"

# class -> {path: parameters the OpenAPI must declare there}
REQUIRED = {
    FEATURES_2 + "crs": {ITEMS: {"crs", "bbox-crs"}, ITEMS + "/{featureId}": {"crs"}},
    FEATURES_3 + "filter": {ITEMS: {"filter", "filter-lang", "filter-crs"}},
    FEATURES_3 + "features-filter": {ITEMS: {"filter", "filter-lang", "filter-crs"}},
    FEATURES_3 + "queryables": {f"/collections/{FEATURES}/queryables": {"f"}},
    RECORDS_1 + "record-core-query-parameters": {
        RECORD_ITEMS: {"bbox", "datetime", "limit", "q", "type", "ids", "externalIds"}},
    RECORDS_1 + "sorting": {RECORD_ITEMS: {"sortby"}},
    RECORDS_1 + "searchable-catalog/sorting": {RECORD_ITEMS: {"sortby"}, f"/collections/{RECORDS}/sortables": set()},
    RECORDS_1 + "cql-filter": {RECORD_ITEMS: {"filter", "filter-lang"}},
    RECORDS_1 + "searchable-catalog/filtering": {RECORD_ITEMS: {"filter", "filter-lang"},
                                                 f"/collections/{RECORDS}/queryables": {"f"}},
}

# class -> (path, query) a conforming server answers with 200
PROBES = {
    FEATURES_2 + "crs": (ITEMS, {"crs": VN2000, "bbox-crs": VN2000, "bbox": "580000,1100000,600000,1120000",
                                 "limit": "1"}),
    FEATURES_3 + "filter": (ITEMS, {"filter": "sheet_no >= 1 AND parcel_no < 1000", "filter-lang": "cql2-text",
                                    "filter-crs": CRS84, "limit": "1"}),
    FEATURES_3 + "features-filter": (ITEMS, {"filter": '{"op": ">=", "args": [{"property": "sheet_no"}, 1]}',
                                             "filter-lang": "cql2-json", "limit": "1"}),
    FEATURES_3 + "queryables": (f"/collections/{FEATURES}/queryables", {"f": "json"}),
    RECORDS_1 + "record-core-query-parameters": (RECORD_ITEMS, {
        "q": "cần thơ", "type": "dataset", "ids": FEATURES, "bbox": "102,8,110,24", "datetime": "2000-01-01/..",
        "limit": "5"}),
    RECORDS_1 + "sorting": (RECORD_ITEMS, {"sortby": "-rowCount,title"}),
    RECORDS_1 + "searchable-catalog/sorting": (f"/collections/{RECORDS}/sortables", {}),
    RECORDS_1 + "cql-filter": (RECORD_ITEMS, {"filter": "type = 'dataset'", "filter-lang": "cql2-text"}),
    RECORDS_1 + "searchable-catalog/filtering": (f"/collections/{RECORDS}/queryables", {"f": "json"}),
}


@pytest.fixture(scope="module")
def conformance(client) -> set[str]:
    """The declared conformance classes."""
    return set(client.get("/conformance?f=json").json()["conformsTo"])


@pytest.fixture(scope="module")
def doc(client) -> dict:
    """The served OpenAPI document."""
    return client.get("/openapi?f=json").json()


@pytest.mark.parametrize("conf_class", sorted(REQUIRED))
def test_conformance_class_backed_by_openapi_and_server(conf_class, conformance, doc, client):
    """The class is declared, the OpenAPI declares what it requires, and a request using it succeeds."""
    assert conf_class in conformance
    for path, names in REQUIRED[conf_class].items():
        assert path in doc["paths"], (conf_class, path)
        missing = names - set(parameters(doc, path))
        assert not missing, (conf_class, path, missing)
    path, query = PROBES[conf_class]
    r = client.get(path, params=query)
    assert r.status_code == 200, (conf_class, r.text[:300])


def test_crs_class_lists_match_collection(conformance, doc, client):
    """Part 2: the declared crs values are the collection's `crs` list, storageCrs among them; Content-Crs is set."""
    assert FEATURES_2 + "crs" in conformance
    coll = client.get(f"/collections/{FEATURES}?f=json").json()
    assert enum(parameters(doc, ITEMS)["crs"]) == coll["crs"] and coll["storageCrs"] in coll["crs"]
    r = client.get(ITEMS, params={"crs": VN2000, "limit": "1"})
    assert r.headers["content-crs"] == f"<{VN2000}>"


def test_filter_languages_match_cql2_classes(conformance, doc):
    """`filter-lang` offers exactly the CQL2 encodings declared at /conformance."""
    declared = {lang for lang in ("cql2-text", "cql2-json") if CQL2 + lang in conformance}
    assert declared == {"cql2-text", "cql2-json"}
    for path in (ITEMS, RECORD_ITEMS):
        assert set(enum(parameters(doc, path)["filter-lang"])) == declared, path


def test_queryables_query_parameters_class(conformance, doc, client):
    """queryables-query-parameters: every simple queryable is also a `name=value` parameter of items."""
    assert FEATURES_3 + "queryables-query-parameters" in conformance
    queryables = client.get(f"/collections/{FEATURES}/queryables?f=json").json()["properties"]
    simple = {n for n, s in queryables.items() if s.get("type") in ("string", "integer", "number", "boolean")}
    assert simple and simple <= set(parameters(doc, ITEMS))
    r = client.get(ITEMS, params={"sheet_no": "1", "limit": "1"})
    assert r.status_code == 200 and all(f["properties"]["sheet_no"] == 1 for f in r.json()["features"])
