"""HTTP helpers shared by the fast path and the app: OGC exception bodies, request ids, caching headers."""

from __future__ import annotations

import hashlib
import json
import logging
import uuid
from datetime import UTC
from email.utils import format_datetime

from starlette.requests import Request
from starlette.responses import Response

from hub.errors import HubError, M

LOG = logging.getLogger("hub.api")
APP_REVISION = "1"  # bump when the representation changes (invalidates ETags)
CACHE_CONTROL = "public, max-age=60, must-revalidate"


def request_id(scope) -> str:
    """The request id set by the outer middleware (or a new one)."""
    state = scope.setdefault("state", {})
    if "request_id" not in state:
        state["request_id"] = uuid.uuid4().hex[:16]
    return state["request_id"]


def error_response(exc: BaseException, scope) -> Response:
    """An OGC exception JSON body; 5xx get a generic message and the request id, never driver text."""
    rid = request_id(scope)
    if isinstance(exc, HubError) and exc.http_status < 500:
        status, code, msg = exc.http_status, exc.code, exc.user_message()
    elif isinstance(exc, HubError):
        status, code = exc.http_status, exc.code
        msg = M.text("api.with_request_id", message=exc.user_message(), rid=rid)
        LOG.error("request %s failed: %s", rid, exc.internal or type(exc).__name__)
    else:
        status, code, msg = 500, "ServerError", M.text("api.internal", rid=rid)
        LOG.error("request %s failed", rid, exc_info=(type(exc), exc, exc.__traceback__))
    body = json.dumps({"code": code, "description": msg, "requestId": rid}, ensure_ascii=False)
    return Response(body, status_code=status, media_type="application/json", headers={"X-Request-Id": rid})


def etag(collection: str, version: int, request: Request) -> str:
    """A weak ETag tied to the collection's published version and the exact request (path, query, format)."""
    key = f"{APP_REVISION}|{request.url.path}|{request.url.query}|{request.headers.get('accept', '')}"
    digest = hashlib.sha1(key.encode()).hexdigest()[:16]
    return f'W/"{collection}-v{version}-{digest}"'


def cache_headers(tag: str, published_at) -> dict[str, str]:
    """ETag, Last-Modified (the publication time from the ledger) and Cache-Control."""
    out = {"ETag": tag, "Cache-Control": CACHE_CONTROL, "Vary": "Accept"}
    if published_at is not None:
        out["Last-Modified"] = format_datetime(published_at.astimezone(UTC), usegmt=True)
    return out


def not_modified(request: Request, tag: str) -> bool:
    """Whether If-None-Match names this ETag (weak comparison)."""
    inm = request.headers.get("if-none-match")
    if not inm:
        return False
    return inm.strip() == "*" or _opaque(tag) in {_opaque(t) for t in inm.split(",")}


def _opaque(tag: str) -> str:
    """An entity tag without its weakness marker (weak comparison)."""
    return tag.strip().removeprefix("W/")


def head_response(headers: dict[str, str], media_type: str) -> Response:
    """A HEAD answer: the GET's headers without Content-Length (unknown until produced; RFC 9110 allows that)."""
    response = Response(b"", media_type=media_type, headers=headers)
    del response.headers["content-length"]
    return response
