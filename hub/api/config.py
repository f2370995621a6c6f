"""Render pygeoapi's configuration and OpenAPI document from the catalog (+ meta.published when data exists).

Two renderings, both deterministic:
* template (committed in ogc_config/): catalog only; every enabled collection with the national extent as a
  placeholder. A test fails when it drifts from what the catalog renders.
* runtime (.hub/api/, and in memory on every new publication): only published collections, with the extent,
  interval and row count measured at load time and recorded in meta.published (no clock reads).
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import yaml

from hub.api.collections import Collection, public_collections
from hub.api.features.enclosure import enclosure_link
from hub.api.ogc_crs import CRS84, supported_uris
from hub.settings import PROJECT_ROOT, ApiSettings, MetadataSettings, hub_home

TEMPLATE_DIR = PROJECT_ROOT / "ogc_config"
VIETNAM_BBOX = [102.14, 8.18, 109.47, 23.39]  # placeholder extent of the committed template (CRS84)
LICENCES = {"CC-BY-4.0": "https://creativecommons.org/licenses/by/4.0/",
            "CC0-1.0": "https://creativecommons.org/publicdomain/zero/1.0/",
            "ODbL-1.0": "https://opendatacommons.org/licenses/odbl/1-0/"}
PROVIDER = "hub.api.features.provider.HubPostGISProvider"
RECORDS_ID = "datasets"
LAND_USE_CODES_ID = "land_use_codes"
SORTABLES_REL = "http://www.opengis.net/def/rel/ogc/1.0/sortables"
FEATURES_3 = "http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/"
CQL2 = "http://www.opengis.net/spec/cql2/1.0/conf/"
EXTRA_CONFORMANCE = [FEATURES_3 + "filter", FEATURES_3 + "features-filter", CQL2 + "basic-cql2", CQL2 + "cql2-text",
                     CQL2 + "cql2-json", CQL2 + "advanced-comparison-operators",
                     CQL2 + "case-insensitive-comparison", CQL2 + "accent-insensitive-comparison",
                     CQL2 + "basic-spatial-functions",
                     CQL2 + "basic-spatial-functions-plus", CQL2 + "spatial-functions", CQL2 + "temporal-functions",
                     "http://www.opengis.net/spec/ogcapi-tiles-1/1.0/conf/core",
                     "http://www.opengis.net/spec/ogcapi-tiles-1/1.0/conf/mvt"]
DROPPED_CONFORMANCE = {"http://www.opengis.net/spec/ogcapi-features-4/1.0/conf/create-replace-delete"}
RECORDS_1 = "http://www.opengis.net/spec/ogcapi-records-1/1.0/conf/"
# What the catalogue implements (hub.api.records_*): `core` is the drafts' name older clients look for;
# pygeoapi's `opensearch` is not declared (no OpenSearch description document is served).
RECORDS_CONFORMANCE = [RECORDS_1 + c for c in (
    "core", "record-core", "record-collection", "records-api", "record-core-query-parameters",
    "searchable-catalog", "sorting", "searchable-catalog/sorting", "cql-filter", "searchable-catalog/filtering",
    "json", "html")]


def metadata_settings() -> MetadataSettings:
    """The provider/contact settings (HUB_META_*)."""
    from hub.settings import metadata_settings as cached

    return cached()


def licence_url(licence: str) -> str:
    """A URL for an SPDX id (URLs pass through)."""
    return licence if licence.startswith("http") else LICENCES.get(licence, f"https://spdx.org/licenses/{licence}")


def _server(s: ApiSettings) -> dict:
    """The `server` section."""
    return {
        "bind": {"host": s.host, "port": s.port},
        "url": s.url,
        "mimetype": "application/json; charset=UTF-8",
        "encoding": "utf-8",
        "gzip": False,  # the hub's own middleware compresses
        "languages": ["vi", "en"],
        "cors": True,
        "pretty_print": False,
        "limits": {"default_items": s.default_limit, "max_items": s.max_limit, "on_exceed": "throttle"},
        "map": {"url": s.basemap_url, "attribution": s.basemap_attribution},
        "admin": False,
    }


def _metadata(s: ApiSettings, meta: MetadataSettings) -> dict:
    """The `metadata` section (bilingual); provider and contact from HUB_META_* ("not configured" until set: no
    placeholder address poses as a real one)."""
    contact = {"name": meta.contact_name, "position": meta.contact_position, "address": meta.address,
               "city": meta.city, "stateorprovince": meta.province, "postalcode": meta.postal_code,
               "country": meta.country, "phone": meta.contact_phone, "email": meta.contact_email,
               "url": meta.contact_url, "hours": meta.hours, "role": "pointOfContact"}
    return {
        "identification": {
            "title": {"vi": "Kho dữ liệu đất đai Việt Nam", "en": "Vietnam Land Data Hub"},
            "description": {"vi": "Dữ liệu địa chính và đất đai công khai theo chuẩn OGC API",
                            "en": "Public cadastral and land data through OGC APIs"},
            "keywords": {"vi": ["đất đai", "địa chính", "VN-2000"], "en": ["land", "cadastre", "VN-2000"]},
            "keywords_type": "theme",
            "terms_of_service": "https://creativecommons.org/licenses/by/4.0/",
            "url": meta.provider_url or s.url,
        },
        "license": {"name": "CC-BY-4.0", "url": licence_url("CC-BY-4.0")},
        "provider": {"name": meta.provider_name, "url": meta.provider_url or s.url},
        "contact": {k: v for k, v in contact.items() if v is not None},
    }


def _extents(coll: Collection, pub) -> dict:
    """Measured extent when published, else the national placeholder; no spatial extent for a table without
    geometry (its rows still belong to Vietnam: the national extent is kept as pygeoapi requires one)."""
    bbox = [round(v, 9) for v in pub.bbox] if pub is not None and pub.bbox else VIETNAM_BBOX
    out: dict = {"spatial": {"bbox": bbox, "crs": CRS84}}
    if pub is not None and (pub.interval_start or pub.interval_end):
        out["temporal"] = {"begin": _instant(pub.interval_start), "end": _instant(pub.interval_end)}
    return out


def _instant(value) -> str | None:
    """A recorded time-span end as RFC 3339 UTC text."""
    return None if value is None else value.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def collection_resource(coll: Collection, pub, s: ApiSettings) -> dict:
    """One feature collection: bilingual metadata, links, extents and the hub provider (connects as hub_api)."""
    ds = coll.dataset
    base = f"{s.url}/collections/{coll.id}"
    title = coll.title
    links = [
        {"type": "text/html", "rel": "license", "title": ds.licence, "href": licence_url(ds.licence)},
        {"type": "application/geo+json", "rel": "describedby", "title": "Catalogue record / Bản ghi siêu dữ liệu",
         "href": f"{s.url}/collections/{RECORDS_ID}/items/{ds.id}"},
    ]
    if coll.publication.tiles is not None and coll.geometry_type is not None:
        links.append({"type": "application/json", "rel": "http://www.opengis.net/def/rel/ogc/1.0/tilesets-vector",
                      "title": "Vector tiles (MVT, WebMercatorQuad)", "href": f"{base}/tiles"})
    if coll.geometry_type is not None:
        links.append({"type": "application/json", "rel": "http://www.opengis.net/def/rel/ogc/1.0/styles",
                      "title": "Styles (QGIS QML) / Kiểu hiển thị", "href": f"{base}/styles"})
    if "land_use_codes" in coll.columns:
        links.append({"type": "application/geo+json", "rel": "related", "title": "Land-use codes / Bảng mã loại đất",
                      "href": f"{s.url}/collections/{LAND_USE_CODES_ID}/items"})
    if pub is not None:
        links.append(enclosure_link(coll.id, pub, s))  # never probed by pygeoapi: see hub.api.features.enclosure
    provider = {"type": "feature", "name": PROVIDER, "data": {"collection": coll.id}, "id_field": "id",
                "title_field": coll.id_column}
    if coll.time_column:
        provider["time_field"] = coll.time_column
    if coll.geometry_type is not None:
        provider.update(storage_crs=CRS84, crs=supported_uris(coll.output_epsg))
    return {
        "type": "collection",
        "title": {"vi": title.vi, "en": title.en},
        "description": {"vi": ds.description.vi, "en": ds.description.en},
        "keywords": {"vi": list(ds.keywords.vi), "en": list(ds.keywords.en)},
        "links": links,
        "extents": _extents(coll, pub),
        "providers": [provider, *_coverage(coll, pub)],
    }


def _coverage(coll: Collection, pub) -> list[dict]:
    """A published raster table is also an OGC API - Coverages collection (hub.api.coverage: windowed reads)."""
    if pub is None or coll.dataset.family != "raster" or coll.table.name is not None:
        return []
    return [{"type": "coverage", "name": "hub.api.coverage.HubCoverageProvider", "data": {"collection": coll.id},
             "format": {"name": "GTiff", "mimetype": "image/tiff"}}]


def records_resource(s: ApiSettings) -> dict:
    """The OGC API Records catalogue of published datasets."""
    return {
        "type": "collection",
        "title": {"vi": "Danh mục bộ dữ liệu", "en": "Dataset catalogue"},
        "description": {"vi": "Bản ghi siêu dữ liệu của các bộ dữ liệu đã công bố",
                        "en": "Metadata records of the published datasets"},
        "keywords": {"vi": ["siêu dữ liệu"], "en": ["metadata", "catalogue"]},
        "links": [{"type": "application/schema+json", "rel": SORTABLES_REL,
                   "title": "Sortables / Thuộc tính sắp xếp",
                   "href": f"{s.url}/collections/{RECORDS_ID}/sortables"}],
        "extents": {"spatial": {"bbox": VIETNAM_BBOX, "crs": CRS84}},
        "providers": [{"type": "record", "name": "hub.api.records.provider.HubRecordsProvider", "data": "catalog",
                       "id_field": "id", "time_field": "updated", "title_field": "title"}],
    }


def land_use_codes_resource() -> dict:
    """The land-use code lists with names and TT 08/2024 colours (features without geometry)."""
    return {
        "type": "collection",
        "title": {"vi": "Bảng mã loại đất và màu bản đồ", "en": "Land-use codes and map colours"},
        "description": {"vi": "Mã loại đất TT 27/2018, TT 08/2024 và mã cũ, tên và màu bản đồ hiện trạng",
                        "en": "Land-use codes of TT 27/2018, TT 08/2024 and legacy lists, names and map colours"},
        "keywords": {"vi": ["loại đất", "bảng màu"], "en": ["land use", "colours"]},
        "links": [{"type": "text/html", "rel": "license", "title": "CC-BY-4.0", "href": licence_url("CC-BY-4.0")}],
        "extents": {"spatial": {"bbox": VIETNAM_BBOX, "crs": CRS84}},
        "providers": [{"type": "feature", "name": "hub.api.styles.codes_provider.LandUseCodesProvider",
                       "data": "pub.land_use_codes", "id_field": "id", "title_field": "code"}],
    }


def process_resource() -> dict:
    """The parcel report process."""
    return {"type": "process", "processor": {"name": "hub.api.processes.parcel_report.ParcelReportProcessor"}}


def render_config(state: dict | None, s: ApiSettings, template: bool = False) -> dict:
    """The pygeoapi configuration: all enabled collections (template) or only published ones (runtime)."""
    resources: dict = {}
    for cid, coll in sorted(public_collections().items()):
        pub = None if template else (state or {}).get(coll.id)
        if template or pub is not None:
            resources[cid] = collection_resource(coll, pub, s)
    resources[RECORDS_ID] = records_resource(s)
    resources[LAND_USE_CODES_ID] = land_use_codes_resource()
    resources["parcel-report"] = process_resource()
    meta = MetadataSettings.model_construct() if template else metadata_settings()
    return {"server": _server(s), "logging": {"level": "ERROR"}, "metadata": _metadata(s, meta),
            "resources": resources}


def render_openapi(config: dict, s: ApiSettings) -> dict:
    """pygeoapi's OpenAPI document completed by the hub (hub.api.openapi): local references, every parameter the
    server accepts, the media types it serves, the limit QGIS and GDAL read, catalogue sortables and tiles."""
    from pygeoapi.openapi import get_oas

    from hub import i18n
    from hub.api import openapi as oas

    token = i18n.use_language("en")  # one document for every reader: English titles, x-title-vi beside them
    try:
        return oas.complete(get_oas(config), public_collections(), RECORDS_ID, s, VIETNAM_BBOX)
    finally:
        i18n.reset_language(token)


def _dump(obj: dict) -> str:
    """Stable YAML (keys in insertion order, UTF-8)."""
    return yaml.safe_dump(obj, allow_unicode=True, sort_keys=False, width=120)


def write(directory: Path, config: dict, oas: dict) -> tuple[Path, Path]:
    """Write both files atomically; returns their paths."""
    directory.mkdir(parents=True, exist_ok=True)
    out = (directory / "pygeoapi-config.yml", directory / "openapi.yml")
    for path, obj in zip(out, (config, oas)):
        tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        tmp.write_text(_dump(obj), encoding="utf-8")
        tmp.replace(path)
    return out


def template_texts() -> tuple[str, str]:
    """The committed files' expected contents (catalog only, default settings, no environment)."""
    s = ApiSettings.model_construct()
    config = render_config(None, s, template=True)
    return _dump(config), _dump(render_openapi(config, s))


