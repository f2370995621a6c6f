"""Coverage requests (issue 14): the hub's coverage provider against pygeoapi's stock rasterio provider on the
same COG, in one run: a CRS84 bbox subset and a whole-coverage GeoTIFF request. Each query runs in a forked
child, so its peak RSS is its own (GDAL's allocations included).

    .venv/bin/python -m bench.coverage            # 8,000 × 8,000 int16 COG (BENCH_COVERAGE_SIZE)
"""

from __future__ import annotations

import os
import pickle
import tempfile
import time
from pathlib import Path

import numpy as np
import rasterio
from rasterio.transform import from_origin

DEF = {"name": "rasterio", "type": "coverage", "format": {"name": "GTiff", "mimetype": "image/tiff"}}


def _cog(path: Path, size: int) -> None:
    """An int16 DEM in EPSG:5897 written by GDAL's COG driver (512 tiles, overviews), strip by strip."""
    tmp = path.with_suffix(".src.tif")
    profile = {"driver": "GTiff", "width": size, "height": size, "count": 1, "dtype": "int16", "crs": "EPSG:5897",
               "transform": from_origin(560_000, 1_130_000, 5.0, 5.0), "tiled": True, "compress": "deflate",
               "nodata": -32768}
    with rasterio.open(tmp, "w", **profile) as dst:
        for r0 in range(0, size, 1024):
            n = min(1024, size - r0)
            yy, xx = np.mgrid[r0:r0 + n, 0:size]
            dst.write(((xx + 3 * yy) % 3000).astype(np.int16), 1, window=rasterio.windows.Window(0, r0, size, n))
    with rasterio.open(tmp) as src:
        rasterio.shutil.copy(src, path, driver="COG", compress="DEFLATE", blocksize=512, overviews="AUTO")
    tmp.unlink()


def _child(fn) -> tuple[float, float, int]:
    """(seconds, peak MiB, bytes returned) of fn() run in a forked child."""
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(r)
        t0 = time.perf_counter()
        out = fn()
        secs = time.perf_counter() - t0
        os.write(w, pickle.dumps((secs, len(out))))
        os._exit(0)
    os.close(w)
    data = b""
    while chunk := os.read(r, 65536):
        data += chunk
    _, _, usage = os.wait4(pid, 0)
    secs, n = pickle.loads(data)
    return secs, usage.ru_maxrss / 1024, n


def main() -> None:
    """Both providers, both requests; prints the BENCHMARKS.md rows."""
    import rasterio.shutil  # noqa: F401
    from pygeoapi.provider.rasterio_ import RasterioProvider

    from hub import crs as hubcrs
    from hub.api.coverage import HubCoverageProvider

    size = int(os.environ.get("BENCH_COVERAGE_SIZE", 8000))
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "dem.tif"
        _cog(path, size)
        t = hubcrs.to_wgs84(5897)
        (x0, x1), (y0, y1) = t.transform([560_000 + size * 1.25, 560_000 + size * 3.75],
                                         [1_130_000 - size * 3.75, 1_130_000 - size * 1.25])
        bbox = [x0, y0, x1, y1]  # the middle quarter of the grid, in CRS84
        print("| request | stock s | hub s | ratio | stock peak MiB | hub peak MiB | stock / hub bytes |")
        for label, kw in (("bbox (middle quarter), GeoTIFF", {"bbox": bbox, "format_": "GTiff"}),
                          ("whole coverage, GeoTIFF", {"format_": "GTiff"})):
            stock = _child(lambda kw=kw: RasterioProvider({**DEF, "data": str(path)}).query(**kw))
            hub = _child(lambda kw=kw: HubCoverageProvider({**DEF, "data": str(path)}).query(**kw))
            print(f"| {label} | {stock[0]:.2f} | {hub[0]:.2f} | **{stock[0] / hub[0]:.1f}×** | {stock[1]:.0f} | "
                  f"{hub[1]:.0f} | {stock[2]:,} / {hub[2]:,} |")


if __name__ == "__main__":
    main()
