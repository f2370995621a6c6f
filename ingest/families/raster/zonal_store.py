"""Zonal statistics kept in PostGIS, set-wise and incremental: what changed is recomputed, nothing else.

A stored row remembers the md5 of the polygon's WKB and the raster's COG checksum it was computed from. After
either side loads, rows whose polygon changed or vanished, or whose raster changed, are deleted; polygons without
a row are then streamed from PostGIS in spatial order (0.05° tiles, so a batch's pixels are one window), taken to
the raster's grid without a datum step (VN-2000 grids from the lossless EPSG:4756 copy by the pure projection;
WGS 84 grids from the published geometry), measured, and COPYed back. All in one transaction: readers see the
old set or the new one.
"""

from __future__ import annotations

import datetime as dt
import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import psycopg
import shapely
from psycopg import sql
from pyproj import Transformer

from hub import crs as hubcrs
from ingest.families.raster.zonal import Engine, Grid, Result

BATCH = 20_000
TILE_DEG = 0.05
COLUMNS = ("area_m2", "valid_share", "mean", "min", "max", "stddev", "classes", "majority")


@dataclass(frozen=True)
class Target:
    """A polygon set: its table, id column and the two geometry columns (VN-2000 lossless, WGS 84)."""

    kind: str  # "parcel" | "commune"
    name: str  # the stats rows' `target`: the parcel dataset id, or communes:<admin version>
    table: tuple[str, str]
    id_sql: sql.Composable
    where: sql.Composable = field(default_factory=lambda: sql.SQL("TRUE"))
    vn2000_col: str = "geom_vn2000"
    wgs84_col: str = "geom"


def parcel_target(dataset_id: str, table: tuple[str, str], id_column: str) -> Target:
    """The published parcels of one vector dataset."""
    return Target("parcel", dataset_id, table, sql.Identifier(id_column))


def commune_target(version_id: str) -> Target:
    """The communes (level xa) of one admin version that have boundaries."""
    return Target("commune", f"communes:{version_id}", ("ref", "admin_unit"), sql.Identifier("code"),
                  sql.SQL("level = 'xa' AND version_id = {} AND geom IS NOT NULL").format(sql.Literal(version_id)),
                  vn2000_col="geom", wgs84_col="geom_wgs84")


def to_grid(epsg: int) -> tuple[str, Callable | None]:
    """(source geometry column role, coordinate function) taking stored geometry to the raster grid."""
    if hubcrs.is_vn2000(epsg):
        if epsg == hubcrs.VN2000_GEOGRAPHIC:
            return "vn2000", None
        inv = hubcrs.to_vn2000_geographic(epsg)
        return "vn2000", lambda x, y: inv.transform(x, y, direction="INVERSE")
    if epsg == 4326:
        return "wgs84", None
    fwd = Transformer.from_crs(4326, epsg, always_xy=True)
    return "wgs84", fwd.transform


def _geom_col(t: Target, role: str) -> sql.Identifier:
    """The geometry column a raster in this role reads."""
    return sql.Identifier(t.vn2000_col if role == "vn2000" else t.wgs84_col)