def runtime_dir() -> Path:
    """Where the runtime rendering lives (HUB_API_RUNTIME_DIR, else .hub/api)."""
    return Path(os.environ.get("HUB_API_RUNTIME_DIR") or hub_home() / "api")


def render_runtime(s: ApiSettings) -> tuple[Path, Path, str]:
    """Render the runtime files from the database (as hub_api); returns paths and the state token."""
    from hub.api.state import published_sync, token

    state = published_sync()
    config = render_config(state, s)
    paths = write(runtime_dir(), config, render_openapi(config, s))
    return paths[0], paths[1], token(state)


def ensure_runtime_files() -> None:
    """Point pygeoapi at rendered files (rendered now unless `hub serve` already did)."""
    from hub.settings import api_settings

    if os.environ.get("PYGEOAPI_CONFIG") and os.environ.get("PYGEOAPI_OPENAPI"):
        return
    cfg, oas, tok = render_runtime(api_settings())
    os.environ.update(PYGEOAPI_CONFIG=str(cfg), PYGEOAPI_OPENAPI=str(oas), HUB_API_CONFIG_TOKEN=tok)


def _script_safe(to_json):
    """Wrap pygeoapi's to_json so '<', '>' and '&' become JSON escapes (same data, cannot close a <script>)."""
    def safe(*args, **kwargs):
        """JSON text safe inside an HTML <script> element."""
        text = to_json(*args, **kwargs)
        return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")

    safe.hub_script_safe = True
    return safe


def patch_pygeoapi() -> None:
    """Advertise the filter/CQL2/tiles/records classes the hub implements, drop editing, script-safe JSON in HTML."""
    from pygeoapi import util
    from pygeoapi.api import itemtypes

    from hub.api import outbound

    outbound.install()  # no subscriber callbacks: no user-supplied URL makes the server connect anywhere

    if not getattr(util.to_json, "hub_script_safe", False):
        util.to_json = _script_safe(util.to_json)  # templates embed JSON in <script>: A18 stored XSS
    lst = itemtypes.CONFORMANCE_CLASSES_FEATURES
    lst[:] = [c for c in lst if c not in DROPPED_CONFORMANCE] + [c for c in EXTRA_CONFORMANCE if c not in lst]
    itemtypes.CONFORMANCE_CLASSES_RECORDS[:] = RECORDS_CONFORMANCE
