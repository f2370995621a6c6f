"""Items, CRS, paging, caching, tiles, records and the parcel report against a real `hub serve`."""

from __future__ import annotations

import gzip
import json

import pytest
from psycopg import sql
from pyproj import Transformer

from hub import crs as hubcrs
from hub.db.connect import connect

ITEMS = "/collections/cadastre_cantho/items"
EPSG = "http://www.opengis.net/def/crs/EPSG/0/"
BBOX = "105.742,10.022,105.746,10.025"


def db_count(hub_db, where: str = "TRUE", params=()) -> int:
    """Rows of the public view matching a condition (admin connection)."""
    with connect("admin", hub_db) as conn:
        return conn.execute(sql.SQL("SELECT count(*) FROM pub.cadastre_cantho WHERE ") + sql.SQL(where),
                            params).fetchone()[0]


def test_unfiltered_page_and_count(client, published):
    """numberMatched is the recorded count; default page 1000; a keyset `next` link."""
    r = client.get(ITEMS)
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/geo+json")
    body = r.json()
    assert body["numberMatched"] == published["count"] and body["numberReturned"] == 1000
    nxt = [link["href"] for link in body["links"] if link["rel"] == "next"][0]
    assert "cursor=" in nxt
    feature = body["features"][0]
    assert isinstance(feature["id"], str) and feature["properties"]["parcel_key"] == feature["id"]


def test_paging_covers_everything_and_never_sensitive(client, published, hub_db):
    """Following `next` links returns every public feature once; CQP/sensitive rows never appear."""
    ids, url = [], f"{ITEMS}?limit=700"
    while url:
        body = client.get(url).json()
        ids += [f["id"] for f in body["features"]]
        assert all(f["properties"]["land_use_codes"] not in ("CQP", "CAN") for f in body["features"])
        url = next((link["href"] for link in body["links"] if link["rel"] == "next"), None)
    assert len(ids) == len(set(ids)) == published["count"] == db_count(hub_db)
    sensitive = {r["parcel_key"] for r in published["rows"] if r["is_sensitive"]}
    assert len(sensitive) == published["summary"]["issues_by_rule"]["sensitive_land_use"]["count"] > 0
    assert not sensitive & set(ids)


def test_keyset_equals_offset(client):
    """Page 2 by cursor equals page 2 by offset."""
    first = client.get(f"{ITEMS}?limit=100").json()
    nxt = [link["href"] for link in first["links"] if link["rel"] == "next"][0]
    by_cursor = [f["id"] for f in client.get(nxt).json()["features"]]
    by_offset = [f["id"] for f in client.get(f"{ITEMS}?limit=100&offset=100").json()["features"]]
    assert by_cursor == by_offset and len(by_cursor) == 100


def test_filters_match_database(client, hub_db):
    """bbox, property, datetime, CQL2 text and JSON counts equal the database's."""
    x1, y1, x2, y2 = map(float, BBOX.split(","))
    in_bbox = db_count(hub_db, "ST_Intersects(geom, ST_MakeEnvelope(%s, %s, %s, %s, 4326))", (x1, y1, x2, y2))
    body = client.get(f"{ITEMS}?bbox={BBOX}&limit=5000").json()
    assert body["numberMatched"] == body["numberReturned"] == in_bbox > 0
    assert client.get(f"{ITEMS}?land_use_codes=ONT%2BCLN").json()["numberMatched"] == \
        db_count(hub_db, "land_use_codes = 'ONT+CLN'")
    for interval in ("2020-01-01/2021-12-31", "2021-06-16/..", "../2021-06-15"):  # one date per load (VALID_FROM)
        lo, hi = [None if v == ".." else v for v in interval.split("/")]
        assert client.get(f"{ITEMS}?datetime={interval}").json()["numberMatched"] == db_count(
            hub_db, "valid_from BETWEEN coalesce(%s::date, '-infinity') AND coalesce(%s::date, 'infinity')", (lo, hi))
    cql = "area_m2 > 465 AND land_use_codes LIKE 'LUC%'"  # declared areas 464-468 m² (computed ~465.8 m²)
    assert client.get(ITEMS, params={"filter": cql}).json()["numberMatched"] == \
        db_count(hub_db, "area_m2 > 465 AND land_use_codes LIKE 'LUC%%'") > 0
    doc = {"op": "in", "args": [{"property": "parcel_no"}, [1, 2, 3, 6]]}
    got = client.get(ITEMS, params={"filter": json.dumps(doc), "filter-lang": "cql2-json"}).json()
    assert got["numberMatched"] == db_count(hub_db, "parcel_no IN (1, 2, 3, 6)") == 3  # parcel 6 is sensitive
    hits = client.get(ITEMS, params={"filter": cql, "resulttype": "hits"}).json()
    assert hits["features"] == [] and hits["numberMatched"] > 0


