"""OGC API Processes: the public parcel report. The parcel is found in the published cadastre collections (by key,
national id, commune + sheet + parcel, or a point); each registered section (hub.api.processes.sections) then
describes it and cites its sources. An answer with no parcel says what was searched and whether a point lies in
any collection's coverage. Every answer carries the disclaimer: information, not a certified extract."""

from __future__ import annotations

import datetime as dt
import json
import math
from http import HTTPStatus
from urllib.parse import quote

import psycopg
from psycopg import sql
from pygeoapi.process.base import BaseProcessor, ProcessorExecuteError

from hub import i18n
from hub.api.collections import Collection, public_collections
from hub.api.processes import sections
from hub.api.state import db_error, published_sync, sync_pool
from hub.errors import HubError, InvalidParameter, M
from hub.settings import api_settings

MAX_RESULTS = 10
EXAMPLE = {"parcel_key": "31207.1.1"}  # a parcel of the demo data (`make demo`): Phường Thốt Nốt, Cần Thơ, ODT
_STR = {"type": "string", "maxLength": 64}


def _input(title_en: str, title_vi: str, schema: dict, description_en: str, description_vi: str) -> dict:
    """One optional input with bilingual title and description."""
    return {"title": {"en": title_en, "vi": title_vi}, "description": {"en": description_en, "vi": description_vi},
            "schema": schema, "minOccurs": 0, "maxOccurs": 1}


PROCESS_METADATA = {
    "version": "2.0.0",
    "id": "parcel-report",
    "title": {"vi": "Thông tin thửa đất", "en": "Parcel report"},
    "description": {
        "vi": "Thông tin tham khảo về một thửa đất (không phải trích lục có giá trị pháp lý): thuộc tính công khai, "
              "loại đất, tên xã, hình thể, nguồn dữ liệu (phiên bản, ngày công bố, giấy phép). Cho đúng một cách "
              "tìm: mã thửa; mã định danh; mã xã + số tờ + số thửa; hoặc tọa độ (lon, lat).",
        "en": "Reference information about a parcel (not a certified extract): public attributes, land-use names, "
              "commune names, geometry and the sources (dataset version, publication date, licence). Give exactly "
              "one kind of reference: parcel_key; national_id; old_commune_code + sheet_no + parcel_no; or lon + lat."},
    "jobControlOptions": ["sync-execute"],
    "keywords": ["cadastre", "parcel", "địa chính", "thửa đất"],
    "links": [],
    "inputs": {
        "parcel_key": _input("Parcel key", "Mã thửa", _STR, "commune.sheet.parcel as surveyed, e.g. 31207.1.1",
                             "mã xã.số tờ.số thửa khi đo đạc, ví dụ 31207.1.1"),
        "national_id": _input("National parcel id", "Mã định danh thửa đất", _STR,
                              "the official 12-character id (GeoHash-12)", "mã định danh chính thức 12 ký tự"),
        "old_commune_code": _input("Commune code as surveyed", "Mã xã khi đo đạc", _STR,
                                   "with sheet_no and parcel_no", "cùng với sheet_no và parcel_no"),
        "sheet_no": _input("Map sheet number", "Số hiệu tờ bản đồ", {"type": "integer", "minimum": 0},
                           "with old_commune_code and parcel_no", "cùng với old_commune_code và parcel_no"),
        "parcel_no": _input("Parcel number", "Số thứ tự thửa", {"type": "integer", "minimum": 0},
                            "with old_commune_code and sheet_no", "cùng với old_commune_code và sheet_no"),
        "lon": _input("Longitude (WGS 84)", "Kinh độ (WGS 84)", {"type": "number", "minimum": -180, "maximum": 180},
                      "with lat: the parcel containing the point", "cùng với lat: thửa chứa điểm này"),
        "lat": _input("Latitude (WGS 84)", "Vĩ độ (WGS 84)", {"type": "number", "minimum": -90, "maximum": 90},
                      "with lon", "cùng với lon"),
        "date": _input("Date of the report", "Ngày tra cứu", {"type": "string", "format": "date"},
                       "as of this date (default today): sections with dated data answer for it",
                       "tại ngày này (mặc định hôm nay)"),
    },
    "outputs": {"report": {"title": {"en": "Parcel report", "vi": "Thông tin thửa đất"},
                           "schema": {"type": "object", "contentMediaType": "application/json"}}},
    "example": {"inputs": EXAMPLE},
}


