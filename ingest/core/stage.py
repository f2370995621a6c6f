"""Staging: a run's tables built from the catalog (one set per dataset table), COPY, and the set-level rules in
SQL. Nothing here is published; `ingest.publish` moves or merges staged tables into place."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import psycopg
from psycopg import sql

from hub.catalog import ddl
from hub.catalog.models import Dataset, TableRef
from hub.db.connect import OWNER_ROLE, connect, first
from ingest.core.issues import Issue, issue

ROWS_PER_FILE = 1_000_000_000  # row_id = file index × this + row number in the file
# Sorting for index builds: the default 64 MB spills a million-row build to disk.
MAINTENANCE_MEMORY = sql.SQL("SET LOCAL maintenance_work_mem = '256MB'")


@contextmanager
def owner_transaction(conn: psycopg.Connection) -> Iterator[psycopg.Connection]:
    """A transaction run as hub_owner (who owns every hub table): the one place the role is switched."""
    with conn.transaction():
        conn.execute(sql.SQL("SET LOCAL ROLE {}").format(sql.Identifier(OWNER_ROLE)))
        yield conn


@dataclass(frozen=True)
class Staged:
    """One dataset table's staging tables in a run (names derived from catalog identifiers and the load id)."""

    table: TableRef
    core: tuple[str, str]
    personal: tuple[str, str]
    sensitive: tuple[str, str]
    suffix: str  # index-name prefix, unique per run and table
    load_id: int

    @property
    def has_personal(self) -> bool:
        """Whether the table has personal columns (else no personal side table exists)."""
        return bool(self.table.by_sensitivity("personal"))

    @property
    def has_sensitive(self) -> bool:
        """Whether restricted rows can be routed out of the core table (the table has the is_sensitive flag)."""
        return any(c.name == ddl.SENSITIVE_FLAG for c in self.table.columns)

    def side_tables(self) -> list[tuple[tuple[str, str], tuple[str, str]]]:
        """(staging, live) pairs of the side tables that exist for this table."""
        out = []
        if self.has_personal:
            out.append((self.personal, self.table.personal_table))
        if self.has_sensitive:
            out.append((self.sensitive, self.table.sensitive_table))
        return out


@dataclass(frozen=True)
class StagingTables:
    """Every staged table of a run: the primary first."""

    load_id: int
    tables: list[Staged]

    @property
    def primary(self) -> Staged:
        """The primary table's staging."""
        return self.tables[0]

    def of(self, name: str | None) -> Staged:
        """A table's staging by table name (None: the primary)."""
        return next(s for s in self.tables if s.table.name == name)


def staging_tables(ds: Dataset, load_id: int) -> StagingTables:
    """The run's staging names: staging.<id>__l<load>[__<table>][_p|_s] (a killed run's leftovers match
    `<id>__l%`, which drop_orphans removes)."""
    staged = []
    for t in ds.all_tables:
        base = f"{ds.id}__l{load_id}" + (f"__{t.name}" if t.name else "")
        staged.append(Staged(t, ("staging", base), ("staging", f"{base}_p"), ("staging", f"{base}_s"),
                             f"l{load_id}" + (f"_{t.name}" if t.name else ""), load_id))
    return StagingTables(load_id, staged)


def build_spatial_index(staged: Staged) -> None:
    """Build a staged table's GiST index on a connection of its own (runs beside the key indexes)."""
    with connect("etl", autocommit=True) as conn, owner_transaction(conn):
        conn.execute(MAINTENANCE_MEMORY)
        conn.execute(ddl.index_spatial(*staged.core, staged.suffix))


def drop_run_tables(conn: psycopg.Connection, ds: Dataset, load_id: int) -> None:
    """Drop a run's staging tables (core, personal, restricted rows), whichever exist."""
    with owner_transaction(conn):
        for staged in staging_tables(ds, load_id).tables:
            for table in (staged.core, staged.personal, staged.sensitive):
                conn.execute(sql.SQL("DROP TABLE IF EXISTS {}").format(sql.Identifier(*table)))


