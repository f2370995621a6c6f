"""Reproject: decide each file's CRS (never silently), transform with the pinned EPSG:6960 path, check positions.

Order of authority: --crs, then the catalog, then the file; files without a CRS fail with CRS_ERROR unless
the catalog opts into `from_commune` (the TT 973 zone of the commune's old province).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa
import shapely
from pyproj import CRS, Transformer
from pyproj.exceptions import CRSError as ProjCRSError

from hub import crs
from hub.catalog.models import CrsSpec
from hub.errors import CrsError
from ingest.spatial import wkb

# Mainland Vietnam with islands, generous (lon, lat): used to catch swapped axes and wrong zones.
VIETNAM_BOUNDS = (101.5, 7.5, 117.5, 23.6)
WGS84_FAMILY = {4326, *range(32648, 32651)}


@dataclass(frozen=True)
class CrsDecision:
    """The CRS chosen for one file, where it came from, and any suspicion about it."""

    epsg: int
    origin: str  # "--crs", "catalog", "file", "commune"
    suspect: str | None = None

    @property
    def vn2000(self) -> bool:
        """Whether the source is VN-2000 (pinned shift applies)."""
        return crs.is_vn2000(self.epsg)


def parse_crs_option(text: str, zones: dict[str, int]) -> int:
    """`--crs`: an EPSG code (5897, EPSG:5897) or a pre-2025 province code (92) picking its TM-3 zone."""
    t = text.strip().upper().removeprefix("EPSG:")
    if re.fullmatch(r"\d{2}", t):
        if t not in zones:
            raise CrsError(f"unknown old province code '{t}' (expected one of the 63 pre-2025 codes)", rule="crs")
        return zones[t]
    if re.fullmatch(r"\d{4,5}", t):
        epsg = int(t)
        if not (crs.is_vn2000(epsg) or epsg in WGS84_FAMILY):
            raise CrsError(f"EPSG:{epsg} is not a VN-2000 or WGS 84 CRS the hub accepts", rule="crs")
        return epsg
    raise CrsError(f"--crs '{text}' is neither an EPSG code nor a 2-digit old province code", rule="crs")


def _from_file(wkt: str, file: str) -> CrsDecision:
    """Identify a file's CRS: an EPSG VN-2000 code, a VN-2000 TM-3 by its parameters, or WGS 84 (suspect)."""
    try:
        c = CRS.from_user_input(wkt)
    except ProjCRSError as exc:
        raise CrsError("the file's CRS definition cannot be parsed", file=file, rule="crs", internal=str(exc)) from exc
    epsg = c.to_epsg(min_confidence=70)
    if epsg and crs.is_vn2000(epsg):
        return CrsDecision(epsg, "file")
    shift = _vn2000_shift(c)
    if c.is_bound:
        c = c.source_crs
    datum = (c.datum.name if c.datum else "").lower().replace("_", " ")
    params = {p.name: p.value for p in (c.coordinate_operation.params if c.coordinate_operation else [])}
    if shift is not None:
        datum = "vietnam 2000"
    cm, k0 = params.get("Longitude of natural origin"), params.get("Scale factor at natural origin")
    if "vietnam" in datum or "vn 2000" in datum or "vn-2000" in datum:
        if cm is not None and k0 is not None and abs(k0 - 0.9999) < 1e-9:
            try:
                return CrsDecision(crs.zone_for_cm(cm).epsg, "file")
            except KeyError:
                pass
        raise CrsError(f"VN-2000 CRS with unusual parameters (central meridian {cm}, k0 {k0}); pass --crs",
                       file=file, rule="crs")
    if epsg in WGS84_FAMILY:
        return CrsDecision(epsg, "file", suspect=(
            f"the file declares EPSG:{epsg} (WGS 84); Vietnamese cadastral maps are surveyed in VN-2000 — "
            "if it was exported from VN-2000 without a datum shift, positions are ~225 m off"))
    if "wgs" in datum and cm is not None:
        raise CrsError("the CRS is a Transverse Mercator on a WGS 84-based datum without a datum shift "
                       "(a .prj cannot carry TOWGS84): pass --crs with the VN-2000 EPSG code", file=file, rule="crs")
    raise CrsError(f"unsupported CRS '{c.name}'; pass --crs with a VN-2000 EPSG code", file=file, rule="crs")


def _vn2000_shift(c: CRS) -> bool | None:
    """For a CRS bound to WGS 84 by a Helmert shift (MapInfo, proj4): True if it is EPSG:6960's, else None."""
    if not c.is_bound or not c.coordinate_operation:
        return None
    values = [p.value for p in c.coordinate_operation.params][:3]
    target = [crs.HELMERT_6960[k] for k in ("x", "y", "z")]
    return True if len(values) == 3 and all(abs(a - b) < 1.0 for a, b in zip(values, target)) else None


