"""Publish-time faults against the real PostGIS and the real `hub` command (security cases E02, E03, E04).

E02: a failure inside the publish transaction rolls the whole publish back: the pub view serves the old rows
(same count and checksum), hub_api keeps its grant, the ledger row is not 'published', the CLI prints one
`error:` line and no trace. E03: two publishers started together: one publishes, the other fails fast with
exit code 11 naming the dataset. E04: an empty source or a 40 % drop is refused (exit 10, ledger 'refused')
unless --force, which is recorded in the ledger.
"""

from __future__ import annotations

import time

import geopandas as gpd
import psycopg
import pyogrio
import pytest

from hub.db.connect import conninfo
from hub.samples.bench import generate_bench_gpkg
from hub.settings import db_settings
from ingest.core.run import Options, run_ingest
from tests.ingest.conftest import parcels, write_shp
from tests.ingest.faultkit import (
    api_select,
    assert_clean_error,
    hub,
    hub_process,
    last_load,
    max_load_id,
    published,
    served,
)

DS = "cadastre_cantho"
VIEW = "cadastre_cantho"

@pytest.fixture(scope="module")
def base(hub_db, tmp_path_factory):
    """A published version of cadastre_cantho (24 parcels) and a different candidate input (30 parcels)."""
    root = tmp_path_factory.mktemp("e02")
    old = write_shp(root / "old" / "old.shp", parcels(24))
    new = write_shp(root / "new" / "new.shp", parcels(30, y0=1111000))
    return old.parent, new.parent


@pytest.fixture()
def live(base, admin_conn):
    """Publish the old input (forced: state left by other tests does not matter); returns its served state."""
    run_ingest(DS, [base[0]], Options(force=True))
    return served(admin_conn, VIEW), published(admin_conn, DS)


def _assert_rolled_back(admin_conn, hub_db, before, res, since: int) -> None:
    """Old data served unchanged, grants intact, the run's ledger row 'failed', and a clean error."""
    served_before, published_before = before
    assert served(admin_conn, VIEW) == served_before
    assert published(admin_conn, DS) == published_before
    assert api_select(hub_db, VIEW) == served_before[0]
    assert admin_conn.execute("SELECT has_table_privilege('hub_api', 'pub.cadastre_cantho', 'SELECT')").fetchone()[0]
    load_id, status, message, _ = last_load(admin_conn, DS)
    assert load_id > since and status == "failed" and message
    assert admin_conn.execute("SELECT count(*) FROM pg_tables WHERE schemaname = 'cadastre' "
                              "AND tablename LIKE 'cadastre_cantho%%'").fetchone()[0] == 1  # no __old left
    assert_clean_error(res)


@pytest.fixture()
def leftover_view(admin_conn):
    """A hand-made view on the live core table (makes `DROP TABLE … __old` fail inside the publish)."""
    admin_conn.execute("CREATE VIEW public.e02_leftover AS SELECT * FROM cadastre.cadastre_cantho")
    yield
    admin_conn.execute("DROP VIEW IF EXISTS public.e02_leftover")


@pytest.fixture()
def long_reader(hub_db, monkeypatch):
    """hub_api inside an open transaction that has read the pub view (holds a lock on the live table);
    the publish lock_timeout is cut to 300 ms."""
    monkeypatch.setenv("HUB_DB_LOCK_TIMEOUT_MS", "300")
    db_settings.cache_clear()
    reader = psycopg.connect(conninfo("api", hub_db, tcp=True))
    reader.execute(f"SELECT count(*) FROM pub.{VIEW}").fetchone()
    yield reader
    reader.rollback()
    reader.close()
    monkeypatch.delenv("HUB_DB_LOCK_TIMEOUT_MS")
    db_settings.cache_clear()


def test_e02_dependent_view_rolls_back_publish(live, leftover_view, base, admin_conn, hub_db):
    """E02: a leftover dependent view makes the swap fail; everything is rolled back."""
    since = max_load_id(admin_conn)
    res = hub("ingest", DS, base[1], "--force")
    _assert_rolled_back(admin_conn, hub_db, live, res, since)
    # the view still points at the old live table (the rename was rolled back with the rest)
    assert admin_conn.execute("SELECT (SELECT count(*) FROM public.e02_leftover) = "
                              "(SELECT count(*) FROM cadastre.cadastre_cantho)").fetchone()[0]


def test_e02_lock_timeout_from_long_reader_rolls_back(live, long_reader, base, admin_conn, hub_db):
    """E02: a long reader holds the live table; the swap hits lock_timeout and everything is rolled back."""
    since = max_load_id(admin_conn)
    t0 = time.monotonic()
    res = hub("ingest", DS, base[1], "--force")
    assert time.monotonic() - t0 < 20
    long_reader.rollback()
    _assert_rolled_back(admin_conn, hub_db, live, res, since)


