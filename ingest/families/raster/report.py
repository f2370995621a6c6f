"""The parcel report's raster section: the parcel's exact statistics from every published raster (mean, min and
max elevation and slope; land-cover shares), each cited. Runs on the API's connection (pub views only)."""

from __future__ import annotations

from psycopg import sql

from hub.api.collections import public_collections
from hub.api.processes.cadastre_section import citation
from hub.api.processes.sections import Parcel, Section


def section(conn, parcel: Parcel, date) -> Section:
    """Statistics of the parcel in every raster statistics collection (none: says which were searched)."""
    colls = public_collections()
    found = colls.get(parcel.collection)
    if found is None:
        return Section(unavailable=f"collection {parcel.collection} is not published")
    target = found.dataset.id
    zonal = [c for c in colls.values() if c.dataset.family == "raster" and c.table.name == "zonal"]
    rasters, sources = [], []
    for c in sorted(zonal, key=lambda c: c.id):
        try:
            rows = conn.execute(sql.SQL(
                "SELECT raster_key, area_m2, valid_share, mean, min, max, stddev, classes, majority, computed_at "
                "FROM {} WHERE target = %s AND feature_id = %s ORDER BY raster_key").format(
                sql.Identifier(c.schema, c.view)), (target, parcel.id)).fetchall()
        except Exception:  # noqa: BLE001 - a raster dataset in the catalog but never published
            conn.rollback()
            continue
        opts = c.dataset.opts
        for r in rows:
            rasters.append({"dataset": c.dataset.id, "kind": opts.kind, "unit": opts.unit, "raster": r[0],
                            "area_m2": r[1], "valid_share": r[2], "mean": r[3], "min": r[4], "max": r[5],
                            "stddev": r[6], "classes": r[7], "majority": r[8],
                            "computed_at": r[9].isoformat() if r[9] else None})
        if rows:
            cited = citation(conn, c.dataset.id, parcel.lang)
            if cited:
                sources.append(cited)
    if not rasters:
        return Section(unavailable=f"no raster statistics for parcel {parcel.id} of {target} (searched: "
                                   f"{', '.join(c.id for c in zonal) or 'no raster statistics collection'})")
    return Section(data={"method": "exact coverage-weighted statistics (exactextract)", "rasters": rasters},
                   sources=sources)
