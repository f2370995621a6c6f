"""clean_groups: the cheap coverage pre-check must never call a group with an overlap or a gap clean."""

from __future__ import annotations

import numpy as np
import shapely
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from ingest.spatial import topology
from ingest.spatial.topology import clean_groups

X0, Y0 = 587000.0, 1150000.0  # VN-2000 TM-3 metres


def nodes(n: int, m: int, rng, size: float = 20.0, jitter: float = 3.0, x0: float = X0, y0: float = Y0):
    """Grid nodes (n + 1, m + 1, 2) of n x m cells, each node moved at random (shared by its cells)."""
    ij = np.stack(np.meshgrid(np.arange(n + 1), np.arange(m + 1), indexing="ij"), -1) * size
    return ij + [x0, y0] + rng.uniform(-jitter, jitter, ij.shape)


def cells(nd: np.ndarray) -> list:
    """The quadrilateral parcels (CCW, 5 coordinates) of a node grid, row by row."""
    n, m = nd.shape[0] - 1, nd.shape[1] - 1
    return [shapely.Polygon([nd[i, j], nd[i + 1, j], nd[i + 1, j + 1], nd[i, j + 1]])
            for i in range(n) for j in range(m)]


def check(groups: list[list]) -> np.ndarray:
    """clean_groups over a list of groups of polygons."""
    geoms = np.array([p for grp in groups for p in grp], dtype=object)
    return clean_groups(geoms, np.repeat(np.arange(len(groups)), [len(grp) for grp in groups]))


def truly_clean(grp: list) -> bool:
    """GEOS's verdict: valid coverage, union one polygon without holes, union area = sum of areas."""
    g = np.array(grp, dtype=object)
    union = shapely.union_all(g)
    return (bool(shapely.coverage_is_valid(g)) and union.geom_type == "Polygon" and not union.interiors
            and abs(union.area - shapely.area(g).sum()) <= 1e-9 * union.area)


def test_clean_perturbed_grid_all_true():
    """Perturbed grids sharing their vertices are proven clean, group by group."""
    rng = np.random.default_rng(1)
    groups = [cells(nodes(5 + k, 7, rng, x0=X0 + 1000 * k)) for k in range(4)]
    assert check(groups).tolist() == [True] * 4
    assert all(truly_clean(grp) for grp in groups)


def test_groups_never_cancel_each_other():
    """Edges only cancel within a group, whatever the row order: a hole filled from another group stays a hole."""
    grp = cells(nodes(3, 3, np.random.default_rng(2)))
    donut = shapely.box(0, 0, 10, 10).difference(shapely.box(3, 3, 6, 6))
    geoms = np.array(grp + grp + [donut, shapely.box(3, 3, 6, 6)], dtype=object)
    group = np.r_[np.zeros(9, int), np.ones(9, int), 2, 3]
    order = np.random.default_rng(3).permutation(len(geoms))
    assert clean_groups(geoms[order], group[order]).tolist() == [True, True, False, True]


def test_overlap_flags_only_its_group():
    """One parcel pushed into its neighbours: that group is not proven, the others still are."""
    rng = np.random.default_rng(3)
    groups = [cells(nodes(6, 6, rng, x0=X0 + 1000 * k)) for k in range(3)]
    nd = nodes(6, 6, rng, x0=X0 + 1000)
    bulged = nd.copy()
    bulged[3, 3] += 6.0  # one corner of one parcel moves, its neighbours keep the old one
    groups[1] = cells(nd)
    groups[1][2 * 6 + 2] = cells(bulged)[2 * 6 + 2]
    assert groups[1][14].is_valid and not truly_clean(groups[1])
    assert check(groups).tolist() == [True, False, True]


def test_folded_grid_is_not_clean():
    """A shared node moved so far that a parcel turns inside out: vertices match, parcels overlap."""
    a = shapely.Polygon([(0, 0), (2, 0), (5, -1), (0, 2)])
    b = shapely.Polygon([(2, 0), (4, 0), (4, 2), (5, -1)])
    assert a.is_valid and b.is_valid and a.intersection(b).area > 0.1
    assert check([[a, b]]).tolist() == [False]


