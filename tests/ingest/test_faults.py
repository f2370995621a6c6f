"""Fault cases: a run killed mid-load (E01) leaves published data untouched; the next run cleans up."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import psycopg

from hub.db.connect import conninfo
from hub.samples.bench import generate_bench_gpkg
from ingest.core.run import Options, run_ingest

DS = "cadastre_upload"


def _published(conn):
    """(load_id, row_count) of the dataset's published version."""
    return conn.execute("SELECT load_id, row_count FROM meta.published JOIN meta.published_collection USING (dataset_id) "
                        "WHERE dataset_id = %s", (DS,)).fetchone()


def test_sigkill_during_load_leaves_published_data(hub_db, admin_conn, tmp_path):
    """E01: SIGKILL while rows stream into staging; pub is unchanged, the ledger row ends 'failed'."""
    small, big = tmp_path / "small.gpkg", tmp_path / "big.gpkg"
    generate_bench_gpkg(small, 500)
    generate_bench_gpkg(big, 20_000, seed=11)
    run_ingest(DS, [small], Options(force=True))
    before = _published(admin_conn)
    view_rows = admin_conn.execute("SELECT count(*) FROM pub.cadastre_upload").fetchone()[0]
    env = {**os.environ, "HUB_INGEST_CHUNK_ROWS": "2000"}
    # Deterministic: the run is held inside its COPY phase by a lock on meta.issue (each chunk's findings are
    # copied there after its rows went to staging), then killed while it waits.
    with psycopg.connect(conninfo("admin", hub_db)) as blocker:
        blocker.execute("LOCK TABLE meta.issue IN SHARE MODE")
        proc = subprocess.Popen([sys.executable, "-m", "hub.cli.main", "ingest", DS, str(big), "--force"], env=env,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            held = admin_conn.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query LIKE 'COPY %%issue%%'"
            ).fetchone()[0]
            if held or proc.poll() is not None:
                break
            time.sleep(0.05)
        assert held, "the run never reached its COPY phase"
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)
        blocker.rollback()
    assert _published(admin_conn) == before
    assert admin_conn.execute("SELECT count(*) FROM pub.cadastre_upload").fetchone()[0] == view_rows
    running = admin_conn.execute("SELECT load_id FROM meta.load WHERE dataset_id = %s AND status = 'running'",
                                 (DS,)).fetchall()
    assert running, "the killed run's ledger row stays 'running' until the next run"
    run_ingest(DS, [small], Options(force=True))
    statuses = dict(admin_conn.execute("SELECT load_id, status FROM meta.load WHERE load_id = ANY(%s)",
                                       ([r[0] for r in running],)).fetchall())
    assert set(statuses.values()) == {"failed"}
    leftovers = admin_conn.execute("SELECT count(*) FROM pg_tables WHERE schemaname = 'staging' AND tablename LIKE %s",
                                   (f"{DS}%",)).fetchone()[0]
    assert leftovers == 0
