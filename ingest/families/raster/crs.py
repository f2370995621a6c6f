"""The CRS of a GeoTIFF: an EPSG code the hub pins, or VN-2000 recognised from its WKT parameters, or refused.

A raster without an authority code is accepted only when its parameters leave no doubt (domain spec §2.2–2.4):
a Transverse Mercator on the WGS 84 ellipsoid with the TT 973/2001 constants (FE 500 km, FN 0, lat0 0) whose
central meridian and scale factor are those of one VN-2000 zone, *and* a datum that says VN-2000 (its name, or a
TOWGS84 that is one of the published VN-2000 shifts). The same numbers on a datum named WGS 84 without a shift are
the classic "VN-2000 exported without its datum" file (225 m off): refused, with the --crs that would load it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from pyproj import CRS
from pyproj.exceptions import CRSError as ProjCRSError

from hub import crs as hubcrs
from hub.errors import CrsError

WGS84_GEOGRAPHIC = 4326
WGS84_UTM = {32648: 105.0, 32649: 111.0}  # WGS 84 / UTM 48N, 49N: Vietnam's two 6° zones
ACCEPTED_WGS84 = {WGS84_GEOGRAPHIC, *WGS84_UTM}
DEPRECATED = {6956: 5896, 6957: 5897, 6958: 5898, 6959: 5899}  # EPSG-deprecated duplicates (6959: FE/FN swapped)
_VN2000_NAME = re.compile(r"vn[\s_-]*2000|vietnam[\s_-]*2000", re.I)
_WGS84_NAME = re.compile(r"wgs[\s_]*(19)?84|world[\s_]+geodetic[\s_]+system[\s_]+1984", re.I)
# Published VN-2000 -> WGS 84 shifts as they appear in +towgs84 (position-vector) strings: EPSG:6960 (QĐ 05/2007),
# 6960 with the rotation signs of the decision copied unflipped, its 3-parameter truncation, and EPSG:5194.
_KNOWN_SHIFTS = {
    "EPSG:6960": (-191.90441429, -39.30318279, -111.45032835, 0.00928836, -0.01975479, 0.00427372, 0.252906278),
    "EPSG:6960 (rotation signs not flipped)": (-191.90441429, -39.30318279, -111.45032835, -0.00928836, 0.01975479,
                                               -0.00427372, 0.252906278),
    "EPSG:6960 (3 parameters)": (-191.904, -39.303, -111.45, 0.0, 0.0, 0.0, 0.0),
    "EPSG:5194": (-192.873, -39.382, -111.202, -0.00205, -0.0005, 0.00335, 0.0188),
}


@dataclass(frozen=True)
class RasterCrs:
    """The CRS a raster is published in: EPSG code, how it was decided, and any doubt worth a warning."""

    epsg: int
    origin: str  # "file (EPSG code)", "file (WKT parameters)", "--crs"
    detail: str
    suspect: str | None = None

    @property
    def vn2000(self) -> bool:
        """Whether the grid is VN-2000 (every step to WGS 84 goes through the pinned EPSG:6960 pipeline)."""
        return hubcrs.is_vn2000(self.epsg)

    @property
    def projected(self) -> bool:
        """Whether the grid is in metres (TM-3, UTM) rather than degrees."""
        return self.epsg not in (WGS84_GEOGRAPHIC, hubcrs.VN2000_GEOGRAPHIC)

    @property
    def uri(self) -> str:
        """The OGC URI of the CRS (EPSG authority path, never OGC/1.3/<code>)."""
        return f"http://www.opengis.net/def/crs/EPSG/0/{self.epsg}"


def accepted(epsg: int) -> bool:
    """Whether the hub publishes rasters in this EPSG CRS."""
    return hubcrs.is_vn2000(epsg) or epsg in ACCEPTED_WGS84


def _root_id(c: CRS) -> int | None:
    """The EPSG code written in the definition itself (GeoTIFF ProjectedCSTypeGeoKey / GeographicTypeGeoKey)."""
    ident = c.to_json_dict().get("id") or {}
    return int(ident["code"]) if ident.get("authority") == "EPSG" else None


def _shift(c: CRS) -> tuple[float, ...] | None:
    """The TOWGS84 parameters of a bound CRS (7 values), or None."""
    if not c.is_bound or not c.coordinate_operation:
        return None
    vals = [float(p.value) for p in c.coordinate_operation.params][:7]
    return tuple(vals + [0.0] * (7 - len(vals)))


def _known_shift(values: tuple[float, ...]) -> str | None:
    """Which published VN-2000 shift these TOWGS84 values are (to 1 mm / 1e-5″ / 1e-4 ppm), or None."""
    for name, ref in _KNOWN_SHIFTS.items():
        if all(abs(a - b) < tol for a, b, tol in zip(values, ref, (1e-3,) * 3 + (1e-5,) * 3 + (1e-4,))):
            return name
    return None


def _params(c: CRS) -> dict[str, float]:
    """Projection parameters by EPSG name (empty for a geographic CRS)."""
    op = c.coordinate_operation
    return {p.name: float(p.value) for p in op.params} if op else {}


def _wgs84_ellipsoid(c: CRS) -> bool:
    """Whether the ellipsoid is WGS 84's (VN-2000 uses it; HN-72 uses Krasovsky)."""
    e = c.ellipsoid
    return e is not None and abs(e.semi_major_metre - 6378137.0) < 1e-3 and \
        abs((e.inverse_flattening or 0.0) - 298.257223563) < 1e-6


