"""OGC API Records catalogue (/collections/datasets): Part 1 query parameters, sorting, CQL2 filtering, conformance.

The test database publishes one dataset (cadastre_cantho), so each request either finds that record or nothing.
"""

from __future__ import annotations

import json
import unicodedata

import pytest

from tests.api.test_security import assert_safe

RECORDS = "/collections/datasets/items"
RECORDS_1 = "http://www.opengis.net/spec/ogcapi-records-1/1.0/conf/"
FOUND, NONE = ["cadastre_cantho"], []


def ids(client, **params) -> list[str]:
    """Ids of the records a JSON request returns (200 required)."""
    r = client.get(RECORDS, params={"f": "json", **params})
    assert r.status_code == 200, r.text[:300]
    assert r.headers["content-type"].startswith("application/geo+json")
    body = r.json()
    assert body["numberReturned"] == len(body["features"])
    return [f["id"] for f in body["features"]]


def test_conformance_declares_what_the_catalogue_implements(client):
    """Searchable catalogue, core query parameters, sorting and CQL2 filtering; no OpenSearch."""
    classes = set(client.get("/conformance", params={"f": "json"}).json()["conformsTo"])
    for name in ("record-core", "record-collection", "records-api", "record-core-query-parameters",
                 "searchable-catalog", "sorting", "searchable-catalog/sorting", "cql-filter",
                 "searchable-catalog/filtering", "json", "html"):
        assert RECORDS_1 + name in classes, name
    assert RECORDS_1 + "opensearch" not in classes


@pytest.mark.parametrize("q, expected", [
    ("thua dat", FOUND), ("Thửa đất", FOUND), ("THỬA ĐẤT", FOUND), ("thửa    đất", FOUND),
    (unicodedata.normalize("NFD", "Thửa đất địa chính"), FOUND), ("can tho", FOUND), ("Cần Thơ", FOUND),
    ("cadastral parcels", FOUND), ("khong tim thay,thua dat", FOUND), ("VN-2000", FOUND),
    ("dat thua", NONE), ("khong tim thay", NONE), ("rừng phòng hộ", NONE), ("", FOUND),
])
def test_q_is_accent_and_case_insensitive(client, q, expected):
    """`q`: words in order (any spacing), comma = OR, in either language; accents and case ignored."""
    assert ids(client, q=q) == expected


@pytest.mark.parametrize("params, expected", [
    ({"bbox": "105.7,10.0,105.8,10.1"}, FOUND), ({"bbox": "105.745,10.025,105.746,10.026"}, FOUND),
    ({"bbox": "100,20,101,21"}, NONE), ({"bbox": "105.7,10.0,0,105.8,10.1,10"}, FOUND),
    ({"bbox": "105.7,10.0,105.8,10.1", "bbox-crs": "http://www.opengis.net/def/crs/OGC/1.3/CRS84"}, FOUND),
    ({"datetime": "2021-06-15"}, FOUND), ({"datetime": "2021-01-01/2021-12-31"}, FOUND),
    ({"datetime": "../2021-06-15T00:00:00Z"}, FOUND), ({"datetime": "2022-01-01/.."}, NONE),
    ({"datetime": "2020-01-01T00:00:00Z/2020-12-31T23:59:59Z"}, NONE),
    ({"type": "dataset"}, FOUND), ({"type": "service,dataset"}, FOUND), ({"type": "service"}, NONE),
    ({"ids": "cadastre_cantho"}, FOUND), ({"ids": "nope,cadastre_cantho"}, FOUND), ({"ids": "cadastre"}, NONE),
    ({"externalIds": "cadastre_cantho"}, NONE), ({"externalIds": "hub:cadastre_cantho"}, NONE),
    ({"license": "CC-BY-4.0"}, FOUND), ({"license": "CC0-1.0"}, NONE),
    ({"q": "thua dat", "type": "dataset", "bbox": "105,10,106,11"}, FOUND),
    ({"q": "thua dat", "type": "service"}, NONE),
])
def test_core_query_parameters(client, params, expected):
    """bbox, datetime, type, ids, externalIds (records carry none) and property values; all of them ANDed."""
    assert ids(client, **params) == expected


def test_limit_offset_hits_and_links(client):
    """limit/offset page the records with next/prev links; resulttype=hits counts without records."""
    first = client.get(RECORDS, params={"f": "json", "limit": "1"}).json()
    assert first["numberMatched"] == 1 and first["numberReturned"] == 1
    assert {link["rel"] for link in first["links"]} == {"self", "alternate", "collection"}
    after = client.get(RECORDS, params={"f": "json", "limit": "1", "offset": "1"}).json()
    assert after["features"] == [] and after["numberMatched"] == 1
    (prev,) = [link for link in after["links"] if link["rel"] == "prev"]
    assert "offset=0" in prev["href"] and "limit=1" in prev["href"]
    hits = client.get(RECORDS, params={"f": "json", "resulttype": "hits"}).json()
    assert hits["numberMatched"] == 1 and hits["features"] == []
    assert ids(client, limit="100000") == FOUND  # capped, not refused


