"""The `append` strategy (time series): a load adds rows for its time window per scope (e.g. station and
parameter) to the live tables. A re-delivered window (the same scope and bounds as an earlier load) replaces that
window; a load overlapping published data otherwise (backdated, or straddling) is refused unless forced, which
then replaces the overlapped rows."""

from __future__ import annotations

import json

import psycopg
from psycopg import sql

from hub.catalog.models import Dataset
from hub.db.connect import first
from hub.errors import PublishRefused
from ingest.core.stage import Staged, StagingTables
from ingest.publish import merge
from ingest.publish.common import Stats, all_pairs, begin, drop_old, move, record, view_and_grants


def _windows(conn: psycopg.Connection, staged: Staged) -> list[tuple[list, object, object]]:
    """(scope values, first time, last time) of the staged rows per scope."""
    t = staged.table
    scope = [sql.Identifier(c) for c in (t.publication.scope if t.publication else [])]
    assert t.time is not None, "append tables have a time column (checked by the catalog)"
    tcol = sql.Identifier(t.time.column)
    group = sql.SQL(", ").join(scope) if scope else sql.SQL("")
    sel = sql.SQL("SELECT {}{}min({}), max({}) FROM {}{}").format(
        group, sql.SQL(", ") if scope else sql.SQL(""), tcol, tcol, sql.Identifier(*staged.core),
        sql.SQL(" GROUP BY {}").format(group) if scope else sql.SQL(""))
    return [(list(r[:-2]), r[-2], r[-1]) for r in conn.execute(sel).fetchall() if r[-2] is not None]



def guard(conn: psycopg.Connection, ds: Dataset, staging: StagingTables, loaded: int, force: bool, max_drop: float,
          why_empty: str | None = None) -> str | None:
    """Refuse windows that overlap published data (unless the same window was loaded before, or forced)."""
    merge.refuse_empty(loaded, force, why_empty)
    notes = []
    for staged in merge.history_tables(conn, staging, force, "an append"):
        t = staged.table
        assert t.time is not None, "history_tables yields timed tables only"
        tcol = sql.Identifier(t.time.column)
        for values, lo, hi in _windows(conn, staged):
            where, params = merge.scope_values(t, values)
            overlap = first(conn.execute(sql.SQL("SELECT count(*) FROM {} l WHERE {} AND {} BETWEEN %s AND %s").format(
                sql.Identifier(*t.core_table), where, tcol), [*params, lo, hi]))
            if not overlap:
                continue
            again = conn.execute(
                "SELECT 1 FROM meta.load_window WHERE dataset_id = %s AND table_label = %s AND scope = %s::jsonb "
                "AND lo = %s AND hi = %s LIMIT 1", (ds.id, t.label, json.dumps(values, default=str), lo, hi)
            ).fetchone()
            if again:
                notes.append(f"{t.label} {values or ''} {lo}..{hi}: re-delivered window replaced")
                continue
            what = (f"table {t.label}{' scope ' + json.dumps(values, ensure_ascii=False, default=str) if values else ''}"
                    f": the load's window {lo} .. {hi} overlaps {overlap} published rows")
            if not force:
                raise PublishRefused(f"{what}; a backdated or overlapping window is refused (rerun with --force to "
                                     "replace the overlapped rows)")
            notes.append(f"forced: {what}")
    return "; ".join(notes) or None


def publish(conn: psycopg.Connection, ds: Dataset, load_id: int, staging: StagingTables,
            stats: dict[str | None, Stats]) -> int:
    """Merge the load into the live tables in one transaction; returns the new version number."""
    begin(conn, ds)
    final: dict[str | None, Stats] = {}
    for staged in staging.tables:
        t = staged.table
        if merge.first_publication(conn, staged) or not merge.same_columns(conn, staged):
            for src, dst in [(staged.core, t.core_table), *staged.side_tables()]:
                move(conn, src, dst)
                drop_old(conn, dst)
            final[t.name] = stats[t.name]
        else:
            windows = _windows(conn, staged) if t.time is not None else []
            tcol = sql.Identifier(t.time.column) if t.time is not None else None
            for values, lo, hi in windows:
                where, params = merge.scope_values(t, values)
                merge.delete_rows(conn, staged, sql.SQL("{} AND l.{} BETWEEN %s AND %s").format(where, tcol),
                                  [*params, lo, hi])
            merge.insert_rows(conn, staged, load_id)
            final[t.name] = merge.live_stats(conn, staged)
        if t.time is not None:
            for values, lo, hi in _windows_live(conn, staged, load_id):
                conn.execute("INSERT INTO meta.load_window (load_id, dataset_id, table_label, scope, lo, hi) "
                             "VALUES (%s, %s, %s, %s, %s, %s)",
                             (load_id, ds.id, t.label, json.dumps(values, default=str), lo, hi))
        view_and_grants(conn, t)
    version = record(conn, ds, load_id, final)
    conn.execute("RESET ROLE")
    return version


def _windows_live(conn: psycopg.Connection, staged: Staged, load_id: int) -> list[tuple[list, object, object]]:
    """This load's windows per scope, read back from the live table (its rows carry the load in their ids)."""
    t = staged.table
    scope = [sql.Identifier(c) for c in (t.publication.scope if t.publication else [])]
    assert t.time is not None, "append tables have a time column (checked by the catalog)"
    tcol = sql.Identifier(t.time.column)
    group = sql.SQL(", ").join(scope) if scope else sql.SQL("")
    lo_id = load_id * merge.LOAD_ROW_FACTOR
    stmt = sql.SQL("SELECT {}{}min({}), max({}) FROM {} WHERE row_id >= %s AND row_id < %s{}").format(
        group, sql.SQL(", ") if scope else sql.SQL(""), tcol, tcol, sql.Identifier(*t.core_table),
        sql.SQL(" GROUP BY {}").format(group) if scope else sql.SQL(""))
    rows = conn.execute(stmt, (lo_id, lo_id + merge.LOAD_ROW_FACTOR)).fetchall()
    if not rows or rows[0][-2] is None:  # first publication: the rows kept their staged ids
        rows = conn.execute(sql.SQL("SELECT {}{}min({}), max({}) FROM {}{}").format(
            group, sql.SQL(", ") if scope else sql.SQL(""), tcol, tcol, sql.Identifier(*t.core_table),
            sql.SQL(" GROUP BY {}").format(group) if scope else sql.SQL(""))).fetchall()
    return [(list(r[:-2]), r[-2], r[-1]) for r in rows if r[-2] is not None]


__all__ = ["all_pairs", "guard", "publish"]
