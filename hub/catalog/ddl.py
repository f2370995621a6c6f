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
    """Column definitions for the given sensitivity levels."""
    return [sql.SQL("{} {}").format(sql.Identifier(c.name), sql.SQL(SQL_TYPES[c.type]))
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
    """The GiST index, built first: set-level rules (overlaps) use it."""
    return sql.SQL("CREATE INDEX {} ON {} USING gist (geom)").format(sql.Identifier(f"{suffix}_geom"),
                                                                   sql.Identifier(schema, table))


def index_keys(ds: Dataset, schema: str, table: str, suffix: str) -> list[sql.Composed]:
    """Key constraints built after duplicates were quarantined: row id, unique key, public id."""
    t = sql.Identifier(schema, table)
    idx = [
        sql.SQL("ALTER TABLE {} ADD CONSTRAINT {} PRIMARY KEY (row_id)").format(t, sql.Identifier(f"{suffix}_pk")),
        sql.SQL("CREATE UNIQUE INDEX {} ON {} ({})").format(
            sql.Identifier(f"{suffix}_key"), t, sql.SQL(", ").join(map(sql.Identifier, ds.key))),
    ]
    if ds.publication.id_column not in ds.key[:1]:
        idx.append(sql.SQL("CREATE INDEX {} ON {} ({})").format(
            sql.Identifier(f"{suffix}_id"), t, sql.Identifier(ds.publication.id_column)))
    return idx


def create_view(ds: Dataset, core_schema: str, core_table: str) -> sql.Composed:
    """The public view: id + public columns + geometry, a pure projection of the core table.

    Rows that must never be public (CQP/CAN/CQA) are not in the core table at all (see `split_sensitive`), so the
    view needs no row filter: no filter means nothing a leaky function could expose (case P04) and no
    security_barrier, which would stop the planner from using the table's spatial and id indexes through it.
    """
    cols = [sql.SQL("{} AS id").format(sql.Identifier(ds.publication.id_column))]
    cols += [sql.Identifier(c.name) for c in ds.by_sensitivity("public")]  # id stays visible as an attribute
    cols.append(sql.Identifier("geom"))
    schema, view = ds.view
    return sql.SQL("CREATE OR REPLACE VIEW {} AS SELECT {} FROM {}").format(
        sql.Identifier(schema, view), sql.SQL(", ").join(cols), sql.Identifier(core_schema, core_table))


def split_sensitive(ds: Dataset, src: tuple[str, str], dst: tuple[str, str]) -> list[sql.Composed]:
    """Move defence/security rows from a (staged) core table into their own table, meant for the restricted schema."""
    if not (ds.publication.exclude_sensitive_land_use and any(c.name == SENSITIVE_FLAG for c in ds.columns)):
        return [sql.SQL("CREATE TABLE {} (LIKE {})").format(sql.Identifier(*dst), sql.Identifier(*src))]
    flag = sql.Identifier(SENSITIVE_FLAG)
    return [
        sql.SQL("CREATE TABLE {} AS SELECT * FROM {} WHERE coalesce({}, false)").format(
            sql.Identifier(*dst), sql.Identifier(*src), flag),
        sql.SQL("DELETE FROM {} WHERE coalesce({}, false)").format(sql.Identifier(*src), flag),
    ]


def public_view_columns(ds: Dataset) -> list[str]:
    """The columns the public view must have, exactly (security case P02)."""
    return ["id", *[c.name for c in ds.by_sensitivity("public")], "geom"]