def test_sortby_properties_skip_geometry(client):
    """sortby with keyset paging, properties subset, skipGeometry."""
    body = client.get(f"{ITEMS}?sortby=-area_m2,parcel_no&limit=400&properties=area_m2,parcel_no"
                      "&skipGeometry=true").json()
    areas = [f["properties"]["area_m2"] for f in body["features"]]
    known = [a for a in areas if a is not None]  # descending: parcels without a declared area come first
    assert 0 < len(known) < len(areas) and areas == [None] * (len(areas) - len(known)) + sorted(known, reverse=True)
    assert set(body["features"][0]["properties"]) == {"area_m2", "parcel_no"}
    assert body["features"][0]["geometry"] is None
    nxt = [link["href"] for link in body["links"] if link["rel"] == "next"][0]
    assert "cursor=" in nxt and "offset=" not in nxt


def test_crs_output_axis_order_precision_and_pinned_shift(client, published):
    """EPSG:4326/4756 are lat/lon; TM-3 output equals the pinned EPSG:6960 path to the millimetre."""
    fid = published["rows"][1]["parcel_key"]
    base = client.get(f"{ITEMS}/{fid}").json()
    lon, lat = base["geometry"]["coordinates"][0][0][0]
    r = client.get(f"{ITEMS}/{fid}", params={"crs": f"{EPSG}4326"})
    assert r.headers["content-crs"] == f"<{EPSG}4326>"
    assert r.json()["geometry"]["coordinates"][0][0][0] == [lat, lon]
    tm3 = client.get(f"{ITEMS}/{fid}", params={"crs": f"{EPSG}9209"}).json()["geometry"]["coordinates"][0][0][0]
    to_wgs = Transformer.from_pipeline(hubcrs.pipeline_to_wgs84(9209))
    back_lon, back_lat = to_wgs.transform(*tm3)
    assert abs(back_lon - lon) < 1e-7 and abs(back_lat - lat) < 1e-7  # ~1 cm incl. 3-decimal rounding
    vn = client.get(f"{ITEMS}/{fid}", params={"crs": f"{EPSG}4756"}).json()["geometry"]["coordinates"][0][0][0]
    vlon, vlat = hubcrs.to_vn2000_geographic(9209).transform(*tm3)
    assert abs(vn[1] - vlon) < 1e-7 and abs(vn[0] - vlat) < 1e-7  # both outputs through the pinned SRIDs
    assert abs(vn[1] - lon) > 1e-4  # VN-2000 differs from WGS 84 by ~200 m: a shift was applied
    body = client.get(ITEMS, params={"bbox": "10.022,105.742,10.025,105.746", "bbox-crs": f"{EPSG}4326",
                                     "limit": 5000}).json()
    assert body["numberMatched"] == client.get(f"{ITEMS}?bbox={BBOX}").json()["numberMatched"]


def test_degree_precision_at_least_8_decimals(client, hub_db, published):
    """Coordinates keep 8+ decimals (here: the stored values round-trip exactly)."""
    fid = published["rows"][1234]["parcel_key"]
    with connect("admin", hub_db) as conn:
        conn.execute("SET ROLE hub_owner")
        conn.execute("UPDATE cadastre.cadastre_cantho SET geom = ST_Translate(geom, 0.000000012, 0) "
                     "WHERE parcel_key = %s", (fid,))
        conn.commit()
    coords = client.get(f"{ITEMS}/{fid}").json()["geometry"]["coordinates"][0][0][0]
    assert len(repr(coords[0]).split(".")[1]) >= 8


def test_etag_304_gzip(client):
    """ETag / Last-Modified / Cache-Control; 304 on If-None-Match; gzip on request."""
    r = client.get(f"{ITEMS}?limit=200", headers={"Accept-Encoding": "gzip"})
    assert r.headers["content-encoding"] == "gzip" and r.headers["cache-control"].startswith("public")
    assert "last-modified" in r.headers and r.headers["etag"].startswith('W/"cadastre_cantho-v')
    again = client.get(f"{ITEMS}?limit=200", headers={"If-None-Match": r.headers["etag"]})
    assert again.status_code == 304 and again.content == b""
    raw = client.get(f"{ITEMS}?limit=200", headers={"Accept-Encoding": "identity"})
    assert json.loads(raw.content)["numberReturned"] == 200 and gzip