def test_sortby_and_sortables(client):
    """Every sortable is accepted in both directions; /sortables lists exactly them as a JSON Schema."""
    r = client.get("/collections/datasets/sortables")
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/schema+json")
    schema = r.json()
    assert schema["type"] == "object" and schema["additionalProperties"] is False
    assert set(schema["properties"]) == {"id", "type", "title", "license", "updated", "version", "rowCount"}
    for name in schema["properties"]:
        assert ids(client, sortby=f"-{name}") == FOUND
        assert ids(client, sortby=f"+{name},id") == FOUND


def test_queryables_are_what_filters_accept(client):
    """/queryables (JSON) lists the mandatory `id`, the footprint and every property a filter may name."""
    r = client.get("/collections/datasets/queryables", params={"f": "json"})
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/schema+json")
    props = r.json()["properties"]
    assert props["id"]["x-ogc-role"] == "id" and props["geometry"]["x-ogc-role"] == "primary-geometry"
    assert {"type", "title", "description", "updated", "rowCount"} <= set(props)
    for name in props:
        assert ids(client, filter=f"{name} IS NULL OR NOT ({name} IS NULL)") == FOUND, name


@pytest.mark.parametrize("cql, expected", [
    ("id = 'cadastre_cantho'", FOUND), ("id <> 'cadastre_cantho'", NONE),
    ("type = 'dataset' AND rowCount > 1000", FOUND), ("rowCount < 1000", NONE),
    ("version BETWEEN 1 AND 100", FOUND), ("version NOT BETWEEN 1 AND 100", NONE),
    ("license IN ('CC0-1.0', 'CC-BY-4.0')", FOUND), ("license NOT IN ('CC-BY-4.0')", NONE),
    ("title LIKE '%Can Tho%'", FOUND), ("title LIKE 'Can Tho%'", NONE), ("title NOT LIKE '%Can Tho%'", NONE),
    ("title LIKE 'Cadastral parcels _ Can Tho City'", FOUND), ("CASEI(title) LIKE '%can tho%'", FOUND),
    ("title IS NULL", NONE), ("NOT (title IS NULL)", FOUND), ("language = 'en'", FOUND),
    ("S_INTERSECTS(geometry, BBOX(105.7, 10.0, 105.8, 10.1))", FOUND),
    ("S_INTERSECTS(geometry, POINT(105 21))", NONE),
    ("S_WITHIN(geometry, POLYGON((105 9, 106 9, 106 11, 105 11, 105 9)))", FOUND),
    ("T_AFTER(updated, TIMESTAMP('2020-01-01T00:00:00Z'))", FOUND),
    ("T_BEFORE(updated, DATE('2020-01-01'))", NONE),
    ("T_DURING(updated, INTERVAL('2020-01-01', '..'))", FOUND),
    ("updated > TIMESTAMP('2020-01-01T00:00:00Z') OR version = 0", FOUND), ("TRUE", FOUND), ("FALSE", NONE),
])
def test_cql2_text_filter(client, cql, expected):
    """CQL2 text (default and filter-lang=cql2-text) is evaluated on the record properties (lang=en)."""
    assert ids(client, filter=cql, lang="en") == expected
    assert ids(client, filter=cql, lang="en", **{"filter-lang": "cql2-text"}) == expected


@pytest.mark.parametrize("cql, expected", [
    ("ACCENTI(CASEI(title)) LIKE '%thua dat%'", FOUND), ("title LIKE 'Thửa đất%'", FOUND),
    ("title LIKE '%thua dat%'", NONE), ("ACCENTI(title) LIKE 'Thua dat dia chinh%'", FOUND),
    ("ACCENTI(title) LIKE 'Thửa%'", NONE),
])
def test_cql2_text_filter_in_vietnamese(client, cql, expected):
    """Filters see the Vietnamese record with lang=vi; ACCENTI/CASEI make comparisons accent/case-insensitive."""
    assert ids(client, filter=cql, lang="vi") == expected


@pytest.mark.parametrize("doc, expected", [
    ({"op": "=", "args": [{"property": "id"}, "cadastre_cantho"]}, FOUND),
    ({"op": "and", "args": [{"op": ">", "args": [{"property": "rowCount"}, 1000]},
                            {"op": "s_intersects", "args": [{"property": "geometry"}, {"bbox": [105, 10, 106, 11]}]}]},
     FOUND),
    ({"op": "like", "args": [{"op": "casei", "args": [{"property": "title"}]}, "%can tho%"]}, FOUND),
    ({"op": "t_before", "args": [{"property": "updated"}, {"timestamp": "2000-01-01T00:00:00Z"}]}, NONE),
])
def test_cql2_json_filter(client, doc, expected):
    """CQL2 JSON in the `filter` parameter with filter-lang=cql2-json."""
    assert ids(client, filter=json.dumps(doc), lang="en", **{"filter-lang": "cql2-json"}) == expected


