"""No user-supplied URL ever makes the server connect anywhere (security case A22; pygeoapi CVE-2026-42352 class).

OGC API Processes lets a client name `subscriber` callback URLs (successUri, inProgressUri, failedUri) that the
server POSTs results to: a server-side request forgery and, with the connection error echoed back, a port
scanner. The hub executes its one process synchronously and never calls anybody back: a body naming a
subscriber is refused with one fixed message (the same whatever the URL, so nothing about the target leaks),
pygeoapi's notification hooks are replaced by no-ops (defence in depth), and the callback conformance class is
not advertised.
"""

from __future__ import annotations

from hub.errors import InvalidParameter

CALLBACK_CLASS = "http://www.opengis.net/spec/ogcapi-processes-1/1.0/conf/callback"
REFUSED = ("subscriber: callbacks are not supported; the process runs synchronously and its result is the "
           "response to this request (Kết quả trả về trực tiếp, không gửi tới địa chỉ khác)")


def refuse_callbacks(body: dict) -> None:
    """400 with a fixed text when an execution request names a subscriber (any value, any URL)."""
    if any(str(key).strip().lower() == "subscriber" for key in body):
        raise InvalidParameter(REFUSED)


def _no_notification(*_args, **_kwargs) -> None:
    """A notification the hub never sends."""
    return None


def install() -> None:
    """Drop the callback conformance class and silence pygeoapi's subscriber notifications (idempotent)."""
    from pygeoapi.api import processes
    from pygeoapi.process.manager.base import BaseManager

    processes.CONFORMANCE_CLASSES[:] = [c for c in processes.CONFORMANCE_CLASSES if c != CALLBACK_CLASS]
    for name in ("_send_in_progress_notification", "_send_success_notification", "_send_failed_notification"):
        setattr(BaseManager, name, _no_notification)