def test_item_and_unknown(client):
    """String ids; unknown ids and collections are 404."""
    assert client.get(f"{ITEMS}/31150.1.1").json()["id"] == "31150.1.1"
    assert client.get(f"{ITEMS}/31150.1.1/").status_code == 200
    assert client.get(f"{ITEMS}/nope").status_code == 404
    assert client.get("/collections/nope/items").status_code == 404


def test_html_goes_through_pygeoapi(client):
    """HTML pages are pygeoapi's, rendered by the same provider."""
    r = client.get(f"{ITEMS}?f=html&limit=5")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    assert client.get(f"{ITEMS}/31150.1.1?f=html").status_code == 200


def test_vector_tiles(client):
    """MVT in WebMercatorQuad at the catalog's zoom levels with public attributes only."""
    meta = client.get("/collections/cadastre_cantho/tiles").json()
    assert meta["tilesets"][0]["tileMatrixSetURI"].endswith("WebMercatorQuad")
    # tile z=16 containing lon 105.744, lat 10.024
    r = client.get("/collections/cadastre_cantho/tiles/WebMercatorQuad/16/30933/52018")
    assert r.status_code == 200 and r.headers["content-type"] == "application/vnd.mapbox-vector-tile"
    assert len(r.content) > 1000 and b"parcel_key" in r.content and b"owner_name" not in r.content
    assert client.get("/collections/cadastre_cantho/tiles/WebMercatorQuad/5/15/25").status_code == 404
    assert client.get("/collections/cadastre_cantho/tiles/WebMercatorQuad/16/99999/1").status_code == 400


def test_records_catalogue(client, published):
    """OGC API Records: one record per published dataset, with counts and links."""
    body = client.get("/collections/datasets/items?f=json").json()
    rec = {f["id"]: f for f in body["features"]}["cadastre_cantho"]
    assert rec["properties"]["rowCount"] == published["count"] and rec["properties"]["license"] == "CC-BY-4.0"
    assert {link["rel"] for link in rec["links"]} >= {"collection", "enclosure", "license"}
    assert client.get("/collections/datasets/items/cadastre_cantho?f=json").json()["id"] == "cadastre_cantho"


@pytest.mark.parametrize("inputs", [{"parcel_key": "31150.1.2"},
                                    {"old_commune_code": "31150", "sheet_no": 1, "parcel_no": 2},
                                    {"lon": 105.7403, "lat": 10.0201}])
def test_parcel_report(client, inputs):
    """The report finds the parcel and names its land-use codes in Vietnamese and English."""
    r = client.post("/processes/parcel-report/execution", json={"inputs": inputs})
    assert r.status_code == 200, r.text
    parcel = r.json()["parcels"][0]
    cadastre = parcel["sections"]["cadastre"]["data"]
    assert parcel["id"] == "31150.1.2" and cadastre["attributes"]["land_use_codes"] == "ONT+CLN"
    assert [u["name_vi"] for u in cadastre["land_use"]] == ["Đất ở tại nông thôn", "Đất trồng cây lâu năm"]


def test_parcel_report_rejects_bad_inputs(client):
    """Invalid references are 400; a sensitive parcel is not found."""
    for inputs in ({}, {"lon": "x", "lat": 1}, {"parcel_key": "x" * 500}, {"lon": 1e300, "lat": 0}):
        assert client.post("/processes/parcel-report/execution", json={"inputs": inputs}).status_code == 400
    r = client.post("/processes/parcel-report/execution", json={"inputs": {"parcel_key": "31150.1.6"}})
    assert r.status_code == 200 and r.json()["count"] == 0


def test_html_pages_refuse_unpinned_crs(client):
    """HTML goes through pygeoapi's own CRS code (not pinned to EPSG:6960): a VN-2000 crs/bbox-crs is refused there
    with a pointer to GeoJSON, where the pinned path applies."""
    uri = "http://www.opengis.net/def/crs/EPSG/0/9209"
    for params in ({"f": "html", "crs": uri}, {"f": "html", "bbox-crs": uri, "bbox": "580000,1110000,581000,1111000"}):
        r = client.get("/collections/cadastre_cantho/items", params=params)
        assert r.status_code == 400 and "f=json" in r.text
    ok = client.get("/collections/cadastre_cantho/items", params={"f": "json", "crs": uri, "limit": 1})
    assert ok.status_code == 200 and ok.headers["content-crs"] == f"<{uri}>"
    html = client.get("/collections/cadastre_cantho/items", params={"f": "html", "limit": 1})
    assert html.status_code == 200
