"""A STAC Item per published raster (projection, raster and classification extensions), validated offline.

The Item is what odc-stac, QGIS' STAC browser and rio-tiler read: `proj:code` (EPSG:92xx for VN-2000 TM-3),
`proj:shape`/`proj:transform` in the native grid, `raster:bands` with nodata/scale/offset/statistics, and the
land-cover legend as `classification:classes`. Validation uses pystac's bundled core schemas and the hub's own
renderings of the three extension schemas (schemas/), so no schema is fetched at run time.
"""

from __future__ import annotations

import datetime as dt
import json
import math
from functools import lru_cache
from pathlib import Path

import pystac
import shapely
from pystac.extensions.projection import ProjectionExtension
from pystac.extensions.raster import DataType, RasterBand, RasterExtension, Statistics
from pystac.validation.stac_validator import JsonSchemaSTACValidator

from hub.errors import InputError
from ingest.families.raster.crs import RasterCrs
from ingest.families.raster.options import RasterOptions
from ingest.families.raster.scan import BandStats

SCHEMAS = Path(__file__).parent / "schemas"
CLASSIFICATION_URI = "https://stac-extensions.github.io/classification/v2.0.0/schema.json"
COG_MEDIA = "image/tiff; application=geotiff; profile=cloud-optimized"


@lru_cache(maxsize=1)
def validator() -> JsonSchemaSTACValidator:
    """pystac's validator with the extension schemas preloaded (offline)."""
    v = JsonSchemaSTACValidator()
    for path in sorted(SCHEMAS.glob("*.json")):
        schema = json.loads(path.read_text(encoding="utf-8"))
        v.schema_cache[schema["$id"]] = schema
    return v


def _nodata(value: float | None):
    """STAC nodata: a number, or 'nan'."""
    if value is None:
        return None
    return "nan" if math.isnan(value) else value


def build_item(*, dataset_id: str, title: dict, href: str, decision: RasterCrs, shape: tuple[int, int],
               transform: tuple[float, ...], footprint: shapely.Polygon, dtype: str, nodata: float | None,
               opts: RasterOptions, stats: BandStats, cog_sha256: str, published: dt.datetime,
               resolution: float) -> dict:
    """The Item as a dict (GeoJSON Feature), not yet validated."""
    geom = shapely.geometry.mapping(footprint)
    item = pystac.Item(id=dataset_id, geometry=geom, bbox=list(footprint.bounds), datetime=published,
                       properties={"title": title.get("en") or dataset_id, "hub:title_vi": title.get("vi", ""),
                                   "hub:kind": opts.kind, "hub:crs_decision": decision.detail})
    asset = pystac.Asset(href=href, media_type=COG_MEDIA, roles=["data"], title=title.get("en") or dataset_id,
                         extra_fields={"file:checksum": f"1220{cog_sha256}"})
    item.add_asset("data", asset)
    proj = ProjectionExtension.ext(item, add_if_missing=True)
    proj.code = f"EPSG:{decision.epsg}"
    proj.shape = [shape[0], shape[1]]
    proj.transform = list(transform[:6])
    st = stats.as_stac()
    band = RasterBand.create(nodata=_nodata(nodata), data_type=DataType(dtype), sampling="area",
                             spatial_resolution=resolution, unit=opts.unit, scale=opts.scale, offset=opts.offset,
                             statistics=Statistics.create(**{k: st[k] for k in st}))
    RasterExtension.ext(item.assets["data"], add_if_missing=True).bands = [band]
    out = item.to_dict(include_self_link=False)
    if opts.categorical:
        out["stac_extensions"].append(CLASSIFICATION_URI)
        total = sum(stats.histogram.values()) or 1
        out["assets"]["data"]["classification:classes"] = [
            {"value": c.value, "name": c.code, "title": c.name_en, "description": c.name_vi,
             "color_hint": c.color[1:].upper(), "count": stats.histogram.get(c.value, 0),
             "percentage": round(100.0 * stats.histogram.get(c.value, 0) / total, 4)} for c in opts.classes]
    return out


def validate(item: dict, file: str) -> None:
    """Validate the Item against the core and extension schemas; a failure is an input error naming the field."""
    try:
        validator().validate(item, pystac.STACObjectType.ITEM, item["stac_version"], item["stac_extensions"],
                             href=None)
    except pystac.STACValidationError as exc:
        raise InputError("the STAC Item does not validate against its schemas", file=file, field="stac",
                         rule="stac_invalid", internal=str(exc)) from exc
