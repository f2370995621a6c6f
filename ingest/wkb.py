"""EWKB MultiPolygons written straight from coordinate arrays (numpy), without building shapely objects.

Reprojecting through shapely (`set_coordinates`, then `to_wkb`) costs ~5 µs per parcel and target; here the
coordinates are transformed once as flat arrays and the bytes are laid out with vectorised scatters. The layout
is OGC WKB 1.2 (little-endian) with the PostGIS EWKB SRID flag, the form `geometry_recv` reads in binary COPY.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import shapely

_MULTIPOLYGON_SRID = 6 | 0x20000000  # EWKB: type 6 (MultiPolygon) with the SRID-present flag
_POLYGON = 3


def ragged(geoms: np.ndarray) -> tuple[np.ndarray, tuple[np.ndarray, np.ndarray, np.ndarray]]:
    """(x/y coordinates, (ring→coords, polygon→rings, geometry→polygons) offsets) of Polygons/MultiPolygons."""
    if not len(geoms):
        return np.empty((0, 2)), (np.zeros(1, np.int64),) * 3
    kind, coords, offsets = shapely.to_ragged_array(geoms, include_z=False)
    if kind == shapely.GeometryType.POLYGON:  # all single polygons: one polygon per geometry
        ring_off, poly_off = offsets
        return coords, (ring_off, poly_off, np.arange(len(geoms) + 1, dtype=np.int64))
    if kind != shapely.GeometryType.MULTIPOLYGON:
        raise ValueError(f"expected polygons, got {kind.name}")
    return coords, tuple(offsets)


def _put_u32(out: np.ndarray, pos: np.ndarray, values) -> None:
    """Write little-endian uint32 values at byte positions."""
    out[pos[:, None] + np.arange(4)] = np.ascontiguousarray(values, dtype="<u4").view(np.uint8).reshape(-1, 4)


def multipolygons(coords: np.ndarray, offsets: tuple[np.ndarray, np.ndarray, np.ndarray], srid: int) -> pa.Array:
    """EWKB MultiPolygons (SRID set) as an Arrow binary array, one value per geometry of the ragged input."""
    ring_off, poly_off, geom_off = (np.asarray(o, dtype=np.int64) for o in offsets)
    n_geom = len(geom_off) - 1
    pts_per_ring = np.diff(ring_off)
    rings_per_poly = np.diff(poly_off)
    polys_per_geom = np.diff(geom_off)
    ring_size = 4 + 16 * pts_per_ring
    poly_size = 9 + np.add.reduceat(ring_size, poly_off[:-1]) if len(ring_size) else np.full(len(rings_per_poly), 9)
    poly_size[rings_per_poly == 0] = 9  # reduceat returns the next element for empty ranges
    geom_size = 13 + (np.add.reduceat(poly_size, geom_off[:-1]) if len(poly_size) else 0)
    geom_size = np.where(polys_per_geom == 0, 13, geom_size)
    geom_start = np.zeros(n_geom + 1, np.int64)
    np.cumsum(geom_size, out=geom_start[1:])
    out = np.empty(int(geom_start[-1]), np.uint8)
    # Polygon and ring starts: owner's start + header + the sizes of the earlier siblings.
    poly_geom = np.repeat(np.arange(n_geom), polys_per_geom)
    poly_cum = np.concatenate(([0], np.cumsum(poly_size)))
    poly_start = geom_start[poly_geom] + 13 + poly_cum[:-1] - poly_cum[geom_off[:-1]][poly_geom]
    ring_poly = np.repeat(np.arange(len(rings_per_poly)), rings_per_poly)
    ring_cum = np.concatenate(([0], np.cumsum(ring_size)))
    ring_start = poly_start[ring_poly] + 9 + ring_cum[:-1] - ring_cum[poly_off[:-1]][ring_poly]
    # Headers.
    out[geom_start[:-1]] = 1
    _put_u32(out, geom_start[:-1] + 1, np.full(n_geom, _MULTIPOLYGON_SRID))
    _put_u32(out, geom_start[:-1] + 5, np.full(n_geom, srid))
    _put_u32(out, geom_start[:-1] + 9, polys_per_geom)
    out[poly_start] = 1
    _put_u32(out, poly_start + 1, np.full(len(poly_start), _POLYGON))
    _put_u32(out, poly_start + 5, rings_per_poly)
    _put_u32(out, ring_start, pts_per_ring)
    # Coordinates: each ring's points are contiguous 16-byte (x, y) float64 pairs after its point count.
    if len(coords):
        coord_ring = np.repeat(np.arange(len(pts_per_ring)), pts_per_ring)
        dest = ring_start[coord_ring] + 4 + 16 * (np.arange(len(coords)) - ring_off[:-1][coord_ring])
        data = np.ascontiguousarray(coords[:, :2], dtype="<f8").view(np.uint8).reshape(-1, 16)
        out[dest[:, None] + np.arange(16)] = data
    return pa.Array.from_buffers(pa.large_binary(), n_geom, [None, pa.py_buffer(geom_start), pa.py_buffer(out)])
