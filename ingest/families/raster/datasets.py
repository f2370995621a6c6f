"""The sample raster datasets (the entries `make demo` loads): DEM, slope and land cover of each province."""

from __future__ import annotations

from ingest.families.raster.options import WORLDCOVER, RasterOptions
from ingest.families.raster.pipeline import RasterDataset

PROVINCES = {"cantho": ("Thành phố Cần Thơ", "Can Tho City"), "tuyenquang": ("Tỉnh Tuyên Quang", "Tuyen Quang")}


def sample_datasets() -> dict[str, RasterDataset]:
    """dataset id -> entry, for the files hub.samples.rasters writes."""
    out = {}
    for key, (vi, en) in PROVINCES.items():
        dem_nodata, dem_scale = (-32768.0, 0.01) if key == "cantho" else (-9999.0, 1.0)
        out[f"dem_{key}"] = RasterDataset(f"dem_{key}", f"Mô hình số độ cao – {vi}", f"Elevation model – {en}",
                                          RasterOptions(kind="dem", unit="m", nodata=dem_nodata, scale=dem_scale,
                                                        title_vi="Độ cao (m)", title_en="Elevation (m)"))
        out[f"slope_{key}"] = RasterDataset(f"slope_{key}", f"Độ dốc – {vi}", f"Slope – {en}",
                                            RasterOptions(kind="slope", unit="degree", nodata=65535, scale=0.1,
                                                          title_vi="Độ dốc (độ)", title_en="Slope (degrees)"))
        out[f"landcover_{key}"] = RasterDataset(
            f"landcover_{key}", f"Lớp phủ mặt đất – {vi}", f"Land cover – {en}",
            RasterOptions(kind="landcover", nodata=0, classes=WORLDCOVER, title_vi="Lớp phủ (ESA WorldCover)",
                          title_en="Land cover class (ESA WorldCover)"))
    return out
