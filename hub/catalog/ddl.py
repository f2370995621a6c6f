"""DDL generated from a catalog table: core table, personal side table, public view (identifiers allowlisted)."""

from __future__ import annotations

from psycopg import sql

from hub.catalog.models import Sensitivity, TableRef
from hub.catalog.types import TYPES

SENSITIVE_FLAG = "is_sensitive"  # rows flagged here live in restricted.<base>_sensitive, never in the core table
GEOMETRY_COLUMNS = (("geom", 4326), ("geom_vn2000", 4756))  # published WGS 84, lossless VN-2000 geographic


def geometry_columns(t: TableRef) -> list[tuple[str, int]]:
    """(name, SRID) of the table's geometry columns: none for a table, WGS 84 and optionally VN-2000 otherwise."""
    if t.geometry is None:
        return []
    return list(GEOMETRY_COLUMNS if t.geometry.vn2000 else GEOMETRY_COLUMNS[:1])


def _cols(t: TableRef, *levels: Sensitivity) -> list[sql.Composable]:
    """Column definitions for the given sensitivity levels.

    Text is COLLATE "C": the same code-point order as the cluster's C.UTF-8, but compared with memcmp and
    abbreviated sort keys, so key and id indexes build about twice as fast."""
    return [sql.SQL("{} {}{}").format(sql.Identifier(c.name), sql.SQL(TYPES[c.type].sql),
                                      sql.SQL(' COLLATE "C"' if c.type == "text" else ""))
            for c in t.by_sensitivity(*levels)]


def core_columns(t: TableRef) -> list[str]:
    """Column names of the core table, in order (what COPY writes)."""
    return ["row_id", *[c.name for c in t.by_sensitivity("public", "restricted")],
            *[name for name, _ in geometry_columns(t)]]


def core_types(t: TableRef) -> list[str]:
    """PostgreSQL types of the core table's columns, in COPY order (the binary encoder's names)."""
    return ["bigint", *[c.type for c in t.by_sensitivity("public", "restricted")],
            *["geometry" for _ in geometry_columns(t)]]


def personal_columns(t: TableRef) -> list[str]:
    """Column names of the personal side table, in order."""
    return ["row_id", *[c.name for c in t.by_sensitivity("personal")]]


def personal_types(t: TableRef) -> list[str]:
    """PostgreSQL types of the personal side table's columns, in COPY order."""
    return ["bigint", *[c.type for c in t.by_sensitivity("personal")]]


def create_core(t: TableRef, schema: str, table: str) -> sql.Composed:
    """CREATE TABLE for public + restricted columns and the geometries (WGS 84 published, VN-2000 lossless)."""
    defs = [sql.SQL("row_id bigint NOT NULL"), *_cols(t, "public", "restricted")]
    for name, srid in geometry_columns(t):
        assert t.geometry is not None  # geometry_columns is empty for a table without geometry
        defs.append(sql.SQL("{} geometry({}, {})").format(sql.Identifier(name), sql.SQL(t.geometry.type),
                                                         sql.Literal(srid)))
    return sql.SQL("CREATE TABLE {} ({})").format(sql.Identifier(schema, table), sql.SQL(", ").join(defs))


def create_personal(t: TableRef, schema: str, table: str) -> sql.Composed:
    """CREATE TABLE for personal columns, joined to the core row by row_id."""
    defs = [sql.SQL("row_id bigint NOT NULL"), *_cols(t, "personal")]
    return sql.SQL("CREATE TABLE {} ({})").format(sql.Identifier(schema, table), sql.SQL(", ").join(defs))


def index_spatial(schema: str, table: str, suffix: str) -> sql.Composed:
    """The GiST index on the published geometry (built alongside the key indexes, on its own connection)."""
    return sql.SQL("CREATE INDEX {} ON {} USING gist (geom)").format(sql.Identifier(f"{suffix}_geom"),
                                                                   sql.Identifier(schema, table))


def index_unique_key(t: TableRef, schema: str, table: str, suffix: str, unique: bool = True) -> sql.Composed:
    """The unique key index; building it is also the duplicate check of a clean load. (Not unique when a catalog
    keeps duplicate keys as a warning.)"""
    return sql.SQL("CREATE {}INDEX {} ON {} ({})").format(sql.SQL("UNIQUE " if unique else ""),
        sql.Identifier(f"{suffix}_key"), sql.Identifier(schema, table),
        sql.SQL(", ").join(map(sql.Identifier, t.key_index)))


