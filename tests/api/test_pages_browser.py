"""The HTML pages in offline headless Chromium: assets from the hub itself, features drawn, no CSP violation; the
base map's origin (a setting) is what the CSP allows; the item page zooms to the parcel; VN-2000 downloads."""

from __future__ import annotations

import re
import struct
import threading
import zlib
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx
import pytest

from hub.api import pages
from hub.errors import ConfigError
from hub.settings import ApiSettings
from tests.api import browser
from tests.api.serve import serving


def _png_1px() -> bytes:
    """A valid 1x1 transparent PNG (PNG spec: signature, IHDR, IDAT, IEND)."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 6, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(b"\x00\x00\x00\x00\x00")) + chunk(b"IEND", b""))


PNG_1PX = _png_1px()


def test_items_page_offline_draws_features_without_csp_violation(server, published):
    page = browser.load(f"{server}/collections/cadastre_cantho/items?f=html&limit=50")
    assert page.drawn_features == 50, page.log[-2000:]
    assert page.csp_violations == []
    assert "unpkg.com" not in page.dom and "cdnjs" not in page.dom and "jsdelivr" not in page.dom
    assert "/assets/leaflet-1.9.4/leaflet.js" in page.dom and "/assets/bootstrap-5.3.8/bootstrap.min.css" in page.dom


def test_item_page_zooms_to_the_parcel(server, published):
    key = published["rows"][0]["parcel_key"]
    page = browser.load(f"{server}/collections/cadastre_cantho/items/{key}?f=html")
    assert page.drawn_features == 1 and page.csp_violations == []
    # Leaflet writes the zoom level on each tile of the base map; offline there are none, so read the map pane's
    # scale through the parcel's drawn size: a parcel of a few hundred m² is at least 100 px wide, not a dot
    path = re.search(r'<path[^>]*leaflet-interactive[^>]*d="([^"]+)"', page.dom).group(1)
    xs = [float(x) for x in re.findall(r"[ML](-?[\d.]+) ", path + " ")]
    assert max(xs) - min(xs) >= 100, path


def test_swagger_and_other_pages_need_no_cdn(server, published):
    for path in ("/openapi?f=html", "/collections/cadastre_cantho?f=html", "/collections?f=html", "/?f=html",
                 "/collections/cadastre_cantho/tiles?f=html"):
        page = browser.load(f"{server}{path}", budget_ms=5000)
        assert page.csp_violations == [], (path, page.csp_violations)
        assert not re.search(r"(src|href)=\"https?://(unpkg|cdnjs|cdn\.jsdelivr)", page.dom), path
    assert "swagger-ui" in browser.load(f"{server}/openapi?f=html").dom


class _Tiles(BaseHTTPRequestHandler):
    """A province's own tile server: one transparent pixel for every tile, each request remembered."""

    seen: list[str] = []

    def do_GET(self):  # noqa: N802 - http.server's name
        """Answer any tile."""
        type(self).seen.append(self.path)
        self.send_response(200)
        self.send_header("Content-Type", "image/png")
        self.end_headers()
        self.wfile.write(PNG_1PX)

    def log_message(self, *args):
        """Quiet."""


@pytest.fixture()
def tile_server():
    """A tile server on another origin than the hub (another port)."""
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Tiles)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    _Tiles.seen = []
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()


def test_base_map_setting_sets_the_csp_and_tiles_load(published, tmp_path, tile_server):
    url = f"{tile_server}/tiles/{{z}}/{{x}}/{{y}}.png"
    with serving(tmp_path, env={"HUB_API_BASEMAP_URL": url, "HUB_API_BASEMAP_ATTRIBUTION": "Sở NN&MT"},
                 workers=1) as base:
        csp = httpx.get(f"{base}/collections/cadastre_cantho/items?f=html&limit=5").headers["content-security-policy"]
        assert f"img-src 'self' data: {tile_server};" in csp and "unpkg" not in csp
        page = browser.load(f"{base}/collections/cadastre_cantho/items/{published['rows'][0]['parcel_key']}?f=html")
    assert page.csp_violations == [] and page.drawn_features == 1
    zooms = {int(p.split("/")[2]) for p in _Tiles.seen}
    assert zooms and min(zooms) >= 17, _Tiles.seen  # the item page asked for street-level tiles of the parcel


def test_no_base_map_when_the_setting_is_empty(published, tmp_path):
    with serving(tmp_path, env={"HUB_API_BASEMAP_URL": ""}, workers=1) as base:
        r = httpx.get(f"{base}/collections/cadastre_cantho/items?f=html&limit=5")
        assert "img-src 'self' data:;" in r.headers["content-security-policy"]
        assert "L.tileLayer" not in r.text
        page = browser.load(f"{base}/collections/cadastre_cantho/items?f=html&limit=5")
    assert page.drawn_features == 5 and page.csp_violations == []


def test_csp_source_of_a_tile_url():
    assert pages.tile_source("https://tile.openstreetmap.org/{z}/{x}/{y}.png") == "https://tile.openstreetmap.org"
    assert pages.tile_source("https://{s}.tile.example.vn/{z}/{x}/{y}.png") == "https://*.tile.example.vn"
    assert pages.tile_source("http://10.0.0.5:8080/osm/{z}/{x}/{y}.png") == "http://10.0.0.5:8080"
    assert pages.tile_source("") is None
    with pytest.raises(ConfigError, match="HUB_API_BASEMAP_URL"):
        pages.tile_source("tile.example.vn/{z}/{x}/{y}.png")
    assert "https://tile.openstreetmap.org;" in pages.csp(ApiSettings())


@pytest.mark.parametrize("lang,text", [("vi", "Tải về theo VN-2000"), ("en", "Download in VN-2000")])
def test_vn2000_one_click_download_in_the_source_zone(client, published, lang, text):
    page = client.get("/collections/cadastre_cantho/items", params={"f": "html", "limit": 5, "lang": lang}).text
    assert text in page and "-oo CRS=EPSG:5897" in page
    href = re.search(r'class="download-zone" href="([^"]+)"', page).group(1).replace("&amp;", "&")
    r = client.get(href)
    assert r.status_code == 200 and "EPSG/0/5897" in r.headers["content-crs"]
    x, y = r.json()["features"][0]["geometry"]["coordinates"][0][0][0][:2]
    assert 400_000 < x < 700_000 and 1_000_000 < y < 1_200_000  # grid metres, not degrees


class _Blocked(BaseHTTPRequestHandler):
    """A page whose own policy forbids its image: what the detector must report."""

    def do_GET(self):  # noqa: N802 - http.server's name
        """The page."""
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Security-Policy", "img-src 'self'")
        self.end_headers()
        self.wfile.write(b'<html><body><img src="http://127.0.0.2:9/x.png"></body></html>')

    def log_message(self, *args):
        """Quiet."""


def test_the_csp_detector_sees_a_violation():
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Blocked)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    try:
        page = browser.load(f"http://127.0.0.1:{httpd.server_address[1]}/", budget_ms=2000)
    finally:
        httpd.shutdown()
    assert len(page.csp_violations) == 1 and "127.0.0.2:9/x.png" in page.csp_violations[0]
