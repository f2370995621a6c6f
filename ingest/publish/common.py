"""What every publish strategy shares: table moves, the public view and its grants, the ledger of what is
published (meta.published per dataset, meta.published_collection per published table)."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass

import psycopg
from psycopg import sql

from hub.catalog import ddl
from hub.catalog.models import Dataset, TableRef
from hub.db.connect import first
from hub.settings import db_settings
from ingest.core.stage import Staged, StagingTables


@dataclass
class Stats:
    """One table's published figures: row count, WGS 84 extent, time span (recorded for the API)."""

    rows: int
    bbox: list[float] | None
    first: object | None  # date or datetime
    last: object | None


def exists(conn: psycopg.Connection, schema: str, table: str) -> bool:
    """Whether a table exists."""
    return first(conn.execute("SELECT to_regclass(%s) IS NOT NULL", (f'"{schema}"."{table}"',)))


def begin(conn: psycopg.Connection, ds: Dataset) -> None:
    """Publish-transaction settings (hub_owner, a lock timeout so a long reader fails the publish instead of
    queueing every later reader behind it), then the public views locked first, in name order.

    Readers lock a view, then its table; a publish that renamed the table before dropping the view took them in
    the opposite order and deadlocked with readers (issue 16 item 6). Taking the views first gives one lock order
    for everyone, and a reader that reads a page and its recorded row count in one transaction sees one version."""
    conn.execute(sql.SQL("SET LOCAL lock_timeout = {}").format(sql.Literal(f"{db_settings().lock_timeout_ms}ms")))
    conn.execute("SET LOCAL ROLE hub_owner")
    for view in sorted({t.view for t in ds.all_tables if t.published}):
        if exists(conn, *view):
            conn.execute(sql.SQL("LOCK TABLE {} IN ACCESS EXCLUSIVE MODE").format(sql.Identifier(*view)))


def move(conn: psycopg.Connection, src: tuple[str, str], dst: tuple[str, str]) -> None:
    """Put a staged table in the place of a live one (the old one is renamed `__old` and dropped by `finish`)."""
    dst_s, dst_t = dst
    if exists(conn, dst_s, dst_t):
        conn.execute(sql.SQL("ALTER TABLE {} RENAME TO {}").format(
            sql.Identifier(dst_s, dst_t), sql.Identifier(f"{dst_t}__old")))
    conn.execute(sql.SQL("ALTER TABLE {} SET SCHEMA {}").format(sql.Identifier(*src), sql.Identifier(dst_s)))
    conn.execute(sql.SQL("ALTER TABLE {} RENAME TO {}").format(sql.Identifier(dst_s, src[1]), sql.Identifier(dst_t)))


def drop_old(conn: psycopg.Connection, dst: tuple[str, str]) -> None:
    """Drop the `__old` table a move left."""
    conn.execute(sql.SQL("DROP TABLE IF EXISTS {}").format(sql.Identifier(dst[0], f"{dst[1]}__old")))


def view_and_grants(conn: psycopg.Connection, t: TableRef) -> None:
    """(Re)create the table's public view and grant it (analysts also read the core table, never personal data)."""
    cs, ct = t.core_table
    if t.published:
        conn.execute(ddl.drop_view(t))
        conn.execute(ddl.create_view(t, cs, ct))
        conn.execute(sql.SQL("GRANT SELECT ON {} TO hub_api, hub_analyst").format(sql.Identifier(*t.view)))
    conn.execute(sql.SQL("GRANT SELECT ON {} TO hub_analyst").format(sql.Identifier(cs, ct)))


def _columns(t: TableRef) -> list[dict]:
    """The public view's columns with their catalog types (what the API publishes)."""
    kinds = {"id": "text", "geom": "geometry"}
    return [{"name": c, "type": kinds.get(c) or t.column(c).type} for c in ddl.public_view_columns(t)]


