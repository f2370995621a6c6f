"""The raster family's light half: DEM, slope, land-cover and thematic GeoTIFFs published as COGs with STAC Items,
and exact per-parcel and per-commune statistics (issue 14 §2; domain §6.3). One source raster is one row."""

from __future__ import annotations

from hub.catalog.base import Rule
from hub.catalog.family import FamilySpec, GeometrySpec
from ingest.families.raster.options import RasterOptions

RULES = {
    "crs": Rule(severity="error", title="the raster's CRS is missing, unrecognised or not pinned by the hub"),
    "outside_vietnam": Rule(severity="error", title="the grid lands outside Vietnam (X/Y swapped, wrong zone)"),
    "partly_outside_vietnam": Rule(severity="warn", title="less than half of the grid lies inside Vietnam"),
    "unreadable": Rule(severity="error", title="the file is not a GeoTIFF GDAL reads"),
    "not_gridded": Rule(severity="error", title="no geotransform (GCPs or RPCs only)"),
    "rotated_grid": Rule(severity="error", title="the grid is rotated or sheared"),
    "band_missing": Rule(severity="error", title="the declared band is not in the file"),
    "nodata_conflict": Rule(severity="error", title="the file's nodata contradicts the catalog entry"),
    "scale_conflict": Rule(severity="error", title="the file's scale/offset contradict the catalog entry"),
    "cog_invalid": Rule(severity="error", title="the written COG fails validation"),
    "stac_invalid": Rule(severity="error", title="the STAC Item fails its schemas"),
    "all_nodata": Rule(severity="error", title="every pixel is nodata"),
    "unknown_class": Rule(severity="error", title="pixel values outside the declared classes"),
    "value_out_of_range": Rule(severity="warn", title="pixels outside the kind's plausible range"),
}

SPEC = FamilySpec(
    name="raster",
    title="Rasters: DEM, slope, land cover (COG + STAC, zonal statistics)",
    rules=RULES,
    options=RasterOptions,
    formats=frozenset({"tif"}),
    geometry=GeometrySpec(type="MultiPolygon", vn2000=False),  # the footprint, through the pinned EPSG:6960 path
    time=None,
    publish="replace",
    pipeline="ingest.families.raster.pipeline:RasterPipeline",
    readers={"tif": "ingest.families.raster.reader:TIFF"},
    samples="ingest.families.raster.samples:generate",
    demo=tuple((f"{kind}_{p}", f"rasters/{p}/{kind}_{p}.tif") for p in ("cantho", "tuyenquang")
               for kind in ("dem", "slope", "landcover")),
    on_publish="ingest.families.raster.zonal_refresh:on_publish",
    report_section="ingest.families.raster.report:section",
)
