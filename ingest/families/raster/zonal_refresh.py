"""Which statistics to refresh after a load: a raster dataset against every published polygon set, or a polygon
set against every published raster dataset (the other side of "computed set-wise after either side loads").
Both run inside the publish transaction of the dataset that loaded: readers see old statistics or new ones."""

from __future__ import annotations

import psycopg
from psycopg import sql

from hub.catalog.loader import load_dataset
from hub.catalog.models import Dataset
from hub.errors import CatalogError, NotFound
from hub.settings import raster_settings
from ingest.families.raster import zonal_store

ZONAL = "zonal"  # the raster template's secondary table of statistics


def polygon_sets(conn: psycopg.Connection) -> list[zonal_store.Target]:
    """Published polygon tables with a lossless VN-2000 copy (parcels), and every admin version with communes."""
    out = []
    rows = conn.execute(
        "SELECT c.dataset_id, split_part(c.table_name, '.', 1), split_part(c.table_name, '.', 2) "
        "FROM meta.published_collection c JOIN geometry_columns g ON g.f_table_schema = split_part(c.table_name, "
        "'.', 1) AND g.f_table_name = split_part(c.table_name, '.', 2) AND g.f_geometry_column = 'geom_vn2000' "
        "WHERE c.table_label = 'main' AND g.type IN ('MULTIPOLYGON', 'POLYGON') ORDER BY 1").fetchall()
    for dataset_id, schema, table in rows:
        try:
            pub = load_dataset(dataset_id).publication
        except (CatalogError, NotFound):
            continue  # a published dataset whose entry was removed: its statistics are not refreshed
        if pub is not None:
            out.append(zonal_store.parcel_target(dataset_id, (schema, table), pub.id_column))
    for (version_id,) in conn.execute("SELECT DISTINCT version_id FROM ref.admin_unit WHERE level = 'xa' "
                                      "AND geom IS NOT NULL ORDER BY 1").fetchall():
        out.append(zonal_store.commune_target(version_id))
    return out


def _rasters(conn: psycopg.Connection, ds: Dataset) -> list[dict]:
    """The published rasters of a raster dataset as the statistics need them (path in the store, grid, classes)."""
    rows = conn.execute(sql.SQL(
        "SELECT raster_key, href, cog_sha256, epsg, nodata, scale, \"offset\", classes, ST_AsText(geom) FROM {} "
        "ORDER BY raster_key").format(sql.Identifier(*ds.primary.core_table))).fetchall()
    store = raster_settings().store / ds.id
    return [{"raster_key": r[0], "path": str(store / r[1].rsplit("/", 1)[-1]), "cog_sha256": r[2], "epsg": r[3],
             "nodata": r[4], "scale": r[5], "offset": r[6], "classes": r[7], "footprint_wkt": r[8]} for r in rows]


def _zonal_table(ds: Dataset):
    """The dataset's statistics table (None when its entry declares none)."""
    return next((t for t in ds.all_tables if t.name == ZONAL), None)


def _refresh(conn: psycopg.Connection, ds: Dataset, targets: list[zonal_store.Target]) -> list[dict]:
    """Statistics of one raster dataset over the given polygon sets, and its collection's row count."""
    zt = _zonal_table(ds)
    if zt is None or not targets:
        return []
    conn.execute("SET LOCAL ROLE hub_owner")
    try:
        out = [zonal_store.refresh(conn, r, t, zt.core_table) for r in _rasters(conn, ds) for t in targets]
        if zt.published and zt.publication is not None:
            conn.execute(sql.SQL("UPDATE meta.published_collection SET row_count = (SELECT count(*) FROM {}) "
                                 "WHERE collection = %s").format(sql.Identifier(*zt.core_table)),
                         (zt.publication.collection,))
    finally:
        conn.execute("RESET ROLE")
    return out


def refresh_raster_dataset(conn: psycopg.Connection, ds: Dataset) -> list[dict]:
    """After a raster dataset publishes: its rasters over every polygon set."""
    return _refresh(conn, ds, polygon_sets(conn))


def raster_datasets(conn: psycopg.Connection) -> list[Dataset]:
    """Published raster datasets whose entries still exist."""
    out = []
    for (dataset_id,) in conn.execute("SELECT dataset_id FROM meta.published_collection WHERE table_label = 'main' "
                                      "AND table_name LIKE 'raster.%%' ORDER BY 1").fetchall():
        try:
            out.append(load_dataset(dataset_id))
        except (CatalogError, NotFound):
            continue
    return out


def on_publish(conn: psycopg.Connection, ds: Dataset) -> None:
    """Every dataset's publish (spec.on_publish): a polygon set that loaded gets every raster's statistics."""
    if ds.family == "raster":
        return  # its own after_publish did it
    targets = [t for t in polygon_sets(conn) if t.kind == "parcel" and t.name == ds.id]
    for rds in raster_datasets(conn):
        _refresh(conn, rds, targets)


def refresh_communes(conn: psycopg.Connection) -> list[dict]:
    """Statistics of every published raster over the commune boundaries (after `hub ref load-boundaries`)."""
    targets = [t for t in polygon_sets(conn) if t.kind == "commune"]
    return [s for rds in raster_datasets(conn) for s in _refresh(conn, rds, targets)]