def _zone(params: dict[str, float]) -> hubcrs.Zone | None:
    """The VN-2000 zone whose constants these Transverse Mercator parameters are, or None."""
    consts = (params.get("Latitude of natural origin"), params.get("False easting"), params.get("False northing"))
    if None in consts or abs(consts[0]) > 1e-12 or abs(consts[1] - 500000.0) > 1e-6 or abs(consts[2]) > 1e-6:
        return None
    cm, k0 = params.get("Longitude of natural origin"), params.get("Scale factor at natural origin")
    for zone in hubcrs.ZONES.values():
        if cm is not None and k0 is not None and abs(zone.cm_deg - cm) < 1e-9 and abs(zone.k0 - k0) < 1e-12:
            return zone
    return None


def _from_parameters(c: CRS, file: str) -> RasterCrs:
    """Recognise a definition without an EPSG code from its parameters (see the module docstring), or refuse."""
    shift = _shift(c)
    base = c.source_crs if c.is_bound else c
    datum = base.datum.name if base.datum else ""
    if not _wgs84_ellipsoid(base):
        raise CrsError(f"the CRS '{base.name}' is not on the WGS 84 ellipsoid that VN-2000 uses (Hanoi 1972 and "
                       "other legacy systems are not published by the hub); reproject to VN-2000 first",
                       file=file, field="crs", rule="crs")
    known = _known_shift(shift) if shift else None
    if shift and not known and any(shift):
        raise CrsError(f"the CRS carries a TOWGS84 shift {list(shift)} that is none of the published VN-2000 "
                       "shifts (EPSG:6960, EPSG:5194): the datum cannot be told; pass --crs with its EPSG code",
                       file=file, field="crs", rule="crs")
    vn_named = bool(_VN2000_NAME.search(datum)) or known is not None
    wgs_named = bool(_WGS84_NAME.search(datum)) and not vn_named
    geographic = base.is_geographic
    zone = None if geographic else _zone(_params(base))
    suspect = None
    if known and known != "EPSG:6960":
        suspect = (f"the file's TOWGS84 is {known}; the hub applies the official EPSG:6960 parameters "
                   "(QĐ 05/2007/QĐ-BTNMT) to this VN-2000 grid")
    if vn_named:
        why = f"datum '{datum}'" + (f", TOWGS84 = {known}" if known else "")
        if geographic:
            return RasterCrs(hubcrs.VN2000_GEOGRAPHIC, "file (WKT parameters)", f"VN-2000 geographic ({why})", suspect)
        if zone is None:
            raise CrsError("the CRS is VN-2000 but its projection parameters are none of the VN-2000 TM-3/UTM zones "
                           f"(TT 973/2001): {_describe(base)}; pass --crs with the EPSG code", file=file,
                           field="crs", rule="crs")
        return RasterCrs(zone.epsg, "file (WKT parameters)", f"{zone.name} (EPSG:{zone.epsg}) from its parameters "
                         f"({_describe(base)}) and {why}", suspect)
    if wgs_named and not shift:
        if geographic:
            return RasterCrs(WGS84_GEOGRAPHIC, "file (WKT parameters)", "WGS 84 geographic by its datum name")
        cm = _params(base).get("Longitude of natural origin")
        k0 = _params(base).get("Scale factor at natural origin")
        for epsg, utm_cm in WGS84_UTM.items():
            if zone is not None and zone.k0 == 0.9996 and cm == utm_cm and k0 == 0.9996:
                return RasterCrs(epsg, "file (WKT parameters)", f"WGS 84 / UTM zone {epsg - 32600}N by its parameters")
    if zone is not None:
        raise CrsError(f"the projection is that of {zone.name} (EPSG:{zone.epsg}) but the datum is '{datum or 'unnamed'}' "
                       "with no VN-2000 shift: a VN-2000 grid exported without its datum reads ~225 m off as WGS 84, "
                       f"and the hub does not guess; if the grid is VN-2000, rerun with --crs {zone.epsg}",
                       file=file, field="crs", rule="crs")
    raise CrsError(f"the CRS '{base.name}' ({_describe(base)}) is not a VN-2000 or WGS 84 CRS the hub publishes; "
                   "pass --crs with its EPSG code if it is one", file=file, field="crs", rule="crs")