def test_gap_from_removed_parcel():
    """A parcel removed from the middle leaves a hole (False); removed at a corner, only a notch (True)."""
    grp = cells(nodes(5, 5, np.random.default_rng(4)))
    middle, corner = grp[:12] + grp[13:], grp[1:]
    assert check([middle, corner]).tolist() == [False, True]


def test_gap_from_shrunk_parcel():
    """A parcel whose shared corner is pulled inwards leaves a sliver gap."""
    nd = nodes(4, 4, np.random.default_rng(5))
    grp, shrunk = cells(nd), nd.copy()
    shrunk[2, 2] -= 0.5
    grp[5] = cells(shrunk)[5]
    assert not truly_clean(grp) and check([grp]).tolist() == [False]


def test_parcels_touching_at_a_point():
    """Two parcels meeting at one corner (valid, but no single outline) and a two-part parcel: not proven."""
    touching = [shapely.box(0, 0, 1, 1), shapely.box(1, 1, 2, 2)]
    bowtie = [shapely.MultiPolygon([shapely.box(0, 0, 1, 1), shapely.box(1, 1, 2, 2)])]
    assert check([touching, bowtie]).tolist() == [False, False]


def test_duplicate_parcels():
    """The same polygon twice (whole overlap) is never clean, alone or inside a grid."""
    grp = cells(nodes(3, 3, np.random.default_rng(6)))
    assert check([[grp[0], grp[0]], grp + [grp[4]]]).tolist() == [False, False]


def test_hole_filled_by_parcel():
    """A parcel with a hole and the parcel filling it form a clean coverage, also as one part of a MultiPolygon."""
    outer, inner = shapely.box(0, 0, 10, 10), shapely.box(3, 3, 6, 6)
    donut = outer.difference(inner)
    multi = shapely.MultiPolygon([donut, shapely.box(20, 0, 25, 10)])
    bridge = shapely.box(10, 0, 20, 10)
    assert check([[donut, inner], [multi, inner, bridge]]).tolist() == [True, True]


def test_unfilled_hole():
    """A parcel with an empty hole (alone or with a neighbour), or a hole only half filled: not proven."""
    donut = shapely.box(0, 0, 10, 10).difference(shapely.box(3, 3, 6, 6))
    half = shapely.box(3, 3, 4.5, 6)
    half_hole = shapely.Polygon(donut.exterior, [[(3, 3), (4.5, 3), (6, 3), (6, 6), (4.5, 6), (3, 6)]])
    assert check([[donut], [donut, shapely.box(10, 0, 20, 10)], [half_hole, half]]).tolist() == [False] * 3


def test_t_junction_and_collinear_split():
    """A vertex of two parcels lying on a neighbour's edge (no shared vertex) is left to GEOS."""
    t = [shapely.box(0, 0, 1, 2), shapely.box(1, 0, 2, 1), shapely.box(1, 1, 2, 2)]
    split = [shapely.box(0, 0, 1, 1), shapely.Polygon([(1, 0), (2, 0), (2, 1), (1, 1), (1, 0.5)])]
    assert check([t, split]).tolist() == [False, False]


def test_single_parcels():
    """One parcel: clean unless it has a hole or several parts."""
    donut = shapely.box(0, 0, 10, 10).difference(shapely.box(3, 3, 6, 6))
    two = shapely.MultiPolygon([shapely.box(0, 0, 1, 1), shapely.box(2, 0, 3, 1)])
    assert check([[shapely.box(0, 0, 1, 1)], [donut], [two]]).tolist() == [True, False, False]


def test_orientation_and_repeated_vertices_do_not_matter():
    """Clockwise rings, rotated starting vertices and repeated consecutive vertices still prove clean."""
    grp = cells(nodes(4, 4, np.random.default_rng(7)))
    grp[0] = shapely.Polygon(grp[0].exterior.coords[::-1])
    c = list(grp[5].exterior.coords)[:-1]
    grp[5] = shapely.Polygon(c[2:] + c[:2])
    c = list(grp[9].exterior.coords)
    grp[9] = shapely.Polygon(c[:2] + [c[1]] + c[2:])
    assert all(p.is_valid for p in grp) and check([grp]).tolist() == [True]


