"""Publish: guards, then one transaction that swaps staging into place with the view and grants intact."""

from __future__ import annotations

import json

import psycopg
from psycopg import sql

from hub.catalog import ddl
from hub.catalog.models import Dataset
from hub.errors import PublishRefused
from hub.settings import db_settings
from ingest.core.stage import sensitive_staging, staging_tables


def _exists(conn: psycopg.Connection, schema: str, table: str) -> bool:
    """Whether a table exists."""
    return conn.execute("SELECT to_regclass(%s) IS NOT NULL", (f'"{schema}"."{table}"',)).fetchone()[0]


def guard(conn: psycopg.Connection, ds: Dataset, rows: int, force: bool, max_drop: float) -> str | None:
    """Refuse an empty source or a big drop against the published version unless forced; returns the note."""
    prev = conn.execute("SELECT l.rows_loaded FROM meta.published p JOIN meta.load l USING (load_id) "
                        "WHERE p.dataset_id = %s", (ds.id,)).fetchone()
    if rows == 0:
        why = "the source has no loadable rows"
    elif prev and prev[0] and rows < prev[0] * (1 - max_drop):
        why = (f"the source has {rows} loadable rows, {100 * (1 - rows / prev[0]):.0f} % fewer than the published "
               f"{prev[0]} (limit {100 * max_drop:.0f} %)")
    else:
        return None
    if not force:
        raise PublishRefused(f"{why}; nothing was published (rerun with --force to publish anyway)")
    return f"forced: {why}"


def measure(conn: psycopg.Connection, table: tuple[str, str]) -> tuple:
    """(row count, [xmin, ymin, xmax, ymax] or None, first and last valid_from) of a staged core table, measured
    before the publish transaction so the swap holds its locks for milliseconds."""
    row = conn.execute(sql.SQL(
        "SELECT c, ST_XMin(e), ST_YMin(e), ST_XMax(e), ST_YMax(e), lo, hi FROM "
        "(SELECT count(*) c, ST_Extent(geom) e, min(valid_from) lo, max(valid_from) hi FROM {}) s").format(
        sql.Identifier(*table))).fetchone()
    return row[0], (list(row[1:5]) if row[1] is not None else None), row[5], row[6]


def swap(conn: psycopg.Connection, ds: Dataset, load_id: int, stats: tuple) -> int:
    """Atomic publish inside the caller's transaction; returns the new version number."""
    conn.execute(sql.SQL("SET LOCAL lock_timeout = {}").format(sql.Literal(f"{db_settings().lock_timeout_ms}ms")))
    conn.execute("SET LOCAL ROLE hub_owner")
    (ss, st), (ps, pt) = staging_tables(ds, load_id)
    cs, ct = ds.core_table
    rs, rt = ds.personal_table
    moves = (((ss, st), (cs, ct)), ((ps, pt), (rs, rt)), (sensitive_staging(ds, load_id), ds.sensitive_table))
    for (src_s, src_t), (dst_s, dst_t) in moves:
        if _exists(conn, dst_s, dst_t):
            conn.execute(sql.SQL("ALTER TABLE {} RENAME TO {}").format(
                sql.Identifier(dst_s, dst_t), sql.Identifier(f"{dst_t}__old")))
        conn.execute(sql.SQL("ALTER TABLE {} SET SCHEMA {}").format(sql.Identifier(src_s, src_t), sql.Identifier(dst_s)))
        conn.execute(sql.SQL("ALTER TABLE {} RENAME TO {}").format(sql.Identifier(dst_s, src_t), sql.Identifier(dst_t)))
    conn.execute(ddl.drop_view(ds))
    conn.execute(ddl.create_view(ds, cs, ct))
    vs, vt = ds.view
    conn.execute(sql.SQL("GRANT SELECT ON {} TO hub_api, hub_analyst").format(sql.Identifier(vs, vt)))
    conn.execute(sql.SQL("GRANT SELECT ON {} TO hub_analyst").format(sql.Identifier(cs, ct)))
    for _, (s, t) in moves:
        conn.execute(sql.SQL("DROP TABLE IF EXISTS {}").format(sql.Identifier(s, f"{t}__old")))
    count, bbox, first, last = stats
    version = conn.execute("SELECT coalesce(max(version), 0) + 1 FROM meta.load WHERE dataset_id = %s",
                           (ds.id,)).fetchone()[0]
    cols = [{"name": c, "type": ds.column(c).type if c not in ("id", "geom") else ("text" if c == "id" else "geometry")}
            for c in ddl.public_view_columns(ds)]
    conn.execute(
        "INSERT INTO meta.published (dataset_id, load_id, version, published_at, row_count, bbox, interval_start, "
        "interval_end, table_name, view_name, columns) VALUES (%s, %s, %s, clock_timestamp(), %s, %s, %s, %s, %s, "
        "%s, %s) ON CONFLICT (dataset_id) DO UPDATE SET load_id = EXCLUDED.load_id, version = EXCLUDED.version, "
        "published_at = EXCLUDED.published_at, row_count = EXCLUDED.row_count, bbox = EXCLUDED.bbox, "
        "interval_start = EXCLUDED.interval_start, interval_end = EXCLUDED.interval_end, "
        "table_name = EXCLUDED.table_name, view_name = EXCLUDED.view_name, columns = EXCLUDED.columns",
        (ds.id, load_id, version, count, bbox, first, last, f"{cs}.{ct}", f"{vs}.{vt}", json.dumps(cols)))
    conn.execute("RESET ROLE")
    return version
