"""Commune boundaries into ref.admin_unit (official ones are not openly published: land offices load theirs)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pyogrio
import shapely

from hub import crs
from hub.db.connect import connect
from hub.errors import InputError

REQUIRED = ("code", "level", "version_id")


def load_boundaries(paths: list[Path]) -> dict:
    """Set geom_wgs84/geom of existing admin units from files with columns code, level, version_id."""
    matched, unmatched = 0, []
    inverse = crs.to_wgs84(crs.VN2000_GEOGRAPHIC)
    with connect("etl") as conn, conn.transaction():
        conn.execute("SET LOCAL ROLE hub_owner")
        for path in paths:
            df = pyogrio.read_dataframe(path)
            missing = [c for c in REQUIRED if c not in df.columns]
            if missing:
                raise InputError(f"missing column(s) {missing}", file=str(path), rule="boundary_schema")
            if df.crs is None or df.crs.to_epsg() != 4326:
                df = df.to_crs(4326) if df.crs is not None else None
            if df is None:
                raise InputError("boundary file has no CRS", file=str(path), rule="crs")
            geoms = np.array([g if g.geom_type == "MultiPolygon" else shapely.MultiPolygon([g])
                              for g in df.geometry.values])
            vn = shapely.transform(geoms, lambda xy: np.column_stack(
                inverse.transform(xy[:, 0], xy[:, 1], direction="INVERSE")))
            for code, level, version, g, v in zip(df["code"], df["level"], df["version_id"], geoms, vn):
                n = conn.execute(
                    "UPDATE ref.admin_unit SET geom_wgs84 = ST_GeomFromWKB(%s, 4326), geom = ST_GeomFromWKB(%s, 4756), "
                    "geom_source = %s WHERE version_id = %s AND level = %s AND code = %s",
                    (shapely.to_wkb(g), shapely.to_wkb(v), path.name, version, level, str(code))).rowcount
                matched += n
                if not n:
                    unmatched.append(f"{version}/{level}/{code}")
    return {"matched": matched, "unmatched": unmatched}
