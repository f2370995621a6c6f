"""The items fast path: buffered vs streamed pages, pipelined counts, connection release on disconnect."""

from __future__ import annotations

import socket
import struct
import urllib.parse

import httpx

from hub.api.features import fastpath

ITEMS = "/collections/cadastre_cantho/items"
BBOX = "105.742,10.022,105.746,10.025"


def _ids(body: dict) -> list[str]:
    """Feature ids of a page."""
    return [f["id"] for f in body["features"]]


def _next(body: dict) -> str | None:
    """The `next` href of a page, if any."""
    return next((link["href"] for link in body["links"] if link["rel"] == "next"), None)


def test_streamed_page_equals_buffered_pages(client, published):
    """A page above BUFFERED_MAX (server cursor, several FETCHes) holds the same features as buffered pages."""
    big = fastpath.BUFFERED_MAX + fastpath.CHUNK_ROWS // 2
    assert big < published["count"]
    plain = {"Accept-Encoding": "identity"}
    r = client.get(ITEMS, params={"limit": big}, headers=plain)
    assert r.status_code == 200 and "content-length" not in r.headers  # streamed (chunked)
    streamed = r.json()
    assert streamed["numberReturned"] == big == len(streamed["features"])
    assert streamed["numberMatched"] == published["count"]
    small = client.get(ITEMS, params={"limit": fastpath.BUFFERED_MAX}, headers=plain)
    assert small.headers.get("content-length") == str(len(small.content))  # buffered: one body
    first = small.json()
    second = client.get(_next(first)).json()
    assert _ids(streamed) == (_ids(first) + _ids(second))[:big]
    following = client.get(_next(streamed)).json()  # keyset cursor after the last streamed feature
    assert following["features"][0]["id"] == (_ids(first) + _ids(second))[big]


def test_streamed_last_page_has_no_next(client, published):
    """A streamed page that reaches the end of the data has no `next` link and returns exactly the rest."""
    n = published["count"]
    r = client.get(ITEMS, params={"limit": n + 10}).json()
    assert r["numberReturned"] == n and _next(r) is None
    r = client.get(ITEMS, params={"limit": n}).json()
    assert r["numberReturned"] == n and _next(r) is None


def test_filtered_count_and_hits_in_one_pipeline(client):
    """numberMatched of a filtered page equals resulttype=hits and the number of features when all fit."""
    hits = client.get(ITEMS, params={"bbox": BBOX, "resulttype": "hits"}).json()
    assert hits["numberReturned"] == 0 and hits["features"] == []
    page = client.get(ITEMS, params={"bbox": BBOX, "limit": 10000}).json()
    assert page["numberMatched"] == hits["numberMatched"] == page["numberReturned"] > 0
    small = client.get(ITEMS, params={"bbox": BBOX, "limit": 5}).json()
    assert small["numberMatched"] == hits["numberMatched"] and small["numberReturned"] == 5 and _next(small)


def test_features_are_compact_json_with_links(client):
    """Features are built in SQL as compact JSON; a single item carries its links."""
    r = client.get(ITEMS, params={"limit": 1})
    feature = r.json()["features"][0]
    assert set(feature) == {"type", "id", "geometry", "properties"} and feature["type"] == "Feature"
    assert b'"type":"Feature"' in r.content
    one = client.get(f"{ITEMS}/{urllib.parse.quote(feature['id'], safe='')}").json()
    assert one["id"] == feature["id"] and one["geometry"] == feature["geometry"]
    assert {link["rel"] for link in one["links"]} == {"self", "collection"}
    empty = client.get(ITEMS, params={"limit": 1, "properties": "area_m2", "skipGeometry": "true"}).json()
    assert empty["features"][0]["geometry"] is None and set(empty["features"][0]["properties"]) == {"area_m2"}


def test_pool_survives_clients_that_disconnect_mid_stream(server, client, published):
    """Dropping streamed responses half-way never leaks pooled connections (more drops than pool slots)."""
    host, port = server.removeprefix("http://").split(":")
    request = (f"GET {ITEMS}?limit=10000 HTTP/1.1\r\nHost: {host}\r\nAccept: application/geo+json\r\n\r\n").encode()
    linger = struct.pack("ii", 1, 0)  # close with RST: the server sees the disconnect at once
    for i in range(40):  # 2 workers x 8 connections: a leak would exhaust both pools well before 40
        with socket.create_connection((host, int(port)), timeout=10) as sock:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, linger)
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
            sock.sendall(request)
            if i % 2:  # half read the start of the body first, half drop at once
                assert sock.recv(4096).startswith(b"HTTP/1.1 200")
    for _ in range(6):
        r = client.get(ITEMS, params={"limit": 10}, timeout=15)
        assert r.status_code == 200
    r = httpx.get(f"{server}{ITEMS}", params={"limit": 10000}, timeout=15)
    assert r.status_code == 200 and r.json()["numberReturned"] == published["count"]