def test_e02_publish_failure_is_a_hub_error(live, leftover_view, base, admin_conn):
    """E02: the failure is a DatabaseError (exit 4) naming the dataset and saying nothing was published; the
    ledger row carries the same message; no SQL or object name reaches the screen."""
    res = hub("ingest", DS, base[1], "--force")
    assert res.code == 4, res.stderr
    assert_clean_error(res, f"'{DS}'", "nothing was published")
    assert "internal error" not in res.stderr and "e02_leftover" not in res.stderr and "DROP" not in res.stderr
    assert "nothing was published" in last_load(admin_conn, DS)[2]


def test_e02_lock_timeout_is_a_hub_error(live, long_reader, base, admin_conn):
    """E02: a lock timeout during publish is a DatabaseError (exit 4) naming the dataset and the lock."""
    res = hub("ingest", DS, base[1], "--force")
    long_reader.rollback()
    assert res.code == 4, res.stderr
    assert_clean_error(res, f"'{DS}'", "lock", "nothing was published")
    assert "internal error" not in res.stderr


def test_e03_concurrent_publishers_one_wins_other_fails_fast(hub_db, admin_conn, tmp_path):
    """E03: two `hub ingest` processes on the same dataset started together: exactly one publishes, the other
    exits 11 at once with a message naming the dataset and records nothing."""
    big = tmp_path / "e03.gpkg"
    generate_bench_gpkg(big, 15_000, seed=23)
    since = max_load_id(admin_conn)
    t0 = time.monotonic()
    procs = [hub_process("ingest", "cadastre_upload", big, "--force") for _ in range(2)]
    ended: dict[int, float] = {}
    while len(ended) < 2 and time.monotonic() - t0 < 120:
        for i, p in enumerate(procs):
            if i not in ended and p.poll() is not None:
                ended[i] = time.monotonic() - t0
        time.sleep(0.02)
    outs = [p.communicate(timeout=30) for p in procs]
    codes = sorted((p.returncode, i) for i, p in enumerate(procs))
    assert [c for c, _ in codes] == [0, 11], outs
    loser = codes[1][1]
    winner = codes[0][1]
    err = outs[loser][1]
    assert "cadastre_upload" in err and "another run is publishing" in err and "Traceback" not in err
    assert ended[loser] < ended[winner], ended  # failed fast, while the winner was still publishing
    rows = admin_conn.execute("SELECT status FROM meta.load WHERE dataset_id = 'cadastre_upload' AND load_id > %s",
                              (since,)).fetchall()
    assert rows == [("published",)]  # the loser wrote no ledger row
    assert admin_conn.execute("SELECT count(*) FROM pub.cadastre_upload").fetchone()[0] == 15_000


def _empty_shp(path):
    """A valid Shapefile with the usual fields, a .prj, and no features."""
    path.parent.mkdir(parents=True, exist_ok=True)
    cols = [k for k in parcels(1)[0] if k != "geometry"]
    gdf = gpd.GeoDataFrame({k: gpd.pd.Series([], dtype="object") for k in cols}, geometry=[], crs="EPSG:5897")
    pyogrio.write_dataframe(gdf, path, encoding="latin1", geometry_type="Polygon")
    return path


def test_e04_empty_source_refused_unless_forced(live, admin_conn, hub_db, tmp_path):
    """E04: 0 features → exit 10 and ledger 'refused', pub unchanged; --force publishes and is recorded."""
    empty = _empty_shp(tmp_path / "empty" / "empty.shp")
    res = hub("ingest", DS, empty.parent)
    assert_clean_error(res, "no loadable rows", "--force")
    assert res.code == 10
    assert last_load(admin_conn, DS)[1] == "refused"
    assert served(admin_conn, VIEW) == live[0] and published(admin_conn, DS) == live[1]
    forced = hub("ingest", DS, empty.parent, "--force", "--json")
    assert forced.code == 0, forced.stderr
    assert forced.json()["status"] == "published" and forced.json()["rows_in"] == 0
    load_id, status, message, was_forced = last_load(admin_conn, DS)
    assert (status, was_forced) == ("published", True) and message.startswith("forced:")
    assert api_select(hub_db, VIEW) == 0


def test_e04_forty_percent_drop_refused_by_cli(live, admin_conn, tmp_path):
    """E04: 40 % fewer rows than published (24 → 14) → exit 10, ledger 'refused', pub unchanged."""
    small = write_shp(tmp_path / "small" / "small.shp", parcels(14, y0=1112000))
    res = hub("ingest", DS, small.parent)
    assert res.code == 10
    assert_clean_error(res, "fewer than the published", "--force")
    assert last_load(admin_conn, DS)[1] == "refused"
    assert served(admin_conn, VIEW) == live[0] and published(admin_conn, DS) == live[1]
    forced = hub("ingest", DS, small.parent, "--force")
    assert forced.code == 0, forced.stderr
    assert last_load(admin_conn, DS)[1:] == ("published", last_load(admin_conn, DS)[2], True)
