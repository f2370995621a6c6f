"""What the API makes of the framework's tables: a collection without geometry (features with a null geometry,
no spatial extent, no tiles, bbox refused), datetime on an instant column and on a validity period."""

from __future__ import annotations

import httpx
import pytest

from ingest.core.run import Options, run_ingest
from tests.api.serve import serving
from tests.ingest.framework.conftest import geojson


@pytest.fixture(scope="module")
def probe_api(probe_catalog, tmp_path_factory, hub_db):
    """The probe datasets published, and `hub serve` over them."""
    tmp = tmp_path_factory.mktemp("probe-api")
    run_ingest("probe_tables", [geojson(tmp / "t.geojson", [({"code": f"c{i}", "tags": "a,b", "level": i}, None)
                                                          for i in range(5)])], Options(force=True))
    run_ingest("probe_versioned", [geojson(tmp / "v1.geojson", [
        ({"uid": "79-26", "province": "79", "code": "ODT", "price": 1000, "from": "2026-01-01"}, None)])])
    run_ingest("probe_versioned", [geojson(tmp / "v2.geojson", [
        ({"uid": "79-27", "province": "79", "code": "ODT", "price": 1100, "from": "2027-01-01"}, None)])])
    run_ingest("probe_append", [geojson(tmp / "a.geojson", [
        ({"code": f"Z{h}", "station": "Z", "time": f"2026-03-01T{h:02d}:00:00+07:00", "level": h},
         (581000 + h, 1110000)) for h in range(6)])])
    home = tmp_path_factory.mktemp("probe-home")
    with serving(home, workers=1) as base, httpx.Client(base_url=base, timeout=30) as client:
        yield client


def test_collection_without_geometry_serves_records(probe_api):
    """Features with a null geometry; the collection has no tiles and refuses bbox with a 400 that says why."""
    r = probe_api.get("/collections/probe_tables/items", params={"f": "json"})
    assert r.status_code == 200, r.text
    doc = r.json()
    assert doc["numberMatched"] == 5 and all(f["geometry"] is None for f in doc["features"])
    assert probe_api.get("/collections/probe_tables/tiles").status_code == 404
    bad = probe_api.get("/collections/probe_tables/items", params={"bbox": "105,10,106,11"})
    assert bad.status_code == 400 and "no geometry" in bad.json()["description"]
    assert probe_api.get("/collections/probe_tags/items", params={"f": "json"}).json()["numberMatched"] == 10
    meta = probe_api.get("/collections/probe_tables", params={"f": "json"}).json()
    assert not any("tiles" in link["rel"] for link in meta["links"])


def test_datetime_on_validity_periods_and_instants(probe_api):
    """datetime on a versioned table returns the version valid then; on an instant column, the rows inside."""
    def prices(when: str) -> list:
        r = probe_api.get("/collections/probe_versioned/items", params={"f": "json", "datetime": when,
                                                                         "province": "79"})
        assert r.status_code == 200, r.text
        return [f["properties"]["price"] for f in r.json()["features"]]
    assert prices("2026-06-01") == [1000] and prices("2027-06-01") == [1100]
    assert sorted(prices("2026-06-01/2027-06-01")) == [1000, 1100]
    r = probe_api.get("/collections/probe_append/items",
                      params={"f": "json", "datetime": "2026-03-01T02:00:00+07:00/2026-03-01T03:30:00+07:00"})
    assert r.status_code == 200, r.text
    assert sorted(f["properties"]["code"] for f in r.json()["features"] if f["properties"]["station"] == "Z") \
        == ["Z2", "Z3"]
    naive = probe_api.get("/collections/probe_append/items", params={"datetime": "2026-03-01T02:00:00"})
    assert naive.status_code == 400
    meta = probe_api.get("/collections/probe_append", params={"f": "json"}).json()
    assert meta["extent"]["temporal"]["interval"][0][0] <= "2026-02-28T17:00:00Z"
