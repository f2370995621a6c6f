"""Register VN-2000 CRSs: EPSG 9205-9218 (missing in PostGIS 3.3) and pinned-shift custom SRIDs 900000+EPSG.

PostGIS 3 resolves a SRID through its EPSG code when one is recorded, so PROJ may pick EPSG:5194 in the
Mekong (0.8 m off). The custom SRIDs carry no authority, only a proj4 string with the EPSG:6960 +towgs84:
transforms through them follow the pinned path (domain spec §2.4).
"""

from __future__ import annotations

import psycopg
from pyproj import CRS

from hub import crs


def apply(conn: psycopg.Connection) -> None:
    """Insert the missing EPSG entries and the pinned custom SRIDs (idempotent)."""
    for epsg in crs.MISSING_IN_POSTGIS_33:
        c = CRS.from_epsg(epsg)
        conn.execute(
            "INSERT INTO spatial_ref_sys (srid, auth_name, auth_srid, srtext, proj4text) "
            "VALUES (%s, 'EPSG', %s, %s, %s) ON CONFLICT (srid) DO NOTHING",
            (epsg, epsg, c.to_wkt("WKT1_GDAL"), f"{crs.tmerc(crs.ZONES[epsg])} +units=m +no_defs"))
    for epsg in (crs.VN2000_GEOGRAPHIC, *crs.ZONES):
        conn.execute(
            "INSERT INTO spatial_ref_sys (srid, auth_name, auth_srid, srtext, proj4text) "
            "VALUES (%s, NULL, NULL, NULL, %s) ON CONFLICT (srid) DO UPDATE SET proj4text = EXCLUDED.proj4text",
            (crs.pinned_srid(epsg), crs.proj4_pinned(epsg)))
