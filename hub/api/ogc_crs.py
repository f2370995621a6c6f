"""CRS handling of OGC API Features Part 2: URI allowlist, pinned SRIDs, axis order and output precision."""

from __future__ import annotations

import re
from dataclasses import dataclass

from psycopg import sql

from hub import crs as hubcrs
from hub.errors import InvalidParameter

CRS84 = "http://www.opengis.net/def/crs/OGC/1.3/CRS84"
EPSG_URI = "http://www.opengis.net/def/crs/EPSG/0/{}"
_EPSG_RE = re.compile(r"^https?://www\.opengis\.net/def/crs/EPSG/0/(\d{4,6})$")
LATLON_EPSG = {4326, 4756}  # geographic CRSs whose EPSG axis order is latitude, longitude
DEGREE_DECIMALS = 9  # 1e-9 degree ~ 0.1 mm (domain spec §10: at least 8)
METRE_DECIMALS = 3


@dataclass(frozen=True)
class OutCrs:
    """A CRS the hub accepts: its URI, EPSG code (None = CRS84) and the PostGIS SRID to transform through."""

    uri: str
    epsg: int | None

    @property
    def srid(self) -> int:
        """SRID used with ST_Transform: 4326 for WGS 84, the pinned custom SRID for VN-2000 (never plain EPSG)."""
        if self.epsg in (None, 4326):
            return 4326
        return hubcrs.pinned_srid(self.epsg)

    @property
    def latlon(self) -> bool:
        """Whether coordinates are exchanged as (lat, lon)."""
        return self.epsg in LATLON_EPSG

    @property
    def decimals(self) -> int:
        """Output decimals: degrees 9, metres 3."""
        return DEGREE_DECIMALS if self.epsg in (None, 4326, 4756) else METRE_DECIMALS


def supported_uris(epsg_codes: list[int]) -> list[str]:
    """CRS84 first, then every advertised EPSG code as an OGC URI."""
    return [CRS84, *[EPSG_URI.format(c) for c in epsg_codes]]


def parse_crs(value: str | None, epsg_codes: list[int], param: str) -> OutCrs:
    """Validate a crs / bbox-crs / filter-crs value against the collection's list (user text never reaches PROJ)."""
    if value is None or value == "":
        return OutCrs(CRS84, None)
    if value == CRS84:
        return OutCrs(CRS84, None)
    m = _EPSG_RE.match(value)
    if not m or int(m.group(1)) not in epsg_codes:
        raise InvalidParameter(f"{param}: unsupported CRS; use one of the URIs listed in the collection's `crs`")
    code = int(m.group(1))
    if code != 4326 and not hubcrs.is_vn2000(code):
        raise InvalidParameter(f"{param}: unsupported CRS")
    return OutCrs(EPSG_URI.format(code), code)


def geom_out(col: sql.Composable, out: OutCrs) -> sql.Composable:
    """SQL expression of the stored geometry (EPSG:4326 lon/lat) in the output CRS and axis order."""
    expr = col if out.srid == 4326 else sql.SQL("ST_Transform({}, {})").format(col, sql.Literal(out.srid))
    return sql.SQL("ST_FlipCoordinates({})").format(expr) if out.latlon else expr


def geom_in(expr: sql.Composable, inp: OutCrs) -> sql.Composable:
    """SQL expression turning a geometry given in `inp` (SRID already set to inp.srid) into stored EPSG:4326."""
    if inp.latlon:
        expr = sql.SQL("ST_FlipCoordinates({})").format(expr)
    if inp.srid != 4326:
        expr = sql.SQL("ST_Transform({}, 4326)").format(expr)
    return expr
