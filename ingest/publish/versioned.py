"""The `versioned` strategy (price tables, plans): rows carry a validity period (`time.column` .. `time.end`).
A load is a new version per scope (e.g. the province's price table): it closes the open rows of the same scope
(`valid_to = the new valid_from`), replaces rows of the same scope and start date (a corrected re-publication),
and keeps history queryable "as of D" (`valid_from <= D AND (valid_to IS NULL OR D < valid_to)`). A version
older than one already published is refused unless forced (it then ends where the next one starts)."""

from __future__ import annotations

import json

import psycopg
from psycopg import sql

from hub.catalog.models import Dataset, TableRef
from hub.db.connect import first
from hub.errors import ConfigError, PublishRefused
from ingest.core.stage import Staged, StagingTables
from ingest.publish import merge
from ingest.publish.common import Stats, begin, drop_old, move, record, view_and_grants


def _cols(t: TableRef) -> tuple[sql.Identifier, sql.Identifier]:
    """The validity columns of a versioned table."""
    if t.time is None or t.time.end is None:
        raise ConfigError(f"dataset '{t.ds.id}' table {t.label}: the versioned strategy needs `time` with "
                          "`column` (valid from) and `end` (valid to)")
    return sql.Identifier(t.time.column), sql.Identifier(t.time.end)


def _versions(conn: psycopg.Connection, staged: Staged) -> list[tuple[list, object]]:
    """(scope values, valid_from) of the staged rows (one version per scope and start date)."""
    t = staged.table
    start, _ = _cols(t)
    scope = [sql.Identifier(c) for c in (t.publication.scope if t.publication else [])]
    sel = sql.SQL("SELECT DISTINCT {}{}{} FROM {} ORDER BY 1").format(
        sql.SQL(", ").join(scope), sql.SQL(", ") if scope else sql.SQL(""), start, sql.Identifier(*staged.core))
    return [(list(r[:-1]), r[-1]) for r in conn.execute(sel).fetchall() if r[-1] is not None]



def guard(conn: psycopg.Connection, ds: Dataset, staging: StagingTables, loaded: int, force: bool, max_drop: float,
          why_empty: str | None = None) -> str | None:
    """Refuse a version older than a published one of the same scope, and a catalog column change, unless forced."""
    merge.refuse_empty(loaded, force, why_empty)
    notes = []
    for staged in merge.history_tables(conn, staging, force, "a versioned table"):
        t = staged.table
        start, _ = _cols(t)
        for values, valid_from in _versions(conn, staged):
            where, params = merge.scope_values(t, values)
            later = first(conn.execute(sql.SQL("SELECT min({}) FROM {} l WHERE {} AND {} > %s").format(
                start, sql.Identifier(*t.core_table), where, start), [*params, valid_from]))
            if later is None:
                continue
            what = (f"table {t.label}{' scope ' + json.dumps(values, ensure_ascii=False, default=str) if values else ''}"
                    f": a version valid from {later} is already published, after this load's {valid_from}")
            if not force:
                raise PublishRefused(f"{what}; rerun with --force to insert it as a past version")
            notes.append(f"forced: {what}")
    return "; ".join(notes) or None


def publish(conn: psycopg.Connection, ds: Dataset, load_id: int, staging: StagingTables,
            stats: dict[str | None, Stats]) -> int:
    """Close, replace and insert versions in one transaction; returns the new version number."""
    begin(conn, ds)
    final: dict[str | None, Stats] = {}
    for staged in staging.tables:
        t = staged.table
        if t.time is None or merge.first_publication(conn, staged) or not merge.same_columns(conn, staged):
            for src, dst in [(staged.core, t.core_table), *staged.side_tables()]:
                move(conn, src, dst)
                drop_old(conn, dst)
            final[t.name] = stats[t.name]
            view_and_grants(conn, t)
            continue
        start, end = _cols(t)
        live = sql.Identifier(*t.core_table)
        staged_core = sql.Identifier(*staged.core)
        for values, valid_from in _versions(conn, staged):
            where, params = merge.scope_values(t, values)
            merge.delete_rows(conn, staged, sql.SQL("{} AND l.{} = %s").format(where, start), [*params, valid_from])
            conn.execute(sql.SQL("UPDATE {} l SET {} = %s WHERE {} AND l.{} < %s AND (l.{} IS NULL OR l.{} > %s)").format(
                live, end, where, start, end, end), [valid_from, *params, valid_from, valid_from])
            nxt = first(conn.execute(sql.SQL("SELECT min({}) FROM {} l WHERE {} AND l.{} > %s").format(
                start, live, where, start), [*params, valid_from]))
            if nxt is not None:  # a later version exists (forced backdating): this one ends where it starts
                s_where, s_params = merge.scope_values(t, values)
                conn.execute(sql.SQL("UPDATE {} l SET {} = %s WHERE {} AND l.{} = %s").format(
                    staged_core, end, s_where, start), [nxt, *s_params, valid_from])
        merge.insert_rows(conn, staged, load_id)
        final[t.name] = merge.live_stats(conn, staged)
        view_and_grants(conn, t)
    version = record(conn, ds, load_id, final)
    conn.execute("RESET ROLE")
    return version
