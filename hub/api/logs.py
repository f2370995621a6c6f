"""Server console logging: a client error (4xx) is one line (status, method, path, error code, request id);
tracebacks are kept for server errors (5xx) only.

pygeoapi logs every exception it answers, 400s and 404s included, at ERROR with the traceback
(`API.get_exception`, the process manager's `LOGGER.exception`). Those records are dropped when the answer is a
client error: the hub's own line says what happened, once.
"""

from __future__ import annotations

import json
import logging
import sys
import threading

LOG = logging.getLogger("hub.api")
CLIENT = logging.getLogger("hub.api.client")
_LOCAL = threading.local()
FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


def setup() -> None:
    """Give `hub.api` its own console handler (pygeoapi sets the root logger to ERROR); idempotent."""
    if getattr(LOG, "hub_configured", False):
        return
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter(FORMAT))
    LOG.addHandler(handler)
    LOG.setLevel(logging.INFO)
    LOG.propagate = False
    LOG.hub_configured = True
    logging.getLogger("pygeoapi.api").addFilter(_drop_client_errors)
    for name in ("pygeoapi.process.manager.base", "pygeoapi.process.manager.dummy", "pygeoapi.api.processes",
                 "pygeoapi.api.itemtypes"):
        logging.getLogger(name).addFilter(_drop_client_errors)


def _drop_client_errors(record: logging.LogRecord) -> bool:
    """False for pygeoapi's records about an answer that is a client error."""
    if getattr(_LOCAL, "client_error", False):
        return False
    exc = record.exc_info[1] if record.exc_info else None
    status = getattr(exc, "http_status_code", None)
    return not (status is not None and int(status) < 500)


def patch_pygeoapi() -> None:
    """Mark pygeoapi's exception answers below 500 so that its own error log of them is dropped."""
    from pygeoapi.api import API

    if getattr(API.get_exception, "hub_quiet", False):
        return
    original = API.get_exception

    def get_exception(self, status, headers, format_, code, description):
        """pygeoapi's exception answer; its log record dropped for a 4xx."""
        _LOCAL.client_error = int(status) < 500
        try:
            return original(self, status, headers, format_, code, description)
        finally:
            _LOCAL.client_error = False

    get_exception.hub_quiet = True
    API.get_exception = get_exception


def error_code(body: bytes) -> str:
    """The OGC exception `code` of a JSON error body, or '-'."""
    try:
        doc = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        return "-"
    code = doc.get("code") if isinstance(doc, dict) else None
    return str(code) if code else "-"


def client_error(status: int, method: str, path: str, code: str, rid: str) -> None:
    """The one line of a 4xx answer."""
    CLIENT.warning("%d %s %s %s request=%s", status, method, path, code, rid)
