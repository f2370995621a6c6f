"""A new publication is served without a restart: ETags, pygeoapi metadata and records follow the version."""

from __future__ import annotations

import time

from tests.api.conftest import build_published

SAMPLES = 6  # requests per check: with 2 workers, every worker answers some of them


def enclosure_titles(client) -> set[str]:
    """The download link's English title in the collection metadata, as pygeoapi renders it on each worker."""
    titles = set()
    for _ in range(SAMPLES):
        meta = client.get("/collections/cadastre_cantho", params={"f": "json", "lang": "en"}).json()
        titles |= {link["title"] for link in meta["links"] if link["rel"] == "enclosure"}
    return titles


def record_versions(client) -> set[int]:
    """The catalogue record's version, as each worker reports it."""
    return {client.get("/collections/datasets/items/cadastre_cantho", params={"f": "json"}).json()["properties"][
        "version"] for _ in range(SAMPLES)}


def test_new_version_served_without_restart(client, published):
    """Republish (the next version): within a few seconds every worker serves it, in items and in metadata."""
    items = "/collections/cadastre_cantho/items?limit=5"
    v = published["version"]  # 1 on a fresh database; higher when earlier modules loaded the same dataset
    old = client.get(items).headers["etag"]
    assert f"-v{v}-" in old
    before = enclosure_titles(client)
    assert before and all(f"version {v}" in t for t in before), before
    again = build_published(published["source"])  # `hub ingest --force` of the same file: the next version
    assert again["version"] == v + 1 and again["count"] == published["count"]
    deadline = time.monotonic() + 10
    seen, titles, records = set(), set(), set()
    while time.monotonic() < deadline:  # ends as soon as both workers serve the new version (not at the deadline)
        seen = {client.get(items).headers["etag"].split("-")[-2] for _ in range(SAMPLES)}
        titles, records = enclosure_titles(client), record_versions(client)
        if seen == {f"v{v + 1}"} and titles and all(f"version {v + 1}" in t for t in titles) and records == {v + 1}:
            break
        time.sleep(0.3)
    assert seen == {f"v{v + 1}"}
    assert titles and all(f"version {v + 1}" in t for t in titles), titles
    assert records == {v + 1}
    assert client.get(items, headers={"If-None-Match": old}).status_code == 200
    assert client.get(items).json()["numberMatched"] == published["count"]