def index_others(t: TableRef, schema: str, table: str, suffix: str) -> list[sql.Composed]:
    """The row-id index (made the primary key at the end), the public-id index and the time index."""
    tbl = sql.Identifier(schema, table)
    idx = [sql.SQL("CREATE UNIQUE INDEX {} ON {} (row_id)").format(sql.Identifier(f"{suffix}_pk"), tbl)]
    key_index = t.key_index
    if t.publication is not None and t.publication.id_column != key_index[0]:
        idx.append(sql.SQL("CREATE INDEX {} ON {} ({})").format(
            sql.Identifier(f"{suffix}_id"), tbl, sql.Identifier(t.publication.id_column)))
    if t.time is not None and t.time.column != key_index[0]:
        cols = [t.time.column] + ([t.time.end] if t.time.end else [])
        idx.append(sql.SQL("CREATE INDEX {} ON {} ({})").format(
            sql.Identifier(f"{suffix}_time"), tbl, sql.SQL(", ").join(map(sql.Identifier, cols))))
    return idx + index_search(t, schema, table, suffix)


def index_search(t: TableRef, schema: str, table: str, suffix: str) -> list[sql.Composed]:
    """A trigram GIN index on ACCENTI(column) per public text column marked `search: true`: serves CQL2
    `ACCENTI(col) LIKE ACCENTI('%...%')` and its CASEI form (ILIKE) without a scan (migration 0021)."""
    return [sql.SQL("CREATE INDEX {} ON {} USING gin (public.hub_accenti({}) public.gin_trgm_ops)").format(
        sql.Identifier(f"{suffix}_{c.name}_accenti"), sql.Identifier(schema, table), sql.Identifier(c.name))
        for c in t.by_sensitivity("public") if c.search and c.type == "text"]


def side_primary_key(schema: str, table: str, name: str) -> sql.Composed:
    """PRIMARY KEY (row_id) of a personal or restricted-rows table, built in one statement (nothing waits on it)."""
    return sql.SQL("ALTER TABLE {} ADD CONSTRAINT {} PRIMARY KEY (row_id)").format(
        sql.Identifier(schema, table), sql.Identifier(name))


def primary_key(schema: str, table: str, suffix: str) -> sql.Composed:
    """Promote the row-id index to the primary key (instant; needs the table to itself, so it comes last)."""
    return sql.SQL("ALTER TABLE {} ADD CONSTRAINT {} PRIMARY KEY USING INDEX {}").format(
        sql.Identifier(schema, table), sql.Identifier(f"{suffix}_pk"), sql.Identifier(f"{suffix}_pk"))


def create_view(t: TableRef, core_schema: str, core_table: str) -> sql.Composed:
    """The public view: id + public columns (+ geometry), a pure projection of the core table.

    Rows that must never be public (CQP/CAN/CQA) are not in the core table at all (see `create_sensitive`), so the
    view needs no row filter: no filter means nothing a leaky function could expose (case P04) and no
    security_barrier, which would stop the planner from using the table's spatial and id indexes through it.
    """
    assert t.publication is not None, "only published tables have a view"
    cols: list[sql.Composable] = [sql.SQL("{} AS id").format(sql.Identifier(t.publication.id_column))]
    cols += [sql.Identifier(c.name) for c in t.by_sensitivity("public")]  # id stays visible as an attribute
    if t.geometry is not None:
        cols.append(sql.Identifier("geom"))
    schema, view = t.view
    return sql.SQL("CREATE VIEW {} AS SELECT {} FROM {}").format(
        sql.Identifier(schema, view), sql.SQL(", ").join(cols), sql.Identifier(core_schema, core_table))


def drop_view(t: TableRef) -> sql.Composed:
    """Drop the public view before it is created again: CREATE OR REPLACE cannot change a column's type or
    collation, which a catalog change may do. Inside the publish transaction readers never see it missing; no
    CASCADE: an object someone built on the view stops the publish instead of vanishing."""
    return sql.SQL("DROP VIEW IF EXISTS {}").format(sql.Identifier(*t.view))


def create_sensitive(t: TableRef, dst: tuple[str, str]) -> sql.Composed:
    """The table for restricted rows (defence/security parcels), shaped like the core table (meant for the
    restricted schema); the load routes those rows there as it copies, so they never enter the core table."""
    return create_core(t, *dst)


def public_view_columns(t: TableRef) -> list[str]:
    """The columns the public view must have, exactly (security case P02)."""
    return ["id", *[c.name for c in t.by_sensitivity("public")], *(["geom"] if t.geometry is not None else [])]