def _condition(data: dict) -> tuple[sql.Composable, list, dict]:
    """The lookup condition from exactly one kind of reference (400 otherwise), and what was searched."""
    def text(name: str) -> str:
        """A short string input."""
        value = data.get(name)
        if not isinstance(value, str) or not 0 < len(value) <= 64:
            raise InvalidParameter(M("report.input.text", name=name))
        return value

    def integer(name: str) -> int:
        """A non-negative integer input."""
        value = data.get(name)
        if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value < 2**31:
            raise InvalidParameter(M("report.input.integer", name=name))
        return value

    def number(name: str, low: float, high: float) -> float:
        """A finite number input within bounds."""
        value = data.get(name)
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value) \
                or not low <= value <= high:
            raise InvalidParameter(M("report.input.number", name=name, low=low, high=high))
        return float(value)

    kinds = [k for k, names in (("key", ("parcel_key",)), ("nid", ("national_id",)),
                                ("csp", ("old_commune_code", "sheet_no", "parcel_no")), ("point", ("lon", "lat")))
             if any(n in data for n in names)]
    if len(kinds) > 1:
        raise InvalidParameter(M("report.input.which"))
    if "parcel_key" in data:
        key = text("parcel_key")
        return sql.SQL("parcel_key = %s"), [key], {"by": "parcel_key", "parcel_key": key}
    if "national_id" in data:
        nid = text("national_id")
        return sql.SQL("national_id = %s"), [nid], {"by": "national_id", "national_id": nid}
    if "old_commune_code" in data:
        vals = [text("old_commune_code"), integer("sheet_no"), integer("parcel_no")]
        return (sql.SQL("old_commune_code = %s AND sheet_no = %s AND parcel_no = %s"), vals,
                {"by": "commune_sheet_parcel", "old_commune_code": vals[0], "sheet_no": vals[1], "parcel_no": vals[2]})
    if "lon" in data or "lat" in data:
        lon, lat = number("lon", -180, 180), number("lat", -90, 90)
        return (sql.SQL("ST_Intersects(geom, ST_SetSRID(ST_MakePoint(%s, %s), 4326))"), [lon, lat],
                {"by": "point", "lon": lon, "lat": lat})
    raise InvalidParameter(M("report.input.which"))


def _date(data: dict) -> dt.date:
    """The report date (default today)."""
    value = data.get("date")
    if value is None:
        return dt.date.today()
    try:
        if isinstance(value, str) and len(value) == 10:
            return dt.date.fromisoformat(value)
    except ValueError:
        pass
    raise InvalidParameter(M("report.input.date"))


def _cadastres() -> list[Collection]:
    """Published cadastre collections with the columns the lookup needs."""
    state = published_sync()
    need = {"parcel_key", "national_id", "old_commune_code", "sheet_no", "parcel_no"}
    return [c for _, c in sorted(public_collections().items())
            if c.dataset.family == "cadastre" and c.id in state and need <= set(c.columns)]


def _links(coll: Collection, fid: str) -> list[dict]:
    """The parcel's item page and GeoJSON."""
    base = f"{api_settings().url}/collections/{coll.id}/items/{quote(fid, safe='')}"
    return [{"rel": "item", "type": "text/html", "href": f"{base}?f=html"},
            {"rel": "item", "type": "application/geo+json", "href": f"{base}?f=json"}]


def _searched(conn, colls: list[Collection], what: dict, lang: str) -> dict:
    """What was searched, for an answer with no parcel: the reference, the collections, and (for a point) which
    of them cover it."""
    out = {**what, "collections": [c.id for c in colls]}
    if what["by"] == "point":
        state = published_sync()
        inside = [c.id for c in colls if (b := state[c.dataset.id].bbox)
                  and b[0] <= what["lon"] <= b[2] and b[1] <= what["lat"] <= b[3]]
        out["covering"] = inside
        out["message"] = M.text("report.none.point_inside" if inside else "report.none.point_outside", lang,
                                collections=", ".join(inside or out["collections"]) or "-")
    else:
        out["message"] = M.text("report.none.key", lang, collections=", ".join(out["collections"]) or "-")
    return out


def report(data: dict, lang: str | None = None) -> dict:
    """Find the parcels, then let every registered section describe each one (hub.api.processes.sections)."""
    lang = i18n.normalise(lang) or i18n.current()
    cond, params, what = _condition(data)
    date = _date(data)
    found = []
    colls = _cadastres()
    try:
        with sync_pool().connection() as conn:
            for coll in colls:
                pairs = sql.SQL(", ").join(sql.SQL("{}, {}").format(sql.Literal(n), sql.Identifier(n))
                                           for n in coll.columns)
                stmt = sql.SQL("SELECT id, json_build_object({})::text, ST_AsGeoJSON(geom, 9)::text FROM {} "
                               "WHERE {} ORDER BY id LIMIT %s").format(
                    pairs, sql.Identifier(coll.schema, coll.view), cond)
                for fid, props, geom in conn.execute(stmt, [*params, MAX_RESULTS]).fetchall():
                    found.append(sections.Parcel(coll.id, fid, json.loads(props), json.loads(geom) if geom else None,
                                                 lang))
            found = found[:MAX_RESULTS]
            parcels = [{"collection": p.collection, "id": p.id, "geometry": p.geometry,
                        "links": _links(public_collections()[p.collection], p.id),
                        "sections": sections.run_all(conn, p, date, lambda n: M.text("report.section_failed", lang,
                                                                                      section=n))}
                       for p in found]
            out = {"disclaimer": M.text("report.disclaimer", lang), "date": date.isoformat(), "lang": lang,
                   "count": len(parcels), "parcels": parcels, "sources": _sources(parcels)}
            if not parcels:
                out["searched"] = _searched(conn, colls, what, lang)
            return out
    except psycopg.Error as exc:
        raise db_error(exc) from exc


def _sources(parcels: list[dict]) -> list[dict]:
    """Every source the sections cite, once."""
    seen, out = set(), []
    for p in parcels:
        for sec in p["sections"].values():
            for src in sec["sources"]:
                key = (src.get("dataset"), src.get("version"))
                if key not in seen:
                    seen.add(key)
                    out.append(src)
    return out


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
                raise InvalidParameter(M("report.input.object"))
            return "application/json", report(data)
        except HubError as exc:
            if exc.http_status < 500:
                raise ReportInputError(user_msg=exc.user_message()) from exc
            raise ReportUnavailable(user_msg=M.text("report.unavailable")) from exc

    def __repr__(self):
        """Short description."""
        return "<ParcelReportProcessor>"
