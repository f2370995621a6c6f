"""Load to staging: per-run tables built from the catalog, COPY, then set-level rules in SQL."""

from __future__ import annotations

from typing import Iterable

import psycopg
from psycopg import sql

from hub.catalog import ddl
from hub.catalog.models import Dataset
from hub.db.connect import connect
from ingest.core.issues import Issue, issue
from ingest.core.output import ROWS_PER_FILE


def staging_tables(ds: Dataset, load_id: int) -> tuple[tuple[str, str], tuple[str, str]]:
    """(core, personal) staging table names of a run (identifiers derived from the catalog id only)."""
    return ("staging", f"{ds.id}__l{load_id}"), ("staging", f"{ds.id}__l{load_id}_p")


def sensitive_staging(ds: Dataset, load_id: int) -> tuple[str, str]:
    """The run's staging table for defence/security rows."""
    return ("staging", f"{ds.id}__l{load_id}_s")


# Sorting for index builds: the default 64 MB spills a million-row build to disk.
MAINTENANCE_MEMORY = sql.SQL("SET LOCAL maintenance_work_mem = '256MB'")


def build_spatial_index(ds: Dataset, load_id: int) -> None:
    """Build the staged core table's GiST index on a connection of its own (runs beside the key indexes)."""
    cs, ct = staging_tables(ds, load_id)[0]
    with connect("etl", autocommit=True) as conn, conn.transaction():
        conn.execute("SET LOCAL ROLE hub_owner")
        conn.execute(MAINTENANCE_MEMORY)
        conn.execute(ddl.index_spatial(cs, ct, f"l{load_id}"))


def drop_run_tables(conn: psycopg.Connection, ds: Dataset, load_id: int) -> None:
    """Drop a run's staging tables (core, personal, defence/security), whichever exist."""
    with conn.transaction():
        conn.execute("SET LOCAL ROLE hub_owner")
        for table in (*staging_tables(ds, load_id), sensitive_staging(ds, load_id)):
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


def create_core(conn: psycopg.Connection, ds: Dataset, load_id: int) -> None:
    """Create the run's core staging table (owned by the role the transaction runs as)."""
    conn.execute(ddl.create_core(ds, *staging_tables(ds, load_id)[0]))


def create_side(conn: psycopg.Connection, ds: Dataset, load_id: int) -> None:
    """Create the run's personal and defence/security staging tables (filled beside the core table's COPY)."""
    conn.execute(ddl.create_personal(ds, *staging_tables(ds, load_id)[1]))
    conn.execute(ddl.create_sensitive(ds, sensitive_staging(ds, load_id)))


def key_side_tables(conn: psycopg.Connection, ds: Dataset, load_id: int) -> None:
    """Primary keys and statistics for the run's personal and defence/security tables (joined to the core table by
    row_id; QGIS needs a key to open a table). Built while the core table's GiST index is still building."""
    suffix = f"l{load_id}"
    for (schema, table), name in ((staging_tables(ds, load_id)[1], f"{suffix}_p_pk"),
                                  (sensitive_staging(ds, load_id), f"{suffix}_s_pk")):
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


def quarantine(conn: psycopg.Connection, ds: Dataset, load_id: int, rows: list[tuple]) -> None:
    """Keep rejected source rows, with their rules, in restricted.quarantine."""
    copy_rows(conn, ("restricted", "quarantine"), ["load_id", "dataset_id", "file", "row_no", "rules", "raw"],
              ((load_id, ds.id, *r) for r in rows))


def flagged_rows(conn: psycopg.Connection, load_id: int) -> int:
    """Rows of a load kept with at least one finding, counted from meta.issue (row rules and set rules)."""
    return conn.execute("SELECT count(*) FROM (SELECT 1 FROM meta.issue WHERE load_id = %s GROUP BY file, row_no "
                        "HAVING bool_and(action <> 'rejected')) s", (load_id,)).fetchone()[0]


