"""The download (`enclosure`) link of a published collection, and the link prefetcher the hub gives pygeoapi.

pygeoapi, describing a collection (/collections and /collections/{id}, JSON and HTML), sends an HTTP HEAD to
every configured `enclosure` link that has no `length` (api.prefetcher.get_headers, 1 s timeout); it drops the
link when the answer has no Content-Length and otherwise copies that length and Content-Type into the link.
For the hub's own download link that was a request from the server to itself on every metadata request (a
10,000-feature page before HEAD was answered without a query), and the link was always dropped: the GeoJSON
download is streamed, its length is unknown until sent (and differs when gzipped).

HubPrefetcher answers for the hub's own URLs without any request: the link's declared type, and a length of -1
("unknown"), which pygeoapi reads as present-but-unknown (it skips only 0 and copies only positive lengths), so
the link is published without a `length`. Other URLs (none in the hub's configuration) keep pygeoapi's HEAD.
"""

from __future__ import annotations

import urllib.parse

from requests.structures import CaseInsensitiveDict

from hub.settings import ApiSettings

GEOJSON = "application/geo+json"
UNKNOWN_LENGTH = "-1"


def enclosure_href(collection_id: str, s: ApiSettings) -> str:
    """The download URL: the collection's GeoJSON items in the largest page the server serves."""
    return f"{s.url}/collections/{collection_id}/items?f=json&limit={s.max_limit}"


def enclosure_title(pub, s: ApiSettings) -> dict[str, str]:
    """Bilingual title: version and feature count, and how to get every page when one page is not all."""
    vi = f"Tải xuống GeoJSON: {pub.row_count} đối tượng, phiên bản {pub.version}"
    en = f"Download as GeoJSON: {pub.row_count} features, version {pub.version}"
    if pub.row_count > s.max_limit:
        vi += f" (trang {s.max_limit} đối tượng, theo các liên kết next)"
        en += f" (pages of {s.max_limit} features: follow the next links)"
    return {"vi": vi, "en": en}


def enclosure_link(collection_id: str, pub, s: ApiSettings, lang: str | None = None) -> dict:
    """The enclosure link (bilingual title, or the title in `lang`); no `length`: it is not known cheaply."""
    title = enclosure_title(pub, s)
    return {"type": GEOJSON, "rel": "enclosure", "title": title if lang is None else title[lang],
            "href": enclosure_href(collection_id, s)}


class HubPrefetcher:
    """pygeoapi's `api.prefetcher`: no network request for the hub's own URLs."""

    def __init__(self, base_url: str) -> None:
        """Remember the hub's public origin and path prefix."""
        parts = urllib.parse.urlsplit(base_url.rstrip("/") + "/")
        self.origin, self.prefix = (parts.scheme, parts.netloc), parts.path

    def is_own(self, url: str) -> bool:
        """Whether a URL points into this server (same scheme, host, port and base path)."""
        parts = urllib.parse.urlsplit(url)
        return (parts.scheme, parts.netloc) == self.origin and (parts.path + "/").startswith(self.prefix)

    def get_headers(self, url: str, **kwargs) -> CaseInsensitiveDict:
        """Headers pygeoapi reads from a HEAD: for own URLs, length unknown and no request at all."""
        if self.is_own(url):
            return CaseInsensitiveDict({"content-length": UNKNOWN_LENGTH})
        from pygeoapi.util import UrlPrefetcher

        return UrlPrefetcher().get_headers(url, **kwargs)


def install(api, s: ApiSettings) -> None:
    """Give one pygeoapi API object the hub's prefetcher."""
    api.prefetcher = HubPrefetcher(s.url)
