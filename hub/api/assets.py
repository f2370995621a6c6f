"""Page assets (Leaflet, Bootstrap, markercluster, VectorGrid, Swagger UI) served by the hub itself, never from a CDN at run time.

`make install` runs `python -m hub.api.assets install`: `npm install` of the exact versions in web/package.json
into web/node_modules, then each served file is checked against the SHA-256 recorded here (the npm registry is
reached at build time only; an intranet server needs nothing outside itself). `/assets/<name>` serves only the
files listed here, with a long cache lifetime (the version is in the name).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import shutil
import subprocess
import sys
from pathlib import Path

from starlette.responses import Response

from hub.settings import PROJECT_ROOT

WEB = PROJECT_ROOT / "web"
MODULES = WEB / "node_modules"
PREFIX = "/assets/"
VERSIONS = json.loads((WEB / "package.json").read_text(encoding="utf-8"))["dependencies"]
# served name -> (file under node_modules, sha256 of the released file)
ASSETS: dict[str, tuple[str, str]] = {
    f"leaflet-{VERSIONS['leaflet']}/leaflet.js": (
        "leaflet/dist/leaflet.js", "db49d009c841f5ca34a888c96511ae936fd9f5533e90d8b2c4d57596f4e5641a"),
    f"leaflet-{VERSIONS['leaflet']}/leaflet.css": (
        "leaflet/dist/leaflet.css", "a7837102824184820dfa198d1ebcd109ff6d0ff9a2672a074b9a1b4d147d04c6"),
    f"leaflet-{VERSIONS['leaflet']}/images/layers-2x.png": (
        "leaflet/dist/images/layers-2x.png", "066daca850d8ffbef007af00b06eac0015728dee279c51f3cb6c716df7c42edf"),
    f"leaflet-{VERSIONS['leaflet']}/images/layers.png": (
        "leaflet/dist/images/layers.png", "1dbbe9d028e292f36fcba8f8b3a28d5e8932754fc2215b9ac69e4cdecf5107c6"),
    f"leaflet-{VERSIONS['leaflet']}/images/marker-icon-2x.png": (
        "leaflet/dist/images/marker-icon-2x.png", "00179c4c1ee830d3a108412ae0d294f55776cfeb085c60129a39aa6fc4ae2528"),
    f"leaflet-{VERSIONS['leaflet']}/images/marker-icon.png": (
        "leaflet/dist/images/marker-icon.png", "574c3a5cca85f4114085b6841596d62f00d7c892c7b03f28cbfa301deb1dc437"),
    f"leaflet-{VERSIONS['leaflet']}/images/marker-shadow.png": (
        "leaflet/dist/images/marker-shadow.png", "264f5c640339f042dd729062cfc04c17f8ea0f29882b538e3848ed8f10edb4da"),
    f"markercluster-{VERSIONS['leaflet.markercluster']}/leaflet.markercluster.js": (
        "leaflet.markercluster/dist/leaflet.markercluster.js",
        "1e4e1d22972a3926f48598e0caf14e3fe7049835d428a344fed4f9e3665b3508"),
    f"markercluster-{VERSIONS['leaflet.markercluster']}/MarkerCluster.css": (
        "leaflet.markercluster/dist/MarkerCluster.css", "614dea0a98ff3f4ead74f04918f6b1d1b9ba435c25b5fc23b21a394d1e3e4d87"),
    f"markercluster-{VERSIONS['leaflet.markercluster']}/MarkerCluster.Default.css": (
        "leaflet.markercluster/dist/MarkerCluster.Default.css",
        "61258232d98d64dc2a7b1e02130d67421bc5b9bda5994eef70228ff97570c170"),
    f"bootstrap-{VERSIONS['bootstrap']}/bootstrap.min.css": (
        "bootstrap/dist/css/bootstrap.min.css", "d85327d99c7a3ee1f9b5d0500d1370acea3ad2db39c163c2f51f232baedbdede"),
    f"bootstrap-{VERSIONS['bootstrap']}/bootstrap.bundle.min.js": (
        "bootstrap/dist/js/bootstrap.bundle.min.js", "e4fd49181388c48ec5040bd3fe66f57c29c8e67fcd8502b3354b96ec7ab47cc7"),
    f"vectorgrid-{VERSIONS['leaflet.vectorgrid']}/Leaflet.VectorGrid.bundled.min.js": (
        "leaflet.vectorgrid/dist/Leaflet.VectorGrid.bundled.min.js",
        "ed1e89e4c9582593890d0e869d03ed7a4ab56f511c6d2036392d6d50938aa4d5"),
    f"swagger-ui-{VERSIONS['swagger-ui-dist']}/swagger-ui-bundle.js": (
        "swagger-ui-dist/swagger-ui-bundle.js", "e6a898692f2d768e807c3ba4626068a69a2c5dd960dd6c76f3e4d3a3de180af2"),
    f"swagger-ui-{VERSIONS['swagger-ui-dist']}/swagger-ui-standalone-preset.js": (
        "swagger-ui-dist/swagger-ui-standalone-preset.js",
        "5243d492e14505e0cab87ac8b0195d0e615943e651743b2b698450a46eb470be"),
    f"swagger-ui-{VERSIONS['swagger-ui-dist']}/swagger-ui.css": (
        "swagger-ui-dist/swagger-ui.css", "5ed08757e53da3e026d6cbecc61fe5d43585c9560b302d534ad56692519a273d"),
    f"swagger-ui-{VERSIONS['swagger-ui-dist']}/favicon-32x32.png": (
        "swagger-ui-dist/favicon-32x32.png", "3ed612f41e050ca5e7000cad6f1cbe7e7da39f65fca99c02e99e6591056e5837"),
}
TYPES = {".js": "text/javascript; charset=utf-8", ".css": "text/css; charset=utf-8", ".png": "image/png"}
_CACHE: dict[str, bytes] = {}


def url(name: str, base: str = "") -> str:
    """The served URL of an asset (KeyError for a name that is not served)."""
    ASSETS[name]  # noqa: B018 - only listed names
    return f"{base}{PREFIX}{name}"


def by_kind(base: str = "") -> dict[str, str]:
    """Template names -> URLs (leaflet_js, bootstrap_css, swagger_js, ...), one per served file kind."""
    pick = {"leaflet_js": "leaflet.js", "leaflet_css": "leaflet.css", "markercluster_js": "leaflet.markercluster.js",
            "markercluster_css": "/MarkerCluster.css", "markercluster_default_css": "MarkerCluster.Default.css",
            "bootstrap_css": "bootstrap.min.css", "bootstrap_js": "bootstrap.bundle.min.js",
            "vectorgrid_js": "Leaflet.VectorGrid.bundled.min.js", "swagger_js": "swagger-ui-bundle.js",
            "swagger_preset_js": "swagger-ui-standalone-preset.js", "swagger_css": "swagger-ui.css",
            "swagger_icon": "favicon-32x32.png"}
    return {k: url(next(n for n in ASSETS if n.endswith(tail)), base) for k, tail in pick.items()}


def problems() -> list[str]:
    """Missing or altered asset files (empty when every served file is the released one)."""
    out = []
    for _name, (rel, digest) in ASSETS.items():
        path = MODULES / rel
        if not path.exists():
            out.append(f"{rel}: missing (run `make install`)")
        elif hashlib.sha256(path.read_bytes()).hexdigest() != digest:
            out.append(f"{rel}: SHA-256 differs from the released file")
    return out


def install() -> int:
    """npm install of web/package.json (exact versions, no scripts), then the checksum check."""
    if not problems():
        return 0
    npm = shutil.which("npm")
    if not npm:
        print("npm is missing: install the Debian packages nodejs and npm (make install does it)", file=sys.stderr)
        return 3
    subprocess.run([npm, "install", "--prefix", str(WEB), "--no-save", "--no-package-lock", "--legacy-peer-deps",
                    "--ignore-scripts", "--no-audit", "--no-fund", "--loglevel=error"], check=True)
    issues = problems()
    for line in issues:
        print(line, file=sys.stderr)
    return 1 if issues else 0


def response(path: str, method: str) -> Response | None:
    """The answer for /assets/<name>, or None when the path is not an asset route."""
    if not path.startswith(PREFIX):
        return None
    name = path[len(PREFIX):]
    entry = ASSETS.get(name)
    if entry is None:
        return Response(b'{"code": "NotFound", "description": "not found"}', status_code=404,
                        media_type="application/json")
    body = _CACHE.get(name)
    if body is None:
        try:
            body = (MODULES / entry[0]).read_bytes()
        except OSError:
            return Response(b'{"code": "NotFound", "description": "asset not installed (run make install)"}',
                            status_code=404, media_type="application/json")
        _CACHE[name] = body
    headers = {"Cache-Control": "public, max-age=31536000, immutable", "ETag": f'"{entry[1][:16]}"'}
    return Response(b"" if method == "HEAD" else body, media_type=TYPES[Path(name).suffix], headers=headers)


def main(argv: list[str] | None = None) -> int:
    """`python -m hub.api.assets install|check`."""
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("action", choices=["install", "check"])
    args = ap.parse_args(argv)
    if args.action == "install":
        return install()
    issues = problems()
    for line in issues:
        print(line, file=sys.stderr)
    return 1 if issues else 0


if __name__ == "__main__":
    sys.exit(main())
