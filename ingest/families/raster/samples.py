"""The raster family's samples: DEM, slope and land cover of both sample provinces, and one GeoTIFF per refusal
rule (rasters/broken/) plus the hidden-case VN-2000 GeoTIFF without an EPSG code (rasters/hidden/), listed with
their expected outcome in rasters/manifest.json."""

from __future__ import annotations

import json
from pathlib import Path


def generate(out_dir: Path, scale: float = 1.0, seed: int = 2025) -> dict:
    """Write the sample rasters (their size does not follow `scale`: grids are set by the provinces' extents)."""
    from hub.samples.rasters import generate_rasters

    entries = generate_rasters(Path(out_dir), seed)
    manifest = Path(out_dir) / "rasters" / "manifest.json"
    manifest.write_text(json.dumps(entries, indent=1, ensure_ascii=False, sort_keys=True, default=str) + "\n",
                        encoding="utf-8")
    return {"rasters": len(entries)}
