"""The request's language inside pygeoapi's worker threads (hub.i18n).

pygeoapi's Starlette app runs each API call with `loop.run_in_executor`, which does not carry context variables
into the thread: the language the hub set for the request (`lang=`, Accept-Language) would be lost there, and
provider errors and the parcel report would answer in the server's language. The wrapper sets it again from the
pygeoapi request object, with the same negotiation as the rest of the hub.
"""

from __future__ import annotations

from hub import i18n


def language_of(api_request) -> str:
    """The language a pygeoapi APIRequest asks for (lang=, then Accept-Language, else English)."""
    params = getattr(api_request, "params", {}) or {}
    headers = getattr(api_request, "headers", {}) or {}
    return i18n.request_language(params.get("lang"), headers.get("Accept-Language") or headers.get("accept-language"))


def patch_pygeoapi() -> None:
    """Wrap pygeoapi's thread entry point so every API call runs in the request's language."""
    from pygeoapi import starlette_app
    from pygeoapi.api import APIRequest

    if getattr(starlette_app.call_api_threadsafe, "hub_language", False):
        return
    original = starlette_app.call_api_threadsafe

    def call_api_threadsafe(loop, api_call, *args):
        """pygeoapi's call, with the request's language set in this thread."""
        request = next((a for a in args if isinstance(a, APIRequest)), None)
        token = i18n.use_language(language_of(request) if request is not None else i18n.DEFAULT)
        try:
            return original(loop, api_call, *args)
        finally:
            i18n.reset_language(token)

    call_api_threadsafe.hub_language = True
    starlette_app.call_api_threadsafe = call_api_threadsafe