def drop_orphans(conn: psycopg.Connection, ds: Dataset) -> list[str]:
    """Drop staging tables left by killed runs of this dataset and mark their ledger rows failed."""
    rows = conn.execute(
        "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
        "WHERE n.nspname = 'staging' AND c.relkind = 'r' AND c.relname LIKE %s", (f"{ds.id}\\_\\_l%",)).fetchall()
    names = [r[0] for r in rows]
    for name in names:
        conn.execute(sql.SQL("DROP TABLE IF EXISTS {}").format(sql.Identifier("staging", name)))
    conn.execute("UPDATE meta.load SET status = 'failed', finished_at = clock_timestamp(), "
                 "message = 'run ended without finishing (killed?); staging dropped by a later run' "
                 "WHERE dataset_id = %s AND status = 'running'", (ds.id,))
    return names


def create_core(conn: psycopg.Connection, staged: Staged) -> None:
    """Create a table's core staging table (owned by the role the transaction runs as)."""
    conn.execute(ddl.create_core(staged.table, *staged.core))


def create_side(conn: psycopg.Connection, staged: Staged) -> None:
    """Create a table's personal and restricted-rows staging tables, where the table has them."""
    if staged.has_personal:
        conn.execute(ddl.create_personal(staged.table, *staged.personal))
    if staged.has_sensitive:
        conn.execute(ddl.create_sensitive(staged.table, staged.sensitive))


def key_side_tables(conn: psycopg.Connection, staged: Staged) -> None:
    """Primary keys and statistics for a table's personal and restricted-rows tables (joined to the core table by
    row_id; QGIS needs a key to open a table). Built while the core table's GiST index is still building."""
    for (schema, table), name in ((staged.personal, f"{staged.suffix}_p_pk"),
                                  (staged.sensitive, f"{staged.suffix}_s_pk")):
        if (schema, table) == staged.personal and not staged.has_personal:
            continue
        if (schema, table) == staged.sensitive and not staged.has_sensitive:
            continue
        conn.execute(ddl.side_primary_key(schema, table, name))
        conn.execute(sql.SQL("ANALYZE {}").format(sql.Identifier(schema, table)))


def copy_rows(conn: psycopg.Connection, table: tuple[str, str], columns: list[str], rows: Iterable[tuple]) -> int:
    """COPY rows into a table; returns the count."""
    n = 0
    stmt = sql.SQL("COPY {} ({}) FROM STDIN").format(sql.Identifier(*table),
                                                      sql.SQL(", ").join(map(sql.Identifier, columns)))
    with conn.cursor() as cur, cur.copy(stmt) as cp:
        for row in rows:
            cp.write_row(row)
            n += 1
    return n


QUARANTINE_COLUMNS = ["load_id", "dataset_id", "file", "row_no", "rules", "raw", "table_name", "location"]


def quarantine(conn: psycopg.Connection, ds: Dataset, load_id: int, rows: list[tuple]) -> None:
    """Keep rejected source rows, with their rules, in restricted.quarantine."""
    copy_rows(conn, ("restricted", "quarantine"), QUARANTINE_COLUMNS, ((load_id, ds.id, *r) for r in rows))


def flagged_rows(conn: psycopg.Connection, load_id: int) -> int:
    """Rows of a load kept with at least one finding, counted from meta.issue (row rules and set rules)."""
    return first(conn.execute("SELECT count(*) FROM (SELECT 1 FROM meta.issue WHERE load_id = %s AND row_no IS NOT NULL "
                        "AND table_name IS NULL GROUP BY file, row_no HAVING bool_and(action <> 'rejected')) s",
                        (load_id,)))


