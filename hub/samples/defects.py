"""Primitives that break sample records on purpose (§11 table) and the manifest record describing each one."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import shapely

from hub.samples import names
from hub.samples.grid import push_edge
from hub.samples.parcels import Parcel, Sheet, rng_for
from hub.samples.regions import OLD_COMMUNES


@dataclass
class Broken:
    """One deliberately broken (or deliberately legit-looking) record of the manifest."""

    file: str
    parcel: Parcel | None
    key: str
    defect: str
    rule: str
    severity: str
    note: str
    expected: dict = field(default_factory=dict)

    def as_dict(self, row: int | None) -> dict:
        """The manifest object: file, row, key, defect, rule, severity, note (+ expected details)."""
        out = {"file": self.file, "row": row, "key": self.key, "defect": self.defect, "rule": self.rule,
               "severity": self.severity, "note": self.note}
        if self.expected:
            out["expected"] = self.expected
        return out


class Picker:
    """Deterministic choice of not-yet-broken parcels on a sheet."""

    def __init__(self, seed: int, label: str) -> None:
        """Seed the picker from the run seed and a label (one picker per output file)."""
        self.rng = rng_for(seed, "defects", label)
        self.used: set[int] = set()

    def pick(self, sh: Sheet, interior: bool = True, span1: bool = False, pred=None, east: bool = False) -> Parcel:
        """A random unused parcel (interior = off the frame if possible; east = with a free east neighbour)."""
        rows, cols = sh.part.rows, sh.part.cols

        def free_east(p: Parcel) -> bool:
            """Whether p has an unused neighbour east of it in its grid row."""
            return p.col + p.span < cols and id(right_neighbour(sh, p)) not in self.used

        for strict in (True, False):
            cands = [p for p in sh.parcels if id(p) not in self.used
                     and (not strict or not interior or (0 < p.row < rows - 1 and 0 < p.col
                                                         and p.col + p.span < cols))
                     and (not span1 or p.span == 1) and (pred is None or pred(p))
                     and (not east or free_east(p))]
            if cands:
                p = cands[int(self.rng.integers(len(cands)))]
                self.used.add(id(p))
                return p
        raise RuntimeError(f"no parcel left on sheet {sh.spec.old_code}.{sh.spec.sheet_no}")

    def mark(self, *parcels: Parcel) -> None:
        """Exclude parcels from later picks."""
        self.used.update(id(p) for p in parcels)


def right_neighbour(sh: Sheet, p: Parcel) -> Parcel:
    """The parcel east of `p` in the same grid row (shares p's right edge)."""
    return next(q for q in sh.parcels if q.row == p.row and q.col == p.col + p.span)


def ring_area(ring) -> float:
    """Planar area of a ring in the source grid."""
    return float(shapely.Polygon(ring).area)


def bowtie(p: Parcel) -> None:
    """Swap the two top vertices of a quadrilateral: a self-intersecting 'bow-tie' ring."""
    a, b, c, d, _ = p.ring
    p.ring = (a, b, d, c, a)
    p.dien_tich = round(ring_area(p.orig_ring), 1)


def zero_area(p: Parcel) -> None:
    """Collapse the ring onto the grid line through its SW vertex (three collinear vertices): zero area."""
    a, b = p.ring[0], p.ring[1]
    p.ring = (a, (round((a[0] + b[0]) / 2, 3), a[1]), (b[0], a[1]), a)
    p.dien_tich = round(ring_area(p.orig_ring), 1)


def sliver(p: Parcel, area: float) -> tuple[float, float]:
    """Push the middle of p's east edge out (area > 0: overlap) or in (< 0: gap); returns (offset, real area)."""
    i = p.span  # ring = bottom (span + 1 points) + top; edge span -> span + 1 is the right edge
    (ax, ay), (bx, by) = p.ring[i], p.ring[i + 1]
    offset = 2.0 * area / math.hypot(bx - ax, by - ay)
    before = ring_area(p.ring)
    p.ring = push_edge(p.ring, i, offset)
    return offset, abs(ring_area(p.ring) - before)  # the mid vertex is rounded to the millimetre


def area_off(p: Parcel, scale: int, factor: float = 3.0) -> dict:
    """Declare an area `factor` × the tolerance ΔP = 0.0004·M·√P above the computed one."""
    area = ring_area(p.ring)
    tol = 0.0004 * scale * math.sqrt(area)
    p.dien_tich = round(area + factor * tol, 1)
    return {"computed": round(area, 3), "declared": p.dien_tich, "tolerance": round(tol, 3)}


def sensitive(p: Parcel, code: str) -> None:
    """Make a defence (CQP) or security (CAN) parcel with the matching organisation as holder."""
    p.land_use = code
    p.ten_chu = names.owner(None, "south", code, p.old_code)  # organisations need no randomness
    p.ghi_chu = ""


def pii_note(p: Parcel, seed: int, where: str) -> dict:
    """Leak an owner name and a synthetic 12-digit CCCD into GhiChu or DiaChi (§1.6 free-text scrub case)."""
    rng = rng_for(seed, "pii", p.key, where)
    name, sex = names.person(rng, names.name_style(p.old_code))
    year = int(rng.integers(1950, 2000))
    number = names.cccd(rng, OLD_COMMUNES[p.old_code].province_code, sex, year)
    title = "ông" if sex == "m" else "bà"
    if where == "GhiChu":
        p.ghi_chu = f"Hộ {title} {name}, CCCD số {number}, đang sử dụng ổn định"
    else:
        p.dia_chi = f"Nhà {title} {name} (CCCD {number}), {p.dia_chi[0].lower()}{p.dia_chi[1:]}"
    return {"field": where, "name": name, "cccd": number}


def lonlat_point(p: Parcel) -> tuple[float, float]:
    """Grid coordinates of the parcel's point-on-surface (original ring)."""
    q = shapely.Polygon(p.orig_ring).point_on_surface()
    return q.x, q.y