def test_narrow_inlet_is_clean():
    """A 0.2 m inlet of the outline is no overlap and no hole: True (the full check would find nothing)."""
    base = shapely.Polygon([(0, 0), (20, 0), (20, 1), (5.1, 1), (4.9, 1), (0, 1)])
    grp = [base, shapely.box(0, 1, 4.9, 10), shapely.box(5.1, 1, 20, 10)]
    assert check([grp]).tolist() == [True] and truly_clean(grp)


def test_unused_group_ids_and_empty_input():
    """Ids without parcels are not proven; no parcels gives an empty answer."""
    assert clean_groups(np.array([shapely.box(0, 0, 1, 1)]), np.array([2])).tolist() == [False, False, True]
    assert clean_groups(np.array([], dtype=object), np.array([], dtype=np.int64)).tolist() == []
    # No polygon at all (a point, an empty polygon): nothing proven, no error.
    assert clean_groups(np.array([shapely.Point(0, 0), shapely.Polygon()]), np.array([2, 0])).tolist() == \
        [False, False, False]


def mutate(rng, n: int, m: int, moves: int, size: float = 20.0) -> list:
    """A grid broken at random: shared nodes moved (possibly folding), single parcels' corners moved,
    parcels dropped, duplicated or split collinearly; only valid parcels are kept."""
    nd = nodes(n, m, rng, size=size)
    for _ in range(moves):
        nd[rng.integers(n + 1), rng.integers(m + 1)] += rng.normal(0, size * rng.choice([0.05, 0.5, 1.5]), 2)
    grp = cells(nd)
    for _ in range(moves):
        k, kind = rng.integers(len(grp)), rng.integers(5)
        c = list(grp[k].exterior.coords)[:-1]
        if kind == 0:  # move one corner of this parcel only
            j = rng.integers(len(c))
            c[j] = tuple(np.add(c[j], rng.normal(0, size * rng.choice([1e-6, 0.05, 0.5]), 2)))
            grp[k] = shapely.Polygon(c)
        elif kind == 1 and len(grp) > 1:
            grp.pop(k)
        elif kind == 2:
            grp.append(grp[k])
        elif kind == 3:  # an extra vertex on one edge: a collinear split
            j = rng.integers(len(c))
            grp[k] = shapely.Polygon(c[:j + 1] + [tuple(np.add(c[j], c[(j + 1) % len(c)]) / 2)] + c[j + 1:])
    return [p for p in grp if p.is_valid]


def assert_sound(groups: list[list]) -> np.ndarray:
    """Every group clean_groups proves is clean by GEOS (coverage, single outline, areas add up)."""
    got = check(groups)
    for ok, grp in zip(got, groups):
        assert not ok or truly_clean(grp), [p.wkt for p in grp]
    return got


@settings(max_examples=300, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 2**32 - 1), n=st.integers(1, 5), m=st.integers(1, 5), moves=st.integers(0, 4))
def test_random_breakage_is_never_called_clean(seed, n, m, moves):
    """Property: whenever a randomly broken grid is proven clean, GEOS agrees."""
    grp = mutate(np.random.default_rng(seed), n, m, moves)
    assume(grp)
    assert_sound([grp, cells(nodes(2, 2, np.random.default_rng(seed), x0=X0 + 500))])


def test_random_breakage_seeded_both_outcomes():
    """Seeded loop over many broken grids: sound, and both answers occur (the property is not vacuous)."""
    rng = np.random.default_rng(2024)
    groups = [g for g in (mutate(rng, *rng.integers(1, 6, 2), rng.integers(0, 4)) for _ in range(400)) if g]
    got = assert_sound(groups)
    assert 50 < got.sum() < len(groups) - 50


def test_hash_collisions_stay_sound(monkeypatch):
    """With a deliberately weak 6-bit point hash (collisions everywhere) every proof is still exact."""
    rng = np.random.default_rng(9)
    groups = [g for g in (mutate(rng, *rng.integers(1, 5, 2), rng.integers(0, 3)) for _ in range(300)) if g]
    strong = check(groups)
    mix = topology._mix
    monkeypatch.setattr(topology, "_mix", lambda h: (mix(h) & np.uint64(0x3F)) << np.uint64(58))
    weak = assert_sound(groups)
    assert 0 < weak.sum() < strong.sum() and not (weak & ~strong).any()