def set_rules(conn: psycopg.Connection, ds: Dataset, load_id: int, files: list[str]) -> list[Issue]:
    """Duplicate keys across the load (core and defence/security rows): rejected, moved to quarantine.

    The unique key index is built first: on a clean load it proves there are no duplicates in the core table at
    the cost of an index the table needs anyway. Only when it fails, or when defence/security rows exist, are
    duplicate keys looked up (a narrow GROUP BY, then the rows of those keys only). Leaves the key index built.
    """
    (cs, ct), (ps, pt) = staging_tables(ds, load_id)
    ss, st = sensitive_staging(ds, load_id)
    core, pers, sens = sql.Identifier(cs, ct), sql.Identifier(ps, pt), sql.Identifier(ss, st)
    build_key = ddl.index_unique_key(ds, cs, ct, f"l{load_id}")
    try:
        with conn.transaction():
            conn.execute(build_key)
        clean = True
    except psycopg.errors.UniqueViolation:
        clean = False
    has_sensitive = conn.execute(sql.SQL("SELECT EXISTS (SELECT 1 FROM {})").format(sens)).fetchone()[0]
    if clean and not has_sensitive:
        return []
    ki = sql.SQL(", ").join(map(sql.Identifier, ds.key_index))
    not_null = sql.SQL(" AND ").join(sql.SQL("{} IS NOT NULL").format(sql.Identifier(k)) for k in ds.key_index)
    if clean:  # only defence rows can still collide: among themselves, or with a core row (through its index)
        dupe_keys = sql.SQL("SELECT {k} FROM {s} WHERE {nn} GROUP BY {k} HAVING count(*) > 1 UNION "
                            "SELECT {k} FROM {s} s JOIN {c} c USING ({k})").format(k=ki, s=sens, c=core, nn=not_null)
    else:
        dupe_keys = sql.SQL("SELECT {k} FROM (SELECT {k} FROM {c} UNION ALL SELECT {k} FROM {s}) u WHERE {nn} "
                            "GROUP BY {k} HAVING count(*) > 1").format(k=ki, s=sens, c=core, nn=not_null)
    dupes = conn.execute(sql.SQL(
        "WITH d AS ({d}), r AS (SELECT row_id, parcel_key AS shown_key, {k} FROM {c} JOIN d USING ({k}) UNION ALL "
        "SELECT row_id, parcel_key, {k} FROM {s} JOIN d USING ({k})) "
        "SELECT row_id, shown_key, count(*) OVER (PARTITION BY {k}) FROM r ORDER BY row_id").format(
        d=dupe_keys, k=ki, c=core, s=sens)).fetchall()
    found = [issue(ds, files[row_id // ROWS_PER_FILE], row_id % ROWS_PER_FILE, "duplicate_key",
                   f"key {key} occurs {n} times in this load", key=key) for row_id, key, n in dupes]
    rejected = any(i.action == "rejected" for i in found)
    if rejected:
        ids = [r[0] for r in dupes]
        for table in (core, sens):
            conn.execute(sql.SQL(
                "INSERT INTO restricted.quarantine (load_id, dataset_id, file, row_no, rules, raw) "
                "SELECT %s, %s, (%s::text[])[c.row_id / %s + 1], c.row_id %% %s, ARRAY['duplicate_key'], "
                "to_jsonb(c) - 'geom' - 'geom_vn2000' || coalesce(to_jsonb(p) - 'row_id', '{{}}') "
                "|| jsonb_build_object('_geometry_wkb_hex', encode(ST_AsBinary(c.geom_vn2000), 'hex')) "
                "FROM {c} c LEFT JOIN {p} p USING (row_id) WHERE c.row_id = ANY(%s)").format(c=table, p=pers),
                (load_id, ds.id, files, ROWS_PER_FILE, ROWS_PER_FILE, ids))
            conn.execute(sql.SQL("DELETE FROM {} WHERE row_id = ANY(%s)").format(table), (ids,))
        conn.execute(sql.SQL("DELETE FROM {} WHERE row_id = ANY(%s)").format(pers), (ids,))
    if not clean:
        conn.execute(ddl.index_unique_key(ds, cs, ct, f"l{load_id}", unique=rejected))
    return found
