"""Build the parcels of every sample sheet: geometry on the TM-3 grid, attributes, areas and MaDinhDanh."""

from __future__ import annotations

import zlib
from dataclasses import dataclass, field

import numpy as np
import shapely
from pyproj import Transformer

from hub.crs import to_vn2000_geographic, to_wgs84
from hub.geohash import encode_array
from hub.samples import names
from hub.samples.grid import Partition, Ring, partition, sheet_label
from hub.samples.regions import GROUPS, OLD_COMMUNES, PARCELS_PER_SHEET, SHEET_SIZE_M, Group, SheetSpec


def rng_for(seed: int, *labels: object) -> np.random.Generator:
    """A generator seeded from the run seed and stable labels (crc32, not Python's randomised hash)."""
    key = zlib.crc32("/".join(str(x) for x in labels).encode("utf-8"))
    return np.random.default_rng([seed, key])


@dataclass
class Parcel:
    """One parcel record as delivered: key parts, true-grid ring, attributes and per-record defect state."""

    old_code: str
    sheet_no: int
    number: int
    ring: Ring  # as written (after geometry defects), true source grid of the group
    orig_ring: Ring  # before geometry defects: the official ID and the legal area come from it
    land_use: str
    dia_chi: str
    ten_chu: str
    ghi_chu: str
    col: int = 0
    row: int = 0
    span: int = 1
    area: float = 0.0  # TM-3 grid area of `ring` (shapely; 0 for invalid rings)
    dien_tich: float | None = None  # declared area; None = round(area of ring, 1)
    id_method: str = "pinned"  # pinned | proj_default | no_shift
    ma_dinh_danh: str = ""
    raw_wkb: bytes | None = None  # geometry written verbatim (unclosed ring)
    enc: dict[str, str] = field(default_factory=dict)  # field -> row encoding class when not the file default

    @property
    def key(self) -> str:
        """The legacy composite key old_commune.sheet.parcel (MT = MX.SH.ST, §1.3)."""
        return f"{self.old_code}.{self.sheet_no}.{self.number}"


@dataclass
class Sheet:
    """A built sheet: its spec, group, frame on the TM-3 grid, grid label and parcels (zig-zag order)."""

    spec: SheetSpec
    group: Group
    x0: float
    y0: float
    size: float
    label: str
    part: Partition
    parcels: list[Parcel]
    extras: dict = field(default_factory=dict)  # sheet-level defect data (e.g. the DGN undershoot)

    @property
    def epsg(self) -> int:
        """EPSG code of the true source grid of the sheet (the old province's TM-3 zone)."""
        return self.group.epsg


def group_origin(g: Group) -> tuple[float, float]:
    """SW corner of a group layout: 6-km-aligned, centred on the group's real anchor point."""
    e, n = to_wgs84(g.epsg).transform(*g.anchor_lonlat, direction="INVERSE")
    width = max(b[2] for b in g.blocks) * 1000.0
    e0 = np.floor((e - width / 2) / 6000.0) * 6000.0
    n0 = np.floor((n - g.height_km * 500.0) / 6000.0) * 6000.0
    return float(e0), float(n0)


ASPECT = {500: (0.35, 0.6), 1000: (0.6, 1.1), 2000: (1.0, 2.2), 5000: (0.8, 1.4), 10000: (0.8, 1.4)}


def build_sheet(seed: int, g: Group, spec: SheetSpec, scale_factor: float) -> Sheet:
    """Partition one sheet frame and give every parcel ordinary attributes."""
    rng = rng_for(seed, "sheet", spec.old_code, spec.sheet_no)
    e0, n0 = group_origin(g)
    size = spec.size_m or SHEET_SIZE_M[spec.scale]
    x0, y0 = e0 + spec.x_km * 1000.0, n0 + spec.y_km * 1000.0
    if spec.parcels is not None:
        n_target = spec.parcels
    else:
        n_target = max(12, int(round(PARCELS_PER_SHEET[g.region][spec.scale] * scale_factor)))
    lo, hi = ASPECT[spec.scale]
    part = partition(rng, x0, y0, size, size, n_target, float(rng.uniform(lo, hi)),
                     merge=0.0 if spec.parcels is not None else 0.25)
    unit = OLD_COMMUNES[spec.old_code].unit
    style = names.name_style(spec.old_code)
    codes, probs = names.land_use_weights(g.region, spec.scale, unit, g.code_list, highland=style == "highland")
    parcels = []
    for c in part.cells:
        lu = codes[rng.choice(len(codes), p=probs)]
        parcels.append(Parcel(
            spec.old_code, spec.sheet_no, c.number, c.ring, c.ring, lu,
            names.address(rng, spec.old_code, spec.scale, g.hamlets),
            names.owner(rng, style, lu, spec.old_code), names.note(rng, c.number), c.col, c.row, c.span))
    return Sheet(spec, g, x0, y0, size, sheet_label(spec.scale, x0, y0), part, parcels)


def build_all(seed: int, scale_factor: float) -> list[Sheet]:
    """Every sheet of every group, in layout order."""
    return [build_sheet(seed, g, s, scale_factor) for g in GROUPS for s in g.sheets]


def _id_transformer(epsg: int, method: str) -> Transformer:
    """The VN-2000 grid -> lon/lat path used to mint an ID: pinned 6960, PROJ's default, or no datum shift."""
    if method == "pinned":
        return to_wgs84(epsg)
    if method == "proj_default":
        return Transformer.from_crs(epsg, 4326, always_xy=True)
    if method == "no_shift":
        return to_vn2000_geographic(epsg)
    raise ValueError(method)


def national_ids(rings: list[Ring], epsg: int, method: str = "pinned") -> list[str]:
    """GeoHash-12 of the point-on-surface of each ring (source grid) after the given datum path."""
    if not rings:
        return []
    pts = shapely.point_on_surface([shapely.Polygon(r) for r in rings])
    x, y = shapely.get_x(pts), shapely.get_y(pts)
    lon, lat = _id_transformer(epsg, method).transform(x, y)
    return [str(v) for v in encode_array(lon, lat, 12)]


def finalize(sheets: list[Sheet]) -> None:
    """Compute areas, declared areas and national IDs once all defects have been injected."""
    for sh in sheets:
        polys = [shapely.Polygon(p.ring if p.ring[0] == p.ring[-1] else p.ring + p.ring[:1]) for p in sh.parcels]
        areas = shapely.area(polys)
        for p, a in zip(sh.parcels, areas):
            p.area = float(a)
            if p.dien_tich is None:
                p.dien_tich = round(float(a), 1)
        for method in ("pinned", "proj_default", "no_shift"):
            todo = [p for p in sh.parcels if p.id_method == method]
            for p, gh in zip(todo, national_ids([p.orig_ring for p in todo], sh.epsg, method)):
                p.ma_dinh_danh = gh
        wrong = [p for p in sh.parcels if p.id_method != "pinned"]
        for p, gh in zip(wrong, national_ids([p.orig_ring for p in wrong], sh.epsg)):
            if gh == p.ma_dinh_danh:  # never observed (0.8 m / 225 m vs a 3.7 cm cell), kept as a guard
                raise AssertionError(f"ID of {p.key} does not change with {p.id_method}")