def _ts(value, kind: str | None, end: bool) -> dt.datetime | None:
    """A time-span end as a timestamp: dates at the start (or end) of their day, UTC."""
    if value is None:
        return None
    if isinstance(value, str):
        value = dt.date.fromisoformat(value[:10]) if kind == "date" else dt.datetime.fromisoformat(value)
    if isinstance(value, dt.datetime):
        return value if value.tzinfo else value.replace(tzinfo=dt.UTC)
    day = dt.datetime.combine(value, dt.time.max if end else dt.time.min, dt.UTC)
    return day.replace(microsecond=0) if end else day


def record(conn: psycopg.Connection, ds: Dataset, load_id: int, stats: dict[str | None, Stats]) -> int:
    """The dataset's new version in meta.published and each published table's figures in
    meta.published_collection (one statement each); returns the version number."""
    version = first(conn.execute("SELECT coalesce(max(version), 0) + 1 FROM meta.load WHERE dataset_id = %s",
                           (ds.id,)))
    conn.execute(
        "INSERT INTO meta.published (dataset_id, load_id, version, published_at) VALUES (%s, %s, %s, "
        "clock_timestamp()) ON CONFLICT (dataset_id) DO UPDATE SET load_id = EXCLUDED.load_id, "
        "version = EXCLUDED.version, published_at = EXCLUDED.published_at", (ds.id, load_id, version))
    conn.execute("DELETE FROM meta.published_collection WHERE dataset_id = %s", (ds.id,))
    for t in ds.all_tables:
        if not t.published or t.name not in stats:
            continue
        st = stats[t.name]
        assert t.publication is not None, "only published tables are recorded"
        kind = t.time.kind if t.time else None
        conn.execute(
            "INSERT INTO meta.published_collection (collection, dataset_id, table_label, table_name, view_name, "
            "row_count, bbox, interval_start, interval_end, time_kind, columns) VALUES (%s, %s, %s, %s, %s, %s, "
            "%s, %s, %s, %s, %s)",
            (t.publication.collection, ds.id, t.label, ".".join(t.core_table), ".".join(t.view), st.rows, st.bbox,
             _ts(st.first, kind, False), _ts(st.last, kind, True), kind, json.dumps(_columns(t))))
    return version


def measure(conn: psycopg.Connection, t: TableRef, table: tuple[str, str]) -> Stats:
    """Row count, WGS 84 extent and time span of a table, measured in SQL (before the publish transaction, so
    the swap holds its locks for milliseconds)."""
    parts: list[sql.Composable] = [sql.SQL("count(*)")]
    parts.append(sql.SQL("ST_Extent(geom)") if t.geometry is not None else sql.SQL("NULL::box2d"))
    if t.time is not None:
        parts += [sql.SQL("min({})").format(sql.Identifier(t.time.column)),
                  sql.SQL("max({})").format(sql.Identifier(t.time.column))]
    else:
        parts += [sql.SQL("NULL"), sql.SQL("NULL")]
    row = conn.execute(sql.SQL(
        "SELECT c, ST_XMin(e), ST_YMin(e), ST_XMax(e), ST_YMax(e), lo, hi FROM (SELECT {} AS c, {} AS e, {} AS lo, "
        "{} AS hi FROM {}) s").format(*parts, sql.Identifier(*table))).fetchone()
    assert row is not None  # an aggregate always returns a row
    return Stats(row[0], list(row[1:5]) if row[1] is not None else None, row[5], row[6])


def staged_pairs(staged: Staged) -> list[tuple[tuple[str, str], tuple[str, str]]]:
    """(staging, live) pairs of every table a staged dataset table moves: core first, then its side tables."""
    return [(staged.core, staged.table.core_table), *staged.side_tables()]


def published_rows(conn: psycopg.Connection, ds: Dataset) -> int | None:
    """Rows loaded by the published version (the row-drop guard's reference), or None when nothing is published."""
    row = conn.execute("SELECT l.rows_loaded FROM meta.published p JOIN meta.load l USING (load_id) "
                       "WHERE p.dataset_id = %s", (ds.id,)).fetchone()
    return row[0] if row else None


def all_pairs(staging: StagingTables) -> list[tuple[tuple[str, str], tuple[str, str]]]:
    """Every (staging, live) pair of a run."""
    return [pair for staged in staging.tables for pair in staged_pairs(staged)]