def duplicate_keys(conn: psycopg.Connection, ds: Dataset, staged: Staged, files: list[str]) -> list[Issue]:
    """Duplicate keys across the load (core and restricted rows of one table): rejected, moved to quarantine.

    The unique key index is built first: on a clean load it proves there are no duplicates in the core table at
    the cost of an index the table needs anyway. Only when it fails, or when restricted rows exist, are duplicate
    keys looked up (a narrow GROUP BY, then the rows of those keys only). Leaves the key index built.
    """
    t = staged.table
    core = sql.Identifier(*staged.core)
    build_key = ddl.index_unique_key(t, *staged.core, staged.suffix)
    try:
        with conn.transaction():
            conn.execute(build_key)
        clean = True
    except psycopg.errors.UniqueViolation:
        clean = False
    has_sensitive = staged.has_sensitive and first(conn.execute(
        sql.SQL("SELECT EXISTS (SELECT 1 FROM {})").format(sql.Identifier(*staged.sensitive))))
    if clean and not has_sensitive:
        return []
    sens = sql.Identifier(*staged.sensitive)
    ki = sql.SQL(", ").join(map(sql.Identifier, t.key_index))
    not_null = sql.SQL(" AND ").join(sql.SQL("{} IS NOT NULL").format(sql.Identifier(k)) for k in t.key_index)
    if clean:  # only restricted rows can still collide: among themselves, or with a core row (through its index)
        dupe_keys = sql.SQL("SELECT {k} FROM {s} WHERE {nn} GROUP BY {k} HAVING count(*) > 1 UNION "
                            "SELECT {k} FROM {s} s JOIN {c} c USING ({k})").format(k=ki, s=sens, c=core, nn=not_null)
        sources = [core, sens]
    elif has_sensitive:
        dupe_keys = sql.SQL("SELECT {k} FROM (SELECT {k} FROM {c} UNION ALL SELECT {k} FROM {s}) u WHERE {nn} "
                            "GROUP BY {k} HAVING count(*) > 1").format(k=ki, s=sens, c=core, nn=not_null)
        sources = [core, sens]
    else:
        dupe_keys = sql.SQL("SELECT {k} FROM {c} WHERE {nn} GROUP BY {k} HAVING count(*) > 1").format(
            k=ki, c=core, nn=not_null)
        sources = [core]
    shown: sql.Composable = sql.SQL(" || '|' || ").join(
        sql.SQL("coalesce({}::text, '')").format(sql.Identifier(k)) for k in t.key)
    if t.publication is not None:
        shown = sql.Identifier(t.publication.id_column)
    rows_sql = sql.SQL(" UNION ALL ").join(
        sql.SQL("SELECT row_id, {shown}::text AS shown_key, {k} FROM {src} JOIN d USING ({k})").format(
            shown=shown, k=ki, src=src) for src in sources)
    dupes = conn.execute(sql.SQL(
        "WITH d AS ({d}), r AS ({rows}) SELECT row_id, shown_key, count(*) OVER (PARTITION BY {k}) FROM r "
        "ORDER BY row_id").format(d=dupe_keys, rows=rows_sql, k=ki)).fetchall()
    found = [issue(ds, files[row_id // ROWS_PER_FILE], row_id % ROWS_PER_FILE, "duplicate_key",
                   f"key {key} occurs {n} times in this load", key=key, table=t.name) for row_id, key, n in dupes]
    rejected = any(i.action == "rejected" for i in found)
    if rejected:
        ids = [r[0] for r in dupes]
        geoms = [name for name, _ in ddl.geometry_columns(t)]
        strip = sql.SQL("").join(sql.SQL(" - {}").format(sql.Literal(g)) for g in geoms)
        raw_geom = (sql.SQL(" || jsonb_build_object('_geometry_wkb_hex', encode(ST_AsBinary(c.{}), 'hex'))").format(
            sql.Identifier(geoms[-1])) if geoms else sql.SQL(""))
        personal = (sql.SQL("coalesce(to_jsonb(p) - 'row_id', '{}'::jsonb)") if staged.has_personal
                    else sql.SQL("'{}'::jsonb"))
        join_p = (sql.SQL("LEFT JOIN {} p USING (row_id)").format(sql.Identifier(*staged.personal))
                  if staged.has_personal else sql.SQL(""))
        for table in sources:
            conn.execute(sql.SQL(
                "INSERT INTO restricted.quarantine (load_id, dataset_id, file, row_no, rules, raw, table_name) "
                "SELECT %s, %s, (%s::text[])[c.row_id / %s + 1], c.row_id %% %s, ARRAY['duplicate_key'], "
                "to_jsonb(c){strip} || {personal}{raw_geom}, %s FROM {c} c {join_p} WHERE c.row_id = ANY(%s)").format(
                c=table, strip=strip, personal=personal, raw_geom=raw_geom, join_p=join_p),
                (staged.load_id, ds.id, files, ROWS_PER_FILE, ROWS_PER_FILE, t.name, ids))
            conn.execute(sql.SQL("DELETE FROM {} WHERE row_id = ANY(%s)").format(table), (ids,))
        if staged.has_personal:
            conn.execute(sql.SQL("DELETE FROM {} WHERE row_id = ANY(%s)").format(sql.Identifier(*staged.personal)),
                         (ids,))
    if not clean:
        conn.execute(ddl.index_unique_key(t, *staged.core, staged.suffix, unique=rejected))
    return found

