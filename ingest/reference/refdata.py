"""Reference data a run needs, read once from ref.* (the database is the single source at run time)."""

from __future__ import annotations

from dataclasses import dataclass, field

import psycopg
import shapely


@dataclass
class RefData:
    """Zones, land-use code lists, crosswalk, admin units, lineage and commune boundaries."""

    zones: dict[str, int] = field(default_factory=dict)                 # old province code -> EPSG
    codes: dict[str, dict[str, bool]] = field(default_factory=dict)     # list -> code -> is_sensitive
    crosswalk: dict[tuple[str, str], list[tuple[str, str, str]]] = field(default_factory=dict)
    communes: dict[str, dict[str, str]] = field(default_factory=dict)   # version -> code -> province (old codes)
    lineage: dict[str, list[tuple[str, str]]] = field(default_factory=dict)  # old commune -> [(new, relation)]
    old_bounds: dict[str, object] = field(default_factory=dict)         # old commune -> WGS 84 polygon
    new_bounds: dict[str, object] = field(default_factory=dict)         # new commune -> WGS 84 polygon


def _province_of(conn: psycopg.Connection, version: str) -> dict[str, str]:
    """Commune code -> province code for an admin version (through districts where they exist)."""
    rows = conn.execute(
        "SELECT x.code, coalesce(h.parent_code, x.parent_code) FROM ref.admin_unit x "
        "LEFT JOIN ref.admin_unit h ON h.version_id = x.version_id AND h.level = 'huyen' AND h.code = x.parent_code "
        "WHERE x.version_id = %s AND x.level = 'xa'", (version,)).fetchall()
    return dict(rows)


def load(conn: psycopg.Connection, old_version: str, new_version: str = "GSO-2025-07-01") -> RefData:
    """Read everything once per run."""
    ref = RefData()
    ref.zones = dict(conn.execute("SELECT old_province_code, epsg FROM ref.crs_zone").fetchall())
    for lst, code, sens in conn.execute("SELECT code_list, code, is_sensitive FROM ref.land_use_code"):
        ref.codes.setdefault(lst, {})[code] = sens
    for fl, fc, tl, tc, rel in conn.execute(
            "SELECT from_list, from_code, to_list, to_code, relation FROM ref.land_use_code_map ORDER BY 1, 2, 3, 4"):
        ref.crosswalk.setdefault((fl, fc), []).append((tl, tc, rel))
    ref.communes[old_version] = _province_of(conn, old_version)
    ref.communes[new_version] = _province_of(conn, new_version)
    for old, new, rel in conn.execute(
            "SELECT old_code, new_code, relation FROM ref.admin_lineage WHERE old_version = %s AND new_version = %s "
            "AND old_level = 'xa' ORDER BY old_code, is_default DESC NULLS LAST, new_code", (old_version, new_version)):
        ref.lineage.setdefault(old, []).append((new, rel))
    for version, target in ((old_version, ref.old_bounds), (new_version, ref.new_bounds)):
        for code, wkb in conn.execute("SELECT code, ST_AsBinary(geom_wgs84) FROM ref.admin_unit "
                                      "WHERE version_id = %s AND level = 'xa' AND geom_wgs84 IS NOT NULL", (version,)):
            target[code] = shapely.from_wkb(bytes(wkb))
    return ref
