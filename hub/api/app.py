"""The ASGI app: a streaming fast path for GeoJSON items and tiles in front of pygeoapi's Starlette app.

Routes served here (JSON only): /collections/{id}/items, /collections/{id}/items/{fid},
/collections/{id}/tiles[/WebMercatorQuad[/{z}/{y}/{x}]], the records catalogue's /collections/datasets/items[/{id}],
/queryables and /sortables. Everything else (landing page, collections,
conformance, queryables, schema, OpenAPI, HTML pages, records, processes) goes to pygeoapi, whose
configuration is re-rendered in memory whenever meta.published changes (checked at most once per second).
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import re

from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.middleware.gzip import GZipMiddleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from hub import i18n
from hub.api import assets, jsonld, language, logs, outbound, pages
from hub.api import collections as colls
from hub.api import config as cfgmod
from hub.api.features import enclosure, fastpath, tiles
from hub.api.http import error_response, request_id
from hub.api.records import http as records_http
from hub.api.state import AsyncState, token
from hub.api.styles import http as styles_http
from hub.errors import HubError, InvalidParameter, M, NotFound, PayloadTooLarge
from hub.settings import api_settings

LOG = logging.getLogger("hub.api")
# \Z, not $: `$` also matches before a final newline, so `/items/%0A` would be answered as the items page
ITEMS = re.compile(r"^/collections/([^/]+)/items/?\Z")
ITEM = re.compile(r"^/collections/([^/]+)/items/(.+?)/?\Z", re.DOTALL)
TILESETS = re.compile(r"^/collections/([^/]+)/tiles(?:/(WebMercatorQuad))?/?\Z")
TILE = re.compile(r"^/collections/([^/]+)/tiles/WebMercatorQuad/(\d{1,2})/(\d{1,9})/(\d{1,9})/?\Z")
READ_METHODS = {"GET", "HEAD", "OPTIONS"}
MAX_BODY_BYTES = 64 * 1024
def wants_json(request: Request) -> bool:
    """Whether the request asks for JSON/GeoJSON (f=json|geojson, or no f and no HTML in Accept)."""
    f = request.query_params.get("f")
    if f is not None:
        return f in ("json", "geojson")
    return "text/html" not in request.headers.get("accept", "")


CRS84_URIS = {"http://www.opengis.net/def/crs/OGC/1.3/CRS84", "http://www.opengis.net/def/crs/OGC/1.3/CRS84h"}


def _pygeoapi_crs_guard(request: Request) -> None:
    """HTML/CSV pages are rendered by pygeoapi, whose own CRS handling is not pinned to EPSG:6960: refuse a
    non-CRS84 `crs`/`bbox-crs` there and point to the GeoJSON output, which transforms through the pinned path."""
    for name in ("crs", "bbox-crs"):
        value = request.query_params.get(name)
        if value and value not in CRS84_URIS:
            raise InvalidParameter(M("api.crs_html_only_crs84", name=name))


async def _http_error(request: Request, exc: StarletteHTTPException) -> Response:
    """Starlette's own 404/405 (no route, wrong method) as an OGC exception body instead of plain text."""
    code = {404: "NotFound", 405: "MethodNotAllowed"}.get(exc.status_code, "InvalidParameterValue")
    return JSONResponse({"code": code, "description": str(exc.detail).lower()}, status_code=exc.status_code,
                        headers=exc.headers)


def _scope_language(scope) -> str:
    """The request's language: `lang=`, then Accept-Language (hub.i18n), else English."""
    from urllib.parse import parse_qs

    query = parse_qs(scope.get("query_string", b"").decode("latin-1"))
    accept = next((v.decode("latin-1") for k, v in scope.get("headers", []) if k == b"accept-language"), None)
    return i18n.request_language((query.get("lang") or [None])[0], accept)


