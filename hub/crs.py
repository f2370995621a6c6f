"""VN-2000 coordinate systems and the one datum path the hub uses (EPSG:6960, QĐ 05/2007/QĐ-BTNMT).

PROJ's automatic operation choice picks EPSG:5194 inside the Mekong/HCMC extent, 0.8 m away from the
official parameters (domain spec §2.4), so every VN-2000 -> WGS 84 step here is an explicit pipeline.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from pyproj import Transformer

# EPSG:6960 "VN-2000 to WGS 84 (2)": coordinate-frame convention, as published in the decision.
HELMERT_6960 = {
    "x": -191.90441429,
    "y": -39.30318279,
    "z": -111.45032835,
    "rx": -0.00928836,
    "ry": 0.01975479,
    "rz": -0.00427372,
    "s": 0.252906278,
}
# Same parameters in PROJ's +towgs84 (position-vector) convention: rotation signs flipped.
TOWGS84_6960 = "-191.90441429,-39.30318279,-111.45032835,0.00928836,-0.01975479,0.00427372,0.252906278"

VN2000_GEOGRAPHIC = 4756
WGS84 = 4326
PINNED_SRID_OFFSET = 900000  # PostGIS custom SRIDs carrying the pinned shift: 900000 + EPSG code


@dataclass(frozen=True)
class Zone:
    """A VN-2000 projected zone: EPSG code, central meridian (degrees) and scale factor."""

    epsg: int
    cm_deg: float
    k0: float
    name: str


def _tm3(epsg: int, cm: float, label: str) -> Zone:
    """A TM-3 zone (k0 = 0.9999, FE 500 km, TT 973/2001)."""
    return Zone(epsg, cm, 0.9999, f"VN-2000 / TM-3 {label}")


ZONES: dict[int, Zone] = {
    z.epsg: z
    for z in (
        Zone(3405, 105.0, 0.9996, "VN-2000 / UTM zone 48N"),
        Zone(3406, 111.0, 0.9996, "VN-2000 / UTM zone 49N"),
        _tm3(5896, 102.0, "zone 481"),
        _tm3(5897, 105.0, "zone 482"),
        _tm3(5898, 108.0, "zone 491"),
        _tm3(5899, 107.75, "107-45"),
        _tm3(9205, 103.0, "103-00"),
        _tm3(9206, 104.0, "104-00"),
        _tm3(9207, 104.5, "104-30"),
        _tm3(9208, 104.75, "104-45"),
        _tm3(9209, 105.5, "105-30"),
        _tm3(9210, 105.75, "105-45"),
        _tm3(9211, 106.0, "106-00"),
        _tm3(9212, 106.25, "106-15"),
        _tm3(9213, 106.5, "106-30"),
        _tm3(9214, 107.0, "107-00"),
        _tm3(9215, 107.25, "107-15"),
        _tm3(9216, 107.5, "107-30"),
        _tm3(9217, 108.25, "108-15"),
        _tm3(9218, 108.5, "108-30"),
    )
}
# EPSG codes PostGIS 3.3 (Debian 12) lacks in spatial_ref_sys: inserted by migration.
MISSING_IN_POSTGIS_33 = tuple(range(9205, 9219))


def zone_for_cm(cm_deg: float) -> Zone:
    """The TM-3 zone whose central meridian is `cm_deg` (raises KeyError if none)."""
    for zone in ZONES.values():
        if zone.k0 == 0.9999 and abs(zone.cm_deg - cm_deg) < 1e-9:
            return zone
    raise KeyError(cm_deg)


def tmerc(zone: Zone) -> str:
    """The PROJ projection step of a zone (no datum shift: VN-2000 grid <-> VN-2000 geographic)."""
    return f"+proj=tmerc +lat_0=0 +lon_0={zone.cm_deg!r} +k={zone.k0!r} +x_0=500000 +y_0=0 +ellps=WGS84"


def proj4_pinned(epsg: int) -> str:
    """A proj4 definition with the pinned +towgs84, for PostGIS custom SRIDs (PostGIS < 3.4 has no pipelines)."""
    if epsg == VN2000_GEOGRAPHIC:
        return f"+proj=longlat +ellps=WGS84 +towgs84={TOWGS84_6960} +no_defs"
    return f"{tmerc(ZONES[epsg])} +towgs84={TOWGS84_6960} +units=m +no_defs"


def _helmert() -> str:
    """The EPSG:6960 Helmert step in PROJ syntax."""
    params = " ".join(f"+{k}={v!r}" for k, v in HELMERT_6960.items())
    return f"+proj=helmert {params} +convention=coordinate_frame"


def pipeline_to_wgs84(epsg: int) -> str:
    """PROJ pipeline from a VN-2000 CRS (E,N or lon,lat order) to WGS 84 lon,lat via EPSG:6960 only."""
    steps = ["+proj=pipeline"]
    if epsg == VN2000_GEOGRAPHIC:
        steps.append("+step +proj=unitconvert +xy_in=deg +xy_out=rad")
    else:
        steps.append(f"+step +inv {tmerc(ZONES[epsg])}")
    steps += [
        "+step +proj=cart +ellps=WGS84",
        f"+step {_helmert()}",
        "+step +inv +proj=cart +ellps=WGS84",
        "+step +proj=unitconvert +xy_in=rad +xy_out=deg",
    ]
    return " ".join(steps)


def pipeline_to_vn2000_geographic(epsg: int) -> str:
    """PROJ pipeline from a VN-2000 grid to VN-2000 geographic lon,lat: a pure projection inverse, lossless."""
    return f"+proj=pipeline +step +inv {tmerc(ZONES[epsg])} +step +proj=unitconvert +xy_in=rad +xy_out=deg"


@lru_cache(maxsize=64)
def to_wgs84(epsg: int) -> Transformer:
    """Cached transformer VN-2000 (x=E/lon, y=N/lat) -> WGS 84 (lon, lat) with the pinned shift."""
    return Transformer.from_pipeline(pipeline_to_wgs84(epsg))


@lru_cache(maxsize=64)
def to_vn2000_geographic(epsg: int) -> Transformer:
    """Cached transformer VN-2000 grid (E, N) -> EPSG:4756 (lon, lat)."""
    return Transformer.from_pipeline(pipeline_to_vn2000_geographic(epsg))


def is_vn2000(epsg: int) -> bool:
    """Whether the hub knows `epsg` as a VN-2000 CRS."""
    return epsg == VN2000_GEOGRAPHIC or epsg in ZONES


def pinned_srid(epsg: int) -> int:
    """The PostGIS custom SRID that carries `epsg` with the pinned datum shift."""
    if not is_vn2000(epsg):
        raise KeyError(epsg)
    return PINNED_SRID_OFFSET + epsg
