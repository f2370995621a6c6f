"""Which statistics to refresh after a load: a raster against every published polygon set, or a polygon set
against every published raster (the other side of "computed set-wise after either side loads")."""

from __future__ import annotations

import psycopg

from hub.catalog.loader import load_dataset
from hub.errors import CatalogError
from ingest.families.raster import zonal_store
from hub.settings import raster_settings


def _raster(conn: psycopg.Connection, raster_id: str) -> dict | None:
    """A published raster as the statistics need it (path in the store, grid semantics, classes)."""
    row = conn.execute("SELECT dataset_id, file, cog_sha256, epsg, nodata, scale, \"offset\", classes, "
                       "ST_AsText(footprint) FROM raster.coverage WHERE dataset_id = %s", (raster_id,)).fetchone()
    if row is None:
        return None
    return {"dataset_id": row[0], "path": str(raster_settings().store / row[0] / row[1]), "cog_sha256": row[2],
            "epsg": row[3], "nodata": row[4], "scale": row[5], "offset": row[6], "classes": row[7],
            "footprint_wkt": row[8]}


def polygon_sets(conn: psycopg.Connection) -> list[zonal_store.Target]:
    """Published polygon datasets with a lossless VN-2000 copy (parcels), and every admin version with communes."""
    out = []
    rows = conn.execute(
        "SELECT p.dataset_id, split_part(p.table_name, '.', 1), split_part(p.table_name, '.', 2) "
        "FROM meta.published p JOIN geometry_columns g ON g.f_table_schema = split_part(p.table_name, '.', 1) "
        "AND g.f_table_name = split_part(p.table_name, '.', 2) AND g.f_geometry_column = 'geom_vn2000' "
        "WHERE g.type IN ('MULTIPOLYGON', 'POLYGON') ORDER BY 1").fetchall()
    for dataset_id, schema, table in rows:
        try:
            id_column = load_dataset(dataset_id).publication.id_column
        except CatalogError:
            continue  # a published dataset whose entry was removed: its statistics are not refreshed
        out.append(zonal_store.parcel_target(dataset_id, (schema, table), id_column))
    for (version_id,) in conn.execute("SELECT DISTINCT version_id FROM ref.admin_unit WHERE level = 'xa' "
                                      "AND geom IS NOT NULL ORDER BY 1").fetchall():
        out.append(zonal_store.commune_target(version_id))
    return out


def refresh_raster(conn: psycopg.Connection, raster_id: str, targets: list | None = None) -> list[dict]:
    """Statistics of one raster over every polygon set (or the given ones), brought up to date."""
    raster = _raster(conn, raster_id)
    if raster is None:
        return []
    return [zonal_store.refresh(conn, raster, t) for t in (targets if targets is not None else polygon_sets(conn))]


def refresh_dataset(conn: psycopg.Connection, dataset_id: str) -> list[dict]:
    """Statistics of every published raster over one polygon dataset (after it loads); none if it is not one."""
    targets = [t for t in polygon_sets(conn) if t.key.get("dataset_id") == dataset_id]
    if not targets:
        # the dataset is gone or no longer a polygon set: its rows go with it
        conn.execute("DELETE FROM raster.zonal_parcel WHERE dataset_id = %s", (dataset_id,))
        return []
    ids = [r[0] for r in conn.execute("SELECT dataset_id FROM raster.coverage ORDER BY 1").fetchall()]
    return [s for rid in ids for s in refresh_raster(conn, rid, targets)]


def refresh_communes(conn: psycopg.Connection) -> list[dict]:
    """Statistics of every published raster over the commune boundaries (after `hub ref load-boundaries`)."""
    targets = [t for t in polygon_sets(conn) if t.kind == "commune"]
    ids = [r[0] for r in conn.execute("SELECT dataset_id FROM raster.coverage ORDER BY 1").fetchall()]
    return [s for rid in ids for s in refresh_raster(conn, rid, targets)]
