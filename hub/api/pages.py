"""HTML pages that work on an intranet: the hub's templates over pygeoapi's, assets served by the hub itself, and a
Content-Security-Policy derived from the configured base map (CSP Level 3: a host source matches its host only)."""

from __future__ import annotations

from urllib.parse import urlsplit

from hub.api import assets
from hub.errors import ConfigError, M
from hub.settings import ApiSettings

PYGEOAPI_PREFIX = "pygeoapi"  # hub templates extend pygeoapi's as "pygeoapi/<path>"


def tile_source(url: str) -> str | None:
    """The CSP source of a base-map tile URL: its scheme and host (and port); `{s}` subdomains become `*.`; None for
    no base map. A URL that is not http(s) with a host is a configuration error, not a silently blank map."""
    if not url.strip():
        return None
    parts = urlsplit(url.replace("{s}", "a"))
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ConfigError(M("api.basemap_url_invalid", url=url))
    host = parts.netloc.split("@")[-1]
    if "{s}" in url.split("/")[2]:
        host = "*." + host.split(".", 1)[1]
    return f"{parts.scheme}://{host}"


def csp(settings: ApiSettings) -> str:
    """The page policy: scripts, styles, fonts and data from the hub itself; images also from the base map's origin."""
    tiles = tile_source(settings.basemap_url)
    img = "img-src 'self' data:" + (f" {tiles}" if tiles else "")
    return ("default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; "
            f"{img}; connect-src 'self'; font-src 'self'; object-src 'none'; frame-ancestors 'none'; base-uri 'none'")


def security_headers(settings: ApiSettings) -> list[tuple[bytes, bytes]]:
    """Headers added to every answer (OWASP secure headers)."""
    return [(b"content-security-policy", csp(settings).encode()), (b"x-content-type-options", b"nosniff"),
            (b"referrer-policy", b"no-referrer"), (b"x-frame-options", b"DENY")]


def source_zones(collection_id: str) -> list[dict]:
    """The VN-2000 zones a collection's sources are surveyed in (the catalog's `source.crs`), for one-click downloads
    through the pinned EPSG:6960 path (`crs=EPSG:<zone>`), instead of a client-side reprojection ~0.8 m off."""
    from hub import crs as hubcrs
    from hub.api import collections as colls

    coll = colls.public_collections().get(collection_id)
    if coll is None:
        return []
    spec = coll.dataset.source.crs
    codes = [spec.epsg] if spec.epsg else list(spec.allowed)
    offered = set(coll.output_epsg)
    return [{"epsg": c, "name": hubcrs.ZONES[c].name, "uri": f"http://www.opengis.net/def/crs/EPSG/0/{c}"}
            for c in codes if c in hubcrs.ZONES and c in offered]


def install() -> None:
    """Make pygeoapi's Jinja environment find pygeoapi's own templates under `pygeoapi/` (so a hub template can
    extend one and replace only its asset and map blocks), the hub's asset URLs, source zones and messages."""
    import jinja2
    from pygeoapi import util

    if getattr(util.Environment, "hub_pages", False):
        return
    base = util.Environment
    own = jinja2.PrefixLoader({PYGEOAPI_PREFIX: jinja2.FileSystemLoader(str(util.TEMPLATES))})
    paths = assets.by_kind()

    class HubEnvironment(base):
        """pygeoapi's environment with the `pygeoapi/` prefix and the `hub_assets` global."""

        hub_pages = True

        def __init__(self, *args, loader=None, **kwargs):
            """Same arguments as jinja2.Environment."""
            super().__init__(*args, loader=jinja2.ChoiceLoader([loader, own]) if loader else own, **kwargs)
            self.globals.update(hub_assets=paths, hub_zones=source_zones, hub_text=M.text)

    util.Environment = HubEnvironment