class HubApp:
    """Dispatcher: fast-path routes, write-method gate, then pygeoapi; reloads pygeoapi on a new publication."""

    def __init__(self) -> None:
        """Import pygeoapi (its config comes from PYGEOAPI_CONFIG / PYGEOAPI_OPENAPI) and prepare the pool."""
        cfgmod.ensure_runtime_files()
        from pygeoapi import starlette_app

        cfgmod.patch_pygeoapi()
        logs.setup()
        logs.patch_pygeoapi()
        language.patch_pygeoapi()
        self.pga = starlette_app
        self.pga.APP.debug = False
        self.pga.APP.add_exception_handler(StarletteHTTPException, _http_error)
        self.settings = api_settings()
        enclosure.install(self.pga.api_, self.settings)
        jsonld.install(self.pga.api_)
        pages.install()
        self.security_headers = pages.security_headers(self.settings)
        self.state = AsyncState()
        self.token = os.environ.get("HUB_API_CONFIG_TOKEN", "")
        self.reload_lock = asyncio.Lock()

    async def refresh(self) -> dict:
        """Published state; on a change re-read the catalog and rebuild pygeoapi's API object (no restart)."""
        state = await self.state.current()
        new = token(state)
        if new != self.token:
            async with self.reload_lock:
                if new != self.token:
                    loop = asyncio.get_running_loop()
                    await loop.run_in_executor(None, self._rebuild, state)
                    self.token = new
        return state

    def _rebuild(self, state: dict) -> None:
        """Render the config and OpenAPI in memory and swap pygeoapi's API object."""
        from pygeoapi.api import API

        colls.reload_catalog()
        config = cfgmod.render_config(state, self.settings)
        api = API(config, cfgmod.render_openapi(config, self.settings))
        enclosure.install(api, self.settings)
        jsonld.install(api)
        self.pga.api_ = api
        LOG.info("published state changed: pygeoapi configuration reloaded")

    async def __call__(self, scope, receive, send) -> None:
        """ASGI entry point."""
        if scope["type"] == "lifespan":
            await self._lifespan(receive, send)
            return
        if scope["type"] != "http":
            await self.pga.APP(scope, receive, send)
            return
        started = False
        status = 0
        lang_token = i18n.use_language(_scope_language(scope))

        async def send_wrapper(message):
            """Add security headers and the request id; remember whether the response started; one log line for
            a client error (hub.api.logs)."""
            nonlocal started, status
            if message["type"] == "http.response.start":
                started = True
                status = message["status"]
                headers = [h for h in message.get("headers", []) if h[0].lower() != b"x-request-id"]
                message["headers"] = [*headers, *self.security_headers, (b"x-request-id", request_id(scope).encode())]
            elif message["type"] == "http.response.body" and 400 <= status < 500:
                logs.client_error(status, scope["method"], scope["path"], logs.error_code(message.get("body", b"")),
                                  request_id(scope))
                status = 0  # once per response
            await send(message)

        try:
            await self._dispatch(scope, receive, send_wrapper)
        except Exception as exc:  # noqa: BLE001 - the last line of defence: generic body, request id
            if started:
                LOG.error("request %s failed while streaming: %s", request_id(scope), getattr(exc, "internal", None)
                          or type(exc).__name__)
                return
            await error_response(exc, scope)(scope, receive, send_wrapper)
        finally:
            i18n.reset_language(lang_token)

    async def _lifespan(self, receive, send) -> None:
        """Open the pool at startup, close it at shutdown."""
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                try:
                    await self.state.open()
                except Exception:  # noqa: BLE001 - the database may come up later
                    LOG.warning("database not reachable at startup")
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await self.state.close()
                await send({"type": "lifespan.shutdown.complete"})
                return

    async def _dispatch(self, scope, receive, send) -> None:
        """Route one HTTP request."""
        path, method = scope["path"], scope["method"]
        if "\x00" in path:
            raise NotFound(M("api.not_found"))
        if b"%00" in scope.get("query_string", b""):
            raise InvalidParameter(M("api.nul"))
        if path.startswith("/admin"):
            raise_404 = JSONResponse({"code": "NotFound", "description": M.text("api.not_found")}, status_code=404)
            await raise_404(scope, receive, send)
            return
        if path.startswith("/collections") and method not in READ_METHODS:
            await Response(status_code=405, headers={"Allow": "GET, HEAD, OPTIONS"})(scope, receive, send)
            return
        if method == "POST" and path.startswith("/processes/"):
            receive = await self._checked_body(receive)
        if method in ("GET", "HEAD") and (asset := assets.response(path, method)) is not None:
            await asset(scope, receive, send)
            return
        request = Request(scope, receive)
        if method in ("GET", "HEAD") and path.startswith("/rasters/"):
            from hub.api import rasters

            m = rasters.ROUTE.match(path)
            if m is None:
                raise NotFound(M("api.not_found"))
            await (await rasters.cog(request, m.group(1), m.group(2), self.state))(scope, receive, send)
            return
        if method in ("GET", "HEAD") and path.startswith(f"/collections/{cfgmod.RECORDS_ID}/"):
            response = await self._records(request, path, scope)
            if response is not None:
                await response(scope, receive, send)
                return
        if method in ("GET", "HEAD") and (path == styles_http.PROJECT or "/styles" in path):
            response = await styles_http.answer(path, await self.refresh(), self.settings)
            if response is not None:
                await response(scope, receive, send)
                return
        if method in ("GET", "HEAD") and wants_json(request) and path.startswith("/collections/"):
            response = await self._fast(request, path)
            if response is not None:
                await response(scope, receive, send)
                return
        if method in ("GET", "HEAD") and "/items" in path and not wants_json(request):
            _pygeoapi_crs_guard(request)
        if path.startswith("/collections") or path in ("/", "/conformance", "/openapi"):
            try:
                await self.refresh()
            except HubError:
                pass  # pygeoapi still answers metadata requests from its last configuration
        await self.pga.APP(scope, receive, send)

    async def _checked_body(self, receive):
        """Read a process execution body (capped), require a JSON object, and replay it to pygeoapi."""
        chunks, size = [], 0
        while True:
            message = await receive()
            chunks.append(message.get("body", b""))
            size += len(chunks[-1])
            if size > MAX_BODY_BYTES:
                raise PayloadTooLarge(M("api.body_too_large", limit=MAX_BODY_BYTES))
            if not message.get("more_body"):
                break
        body = b"".join(chunks)
        if body:
            try:
                doc = json.loads(body)
            except (ValueError, RecursionError):
                doc = None
            if not isinstance(doc, dict):
                raise InvalidParameter(M("api.body_not_object"))
            outbound.refuse_callbacks(doc)
        sent = False

        async def replay():
            """The buffered body once, then whatever the server sends (disconnects)."""
            nonlocal sent
            if not sent:
                sent = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        return replay

    async def _records(self, request: Request, path: str, scope) -> Response | None:
        """Catalogue routes the hub answers (JSON records, queryables, sortables); HTML items are only checked."""
        if records_http.SORTABLES.match(path):
            return records_http.sortables(self.settings)
        if records_http.QUERYABLES_PATH.match(path) and wants_json(request):
            return records_http.queryables(self.settings)
        one = records_http.ITEM.match(path)
        if one and wants_json(request):
            return await records_http.item(request, one.group(1), self.state)
        if not records_http.ITEMS.match(path):
            return None
        if wants_json(request):
            return await records_http.items(request, self.state, self.settings)
        records_http.check_html(scope, request, self.settings)
        return None

    async def _fast(self, request: Request, path: str) -> Response | None:
        """A fast-path response, or None to let pygeoapi answer."""
        m = ITEMS.match(path) or ITEM.match(path) or TILE.match(path) or TILESETS.match(path)
        if not m:
            return None
        state = await self.refresh()
        coll = colls.public_collections().get(m.group(1))
        if coll is None or coll.id not in state:
            return None
        if m.re is ITEMS:
            return await fastpath.items(request, coll, self.state, self.settings)
        if m.re is ITEM:
            return await fastpath.item(request, coll, m.group(2), self.state, self.settings)
        if m.re is TILE:
            return await tiles.tile(request, coll, int(m.group(2)), int(m.group(3)), int(m.group(4)), self.state)
        return tiles.tilesets(request, coll, self.settings, bool(m.group(2)))


def create_app():
    """The production ASGI app: gzip around the dispatcher."""
    return GZipMiddleware(HubApp(), minimum_size=1024)


app = create_app() if os.environ.get("HUB_API_NO_AUTOCREATE") != "1" else None
