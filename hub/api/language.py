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
    patch_queryables()


def patch_queryables() -> None:
    """pygeoapi titles each queryable with its field name: give the catalog title in the reader's language instead
    (QGIS shows it: "Số hiệu tờ bản đồ"), both titles kept as x-title-vi / x-title-en."""
    import json

    from pygeoapi.api import itemtypes

    from hub.api import collections as colls

    if getattr(itemtypes.get_collection_queryables, "hub_titles", False):
        return
    original = itemtypes.get_collection_queryables

    def get_collection_queryables(api, request, dataset=None):
        """pygeoapi's answer with catalog titles (JSON only; HTML and errors pass through)."""
        headers, status, content = original(api, request, dataset)
        coll = colls.public_collections().get(dataset or "")
        if status != 200 or coll is None or not isinstance(content, str) or not content.startswith("{"):
            return headers, status, content
        doc = json.loads(content)
        for name, prop in doc.get("properties", {}).items():
            schema = coll.json_schema(name) if coll.column_type(name) else {}
            for key in ("title", "x-title-vi", "x-title-en"):
                if key in schema:
                    prop[key] = schema[key]
        headers["Content-Language"] = "vi" if i18n.current().startswith("vi") else "en"
        return headers, status, json.dumps(doc, ensure_ascii=False)

    get_collection_queryables.hub_titles = True
    itemtypes.get_collection_queryables = get_collection_queryables
