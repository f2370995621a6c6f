"""The hub's OGC API: pygeoapi plugins, a streaming fast path, config rendering and the ASGI app."""
