"""Deterministic synthetic terrain and land cover as functions of (lon, lat): one field, many grids.

The DEM, the slope derived from it and the land-cover raster of a province are sampled from the same fields, so
they agree with each other (water in the channels, crops on the low plain, forest on steep slopes) whatever grid
or CRS each raster uses. Value noise: a coarse seeded random lattice, bilinearly interpolated (octaves summed).
"""

from __future__ import annotations

import numpy as np

from hub.samples.regions import NEW_COMMUNES


class ValueNoise:
    """Smooth noise in [-1, 1] over a lon/lat box: a seeded lattice of `cell` degrees, bilinear, `octaves` summed."""

    def __init__(self, seed: int, box: tuple[float, float, float, float], cell: float, octaves: int = 3) -> None:
        """Draw the lattices (small: a few thousand values each)."""
        self.box, self.cell, self.layers = box, cell, []
        rng = np.random.default_rng(seed)
        for o in range(octaves):
            c = cell / 2 ** o
            nx = int(np.ceil((box[2] - box[0]) / c)) + 3
            ny = int(np.ceil((box[3] - box[1]) / c)) + 3
            self.layers.append((c, rng.uniform(-1, 1, (ny, nx)), 0.5 ** o))
        self.norm = sum(w for _, _, w in self.layers)

    def __call__(self, lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
        """Noise at the given coordinates (any shape)."""
        out = np.zeros(np.broadcast(lon, lat).shape)
        for c, grid, w in self.layers:
            fx = np.clip((lon - self.box[0]) / c + 1, 0, grid.shape[1] - 1.001)
            fy = np.clip((lat - self.box[1]) / c + 1, 0, grid.shape[0] - 1.001)
            ix, iy = fx.astype(np.int64), fy.astype(np.int64)
            tx, ty = fx - ix, fy - iy
            tx, ty = tx * tx * (3 - 2 * tx), ty * ty * (3 - 2 * ty)  # smoothstep: no creases at lattice lines
            a = grid[iy, ix] * (1 - tx) + grid[iy, ix + 1] * tx
            b = grid[iy + 1, ix] * (1 - tx) + grid[iy + 1, ix + 1] * tx
            out += w * (a * (1 - ty) + b * ty)
        return out / self.norm


def _river_distance_deg(lon: np.ndarray, lat: np.ndarray, region: str) -> np.ndarray:
    """Distance (degrees, roughly) to the region's synthetic main river: the Hậu river (A) or the Lô river (B)."""
    if region == "A":  # south-east flowing channel through Thốt Nốt towards Kế Sách
        centre = 10.60 - 0.92 * (lon - 105.0) + 0.015 * np.sin(lon * 40.0)
        return np.abs(lat - centre) * 0.74
    centre = 105.22 + 0.02 * np.sin(lat * 25.0)  # north-south valley of the Lô
    return np.abs(lon - centre)


class Field:
    """Elevation (m) and land-cover class (ESA WorldCover values) of one sample region."""

    def __init__(self, region: str, box: tuple[float, float, float, float], seed: int) -> None:
        """Noise fields for elevation and cover patches."""
        self.region, self.box = region, box
        self.relief = ValueNoise(seed * 7 + 1, box, 0.05 if region == "A" else 0.08, octaves=4)
        self.patch = ValueNoise(seed * 7 + 2, box, 0.01, octaves=2)
        self.centres = [(c.lon, c.lat) for c in NEW_COMMUNES.values() if (c.province_code == "92") == (region == "A")]

    def elevation(self, lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
        """Metres above sea level: a delta plain 0.3–2.5 m with channels (A), mountains 30–1,700 m (B)."""
        d = _river_distance_deg(lon, lat, self.region)
        n = self.relief(lon, lat)
        if self.region == "A":
            z = 1.3 + 0.7 * n + 0.5 * np.exp(-((d - 0.004) / 0.003) ** 2)  # natural levees beside the channel
            return np.where(d < 0.0025, -2.5 + 300.0 * d, z)
        north = np.clip((lat - 21.7) / 1.7, 0.0, 1.0)
        ridge = 1.0 - np.abs(n)  # ridged noise: sharp crests, rounded valleys
        z = 40.0 + (250.0 + 1200.0 * north) * ridge ** 2 * np.clip(d / 0.03, 0.15, 1.0)
        return np.where(d < 0.002, 25.0 + 5.0 * north, z)

    def land_cover(self, lon: np.ndarray, lat: np.ndarray, slope_deg: np.ndarray | None = None) -> np.ndarray:
        """WorldCover class values (uint8): water, built-up near commune centres, crops, trees, grass, wetland."""
        d = _river_distance_deg(lon, lat, self.region)
        p = self.patch(lon, lat)
        out = np.full(np.broadcast(lon, lat).shape, 40, np.uint8)  # cropland (rice, orchards as crops)
        near = np.zeros(out.shape, bool)
        for clon, clat in self.centres:
            near |= ((lon - clon) / 0.012) ** 2 + ((lat - clat) / 0.010) ** 2 + 0.4 * p < 1.0
        if self.region == "A":
            out[p > 0.35] = 10  # fruit-tree gardens
            out[(p < -0.55)] = 90  # herbaceous wetland
        else:
            steep = slope_deg if slope_deg is not None else np.zeros(out.shape)
            z = self.elevation(lon, lat)
            out[(z > 300) | (steep > 15)] = 10
            out[(p > 0.45) & (z > 200)] = 20
            out[(p < -0.5) & (z > 150)] = 30
            out[(z > 1300) & (p < 0.0)] = 60
        out[near] = 50
        out[d < 0.0025] = 80
        return out


def slope_degrees(z: np.ndarray, dx_m: float | np.ndarray, dy_m: float) -> np.ndarray:
    """Slope (degrees) of a north-up elevation grid by central differences (Horn's 3×3 would smooth more)."""
    gy, gx = np.gradient(z.astype(np.float64))
    return np.degrees(np.arctan(np.hypot(gx / dx_m, gy / dy_m))).astype(np.float32)
