"""DDL generated from a catalog entry: core table, personal side table, public view (identifiers allowlisted)."""

from __future__ import annotations

from psycopg import sql

from hub.catalog.models import Dataset

SQL_TYPES = {
    "text": "text", "integer": "integer", "bigint": "bigint", "numeric": "numeric", "double": "double precision",
    "date": "date", "boolean": "boolean", "timestamptz": "timestamptz", "jsonb": "jsonb",
}
SENSITIVE_FLAG = "is_sensitive"  # rows flagged here live in restricted.<id>_sensitive, never in the core table


def _cols(ds: Dataset, *levels: str) -> list[sql.Composable]:
    """Column definitions for the given sensitivity levels.

    Text is COLLATE "C": the same code-point order as the cluster's C.UTF-8, but compared with memcmp and
    abbreviated sort keys, so key and id indexes build about twice as fast."""
    return [sql.SQL("{} {}{}").format(sql.Identifier(c.name), sql.SQL(SQL_TYPES[c.type]),
                                      sql.SQL(' COLLATE "C"' if c.type == "text" else ""))
            for c in ds.by_sensitivity(*levels)]


def core_columns(ds: Dataset) -> list[str]:
    """Column names of the core table, in order (what COPY writes)."""
    return ["row_id", *[c.name for c in ds.by_sensitivity("public", "restricted")], "geom", "geom_vn2000"]


def personal_columns(ds: Dataset) -> list[str]:
    """Column names of the personal side table, in order."""
    return ["row_id", *[c.name for c in ds.by_sensitivity("personal")]]


def create_core(ds: Dataset, schema: str, table: str) -> sql.Composed:
    """CREATE TABLE for public + restricted columns and both geometries (WGS 84 published, VN-2000 lossless)."""
    gtype = sql.SQL(ds.geometry_type)
    defs = [sql.SQL("row_id bigint NOT NULL"), *_cols(ds, "public", "restricted"),
            sql.SQL("geom geometry({}, 4326)").format(gtype), sql.SQL("geom_vn2000 geometry({}, 4756)").format(gtype)]
    return sql.SQL("CREATE TABLE {} ({})").format(sql.Identifier(schema, table), sql.SQL(", ").join(defs))


def create_personal(ds: Dataset, schema: str, table: str) -> sql.Composed:
    """CREATE TABLE for personal columns, joined to the core row by row_id."""
    defs = [sql.SQL("row_id bigint NOT NULL"), *_cols(ds, "personal")]
    return sql.SQL("CREATE TABLE {} ({})").format(sql.Identifier(schema, table), sql.SQL(", ").join(defs))


def index_spatial(schema: str, table: str, suffix: str) -> sql.Composed:
    """The GiST index on the published geometry (built alongside the key indexes, on its own connection)."""
    return sql.SQL("CREATE INDEX {} ON {} USING gist (geom)").format(sql.Identifier(f"{suffix}_geom"),
                                                                   sql.Identifier(schema, table))


def index_unique_key(ds: Dataset, schema: str, table: str, suffix: str, unique: bool = True) -> sql.Composed:
    """The unique parcel-key index; building it is also the duplicate check of a clean load. (Not unique when a
    catalog keeps duplicate keys as a warning.)"""
    return sql.SQL("CREATE {}INDEX {} ON {} ({})").format(sql.SQL("UNIQUE " if unique else ""),
        sql.Identifier(f"{suffix}_key"), sql.Identifier(schema, table),
        sql.SQL(", ").join(map(sql.Identifier, ds.key_index)))


def index_others(ds: Dataset, schema: str, table: str, suffix: str) -> list[sql.Composed]:
    """The row-id index (made the primary key at the end) and the public-id index."""
    t = sql.Identifier(schema, table)
    idx = [sql.SQL("CREATE UNIQUE INDEX {} ON {} (row_id)").format(sql.Identifier(f"{suffix}_pk"), t)]
    if ds.publication.id_column != ds.key_index[0]:
        idx.append(sql.SQL("CREATE INDEX {} ON {} ({})").format(
            sql.Identifier(f"{suffix}_id"), t, sql.Identifier(ds.publication.id_column)))
    return idx + index_search(ds, schema, table, suffix)


def index_search(ds: Dataset, schema: str, table: str, suffix: str) -> list[sql.Composed]:
    """A trigram GIN index on ACCENTI(column) per public text column marked `search: true`: serves CQL2
    `ACCENTI(col) LIKE ACCENTI('%...%')` and its CASEI form (ILIKE) without a scan (migration 0021)."""
    return [sql.SQL("CREATE INDEX {} ON {} USING gin (public.hub_accenti({}) public.gin_trgm_ops)").format(
        sql.Identifier(f"{suffix}_{c.name}_accenti"), sql.Identifier(schema, table), sql.Identifier(c.name))
        for c in ds.by_sensitivity("public") if c.search and c.type == "text"]


def side_primary_key(schema: str, table: str, name: str) -> sql.Composed:
    """PRIMARY KEY (row_id) of a personal or defence/security table, built in one statement (nothing waits on it)."""
    return sql.SQL("ALTER TABLE {} ADD CONSTRAINT {} PRIMARY KEY (row_id)").format(
        sql.Identifier(schema, table), sql.Identifier(name))


def primary_key(schema: str, table: str, suffix: str) -> sql.Composed:
    """Promote the row-id index to the primary key (instant; needs the table to itself, so it comes last)."""
    return sql.SQL("ALTER TABLE {} ADD CONSTRAINT {} PRIMARY KEY USING INDEX {}").format(
        sql.Identifier(schema, table), sql.Identifier(f"{suffix}_pk"), sql.Identifier(f"{suffix}_pk"))


def create_view(ds: Dataset, core_schema: str, core_table: str) -> sql.Composed:
    """The public view: id + public columns + geometry, a pure projection of the core table.

    Rows that must never be public (CQP/CAN/CQA) are not in the core table at all (see `create_sensitive`), so the
    view needs no row filter: no filter means nothing a leaky function could expose (case P04) and no
    security_barrier, which would stop the planner from using the table's spatial and id indexes through it.
    """
    cols = [sql.SQL("{} AS id").format(sql.Identifier(ds.publication.id_column))]
    cols += [sql.Identifier(c.name) for c in ds.by_sensitivity("public")]  # id stays visible as an attribute
    cols.append(sql.Identifier("geom"))
    schema, view = ds.view
    return sql.SQL("CREATE VIEW {} AS SELECT {} FROM {}").format(
        sql.Identifier(schema, view), sql.SQL(", ").join(cols), sql.Identifier(core_schema, core_table))


def drop_view(ds: Dataset) -> sql.Composed:
    """Drop the public view before it is created again: CREATE OR REPLACE cannot change a column's type or
    collation, which a catalog change may do. Inside the publish transaction readers never see it missing; no
    CASCADE: an object someone built on the view stops the publish instead of vanishing."""
    return sql.SQL("DROP VIEW IF EXISTS {}").format(sql.Identifier(*ds.view))


def create_sensitive(ds: Dataset, dst: tuple[str, str]) -> sql.Composed:
    """The table for defence/security rows, shaped like the core table (meant for the restricted schema); the
    load routes those rows there as it copies, so they never enter the core table."""
    return create_core(ds, *dst)


def public_view_columns(ds: Dataset) -> list[str]:
    """The columns the public view must have, exactly (security case P02)."""
    return ["id", *[c.name for c in ds.by_sensitivity("public")], "geom"]