def _describe(c: CRS) -> str:
    """Short parameter summary for messages (central meridian, k0, false easting/northing)."""
    p = _params(c)
    if not p:
        return "geographic"
    return (f"central meridian {p.get('Longitude of natural origin')}°, k0 {p.get('Scale factor at natural origin')}, "
            f"FE {p.get('False easting')}, FN {p.get('False northing')}")


def decide(file: str, wkt: str | None, option: int | None) -> RasterCrs:
    """The raster's CRS: --crs when the file has none or an unrecognisable one, else the file's own, else refused."""
    found: RasterCrs | None = None
    problem: CrsError | None = None
    if wkt:
        try:
            c = CRS.from_user_input(wkt)
        except ProjCRSError as exc:
            raise CrsError("the file's CRS definition cannot be parsed", file=file, field="crs", rule="crs",
                           internal=str(exc)) from exc
        code = _root_id(c)
        if code is not None:
            if code in DEPRECATED:
                raise CrsError(f"EPSG:{code} is a deprecated VN-2000 code (EPSG replaced it by EPSG:{DEPRECATED[code]}"
                               f"{'; 6959 even has its false easting and northing swapped' if code == 6959 else ''});"
                               " write the file with the current code or pass --crs", file=file, field="crs",
                               rule="crs")
            if not accepted(code):
                raise CrsError(f"EPSG:{code} is not a VN-2000 or WGS 84 CRS the hub publishes (VN-2000 TM-3/UTM, "
                               "EPSG:4756, 4326, 32648, 32649)", file=file, field="crs", rule="crs")
            found = RasterCrs(code, "file (EPSG code)", f"EPSG:{code} declared in the file")
        else:
            try:
                found = _from_parameters(c, file)
            except CrsError as exc:
                problem = exc
    if option is not None:
        if not accepted(option):
            raise CrsError(f"--crs EPSG:{option} is not a VN-2000 or WGS 84 CRS the hub publishes", file=file,
                           field="crs", rule="crs")
        if found is not None and found.epsg != option:
            raise CrsError(f"the file declares EPSG:{found.epsg} ({found.detail}) but --crs says EPSG:{option}; "
                           "fix the file or drop --crs", file=file, field="crs", rule="crs")
        return RasterCrs(option, "--crs", f"EPSG:{option} stated with --crs"
                         + (" (the file's own definition was not recognisable)" if problem else ""))
    if problem is not None:
        raise problem
    if found is None:
        raise CrsError("the GeoTIFF has no CRS (no GeoTIFF keys, no .aux.xml or .prj): pass --crs with the EPSG "
                       "code or the 2-digit old province code", file=file, field="crs", rule="crs")
    return found
