"""Merging a staged load into live tables that keep earlier loads' rows (the `append` and `versioned` strategies).

Row ids of merged rows are made unique across loads: load id × 10¹² + the staged row id (file index × 10⁹ +
row), so a row's load and source position stay readable from its id."""

from __future__ import annotations

from collections.abc import Iterator

import psycopg
from psycopg import sql

from hub.catalog import ddl
from hub.catalog.models import TableRef
from hub.errors import PublishRefused
from ingest.core.stage import Staged, StagingTables
from ingest.publish.common import Stats, exists, measure

LOAD_ROW_FACTOR = 10**12


def first_publication(conn: psycopg.Connection, staged: Staged) -> bool:
    """Whether the table has no live data yet (then the staged tables simply move into place)."""
    return not exists(conn, *staged.table.core_table)


def same_columns(conn: psycopg.Connection, staged: Staged) -> bool:
    """Whether the live core table has exactly the staged table's columns and types (a catalog change cannot be
    merged into history; it needs a full republication)."""
    def shape(table: tuple[str, str]) -> list:
        return conn.execute(
            "SELECT attname, format_type(atttypid, atttypmod) FROM pg_attribute WHERE attrelid = %s::regclass "
            "AND attnum > 0 AND NOT attisdropped ORDER BY attnum", (f'"{table[0]}"."{table[1]}"',)).fetchall()
    return shape(staged.core) == shape(staged.table.core_table)


def scope_condition(t: TableRef, alias: str, other: str) -> sql.Composable:
    """`alias.scope = other.scope` for every scope column (NULLs match NULLs: IS NOT DISTINCT FROM)."""
    cols = t.publication.scope if t.publication else []
    if not cols:
        return sql.SQL("true")
    return sql.SQL(" AND ").join(sql.SQL("{}.{} IS NOT DISTINCT FROM {}.{}").format(
        sql.Identifier(alias), sql.Identifier(c), sql.Identifier(other), sql.Identifier(c)) for c in cols)


def scope_values(t: TableRef, values: list) -> tuple[sql.Composable, list]:
    """`l.scope IS NOT DISTINCT FROM %s ...` for one scope's values, and those values as parameters."""
    cols = t.publication.scope if t.publication else []
    if not cols:
        return sql.SQL("true"), []
    return (sql.SQL(" AND ").join(sql.SQL("l.{} IS NOT DISTINCT FROM %s").format(sql.Identifier(c)) for c in cols),
            list(values))


def refuse_empty(loaded: int, force: bool, why_empty: str | None) -> None:
    """A merging load with no loadable rows publishes nothing, saying why, unless forced."""
    if loaded == 0 and not force:
        raise PublishRefused(f"the source has no loadable rows: {why_empty}; nothing was published" if why_empty
                             else "the source has no loadable rows; nothing was published")


def history_tables(conn: psycopg.Connection, staging: StagingTables, force: bool, strategy: str) -> Iterator[Staged]:
    """The staged tables whose live history a merge must check (timed, already published, same columns unless
    forced): a catalog change cannot be merged into rows of another shape; it needs a full republication."""
    for staged in staging.tables:
        t = staged.table
        if t.time is None or first_publication(conn, staged):
            continue
        if not same_columns(conn, staged) and not force:
            raise PublishRefused(f"table {t.label}: the catalog changed its columns since it was published; "
                                 f"{strategy} cannot merge rows of another shape into its history (rerun with "
                                 "--force to replace the history)")
        yield staged


def delete_rows(conn: psycopg.Connection, staged: Staged, where: sql.Composable, params: list) -> int:
    """Delete live rows (and their side rows) matching a condition on the live core table `l`; returns the count."""
    t = staged.table
    live = sql.Identifier(*t.core_table)
    ids = conn.execute(sql.SQL("SELECT row_id FROM {} l WHERE {}").format(live, where), params).fetchall()
    if not ids:
        return 0
    id_list = [r[0] for r in ids]
    for _, (schema, table) in staged.side_tables():
        if exists(conn, schema, table):
            conn.execute(sql.SQL("DELETE FROM {} WHERE row_id = ANY(%s)").format(sql.Identifier(schema, table)),
                         (id_list,))
    conn.execute(sql.SQL("DELETE FROM {} WHERE row_id = ANY(%s)").format(live), (id_list,))
    return len(id_list)


def insert_rows(conn: psycopg.Connection, staged: Staged, load_id: int) -> int:
    """Copy the staged rows into the live tables with load-unique row ids; returns the core rows inserted."""
    t = staged.table
    cols = ddl.core_columns(t)
    pairs = [(staged.core, t.core_table, cols), *[(src, dst, ddl.personal_columns(t) if src == staged.personal
                                                   else cols) for src, dst in staged.side_tables()]]
    inserted = 0
    for src, dst, columns in pairs:
        if not exists(conn, *dst):
            conn.execute(sql.SQL("CREATE TABLE {} (LIKE {} INCLUDING ALL)").format(sql.Identifier(*dst),
                                                                               sql.Identifier(*src)))
        rest = [c for c in columns if c != "row_id"]
        stmt = sql.SQL("INSERT INTO {} (row_id{}) SELECT row_id + %s{} FROM {}").format(
            sql.Identifier(*dst), sql.SQL("").join(sql.SQL(", {}").format(sql.Identifier(c)) for c in rest),
            sql.SQL("").join(sql.SQL(", {}").format(sql.Identifier(c)) for c in rest), sql.Identifier(*src))
        n = conn.execute(stmt, (load_id * LOAD_ROW_FACTOR,)).rowcount
        if src == staged.core:
            inserted = n
        conn.execute(sql.SQL("DROP TABLE {}").format(sql.Identifier(*src)))
    return inserted


def live_stats(conn: psycopg.Connection, staged: Staged) -> Stats:
    """The live table's figures after the merge (measured: counts and extents of history, not of this load)."""
    return measure(conn, staged.table, staged.table.core_table)
