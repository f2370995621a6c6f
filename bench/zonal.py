"""Zonal statistics benchmark (issue 14): the hub's exact engine (coverage-weighted, exactextract over windows)
against rasterstats (pixel-centre sampling, one masked read per polygon) on the same parcels and raster, in one
run; prints times, the ratio, and how far pixel-centre means are from the exact ones.

    .venv/bin/python -m bench.zonal                       # 2,000 × 2,000 raster, 20,000 parcels
    BENCH_ZONAL_SIZE=10000 BENCH_ZONAL_PARCELS=1000000 .venv/bin/python -m bench.zonal   # the issue's scale
"""

from __future__ import annotations

import os
import resource
import tempfile
import time
from pathlib import Path

import numpy as np
import rasterio
import shapely
from rasterio.transform import from_origin


def _raster(path: Path, size: int, res: float, x0: float, y0: float) -> None:
    """A smooth float32 DEM, tiled and compressed like a hub COG (written in strips: bounded memory)."""
    profile = {"driver": "GTiff", "width": size, "height": size, "count": 1, "dtype": "float32", "crs": "EPSG:5897",
               "transform": from_origin(x0, y0 + size * res, res, res), "tiled": True, "blockxsize": 512,
               "blockysize": 512, "compress": "deflate", "nodata": -9999.0}
    with rasterio.open(path, "w", **profile) as dst:
        for r0 in range(0, size, 512):
            n = min(512, size - r0)
            yy, xx = np.mgrid[r0:r0 + n, 0:size].astype(np.float32)
            dst.write((50 + 20 * np.sin(xx / 97) + 15 * np.cos(yy / 131) + (xx * yy % 7)).astype(np.float32), 1,
                      window=rasterio.windows.Window(0, r0, size, n))


def _parcels(n: int, size: int, res: float, x0: float, y0: float) -> np.ndarray:
    """n slightly rotated quadrilateral parcels of 15-40 m, spread over the raster."""
    rng = np.random.default_rng(2025)
    span = size * res
    cx, cy = x0 + rng.uniform(50, span - 50, n), y0 + rng.uniform(50, span - 50, n)
    w, h, a = rng.uniform(15, 40, n), rng.uniform(15, 40, n), rng.uniform(-0.3, 0.3, n)
    boxes = shapely.box(-w / 2, -h / 2, w / 2, h / 2)
    out = np.empty(n, dtype=object)
    for i, b in enumerate(boxes):
        c, s = np.cos(a[i]), np.sin(a[i])
        out[i] = shapely.affinity.affine_transform(b, [c, -s, s, c, cx[i], cy[i]])
    return out


def main() -> None:
    """Run both, print the table row for BENCHMARKS.md."""
    size = int(os.environ.get("BENCH_ZONAL_SIZE", 2000))
    n = int(os.environ.get("BENCH_ZONAL_PARCELS", 20000))
    res, x0, y0 = 2.0, 580_000.0, 1_100_000.0
    import shapely.affinity  # noqa: F401
    from rasterstats import zonal_stats

    from ingest.families.raster.zonal import Engine, Grid

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "dem.tif"
        _raster(path, size, res, x0, y0)
        geoms = _parcels(n, size, res, x0, y0)
        order = np.lexsort((np.floor(shapely.bounds(geoms)[:, 1] / 500), np.floor(shapely.bounds(geoms)[:, 0] / 500)))
        geoms = geoms[order]  # the store streams parcels in spatial order too
        fids = [str(i) for i in range(n)]
        t0 = time.perf_counter()
        eng = Engine(Grid(str(path), False, -9999.0, 1.0, 0.0, {}))
        hub = {r.fid: r.mean for r in eng.run(fids, geoms)}
        eng.close()
        t_hub = time.perf_counter() - t0
        hub_peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # MiB, before rasterstats runs
        t0 = time.perf_counter()
        rs = zonal_stats(list(geoms), str(path), stats=["mean", "min", "max"], nodata=-9999.0)
        t_rs = time.perf_counter() - t0
    diff = np.array([abs(hub[str(i)] - r["mean"]) / abs(hub[str(i)]) for i, r in enumerate(rs)
                     if r["mean"] is not None and str(i) in hub])
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print("| raster | parcels | hub exact s | rasterstats s | ratio | pixel-centre mean error median / max | "
          "peak MiB hub / after rasterstats |")
    print(f"| {size:,} × {size:,} | {n:,} | {t_hub:.2f} | {t_rs:.2f} | **{t_rs / t_hub:.1f}×** | "
          f"{100 * np.median(diff):.3f} % / {100 * diff.max():.2f} % | {hub_peak:.0f} / {peak:.0f} |")


if __name__ == "__main__":
    main()
