"""Sheet frames on the TM-3 sheet grid (§1.2) and parcels as a jittered-grid planar partition of a frame.

Neighbouring parcels share vertices exactly (coordinates rounded to the millimetre once, on the vertex grid),
some cells are merged along a row so parcels vary in size, and parcel numbers zig-zag from 1 per sheet
(top row left → right, next row right → left, …).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

Ring = tuple[tuple[float, float], ...]


@dataclass
class Cell:
    """One parcel of a sheet partition: grid position, run length, closed ring (CCW) and zig-zag number."""

    col: int
    row: int
    span: int
    ring: Ring
    number: int = 0


@dataclass
class Partition:
    """A sheet partition: the vertex grid, the parcels (sorted by number) and the grid shape."""

    xs: np.ndarray  # (rows + 1, cols + 1)
    ys: np.ndarray
    cells: list[Cell]
    cols: int
    rows: int


def sheet_label(scale: int, e_sw: float, n_sw: float) -> str:
    """Illustrative 'phiên hiệu mảnh' of a sheet from its SW corner (the §1.2 digit layout is unverified [U])."""
    e_sw, n_sw = int(round(e_sw)), int(round(n_sw))
    if scale == 10000:  # northing km + easting km of the NW corner, 4 + 4 digits
        return f"{(n_sw + 6000) // 1000 % 10000:04d}{e_sw // 1000 % 10000:04d}"
    e5, n5 = e_sw // 3000 * 3000, n_sw // 3000 * 3000
    base = f"{(n5 + 3000) // 1000 % 1000:03d}{e5 // 1000 % 1000:03d}"  # NW corner of the 1:5000 block
    if scale == 5000:
        return base
    k2 = (n5 + 2000 - n_sw // 1000 * 1000) // 1000 * 3 + (e_sw - e5) // 1000 + 1  # 1..9 row-major from NW
    if scale == 2000:
        return f"{base}-{k2}"
    e2, n2 = e_sw // 1000 * 1000, n_sw // 1000 * 1000
    if scale == 1000:
        return f"{base}-{k2}-{'abcd'[(n2 + 500 - n_sw) // 500 * 2 + (e_sw - e2) // 500]}"
    if scale == 500:
        return f"{base}-{k2}-({(n2 + 750 - n_sw) // 250 * 4 + (e_sw - e2) // 250 + 1})"
    raise ValueError(scale)


def partition(rng: np.random.Generator, x0: float, y0: float, width: float, height: float,
              n_target: int, aspect: float, merge: float = 0.25) -> Partition:
    """Tile the frame [x0, x0+width] x [y0, y0+height] with ≈ n_target parcels sharing exact vertices."""
    cells_wanted = max(9.0, n_target * (1.0 + 1.3 * merge))  # E[run length] = 1 + 1.3·merge
    cols = max(3, int(round(np.sqrt(cells_wanted * width / height / aspect))))
    rows = max(3, int(round(cells_wanted / cols)))
    dx, dy = width / cols, height / rows
    ii, jj = np.meshgrid(np.arange(cols + 1), np.arange(rows + 1))
    jx = rng.uniform(-0.28, 0.28, ii.shape) * dx
    jy = rng.uniform(-0.28, 0.28, ii.shape) * dy
    jx[:, 0] = jx[:, -1] = 0.0
    jy[0, :] = jy[-1, :] = 0.0
    xs = np.round(x0 + ii * dx + jx, 3)
    ys = np.round(y0 + jj * dy + jy, 3)
    xs[:, 0], xs[:, -1] = round(x0, 3), round(x0 + width, 3)
    ys[0, :], ys[-1, :] = round(y0, 3), round(y0 + height, 3)
    runs = rng.choice([1, 2, 3], size=(rows, cols), p=[1 - merge, merge * 0.7, merge * 0.3])
    cells: list[Cell] = []
    for j in range(rows):
        i = 0
        while i < cols:
            span = int(min(runs[j, i], cols - i))
            bottom = [(float(xs[j, k]), float(ys[j, k])) for k in range(i, i + span + 1)]
            top = [(float(xs[j + 1, k]), float(ys[j + 1, k])) for k in range(i + span, i - 1, -1)]
            ring = tuple(bottom + top + [bottom[0]])
            cells.append(Cell(i, j, span, ring))
            i += span
    number_zigzag(cells, rows)
    cells.sort(key=lambda c: c.number)
    return Partition(xs, ys, cells, cols, rows)


def number_zigzag(cells: list[Cell], rows: int) -> None:
    """Number parcels from 1: rows top → bottom, alternating left → right and right → left (zíc-zắc)."""
    number = 1
    for t, j in enumerate(range(rows - 1, -1, -1)):
        row = sorted((c for c in cells if c.row == j), key=lambda c: c.col, reverse=bool(t % 2))
        for c in row:
            c.number = number
            number += 1


def boundary_segments(p: Partition) -> list[tuple[tuple[float, float], tuple[float, float]]]:
    """Every parcel boundary segment of a partition exactly once (horizontal grid edges + kept vertical edges)."""
    segs = []
    for j in range(p.rows + 1):
        for i in range(p.cols):
            segs.append(((p.xs[j, i], p.ys[j, i]), (p.xs[j, i + 1], p.ys[j, i + 1])))
    for c in p.cells:
        for i in ((0, c.span) if c.col == 0 else (c.col + c.span,)):
            i = c.col + i if c.col == 0 else i
            segs.append(((p.xs[c.row, i], p.ys[c.row, i]), (p.xs[c.row + 1, i], p.ys[c.row + 1, i])))
    return [((float(a[0]), float(a[1])), (float(b[0]), float(b[1]))) for a, b in segs]


def chain_segments(segs: list, max_vertices: int = 101) -> list[list[tuple[float, float]]]:
    """Join segments into linestrings through degree-2 vertices (node to node), ≤ max_vertices each."""
    adj: dict[tuple[float, float], list[int]] = {}
    for k, (a, b) in enumerate(segs):
        adj.setdefault(a, []).append(k)
        adj.setdefault(b, []).append(k)
    used = [False] * len(segs)
    lines = []

    def walk(start: tuple[float, float], k: int) -> list[tuple[float, float]]:
        """Follow segments from `start` along segment k while the next vertex has degree 2."""
        pts = [start]
        cur = start
        while True:
            used[k] = True
            a, b = segs[k]
            nxt = b if a == cur else a
            pts.append(nxt)
            cur = nxt
            nexts = [m for m in adj[cur] if not used[m]]
            if len(adj[cur]) != 2 or not nexts or len(pts) >= max_vertices:
                return pts
            k = nexts[0]

    for k, (a, _) in enumerate(segs):
        if not used[k] and len(adj[a]) != 2:
            lines.append(walk(a, k))
    for k, (a, _) in enumerate(segs):  # closed loops of degree-2 vertices (not expected on a grid)
        if not used[k]:
            lines.append(walk(a, k))
    return lines


def push_edge(ring: Ring, index: int, offset: float) -> Ring:
    """Insert a vertex mid-edge ring[index]→ring[index+1], moved `offset` m to its right (outside a CCW ring)."""
    # offset > 0: overlap sliver with the neighbour (area = offset · length / 2); offset < 0: a gap of that size
    (ax, ay), (bx, by) = ring[index], ring[index + 1]
    length = float(np.hypot(bx - ax, by - ay))
    nx, ny = (by - ay) / length, -(bx - ax) / length
    mid = (round((ax + bx) / 2 + nx * offset, 3), round((ay + by) / 2 + ny * offset, 3))
    return ring[: index + 1] + (mid,) + ring[index + 1:]
