"""Load to staging: per-run tables built from the catalog, COPY, then set-level rules in SQL."""

from __future__ import annotations

from typing import Iterable

import psycopg
from psycopg import sql

from hub.catalog import ddl
from hub.catalog.models import Dataset
from ingest.issues import Issue, issue


def staging_tables(ds: Dataset, load_id: int) -> tuple[tuple[str, str], tuple[str, str]]:
    """(core, personal) staging table names of a run (identifiers derived from the catalog id only)."""
    return ("staging", f"{ds.id}__l{load_id}"), ("staging", f"{ds.id}__l{load_id}_p")


def sensitive_staging(ds: Dataset, load_id: int) -> tuple[str, str]:
    """The run's staging table for defence/security rows."""
    return ("staging", f"{ds.id}__l{load_id}_s")


def split_sensitive(conn: psycopg.Connection, ds: Dataset, load_id: int) -> None:
    """Move CQP/CAN/CQA rows out of the staged core table (they will be published to restricted only)."""
    for stmt in ddl.split_sensitive(ds, staging_tables(ds, load_id)[0], sensitive_staging(ds, load_id)):
        conn.execute(stmt)


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


def create(conn: psycopg.Connection, ds: Dataset, load_id: int) -> None:
    """Create the run's staging tables, owned by hub_owner."""
    (cs, ct), (ps, pt) = staging_tables(ds, load_id)
    conn.execute(ddl.create_core(ds, cs, ct))
    conn.execute(ddl.create_personal(ds, ps, pt))


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


def set_rules(conn: psycopg.Connection, ds: Dataset, load_id: int) -> list[Issue]:
    """Rules that need every row of the load: duplicate keys (rejected, moved to quarantine)."""
    (cs, ct), (ps, pt) = staging_tables(ds, load_id)
    core, pers = sql.Identifier(cs, ct), sql.Identifier(ps, pt)
    keys = sql.SQL(", ").join(map(sql.Identifier, ds.key))
    dupes = conn.execute(sql.SQL(
        "SELECT row_id, parcel_key, provenance->>'file', (provenance->>'row')::bigint, n FROM "
        "(SELECT row_id, parcel_key, provenance, count(*) OVER (PARTITION BY {k}) n FROM {t}) d WHERE n > 1 "
        "ORDER BY row_id").format(k=keys, t=core)).fetchall()
    found: list[Issue] = []
    for row_id, key, file, row_no, n in dupes:
        found.append(issue(ds, file, row_no, "duplicate_key", f"key {key} occurs {n} times in this load", key=key))
    rejected = [i for i in found if i.action == "rejected"]
    if rejected:
        ids = [r[0] for r in dupes]
        conn.execute(sql.SQL(
            "INSERT INTO restricted.quarantine (load_id, dataset_id, file, row_no, rules, raw) "
            "SELECT %s, %s, c.provenance->>'file', (c.provenance->>'row')::bigint, ARRAY['duplicate_key'], "
            "to_jsonb(c) - 'geom' - 'geom_vn2000' || coalesce(to_jsonb(p) - 'row_id', '{{}}') "
            "|| jsonb_build_object('_geometry_wkb_hex', encode(ST_AsBinary(c.geom_vn2000), 'hex')) "
            "FROM {c} c LEFT JOIN {p} p USING (row_id) WHERE c.row_id = ANY(%s)").format(c=core, p=pers),
            (load_id, ds.id, ids))
        conn.execute(sql.SQL("DELETE FROM {} WHERE row_id = ANY(%s)").format(pers), (ids,))
        conn.execute(sql.SQL("DELETE FROM {} WHERE row_id = ANY(%s)").format(core), (ids,))
    return found
