"""The download (enclosure) link: published with its type and a bilingual title, and describing a collection never
makes the server request its own items (pygeoapi used to HEAD `items?limit=10000` on every metadata request)."""

from __future__ import annotations

import time
import uuid

import pytest
import requests

from hub.api.features.enclosure import HubPrefetcher
from hub.settings import api_settings

ITEMS = "/collections/cadastre_cantho/items"
METADATA = [("/collections/cadastre_cantho", {"f": "json"}), ("/collections/cadastre_cantho", {"f": "html"}),
            ("/collections", {"f": "json"}), ("/collections", {"f": "html"}),
            ("/collections/cadastre_cantho", {"f": "json", "lang": "en"})]


def enclosures(doc: dict) -> list[dict]:
    """The enclosure links of a collection document."""
    return [link for link in doc["links"] if link["rel"] == "enclosure"]


def current_version(client) -> tuple[int, int]:
    """(version, row count) of cadastre_cantho as the catalogue reports them."""
    props = client.get("/collections/datasets/items/cadastre_cantho", params={"f": "json"}).json()["properties"]
    return props["version"], props["rowCount"]


def log_lines_after(path, offset: int, marker: str) -> list[str]:
    """Log lines written after `offset`, read once the line holding `marker` is there (waits at most 10 s)."""
    deadline = time.monotonic() + 10
    while True:
        with open(path, "rb") as fh:
            fh.seek(offset)
            lines = fh.read().decode("utf-8", "replace").splitlines()
        if any(marker in line for line in lines) or time.monotonic() > deadline:
            return lines
        time.sleep(0.1)


def test_describing_collections_makes_no_request_to_the_server_itself(client, server_log):
    """/collections and /collections/{id} (JSON and HTML): no HEAD or GET of items reaches the server."""
    offset = server_log.stat().st_size
    for path, params in METADATA:
        assert client.get(path, params=params).status_code == 200
    marker = uuid.uuid4().hex  # a request of our own after them: its access line proves the log is complete
    assert client.head(ITEMS, params={"f": "json", "limit": "7", "marker": marker}).status_code == 200
    lines = log_lines_after(server_log, offset, marker)
    items_lines = [line for line in lines if "/items" in line]
    assert len(items_lines) == 1 and marker in items_lines[0], items_lines
    assert sum('"GET /collections' in line for line in lines) == len(METADATA)


def test_enclosure_link_has_type_and_bilingual_title(client):
    """JSON: one enclosure, GeoJSON, the largest page, version and count in the title, no made-up length."""
    version, rows = current_version(client)
    limit = api_settings().max_limit
    titles = {}
    for lang in ("vi", "en"):
        doc = client.get("/collections/cadastre_cantho", params={"f": "json", "lang": lang}).json()
        (link,) = enclosures(doc)
        assert link["type"] == "application/geo+json" and "length" not in link
        assert link["href"].endswith(f"/collections/cadastre_cantho/items?f=json&limit={limit}")
        titles[lang] = link["title"]
    assert titles["vi"].startswith("Tải xuống GeoJSON") and f"phiên bản {version}" in titles["vi"]
    assert titles["en"].startswith("Download as GeoJSON") and f"version {version}" in titles["en"]
    assert all(str(rows) in t for t in titles.values())
    listing = client.get("/collections", params={"f": "json"}).json()["collections"]
    assert [len(enclosures(c)) for c in listing if c["id"] == "cadastre_cantho"] == [1]


def test_enclosure_link_on_html_page(client):
    """The HTML collection page links the download too (a <link rel="enclosure"> in its head)."""
    page = client.get("/collections/cadastre_cantho", params={"f": "html"}).text
    assert 'rel="enclosure" type="application/geo+json"' in page


def test_head_on_items_answers_with_the_get_headers_and_no_length(client):
    """HEAD: same status, ETag, type and CRS as GET; no body and no Content-Length (unknown without the page)."""
    params = {"f": "json", "limit": "10000"}
    head, get = client.head(ITEMS, params=params), client.get(ITEMS, params=params)
    assert head.status_code == get.status_code == 200
    for name in ("etag", "content-type", "content-crs", "last-modified"):
        assert head.headers[name] == get.headers[name], name
    assert head.content == b"" and "content-length" not in head.headers
    assert client.head(ITEMS, params=params, headers={"If-None-Match": get.headers["etag"]}).status_code == 304


@pytest.mark.parametrize("params", [{"limit": "x"}, {"bbox": "1,2,3"}, {"filter": "owner_name = 'a'"},
                                    {"sortby": "owner_name"}])
def test_head_on_items_validates_parameters(client, params):
    """A HEAD with a bad parameter is the same 400 as the GET."""
    assert client.head(ITEMS, params={"f": "json", **params}).status_code == 400


def test_prefetcher_answers_own_urls_without_a_request(monkeypatch):
    """Own URLs: length unknown (-1), no HTTP request at all; other hosts, ports or paths: pygeoapi's HEAD."""
    def no_network(*args, **kwargs):
        """Fail the test on any HTTP request."""
        raise AssertionError("the prefetcher made an HTTP request")

    monkeypatch.setattr(requests.Session, "request", no_network)
    pre = HubPrefetcher("http://127.0.0.1:5000/hub")
    headers = pre.get_headers("http://127.0.0.1:5000/hub/collections/x/items?f=json&limit=10000")
    assert headers["Content-Length"] == "-1" and "content-type" not in headers
    for other in ("http://127.0.0.1:5001/hub/x", "https://127.0.0.1:5000/hub/x", "http://example.org/hub/x",
                  "http://127.0.0.1:5000/hubx/items", "http://127.0.0.1:5000/other"):
        assert not pre.is_own(other), other
    assert pre.is_own("http://127.0.0.1:5000/hub")
