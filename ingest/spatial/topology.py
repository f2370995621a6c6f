"""Cheap, sound pre-check that a group of parcels forms a clean polygonal coverage (GEOS validation can be skipped)."""

from __future__ import annotations

import numpy as np
import shapely

from ingest.spatial import wkb

U = np.uint64
_M1, _M2 = U(0xBF58476D1CE4E5B9), U(0x94D049BB133111EB)


def _mix(h: np.ndarray) -> np.ndarray:
    """splitmix64 finaliser: a well-spread 64-bit hash of uint64 values (wrapping arithmetic)."""
    h = (h ^ (h >> U(30))) * _M1
    h = (h ^ (h >> U(27))) * _M2
    return h ^ (h >> U(31))


def _rings(rag: wkb.Ragged, group: np.ndarray):
    """x, y, x + iy and ring index of every ring coordinate, with each ring's group and is-exterior flag."""
    coords, (ring_off, poly_off, geom_off) = rag
    ring_poly = np.repeat(np.arange(len(poly_off) - 1), np.diff(poly_off))
    poly_geom = np.repeat(np.arange(len(geom_off) - 1), np.diff(geom_off))
    rc = np.repeat(np.arange(len(ring_off) - 1), np.diff(ring_off))
    rg = group[poly_geom[ring_poly]]
    ext = np.arange(len(ring_off) - 1) == poly_off[ring_poly]  # a polygon's first ring is its shell
    xy = coords[:, :2] + 0.0  # a copy, in which -0.0 becomes 0.0: the same point gets the same bits
    return xy[:, 0], xy[:, 1], np.ascontiguousarray(xy).view(np.complex128)[:, 0], rc, rg, ext


def _grouped(g: np.ndarray, h: np.ndarray, gb: int) -> np.ndarray:
    """Sort keys: the group id in the top gb bits, the top 64 - gb bits of the hash h below it."""
    return (g.astype(U) << U(64 - gb)) | (h >> U(gb)) if gb else h


def _ids(key: np.ndarray, z: np.ndarray, g: np.ndarray, bad: np.ndarray) -> np.ndarray:
    """Point ids from grouped hash keys; a collision of different points marks the group unproven."""
    o = np.argsort(key)
    ko, zo = key[o], z[o]
    new = np.r_[True, ko[1:] != ko[:-1]]
    bad[g[o[1:][~new[1:] & (zo[1:] != zo[:-1])]]] = True
    ids = np.empty(len(key), np.int64)
    ids[o] = np.cumsum(new) - 1
    return ids


def clean_groups(geoms: np.ndarray, group: np.ndarray) -> np.ndarray:
    """Per group id (0..group.max()), True when the group's polygons are proven to form a clean coverage
    (no overlaps, no holes/gaps inside its outline); False means "not proven" (run the full GEOS check). A group
    with an empty or non-polygonal geometry is not proven. See `clean_ragged` for why the answer is sound."""
    geoms = np.asarray(geoms, dtype=object)
    group = np.asarray(group, dtype=np.int64)
    usable = wkb.polygonal(geoms)
    k = int(group.max()) + 1 if len(group) else 0
    return clean_ragged(wkb.ragged(geoms[usable]), group[usable], k, np.unique(group[~usable]))


