"""Polygon validity without GEOS for small simple rings: the same answer as GEOS on every geometry, including
adversarial ones (self-intersections, spikes, repeated and collinear corners, touching rings, NaN)."""

from __future__ import annotations

import warnings

import numpy as np
import shapely

from ingest.spatial import validity, wkb


def _rings(rng: np.random.Generator, count: int, corners: int, scale: float, origin=(0.0, 0.0), grid=False):
    """Random closed rings of `corners` corners (most of them self-intersecting)."""
    pts = rng.integers(0, 4, (count, corners, 2)).astype(float) if grid else rng.random((count, corners, 2))
    pts = pts * scale + np.asarray(origin)
    return shapely.polygons(np.concatenate([pts, pts[:, :1]], axis=1))


def test_matches_geos_on_random_rings_of_every_size():
    """Random rings of 3-10 corners on a coarse grid (collinear corners, repeated points, touching edges) and at
    VN-2000 TM-3 magnitudes (metres near 587000, 1110000): the answer equals shapely.is_valid everywhere, and the
    numpy proof does carry the valid small rings."""
    rng = np.random.default_rng(7)
    geoms = np.concatenate([_rings(rng, 400, k, s, o, grid)
                            for k in range(3, 11)
                            for s, o, grid in ((1.0, (0, 0), True), (30.0, (587_000.0, 1_110_000.0), False),
                                               (1e-9, (587_000.0, 1_110_000.0), False))])
    want = shapely.is_valid(geoms)
    assert want.any() and (~want).any()
    assert (validity.is_valid(geoms) == want).all()
    assert (validity.is_valid(geoms, wkb.ragged(geoms)) == want).all()  # coordinates handed in by the caller
    proven = validity.proven_simple(wkb.ragged(geoms))
    assert not (proven & ~want).any()          # sound: never proves an invalid ring
    assert proven.sum() > 0.5 * want[shapely.get_num_coordinates(geoms) <= 9].sum()  # and does the work


def test_special_cases_agree_with_geos():
    """Bow-tie, spike, repeated corner, straight corner, a ring touching itself, a near-degenerate sliver, NaN,
    a hole, a multipolygon, empty and missing geometries."""
    cases = [
        "POLYGON ((0 0, 2 2, 2 0, 0 2, 0 0))",                      # bow-tie: invalid
        "POLYGON ((0 0, 4 0, 4 4, 2 4, 2 6, 2 4, 0 4, 0 0))",       # spike out and back: invalid
        "POLYGON ((0 0, 4 0, 4 0, 4 4, 0 4, 0 0))",                 # repeated corner: valid (GEOS)
        "POLYGON ((0 0, 2 0, 4 0, 4 4, 0 4, 0 0))",                 # straight corner: valid
        "POLYGON ((0 0, 4 0, 4 4, 2 0, 0 4, 0 0))",                 # touches itself at (2 0): invalid
        "POLYGON ((0 0, 1 1e-300, 2 0, 1 2e-300, 0 0))",            # sliver too thin to call: GEOS decides
        "POLYGON ((587000 1110000, 587010 1110000, 587010 1110010, 587000 1110010, 587000 1110000))",
        "POLYGON ((0 0, 10 0, 10 10, 0 10, 0 0), (2 2, 4 2, 4 4, 2 2))",
        "MULTIPOLYGON (((0 0, 1 0, 1 1, 0 0)), ((5 5, 6 5, 6 6, 5 5)))",
        "POLYGON EMPTY",
        "LINESTRING (0 0, 1 1)",
    ]
    with warnings.catch_warnings():  # shapely warns about the NaN it is asked to build
        warnings.simplefilter("ignore", RuntimeWarning)
        nan = shapely.polygons([[0, 0], [1, 0], [np.nan, 1], [0, 0]])
    geoms = np.array([shapely.from_wkt(w) for w in cases] + [None, nan], dtype=object)
    assert (validity.is_valid(geoms) == shapely.is_valid(geoms)).all()
    assert validity.is_valid(geoms).tolist()[:7] == [False, False, True, True, False, shapely.is_valid(geoms[5]),
                                                      True]
