"""The parcel report: sections with citations, disclaimer, geometry, commune names, links, an honest validity
date, and an answer that says what was searched when nothing is found (real `hub serve`)."""

from __future__ import annotations

import shapely.geometry

from hub.api.processes import sections
from hub.api.processes.parcel_report import PROCESS_METADATA

EXEC = "/processes/parcel-report/execution"


def _run(client, inputs, lang="en"):
    """Execute the process; the JSON answer."""
    r = client.post(EXEC, json={"inputs": inputs}, headers={"Accept-Language": lang})
    assert r.status_code == 200, r.text
    return r.json()


def test_report_cites_its_source(client, published):
    """Dataset, version, publication date, attribution, licence and the catalogue record are cited."""
    body = _run(client, {"parcel_key": "31150.1.2"})
    src = body["parcels"][0]["sections"]["cadastre"]["sources"][0]
    assert src["dataset"] == "cadastre_cantho" and src["version"] == published["version"]
    assert src["published"] and src["licence"] == "CC-BY-4.0" and src["licence_url"].startswith("https://creativecommons")
    assert "Cần Thơ" in src["attribution"] and src["record"].endswith("/collections/datasets/items/cadastre_cantho")
    assert body["sources"] == [src]
    assert body["disclaimer"].startswith("Information only, not a certified extract")


def test_report_geometry_commune_links(client):
    """The parcel's geometry (WGS 84), its item links, and commune codes with names when the reference has them."""
    body = _run(client, {"lon": 105.7403, "lat": 10.0201})
    parcel = body["parcels"][0]
    geom = shapely.geometry.shape(parcel["geometry"])
    assert geom.geom_type == "MultiPolygon" and geom.contains(shapely.geometry.Point(105.7403, 10.0201))
    hrefs = {link["type"]: link["href"] for link in parcel["links"]}
    assert hrefs["text/html"].endswith("/collections/cadastre_cantho/items/31150.1.2?f=html")
    assert client.get(hrefs["application/geo+json"]).status_code == 200
    communes = parcel["sections"]["cadastre"]["data"]["communes"]
    assert communes["old_commune"]["code"] == "31150" and communes["old_commune"]["admin_version"] == "GSO-2025-06-30"
    assert communes["old_commune"]["name"]  # the national reference names every commune code


def test_valid_from_says_what_it_is(client, published):
    """The test data was loaded with --valid-from: the date is labelled as stated at load, not as a survey date."""
    vf = _run(client, {"parcel_key": "31150.1.2"})["parcels"][0]["sections"]["cadastre"]["data"]["valid_from"]
    assert vf["value"] == "2021-06-15" and vf["basis"] == "stated_at_load"
    vi = _run(client, {"parcel_key": "31150.1.2"}, "vi")["parcels"][0]["sections"]["cadastre"]["data"]["valid_from"]
    assert "khai báo" in vi["note"]


def test_nothing_found_says_what_was_searched(client):
    """A point in the sea and a key that does not exist: count 0, the reference, the collections searched, and
    whether the point is inside any coverage; in the reader's language."""
    sea = _run(client, {"lon": 107.5, "lat": 8.5})
    assert sea["count"] == 0 and sea["searched"]["by"] == "point"
    assert sea["searched"]["collections"] == ["cadastre_cantho"] and sea["searched"]["covering"] == []
    assert "outside the coverage" in sea["searched"]["message"]
    gap = _run(client, {"parcel_key": "31150.999.999"}, "vi")
    assert gap["count"] == 0 and gap["searched"]["parcel_key"] == "31150.999.999"
    assert "không có thửa" in gap["searched"]["message"] and gap["disclaimer"].startswith("Thông tin tham khảo")


def test_one_kind_of_reference(client):
    """Two kinds of reference at once are a 400 that lists the four kinds."""
    r = client.post(EXEC, json={"inputs": {"parcel_key": "31150.1.2", "lon": 105.74, "lat": 10.02}})
    assert r.status_code == 400 and "exactly one kind" in r.text


def test_sections_registry(client, monkeypatch):
    """A section registered by dotted path is run for every parcel; one that fails is reported unavailable while
    the cadastre section still answers (in-process: the registry is per process)."""
    from hub.api.processes import parcel_report

    monkeypatch.setitem(sections._REGISTRY, "probe", "tests.api.test_parcel_report:probe_section")
    monkeypatch.setitem(sections._REGISTRY, "broken", "tests.api.test_parcel_report:broken_section")
    body = parcel_report.report({"parcel_key": "31150.1.2", "date": "2024-01-01"}, "en")
    secs = body["parcels"][0]["sections"]
    assert list(secs) == ["cadastre", "probe", "broken"]
    assert secs["probe"]["data"] == {"seen": "31150.1.2", "date": "2024-01-01"}
    assert secs["probe"]["sources"] == [{"dataset": "probe", "version": 1}]
    assert secs["broken"]["data"] is None and "temporarily unavailable" in secs["broken"]["unavailable"]
    assert secs["cadastre"]["data"]["attributes"]["parcel_key"] == "31150.1.2"
    assert {s["dataset"] for s in body["sources"]} == {"cadastre_cantho", "probe"}


def probe_section(conn, parcel, date):
    """A test section: echoes what it was given, reads nothing."""
    return sections.Section(data={"seen": parcel.id, "date": date.isoformat()}, sources=[{"dataset": "probe",
                                                                                         "version": 1}])


def broken_section(conn, parcel, date):
    """A test section that fails."""
    raise RuntimeError("boom")


def test_process_description_is_bilingual_and_example_exists_in_demo():
    """Every input has a title and description in both languages; the example is the demo parcel 31207.1.1
    (its presence in the demo data is checked in tests/ingest/test_sample_outcomes.py)."""
    for spec in PROCESS_METADATA["inputs"].values():
        assert set(spec["title"]) == set(spec["description"]) == {"vi", "en"}
    assert PROCESS_METADATA["example"] == {"inputs": {"parcel_key": "31207.1.1"}}
