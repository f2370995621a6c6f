"""Routes: /collections/{id}/styles (OGC API Styles list), /collections/{id}/styles/land-use (QML), and
/qgis/project.qgs (every published layer from this server). Titles and aliases follow `lang=` / Accept-Language."""

from __future__ import annotations

import re

import psycopg
from starlette.concurrency import run_in_threadpool
from starlette.responses import JSONResponse, Response

from hub import i18n
from hub.api import collections as colls
from hub.api.state import db_error, sync_pool
from hub.api.styles import project, qml
from hub.errors import M, NotFound
from hub.settings import ApiSettings

STYLES = re.compile(r"^/collections/([^/]+)/styles/?\Z")
STYLE = re.compile(r"^/collections/([^/]+)/styles/([^/]+?)/?\Z")
PROJECT = "/qgis/project.qgs"
STYLE_ID = "land-use"
QML_TYPE = "application/vnd.qgis.qml"
STYLES_REL = "http://www.opengis.net/def/rel/ogc/1.0/styles"
CODES_SQL = ("SELECT code, name_vi, name_en, color_hex FROM pub.land_use_codes WHERE code_list = %s "
             "AND color_hex IS NOT NULL ORDER BY code")


def language() -> str:
    """The request's language as vi/en."""
    return "vi" if i18n.current().startswith("vi") else "en"


def codes(code_list: str | None) -> list[qml.Code]:
    """The coloured codes of one list, read as hub_api from pub.land_use_codes (the table the API serves)."""
    if not code_list:
        return []
    try:
        with sync_pool().connection() as conn:
            return [qml.Code(*row) for row in conn.execute(CODES_SQL, (code_list,)).fetchall()]
    except psycopg.Error as exc:
        raise db_error(exc) from exc


def _published(coll_id: str, state: dict) -> colls.Collection:
    """A published collection, else 404."""
    coll = colls.public_collections().get(coll_id)
    if coll is None or coll.id not in state or coll.geometry_type is None:
        raise NotFound(M("api.collection_not_found"))
    return coll


def styles_list(coll: colls.Collection, s: ApiSettings) -> dict:
    """The OGC API Styles list of one collection."""
    lang = language()
    title = "Kiểu hiển thị theo loại đất (TT 08/2024)" if lang == "vi" else "Land-use style (TT 08/2024 colours)"
    href = f"{s.url}/collections/{coll.id}/styles/{STYLE_ID}?f=qml"
    return {"default": STYLE_ID, "styles": [{"id": STYLE_ID, "title": title, "links": [
        {"rel": "stylesheet", "type": QML_TYPE, "title": "QGIS QML", "href": href}]}],
        "links": [{"rel": "self", "type": "application/json", "href": f"{s.url}/collections/{coll.id}/styles"},
                  {"rel": "related", "type": "application/x-qgis-project", "title": "QGIS project",
                   "href": f"{s.url}{PROJECT}"}]}


async def answer(path: str, state: dict, s: ApiSettings) -> Response | None:
    """The response for a styles or project path, or None when the path is not one."""
    if path == PROJECT:
        lang = language()
        layers = []
        for cid, coll in sorted(colls.public_collections().items()):
            if cid in state and coll.geometry_type is not None:
                codes_ = await run_in_threadpool(codes, qml.code_list(coll)) if qml.styled(coll) else []
                layers.append((coll, codes_, state[cid].bbox))
        title = "Kho dữ liệu đất đai Việt Nam" if lang == "vi" else "Vietnam Land Data Hub"
        body = project.document(s.url, layers, lang, title)
        return Response(body, media_type="application/x-qgis-project",
                        headers={"Content-Disposition": 'attachment; filename="hub.qgs"',
                                 "Content-Language": lang})
    m = STYLES.match(path)
    if m:
        return JSONResponse(styles_list(_published(m.group(1), state), s), headers={"Content-Language": language()})
    m = STYLE.match(path)
    if m:
        coll = _published(m.group(1), state)
        if m.group(2) != STYLE_ID:
            raise NotFound(M("api.not_found"))
        codes_ = await run_in_threadpool(codes, qml.code_list(coll)) if qml.styled(coll) else []
        return Response(qml.document(coll, codes_, language()), media_type=QML_TYPE,
                        headers={"Content-Disposition": f'inline; filename="{coll.id}.qml"',
                                 "Content-Language": language()})
    return None
