"""The contract every registered family passes (docs/framework.md): each source row loaded or quarantined, an
identical rerun changes nothing, a run killed during COPY leaves the published data untouched, no personal or
restricted column is reachable from `pub`, and each broken input gets its exit code and a message naming the
file (and row, field and rule where it has them)."""

from __future__ import annotations

import importlib
import os
import signal
import subprocess
import sys
import time

import psycopg
import pytest
from psycopg import sql

from hub.catalog import ddl, families
from hub.catalog.loader import load_dataset
from hub.db.connect import conninfo
from hub.settings import PROJECT_ROOT
from ingest.core.run import Options, run_ingest
from tests.ingest.faultkit import assert_clean_error, hub

FAMILIES = families.names()


def contract(family: str):
    """The family's contract module (a registered family without one fails here: the contract is not optional)."""
    return importlib.import_module(f"tests.ingest.families.{family}.contract")


def _served(conn, ds) -> list:
    """(collection, row count, checksum of ids) of every published view of a dataset."""
    out = []
    for t in ds.all_tables:
        if t.published:
            out.append(conn.execute(sql.SQL("SELECT count(*), md5(string_agg(id::text, ',' ORDER BY id)) FROM {}")
                                    .format(sql.Identifier(*t.view))).fetchone())
    return out


@pytest.mark.parametrize("family", FAMILIES)
def test_rows_are_accounted_for_and_a_rerun_changes_nothing(family, hub_db, tmp_path, admin_conn):
    """rows_in = loaded + rejected (the ledger's CHECK too); the same files again: `unchanged`, same version."""
    c = contract(family)
    paths = c.good(tmp_path)
    first = run_ingest(c.DATASET, paths, Options(force=True))
    assert first["status"] == "published"
    assert first["rows_in"] == first["rows_loaded"] + first["rows_rejected"] > 0
    assert first["issues_by_rule"], "the contract's good source must carry at least one finding"
    again = run_ingest(c.DATASET, paths)
    assert again["status"] == "unchanged" and again["version"] == first["version"]


@pytest.mark.parametrize("family", FAMILIES)
def test_no_personal_or_restricted_column_in_pub(family, hub_db, tmp_path, admin_conn):
    """Every pub view of the dataset has exactly the id, the public columns and the geometry (case P02), and the
    API role cannot read the family's core tables or the restricted schema."""
    c = contract(family)
    run_ingest(c.DATASET, c.good(tmp_path), Options(force=True))
    ds = load_dataset(c.DATASET)
    for t in ds.all_tables:
        if not t.published:
            continue
        cols = [r[0] for r in admin_conn.execute(
            "SELECT column_name FROM information_schema.columns WHERE table_schema = %s AND table_name = %s "
            "ORDER BY ordinal_position", t.view)]
        assert cols == ddl.public_view_columns(t), t.label
        hidden = {col.name for col in t.columns if col.sensitivity != "public"}
        assert not hidden & set(cols)
    with psycopg.connect(conninfo("api", hub_db, tcp=True), autocommit=True) as api:
        for t in ds.all_tables:
            for table in (t.core_table, t.personal_table):
                with pytest.raises(psycopg.errors.InsufficientPrivilege):
                    api.execute(sql.SQL("SELECT 1 FROM {} LIMIT 1").format(sql.Identifier(*table)))


@pytest.mark.parametrize("family", FAMILIES)
def test_a_run_killed_during_copy_leaves_published_data(family, hub_db, tmp_path, admin_conn):
    """SIGKILL while the run copies (held on meta.issue): every pub view serves what it served, the ledger row is
    failed by the next run, and no staging table is left."""
    c = contract(family)
    paths = c.good(tmp_path)
    run_ingest(c.DATASET, paths, Options(force=True))
    ds = load_dataset(c.DATASET)
    before = _served(admin_conn, ds)
    with psycopg.connect(conninfo("admin", hub_db)) as blocker:
        blocker.execute("LOCK TABLE meta.issue IN SHARE MODE")
        proc = subprocess.Popen([sys.executable, "-m", "hub.cli.main", "ingest", c.DATASET, *map(str, paths),
                                 "--force"], cwd=PROJECT_ROOT, env={**os.environ, "PYTHONPATH": str(PROJECT_ROOT)},
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
        deadline, held = time.monotonic() + 60, 0
        while time.monotonic() < deadline and proc.poll() is None:
            held = admin_conn.execute("SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND "
                                      "query LIKE 'COPY %%issue%%'").fetchone()[0]
            if held:
                break
            time.sleep(0.05)
        assert held, "the run never reached its COPY phase"
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)
        blocker.rollback()
    assert _served(admin_conn, ds) == before
    run_ingest(c.DATASET, paths, Options(force=True))
    left = admin_conn.execute("SELECT count(*) FROM pg_tables WHERE schemaname = 'staging' AND tablename LIKE %s",
                              (f"{c.DATASET}%",)).fetchone()[0]
    assert left == 0
    assert admin_conn.execute("SELECT count(*) FROM meta.load WHERE dataset_id = %s AND status = 'running'",
                              (c.DATASET,)).fetchone()[0] == 0


@pytest.mark.parametrize("family", FAMILIES)
def test_each_broken_input_gets_its_exit_code_and_a_message_naming_it(family, hub_db, tmp_path):
    """One `error:` line, no trace, the expected exit code, the file and the other names the contract lists."""
    c = contract(family)
    cases = c.broken(tmp_path)
    assert cases, "a family contract lists its broken inputs"
    for case in cases:
        res = hub("ingest", c.DATASET, *map(str, case.paths), *case.args)
        assert res.code == case.exit_code, (case.label, res.code, res.stderr)
        assert_clean_error(res, *case.names)
