"""A new publication is served without a restart: ETags, pygeoapi metadata and records follow the version."""

from __future__ import annotations

import time

from tests.api.conftest import build_published


def test_new_version_served_without_restart(client, published):
    """Republish (version 2): within a few seconds every worker serves it."""
    items = "/collections/cadastre_cantho/items?limit=5"
    old = client.get(items).headers["etag"]
    assert "-v1-" in old
    assert published["version"] == 1
    again = build_published(published["source"])  # `hub ingest --force` of the same file: version 2
    assert again["version"] == 2 and again["count"] == published["count"]
    deadline = time.monotonic() + 10
    seen = set()
    while time.monotonic() < deadline:
        seen = {client.get(items).headers["etag"].split("-")[-2] for _ in range(6)}  # both workers
        meta = client.get("/collections/cadastre_cantho?f=json").json()
        if seen == {"v2"} and any("version 2" in link.get("title", "") for link in meta["links"]):
            break
        time.sleep(0.3)
    assert seen == {"v2"}
    assert client.get(items, headers={"If-None-Match": old}).status_code == 200
    record = client.get("/collections/datasets/items/cadastre_cantho?f=json").json()
    assert record["properties"]["version"] == 2
    assert client.get(items).json()["numberMatched"] == published["count"]