def clean_ragged(rag: wkb.Ragged, group: np.ndarray, k: int | None = None,
                 unproven: np.ndarray | None = None) -> np.ndarray:
    """`clean_groups` of (Multi)Polygons given as a `wkb.ragged` structure (the caller has the coordinates
    already), `k` groups in all (default: group.max() + 1), the groups `unproven` marked not proven up front.

    Why it is sound: orient every ring (exteriors CCW, holes CW). For a valid (Multi)Polygon P, the winding number
    of its boundary chain dP is 1 inside P and 0 outside; winding numbers add over chains, so for every x off all
    edges sum_i 1[x in P_i] = wind(sum_i dP_i, x). Cancelling an edge A->B against an exactly equal reverse edge
    B->A (each edge at most once) leaves the chain unchanged. If what is left is a single cycle R (in- and
    out-degree 1 at every vertex) that is a simple CCW ring, the sum is wind(R, x): 1 inside R, 0 outside. An
    overlap of two interiors is an open set where the sum would be >= 2, so there is none; the closed parcels
    cover exactly the disc bounded by R, so the union is one polygon without holes and the areas add up. Every
    other edge has an exact reverse twin in another parcel, and a vertex inside another parcel's edge would mean
    an overlap, so the coverage is also GEOS-valid (matching edges, no T-junctions). Holes, T-junctions, collinear
    splits, parcels touching at a point, several outlines, an edge twice in one direction, hash collisions, or a
    ring whose float signed area is too close to 0 to trust, all answer False. Outline edges are not compared
    with each other: a narrow inlet of the outline may be flagged by coverage_invalid_edges(gap_width=...), but
    it is neither an overlap nor a hole of the union, so the full check would report nothing for it.
    Points are matched by exact float equality (hashes only bring candidates together; each match is verified).
    """
    group = np.asarray(group, dtype=np.int64)
    k = k if k is not None else (int(group.max()) + 1 if len(group) else 0)
    bad = np.zeros(k, bool)
    if unproven is not None:
        bad[unproven] = True
    if not k:
        return ~bad
    if not len(group):  # no polygon at all: nothing is proven
        return np.zeros(k, bool)
    x, y, z, rc, rg, ext = _rings(rag, group)
    cg, gb = rg[rc], (k - 1).bit_length()
    hv = _mix(x.view(U) ^ _mix(y.view(U)))

    # Orientation from the signed area (shifted to the ring's first vertex); distrust it below the rounding bound.
    nr, r = len(rg), rc[:-1]  # coordinate pair i -> i + 1 is an edge when both lie in ring r[i]
    inring = r == rc[1:]
    run = np.cumsum(np.r_[True, ~inring]) - 1  # positional, so an empty ring cannot shift the others
    first = np.flatnonzero(np.r_[True, ~inring])[run]
    dx, dy = x - x[first], y - y[first]
    a, b = dx[:-1] * dy[1:], dx[1:] * dy[:-1]
    area = np.bincount(r, np.where(inring, a - b, 0.0), nr)
    err = (np.bincount(rc, minlength=nr) + 8) * 1e-15 * np.bincount(r, np.where(inring, abs(a) + abs(b), 0.0), nr)
    bad[rg[np.abs(area) <= err]] = True
    flip = np.where(ext, area < 0, area > 0)[r]  # this pair runs against the wanted orientation

    # Cancel exact reverse twins. One sort of (group | undirected hash | direction | which end | edge number):
    # in a run of equal (group, hash) all edges of one direction come first, so an edge is matched at most once.
    e = np.flatnonzero(inring & (z[:-1] != z[1:]))  # drop zero-length edges (repeated vertices)
    h1, h2 = hv[e], hv[e + 1]
    hi = h1 > h2  # the pair's first point has the larger hash
    low = max(1, len(e).bit_length()) + 2
    if gb + low > 64:  # fewer hash bits only mean more collisions (more False), but the group must fit
        raise ValueError("too many groups and edges for one call: check the parcels in chunks")
    key = (_grouped(cg[e], h1 + h2, gb) >> U(low)) << U(low)
    key |= ((hi ^ flip[e]).astype(U) << U(low - 1)) | (hi.astype(U) << U(low - 2)) | np.arange(len(e), dtype=U)
    key = np.sort(key)
    eo = e[(key & U((1 << (low - 2)) - 1)).astype(np.int64)]
    und, way = key >> U(low), (key >> U(low - 1)) & U(1)
    lo = eo + ((key >> U(low - 2)) & U(1)).astype(np.int64)
    zl, zh = z[lo], z[2 * eo + 1 - lo]  # the segment's ends, smaller hash first
    pair = und[1:] == und[:-1]  # same group, same undirected hash
    twin = pair & (way[1:] != way[:-1]) & (zl[1:] == zl[:-1]) & (zh[1:] == zh[:-1])
    bad[cg[eo[1:][pair & ~twin]]] = True  # one directed edge twice (overlap), or a hash collision
    i = eo[~(np.r_[twin, False] | np.r_[False, twin])]
    i = i[~bad[cg[i]]]
    f = flip[i].astype(np.int64)
    s, t = i + f, i + 1 - f  # the unmatched directed edges s -> t (coordinate indices)
    g = cg[s]

    # The unmatched edges must form one cycle per group: in- and out-degree 1 at every vertex, a single root.
    ends = np.concatenate([s, t])
    vid = _ids(_grouped(cg[ends], hv[ends], gb), z[ends], cg[ends], bad)
    u, v = vid[:len(s)], vid[len(s):]
    nv = int(vid.max()) + 1 if len(vid) else 0
    vg = np.zeros(nv, np.int64)
    vg[u] = vg[v] = g
    bad[vg[(np.bincount(u, minlength=nv) != 1) | (np.bincount(v, minlength=nv) != 1)]] = True
    keep = ~bad[g]
    u, v, s, g = u[keep], v[keep], s[keep], g[keep]
    m = len(u)
    start = np.full(nv, -1, np.int64)
    start[u] = np.arange(m)
    nxt = start[v]  # the edge leaving the end vertex (every vertex of a kept group has out-degree 1)
    sizes = np.bincount(g, minlength=k)
    rounds = max(1, int(sizes.max()).bit_length())  # 2**rounds > the longest cycle
    lab, jump = np.arange(m), nxt.copy()
    for _ in range(rounds):  # lab -> smallest edge number on the cycle (its root)
        lab, jump = np.minimum(lab, lab[jump]), jump[jump]
    bad |= (np.bincount(g[lab == np.arange(m)], minlength=k) != 1) | (sizes < 3)

    # Order each cycle from its root (list ranking), then one GEOS validity call per remaining ring.
    last = nxt == lab
    dist, jump = (~last).astype(np.int64), np.where(last, np.arange(m), nxt)
    for _ in range(rounds):
        dist, jump = dist + dist[jump], jump[jump]
    live = np.flatnonzero(~bad[g])
    live = live[np.lexsort((-dist[live], g[live]))]
    if len(live):
        ring_no = np.cumsum(np.r_[True, g[live][1:] != g[live][:-1]]) - 1
        rings = shapely.linearrings(np.column_stack([x[s[live]], y[s[live]]]), indices=ring_no)
        ok = shapely.is_valid(shapely.polygons(rings)) & shapely.is_ccw(rings)
        bad[g[live][np.r_[True, ring_no[1:] != ring_no[:-1]]][~ok]] = True
    return ~bad
