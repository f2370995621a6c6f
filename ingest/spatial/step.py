"""The generic geometry step for any family: type check and promotion, validity, the pinned reprojection
(EPSG:6960, domain §2.4) to WGS 84 and VN-2000 geographic, and the outside-Vietnam / swapped-axes checks.

The cadastre keeps its own vectorised polygon path (ingest.families.cadastre.pipeline); this one goes through
shapely and serves points, lines and polygons at the volumes other families load."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import shapely

from hub import crs
from hub.catalog.family import GeometrySpec
from ingest.core.findings import Findings
from ingest.spatial import georef

# catalog type -> (shapely type ids it accepts, the multi type single parts are promoted to)
ACCEPTS = {
    "Point": ({0}, None), "MultiPoint": ({0, 4}, shapely.multipoints),
    "LineString": ({1}, None), "MultiLineString": ({1, 5}, shapely.multilinestrings),
    "MultiPolygon": ({3, 6}, shapely.multipolygons),
}
NAMES = {0: "Point", 1: "LineString", 2: "LinearRing", 3: "Polygon", 4: "MultiPoint", 5: "MultiLineString",
         6: "MultiPolygon", 7: "GeometryCollection"}


@dataclass
class Geometry:
    """A chunk's geometries once checked and reprojected: usable rows, EWKB per target, WGS 84 bounds and a
    representative WGS 84 point per row (NaN / NULL where a row has no usable geometry)."""

    ok: np.ndarray
    wgs: pa.Array
    vn: pa.Array
    bounds: np.ndarray
    points: np.ndarray

    def columns(self) -> tuple[pa.Array, pa.Array, np.ndarray]:
        """(WGS 84 EWKB, VN-2000 EWKB, bounds): what `output.TableRows.geometry` takes."""
        return self.wgs, self.vn, self.bounds


def _promote(geoms: np.ndarray, spec: GeometrySpec) -> np.ndarray:
    """Single parts as the multi type the table stores (Polygon -> MultiPolygon, ...)."""
    _, multi = ACCEPTS[spec.type]
    if multi is None:
        return geoms
    ids = shapely.get_type_id(geoms)
    single = np.isin(ids, (0, 1, 3)) & ~shapely.is_empty(geoms)
    out = geoms.copy()
    if single.any():
        out[single] = [multi([g]) for g in geoms[single]]
    return out


def _transform(geoms: np.ndarray, decision: georef.CrsDecision) -> tuple[np.ndarray, np.ndarray]:
    """Source-grid geometries in VN-2000 geographic (EPSG:4756) and WGS 84 (lon, lat), through the pinned path:
    the coordinates of the whole chunk transformed in one call per target."""
    coords = shapely.get_coordinates(geoms)
    (vx, vy), (wx, wy) = georef.target_xy(coords[:, 0].copy(), coords[:, 1].copy(), decision)
    vn = shapely.set_coordinates(geoms.copy(), np.column_stack((vx, vy)))
    wgs = shapely.set_coordinates(geoms.copy(), np.column_stack((wx, wy)))
    return vn, wgs


def _ewkb(geoms: np.ndarray, srid: int, ok: np.ndarray) -> pa.Array:
    """EWKB with SRID of the usable rows, NULL elsewhere."""
    out = np.full(len(geoms), None, dtype=object)
    if ok.any():
        out[ok] = shapely.to_wkb(shapely.set_srid(geoms[ok], srid), include_srid=True)
    return pa.array(out, pa.binary())


def geometry(f: Findings, geoms: np.ndarray | None, spec: GeometrySpec, decision: georef.CrsDecision | None,
             field: str | None = None) -> Geometry:
    """Check and reproject one chunk's geometries for a table of type `spec` (findings on the rows that fail:
    empty_geometry, invalid_geometry, axis_order, outside_admin_unit, datum_suspect)."""
    n = len(f.row_no)
    if geoms is None:
        geoms = np.full(n, None, dtype=object)
    empty = shapely.is_missing(geoms) | shapely.is_empty(geoms)
    f.add(empty, "empty_geometry", "no geometry", field)
    accepted, _ = ACCEPTS[spec.type]
    ids = shapely.get_type_id(geoms)
    wrong = np.flatnonzero(~empty & ~np.isin(ids, list(accepted)))
    f.add(wrong, "invalid_geometry", [f"a {NAMES.get(int(ids[i]), 'geometry')} where the table holds "
                                      f"{spec.type}" for i in wrong], field)
    typed = ~empty & np.isin(ids, list(accepted))
    valid = np.zeros(n, dtype=bool)
    valid[typed] = shapely.is_valid(geoms[typed])
    finite = np.zeros(n, dtype=bool)
    if typed.any():
        finite[typed] = [np.isfinite(shapely.get_coordinates(g)).all() for g in geoms[typed]]
    bad = np.flatnonzero(typed & ~(valid & finite))
    f.add(bad, "invalid_geometry", ["coordinates are not finite numbers" if not finite[i]
                                    else shapely.is_valid_reason(geoms[i]) for i in bad], field)
    ok = typed & valid & finite & ~f.rejected
    geoms = _promote(geoms, spec)
    vn_g = np.full(n, None, dtype=object)
    wgs_g = np.full(n, None, dtype=object)
    bounds = np.full((n, 4), np.nan)
    points = np.full((n, 2), np.nan)
    if decision is not None and ok.any():
        vn_g[ok], wgs_g[ok] = _transform(geoms[ok], decision)
        bounds[ok] = shapely.bounds(wgs_g[ok])
        pts = shapely.point_on_surface(wgs_g[ok])
        points[ok] = np.column_stack((shapely.get_x(pts), shapely.get_y(pts)))
        outside = np.zeros(n, dtype=bool)
        outside[ok] = georef.outside_vietnam(points[ok, 0], points[ok, 1])
        if outside.any():
            rows = np.flatnonzero(outside)
            fits = georef.swapped_would_fit(geoms[outside], decision)
            f.add(rows[fits], "axis_order", "coordinates fall outside Vietnam but fit once X and Y are swapped "
                                            "(northing written as easting)", field)
            f.add(rows[~fits], "outside_admin_unit", f"coordinates fall outside Vietnam in EPSG:{decision.epsg}",
                  field)
            ok &= ~outside
        if decision.suspect:
            f.add(ok, "datum_suspect", decision.suspect, field)
    return Geometry(ok, _ewkb(wgs_g, 4326, ok), _ewkb(vn_g, crs.VN2000_GEOGRAPHIC, ok), bounds, points)
