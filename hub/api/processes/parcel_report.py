"""OGC API Processes: a public parcel report (public attributes + land-use code names) across cadastre collections."""

from __future__ import annotations

import json
import math
from http import HTTPStatus

import psycopg
from psycopg import sql
from pygeoapi.process.base import BaseProcessor, ProcessorExecuteError

from hub.api.collections import Collection, public_collections
from hub.api.state import db_error, published_sync, sync_pool
from hub.errors import HubError, InvalidParameter

MAX_RESULTS = 10
_STR = {"type": "string", "maxLength": 64}
PROCESS_METADATA = {
    "version": "1.0.0",
    "id": "parcel-report",
    "title": {"vi": "Thông tin thửa đất", "en": "Parcel report"},
    "description": {"vi": "Thuộc tính công khai và loại đất của một thửa, tìm theo mã thửa, mã định danh, "
                          "số tờ/số thửa hoặc tọa độ.",
                    "en": "Public attributes and land-use codes (with names) of a parcel, found by parcel key, "
                          "national id, commune + sheet + parcel, or a point (lon, lat)."},
    "jobControlOptions": ["sync-execute"],
    "keywords": ["cadastre", "parcel", "địa chính"],
    "links": [],
    "inputs": {
        "parcel_key": {"title": "Parcel key (e.g. 31150.5.12)", "schema": _STR, "minOccurs": 0, "maxOccurs": 1},
        "national_id": {"title": "National parcel id", "schema": _STR, "minOccurs": 0, "maxOccurs": 1},
        "old_commune_code": {"title": "Commune code as surveyed", "schema": _STR, "minOccurs": 0, "maxOccurs": 1},
        "sheet_no": {"title": "Map sheet number", "schema": {"type": "integer"}, "minOccurs": 0, "maxOccurs": 1},
        "parcel_no": {"title": "Parcel number", "schema": {"type": "integer"}, "minOccurs": 0, "maxOccurs": 1},
        "lon": {"title": "Longitude (WGS 84)", "schema": {"type": "number"}, "minOccurs": 0, "maxOccurs": 1},
        "lat": {"title": "Latitude (WGS 84)", "schema": {"type": "number"}, "minOccurs": 0, "maxOccurs": 1},
    },
    "outputs": {"report": {"title": "Parcel report", "schema": {"type": "object", "contentMediaType": "application/json"}}},
    "example": {"inputs": {"parcel_key": "31150.5.12"}},
}


def _condition(data: dict) -> tuple[sql.Composable, list]:
    """The lookup condition from exactly one kind of reference (400 otherwise)."""
    def text(name: str) -> str:
        """A short string input."""
        value = data.get(name)
        if not isinstance(value, str) or not 0 < len(value) <= 64:
            raise InvalidParameter(f"{name}: must be a string of 1 to 64 characters")
        return value

    def integer(name: str) -> int:
        """A non-negative integer input."""
        value = data.get(name)
        if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value < 2**31:
            raise InvalidParameter(f"{name}: must be a non-negative integer")
        return value

    def number(name: str, low: float, high: float) -> float:
        """A finite number input within bounds."""
        value = data.get(name)
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value) \
                or not low <= value <= high:
            raise InvalidParameter(f"{name}: must be a number in [{low}, {high}]")
        return float(value)

    if "parcel_key" in data:
        return sql.SQL("parcel_key = %s"), [text("parcel_key")]
    if "national_id" in data:
        return sql.SQL("national_id = %s"), [text("national_id")]
    if "old_commune_code" in data:
        return (sql.SQL("old_commune_code = %s AND sheet_no = %s AND parcel_no = %s"),
                [text("old_commune_code"), integer("sheet_no"), integer("parcel_no")])
    if "lon" in data or "lat" in data:
        return (sql.SQL("ST_Intersects(geom, ST_SetSRID(ST_MakePoint(%s, %s), 4326))"),
                [number("lon", -180, 180), number("lat", -90, 90)])
    raise InvalidParameter("give parcel_key, national_id, old_commune_code + sheet_no + parcel_no, or lon + lat")


def _cadastres() -> list[Collection]:
    """Published cadastre collections with the columns the report needs."""
    state = published_sync()
    need = {"parcel_key", "national_id", "old_commune_code", "sheet_no", "parcel_no", "land_use_codes"}
    return [c for _, c in sorted(public_collections().items())
            if c.dataset.family == "cadastre" and c.id in state and need <= set(c.columns)]


def report(data: dict) -> dict:
    """Find the parcels and describe them."""
    cond, params = _condition(data)
    found = []
    try:
        with sync_pool().connection() as conn:
            for coll in _cadastres():
                pairs = sql.SQL(", ").join(sql.SQL("{}, {}").format(sql.Literal(n), sql.Identifier(n))
                                           for n in coll.columns)
                stmt = sql.SQL("SELECT id, json_build_object({})::text FROM {} WHERE {} ORDER BY id LIMIT %s").format(
                    pairs, sql.Identifier(coll.schema, coll.view), cond)
                for fid, props in conn.execute(stmt, [*params, MAX_RESULTS]).fetchall():
                    props = json.loads(props)
                    found.append({"collection": coll.id, "id": fid, "properties": props,
                                  "land_use": _land_use(conn, props, coll)})
    except psycopg.Error as exc:
        raise db_error(exc) from exc
    return {"count": len(found[:MAX_RESULTS]), "parcels": found[:MAX_RESULTS]}


def _land_use(conn: psycopg.Connection, props: dict, coll: Collection) -> list[dict]:
    """Each land-use code of a parcel with its Vietnamese and English names (pub.land_use_codes)."""
    codes = [c for c in (props.get("land_use_codes") or "").split("+") if c]
    code_list = props.get("land_use_list") or coll.dataset.source.land_use_list
    rows = conn.execute("SELECT code, name_vi, name_en FROM pub.land_use_codes WHERE code_list = %s "
                        "AND code = ANY(%s)", (code_list, codes)).fetchall()
    names = {r[0]: (r[1], r[2]) for r in rows}
    return [{"code": c, "name_vi": names.get(c, (None, None))[0], "name_en": names.get(c, (None, None))[1]}
            for c in codes]


class ReportInputError(ProcessorExecuteError):
    """Bad inputs: 400."""

    http_status_code = HTTPStatus.BAD_REQUEST


class ReportUnavailable(ProcessorExecuteError):
    """Database failure: 503 with a generic message."""

    http_status_code = HTTPStatus.SERVICE_UNAVAILABLE


class ParcelReportProcessor(BaseProcessor):
    """pygeoapi processor wrapping `report`."""

    def __init__(self, processor_def):
        """Register the process metadata."""
        super().__init__(processor_def, PROCESS_METADATA)

    def execute(self, data, outputs=None):
        """Run synchronously; hub errors become process errors with safe messages."""
        try:
            if not isinstance(data, dict):
                raise InvalidParameter("inputs must be an object")
            return "application/json", report(data)
        except HubError as exc:
            if exc.http_status < 500:
                raise ReportInputError(user_msg=exc.user_message()) from exc
            raise ReportUnavailable(user_msg="service temporarily unavailable") from exc

    def __repr__(self):
        """Short description."""
        return "<ParcelReportProcessor>"
