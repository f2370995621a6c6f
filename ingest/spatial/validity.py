"""Polygon validity: small hole-free polygons proven valid in numpy, everything else asked of GEOS.

GEOS `is_valid` costs ~0.6 µs per parcel, most of it fixed per geometry (building its topology graph); a parcel is
typically a ring of four to eight corners. Such a ring is valid exactly when it is simple: every two edges that
do not share a corner are disjoint, and the two edges at each corner meet only there (a strict turn: no spike,
repeated point or straight corner). Both are decided with orientation signs, vectorised over all rings of the
same size. A sign is trusted only when the determinant exceeds Shewchuk's error bound for its floating-point
evaluation (J. R. Shewchuk, "Adaptive Precision Floating-Point Arithmetic and Fast Robust Geometric Predicates",
1997, orient2d stage A), so "proven" is exact; a ring with any sign too close to call, or that may intersect
itself, is left to GEOS, whose answer (and reason) the caller gets as before.
"""

from __future__ import annotations

import numpy as np
import shapely

from ingest.spatial import wkb

MAX_CORNERS = 8  # rings with more corners go to GEOS: the pairs to test grow with the square of the corners
_ERR = 3.3306690738754716e-16  # (3 + 16ε)ε, ε = 2⁻⁵³: Shewchuk's ccwerrboundA


def is_valid(geoms: np.ndarray, rag: wkb.Ragged | None = None) -> np.ndarray:
    """shapely.is_valid(geoms), with small hole-free polygons decided without GEOS (same answer, proven). `rag`,
    when the caller has it, is `wkb.ragged(geoms)` (every geometry a non-empty (Multi)Polygon): the coordinates
    are not extracted again."""
    geoms = np.asarray(geoms, dtype=object)
    if rag is None:
        proven = np.zeros(len(geoms), dtype=bool)
        polygonal = np.flatnonzero(wkb.polygonal(geoms))
        proven[polygonal] = proven_simple(wkb.ragged(geoms[polygonal]))
    else:
        proven = proven_simple(rag)
    valid = proven.copy()
    rest = np.flatnonzero(~proven)
    if len(rest):
        valid[rest] = shapely.is_valid(geoms[rest])
    return valid


def proven_simple(rag: wkb.Ragged) -> np.ndarray:
    """Per geometry of a ragged structure: proven a valid polygon (one hole-free ring of 3..MAX_CORNERS corners,
    simple)."""
    coords, (ring_off, poly_off, geom_off) = rag
    proven = np.zeros(len(geom_off) - 1, dtype=bool)
    geom = np.flatnonzero(np.diff(geom_off) == 1)  # one polygon...
    poly = geom_off[geom]
    one_ring = (poly_off[poly + 1] - poly_off[poly]) == 1  # ...of one ring
    geom, ring = geom[one_ring], poly_off[poly[one_ring]]
    size = ring_off[ring + 1] - ring_off[ring]  # closed ring: corners + 1
    keep = (size >= 4) & (size <= MAX_CORNERS + 1)
    geom, ring, size = geom[keep], ring[keep], size[keep]
    for n in np.unique(size).tolist():
        rows = np.flatnonzero(size == n)
        at = ring_off[ring[rows], None] + np.arange(n)
        proven[geom[rows]] = _simple_rings(coords[at, 0], coords[at, 1])
    return proven


def _orient(ax, ay, bx, by, cx, cy) -> tuple[np.ndarray, np.ndarray]:
    """(sign of the turn a→b→c as ±1, or 0 where the floating-point determinant cannot be trusted)."""
    left = (ax - cx) * (by - cy)
    right = (ay - cy) * (bx - cx)
    det = left - right
    sure = np.abs(det) > _ERR * (np.abs(left) + np.abs(right))
    return np.where(sure, np.sign(det), 0.0)


def _simple_rings(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """For closed rings given as (rings, corners + 1) coordinate arrays: proven simple (hence valid polygons)."""
    k = x.shape[1] - 1
    ok = np.isfinite(x).all(axis=1) & np.isfinite(y).all(axis=1) & (x[:, 0] == x[:, k]) & (y[:, 0] == y[:, k])
    for i in range(k):  # the two edges at corner i meet only there
        a, c = (i - 1) % k, i + 1
        ok &= _orient(x[:, a], y[:, a], x[:, i], y[:, i], x[:, c], y[:, c]) != 0
    for i in range(k):  # edges i (corner i -> i+1) and j that share no corner do not meet
        for j in range(i + 2, k - (i == 0)):
            side_j = _orient(x[:, i], y[:, i], x[:, i + 1], y[:, i + 1], x[:, j], y[:, j]) \
                * _orient(x[:, i], y[:, i], x[:, i + 1], y[:, i + 1], x[:, j + 1], y[:, j + 1])
            side_i = _orient(x[:, j], y[:, j], x[:, j + 1], y[:, j + 1], x[:, i], y[:, i]) \
                * _orient(x[:, j], y[:, j], x[:, j + 1], y[:, j + 1], x[:, i + 1], y[:, i + 1])
            ok &= (side_j > 0) | (side_i > 0)  # both ends of one edge strictly on one side of the other's line
    return ok