def refresh(conn: psycopg.Connection, raster: dict, target: Target, stats_table: tuple[str, str],
            progress: Callable[[int], None] | None = None) -> dict:
    """Bring the stats of one raster over one polygon set up to date in `stats_table` (a raster dataset's live
    `__zonal` table); returns counts and seconds."""
    t0 = time.monotonic()
    role, fn = to_grid(raster["epsg"])
    gcol = _geom_col(target, role)
    table = sql.Identifier(*target.table)
    stats = sql.Identifier(*stats_table)
    rk, tgt, sha = raster["raster_key"], target.name, raster["cog_sha256"]
    fp = sql.SQL("ST_GeomFromText({}, 4326)").format(sql.Literal(raster["footprint_wkt"]))
    wgs = sql.Identifier(target.wgs84_col)
    deleted = conn.execute(sql.SQL(
        "DELETE FROM {stats} z WHERE z.raster_key = {rk} AND z.target = {tgt} AND (z.raster_sha256 <> {sha} OR "
        "NOT EXISTS (SELECT 1 FROM {table} p WHERE {where} AND p.{id}::text = z.feature_id AND "
        "md5(ST_AsBinary(p.{g})) = z.geom_md5 AND p.{wgs} && {fp}))").format(
        stats=stats, rk=sql.Literal(rk), tgt=sql.Literal(tgt), sha=sql.Literal(sha), table=table,
        where=target.where, id=target.id_sql, g=gcol, wgs=wgs, fp=fp)).rowcount
    next_id = conn.execute(sql.SQL("SELECT coalesce(max(row_id), 0) FROM {}").format(stats)).fetchone()[0]
    cur = conn.cursor(name="zonal_src")
    cur.itersize = BATCH
    cur.execute(sql.SQL(
        "SELECT p.{id}::text, md5(ST_AsBinary(p.{g})), ST_AsBinary(p.{g}) FROM {table} p WHERE {where} "
        "AND p.{wgs} && {fp} AND NOT EXISTS (SELECT 1 FROM {stats} z WHERE z.raster_key = {rk} AND z.target = {tgt} "
        "AND z.feature_id = p.{id}::text) ORDER BY floor(ST_XMin(p.{wgs}) / {tile}), floor(ST_YMin(p.{wgs}) / {tile})"
    ).format(id=target.id_sql, g=gcol, table=table, where=target.where, wgs=wgs, fp=fp, stats=stats,
             rk=sql.Literal(rk), tgt=sql.Literal(tgt), tile=sql.Literal(TILE_DEG)))
    engine = Engine(Grid(raster["path"], not _projected(raster["epsg"]), raster["nodata"], raster["scale"],
                         raster["offset"], {int(c["value"]): c["code"] for c in raster["classes"]}))
    cols = sql.SQL(", ").join(map(sql.Identifier, ["row_id", "zonal_id", "raster_key", "target", "target_kind",
                                                   "feature_id", "geom_md5", "raster_sha256", *COLUMNS,
                                                   "computed_at"]))
    now = dt.datetime.now(dt.UTC)
    computed = 0
    copy_sql = sql.SQL("COPY {} ({}) FROM STDIN").format(stats, cols)
    try:
        while True:  # FETCH a batch, measure it, COPY its rows: one connection, one transaction
            rows = cur.fetchmany(BATCH)
            if not rows:
                break
            fids = [r[0] for r in rows]
            md5 = {r[0]: r[1] for r in rows}
            geoms = shapely.from_wkb([bytes(r[2]) for r in rows])
            if fn is not None:
                geoms = shapely.transform(geoms, lambda xy: np.column_stack(fn(xy[:, 0], xy[:, 1])))
            results = list(engine.run(fids, geoms))
            with conn.cursor() as wcur, wcur.copy(copy_sql) as copy:
                for res in results:
                    next_id += 1
                    copy.write_row((next_id, f"{tgt}/{res.fid}/{rk}", rk, tgt, target.kind, res.fid, md5[res.fid],
                                    sha, *_values(res), now))
            computed += len(results)
            if progress:
                progress(len(rows))
    finally:
        engine.close()
        cur.close()
    return {"raster": rk, "target": tgt, "deleted": deleted, "computed": computed,
            "seconds": round(time.monotonic() - t0, 2)}


def _projected(epsg: int) -> bool:
    """Metric grid (TM-3, UTM) rather than degrees."""
    return epsg not in (4326, hubcrs.VN2000_GEOGRAPHIC)


def _values(r: Result) -> tuple:
    """A Result as the COPY row's statistics columns."""
    return (r.area_m2, r.valid_share, r.mean, r.min, r.max, r.stddev,
            json.dumps(r.classes) if r.classes is not None else None, r.majority)