HOSTILE = [
    {"filter": "owner_name = 'x'"}, {"filter": "loadId = 1"}, {"filter": "__import__('os').system('id')"},
    {"filter": "id = 'a'; DROP TABLE meta.published"}, {"filter": "title = 5"}, {"filter": "UPPER(title) = 'A'"},
    {"filter": "rowCount LIKE '1%'"}, {"filter": "S_INTERSECTS(title, POINT(1 2))"},
    {"filter": "T_AFTER(title, DATE('2020-01-01'))"}, {"filter": "title LIKE '" + "%a" * 600 + "'"},
    {"filter": "(" * 200 + "TRUE" + ")" * 200}, {"filter": "{{7*7}}"}, {"filter": "id = 'a"},
    {"filter": "title = 'x'", "filter-lang": "ecql"}, {"filter": "TRUE", "filter-crs": "EPSG:3857"},
    {"filter": '{"op": "exec", "args": []}', "filter-lang": "cql2-json"},
    {"q": "x" * 3000}, {"ids": "a,,b"}, {"ids": ",".join(f"id{i}" for i in range(101))},
    {"type": ""}, {"externalIds": "a:b:c"}, {"bbox": "1,2,3"}, {"bbox": "nan,0,1,1"}, {"bbox": "0,0,1e400,1"},
    {"bbox": "2,0,1,1"}, {"bbox": "0,0,1,1", "bbox-crs": "http://www.opengis.net/def/crs/EPSG/0/3405"},
    {"bbox-crs": "http://www.opengis.net/def/crs/OGC/1.3/CRS84"}, {"datetime": "yesterday"},
    {"datetime": "2021-02-30"}, {"datetime": "../.."}, {"datetime": "2022-01-01/2021-01-01"},
    {"limit": "0"}, {"limit": "-1"}, {"limit": "1e3"}, {"offset": "-1"}, {"resulttype": "all"},
    {"sortby": "loadId"}, {"sortby": "title;DROP TABLE x"}, {"sortby": "keywords"}, {"sortby": ","},
]


@pytest.mark.parametrize("params", HOSTILE, ids=lambda p: json.dumps(p)[:60])
def test_hostile_values_are_400(client, params):
    """Every bad or hostile value: 400 (413 for an oversized filter) at once, nothing leaked."""
    assert_safe(client.get(RECORDS, params={"f": "json", **params}), 400, 413)


@pytest.mark.parametrize("params", [{"filter": "owner_name = 'x'"}, {"sortby": "loadId"}, {"datetime": "x"},
                                    {"filter": '{"op": "=", "args": [1, 1]}', "filter-lang": "cql2-json"}])
def test_hostile_values_are_400_in_html(client, params):
    """The HTML catalogue pages are checked by the same rules before pygeoapi renders them."""
    assert_safe(client.get(RECORDS, params={"f": "html", **params}), 400)


@pytest.mark.parametrize("params, found", [
    ({"q": "thua dat"}, True), ({"q": "khong tim thay"}, False), ({"ids": "cadastre_cantho"}, True),
    ({"ids": "nope"}, False), ({"filter": "rowCount > 1000", "filter-lang": "cql2-text"}, True),
    ({"filter": "rowCount < 1000"}, False), ({"sortby": "-title", "type": "dataset"}, True),
])
def test_html_catalogue_filters_like_json(client, params, found):
    """pygeoapi's HTML page lists the records the JSON answer would."""
    r = client.get(RECORDS, params={"f": "html", **params})
    assert r.status_code == 200
    assert ('"id":"cadastre_cantho"' in r.text) == found


def test_record_language_and_links(client):
    """lang picks the record's language (and says so); the enclosure link matches the collection's."""
    vi = client.get(RECORDS, params={"f": "json", "lang": "vi"}).json()["features"][0]
    en = client.get(RECORDS, params={"f": "json", "lang": "en"}).json()["features"][0]
    assert vi["properties"]["language"] == {"code": "vi"} and vi["properties"]["title"].startswith("Thửa đất")
    assert en["properties"]["language"] == {"code": "en"} and en["properties"]["title"].startswith("Cadastral")
    assert vi["conformsTo"] == [RECORDS_1 + "record-core"]
    (link,) = [link for link in en["links"] if link["rel"] == "enclosure"]
    assert link["type"] == "application/geo+json" and link["title"].startswith("Download as GeoJSON")
