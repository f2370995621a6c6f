"""API test fixtures: synthetic Cần Thơ parcels published by the real pipeline, and a real `hub serve` subprocess."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from psycopg import sql

from hub.catalog.loader import load_dataset
from hub.db.connect import connect
from ingest.core.run import Options, run_ingest
from tests.api.serve import serving
from tests.api.synthetic import write_source

ROOT = Path(__file__).resolve().parents[2]
DATASET = "cadastre_cantho"
VALID_FROM = "2021-06-15"  # the run's `--valid-from`: the pipeline gives every parcel of a load this date


def build_published(source: Path, force: bool = True) -> dict:
    """Load the synthetic source through the real pipeline (`hub ingest`) and describe what was published.

    `rows` lists every source parcel in source order (`parcel_key`, `is_sensitive`, and the `address` the
    public table holds); `count`, `bbox` and `version` are what the publication recorded.
    """
    summary = run_ingest(DATASET, [source], Options(force=force, valid_from=VALID_FROM))
    assert summary["status"] == "published", summary
    with connect("admin") as conn:
        count, bbox, version = conn.execute(
            "SELECT c.row_count, c.bbox, p.version FROM meta.published p JOIN meta.published_collection c "
            "USING (dataset_id) WHERE dataset_id = %s", (DATASET,)).fetchone()
        addresses = dict(conn.execute("SELECT parcel_key, address FROM cadastre.cadastre_cantho").fetchall())
    return {"count": count, "bbox": list(bbox), "version": version, "summary": summary, "source": source,
            "addresses": addresses}


def _only_cantho_published() -> None:
    """The API tests describe a server publishing cadastre_cantho alone: withdraw what earlier test modules
    published in the shared test database (their public views and publication rows), whatever the test order."""
    with connect("admin") as conn, conn.transaction():
        for (dataset_id,) in conn.execute("SELECT dataset_id FROM meta.published WHERE dataset_id <> %s",
                                          (DATASET,)).fetchall():
            for table in load_dataset(dataset_id).all_tables:
                conn.execute(sql.SQL("DROP VIEW IF EXISTS {}").format(sql.Identifier(*table.view)))
            conn.execute("DELETE FROM meta.published WHERE dataset_id = %s", (dataset_id,))


@pytest.fixture(scope="session")
def published(hub_db, tmp_path_factory) -> dict:
    """cadastre_cantho published by `hub ingest` from a synthetic GeoPackage (VN-2000 TM-3)."""
    _only_cantho_published()
    source = tmp_path_factory.mktemp("api-source") / "thua_dat_cantho.gpkg"
    records = write_source(source)
    out = build_published(source)
    out["rows"] = [{"parcel_key": r["key"], "is_sensitive": r["is_sensitive"], "area": r["area"],
                    "address": out["addresses"].get(r["key"])} for r in records]
    return out


@pytest.fixture(scope="session")
def server_home(tmp_path_factory) -> Path:
    """The test server's runtime folder (rendered configuration and `server.log`)."""
    return tmp_path_factory.mktemp("hubhome")


@pytest.fixture(scope="session")
def server(published, server_home):
    """`hub serve` on a free port (2 workers, access log on) against the test database; yields its base URL."""
    with serving(server_home) as base:
        yield base


@pytest.fixture(scope="session")
def server_log(server, server_home) -> Path:
    """The test server's log: uvicorn's access lines show every request that reached it."""
    return server_home / "server.log"


@pytest.fixture(scope="session")
def client(server):
    """An httpx client bound to the test server."""
    with httpx.Client(base_url=server, timeout=30) as c:
        yield c