def decide(file: str, file_crs: str | None, spec: CrsSpec, option: int | None,
           commune_epsg: int | None = None, crs_error: str | None = None) -> CrsDecision:
    """The CRS of one file, by authority order (--crs, catalog, file, the file's commune zone); a disallowed,
    unreadable or missing CRS is a CrsError."""
    if option:
        decision = CrsDecision(option, "--crs")
    elif spec.epsg:
        decision = CrsDecision(spec.epsg, "catalog")
    elif crs_error:
        raise CrsError(f"the file's CRS definition cannot be read ({crs_error}): the .prj is truncated or "
                       "corrupt; pass --crs EPSG or --crs <old province code>, or fix the .prj",
                       file=file, rule="crs")
    elif file_crs:
        decision = _from_file(file_crs, file)
    elif commune_epsg:
        decision = CrsDecision(commune_epsg, "commune")
    else:
        raise CrsError("the file has no CRS (no .prj / no SRS): pass --crs EPSG or --crs <old province code>, "
                       "or declare source.crs in the catalog", file=file, rule="crs")
    if decision.vn2000 and spec.allowed and decision.epsg not in spec.allowed:
        raise CrsError(f"EPSG:{decision.epsg} is not among the CRSs this dataset accepts {spec.allowed}",
                       file=file, rule="crs")
    return decision


def target_xy(x: np.ndarray, y: np.ndarray, decision: CrsDecision) -> tuple[tuple, tuple]:
    """((lon, lat) in VN-2000 EPSG:4756, (lon, lat) in WGS 84) of source coordinates, through the pinned path."""
    if decision.vn2000:
        if decision.epsg != crs.VN2000_GEOGRAPHIC:
            x, y = crs.to_vn2000_geographic(decision.epsg).transform(x, y)
        return (x, y), crs.to_wgs84(crs.VN2000_GEOGRAPHIC).transform(x, y)
    if decision.epsg != 4326:
        x, y = Transformer.from_crs(decision.epsg, 4326, always_xy=True).transform(x, y)
    return crs.to_wgs84(crs.VN2000_GEOGRAPHIC).transform(x, y, direction="INVERSE"), (x, y)


def to_targets_wkb(rag: wkb.Ragged, decision: CrsDecision) -> tuple[pa.Array, pa.Array, np.ndarray]:
    """EWKB MultiPolygons in (EPSG:4756, EPSG:4326) of polygonal source geometries given as `wkb.ragged` arrays,
    and each geometry's WGS 84 bounds (minx, miny, maxx, maxy rows: the published extent is measured while
    loading).

    Neighbouring parcels share their boundary vertices (a cadastral sheet is a coverage: each corner belongs to
    two to four parcels, and every ring repeats its first vertex), so each distinct source vertex is transformed
    once and the results spread back: the same numbers, a fraction of the PROJ calls."""
    coords, offsets = rag
    where, distinct = pd.factorize(np.ascontiguousarray(coords[:, :2]).view(np.complex128).ravel())
    (vx, vy), (wx, wy) = target_xy(distinct.real.copy(), distinct.imag.copy(), decision)
    layout = wkb.Layout(offsets)
    wgs = np.column_stack((wx, wy))[where]
    return (layout.write(np.column_stack((vx, vy))[where], crs.VN2000_GEOGRAPHIC), layout.write(wgs, 4326),
            wkb.bounds(wgs, offsets))


def points_to_wgs(points: np.ndarray, decision: CrsDecision) -> np.ndarray:
    """Source-grid points as WGS 84 (lon, lat) rows (pinned path); no point objects are built."""
    _, (x, y) = target_xy(shapely.get_x(points), shapely.get_y(points), decision)
    return np.column_stack((x, y))


def outside_vietnam(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Mask of WGS 84 coordinates outside Vietnam's bounds."""
    minx, miny, maxx, maxy = VIETNAM_BOUNDS
    return ~((x >= minx) & (x <= maxx) & (y >= miny) & (y <= maxy))


def swapped_would_fit(geoms: np.ndarray, decision: CrsDecision) -> np.ndarray:
    """For each source geometry: would swapping X and Y put it inside Vietnam? (N written in the E column)."""
    pts = shapely.point_on_surface(geoms)
    wgs = points_to_wgs(shapely.points(shapely.get_y(pts), shapely.get_x(pts)), decision)
    return ~outside_vietnam(wgs[:, 0], wgs[:, 1])
