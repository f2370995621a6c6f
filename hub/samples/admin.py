"""Synthetic commune polygons (old and new, EPSG:4326 via the pinned 6960 path), lineage and sheet renumbering."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import numpy as np
import shapely
from shapely.geometry import Polygon

from hub.crs import to_wgs84
from hub.samples.parcels import Sheet, group_origin, rng_for
from hub.samples.regions import GROUPS, NEW_COMMUNES, NEW_VERSION, OLD_COMMUNES, OLD_VERSION, Group

STEP = 250.0  # control-point spacing of synthetic boundaries (m)
DENSE = 50.0  # vertex spacing after densification (m)
AMPLITUDE = 120.0  # boundary wiggle (m); every sheet keeps ≥ 500 m from a commune boundary


@dataclass
class AdminLayout:
    """Grid-CRS polygons of one group: old communes, parts of the split commune and new communes."""

    group: Group
    old: dict[str, Polygon]
    parts: dict[str, list[tuple[str, Polygon]]]  # old code -> [(new code, part polygon)]
    new: dict[str, Polygon]


def _wiggly(rng: np.random.Generator, n_ctrl: int, amplitude: float, pins: tuple[int, ...] = ()) -> np.ndarray:
    """Offsets along a boundary: random control offsets (0 at both ends and pins), densified to DENSE."""
    ctrl = rng.uniform(-amplitude, amplitude, n_ctrl + 1)
    ctrl[0] = ctrl[-1] = 0.0
    ctrl[list(pins)] = 0.0
    per = int(STEP / DENSE)
    t = np.arange(n_ctrl * per + 1) / per
    return np.interp(t, np.arange(n_ctrl + 1), ctrl)


def _hline(rng, x_from, x_to, y, amplitude, pins) -> list[tuple[float, float]]:
    """A west→east boundary at northing y, straight (offset 0) at the eastings in `pins` (metres)."""
    n = int(round((x_to - x_from) / STEP))
    xs = np.linspace(x_from, x_to, n * int(STEP / DENSE) + 1)
    ys = y + _wiggly(rng, n, amplitude, tuple(int(round((p - x_from) / STEP)) for p in pins))
    return [(round(float(x), 3), round(float(v), 3)) for x, v in zip(xs, ys)]


def _vline(rng, x, y_from, y_to, amplitude) -> list[tuple[float, float]]:
    """A south→north boundary at easting x."""
    n = int(round((y_to - y_from) / STEP))
    ys = np.linspace(y_from, y_to, n * int(STEP / DENSE) + 1)
    xs = x + _wiggly(rng, n, amplitude)
    return [(round(float(v), 3), round(float(y), 3)) for v, y in zip(xs, ys)]


def _slice(line: list[tuple[float, float]], x_from: float, x_to: float) -> list[tuple[float, float]]:
    """The vertices of a west→east line with easting between x_from and x_to (end points exact)."""
    return [p for p in line if x_from - 1e-6 <= p[0] <= x_to + 1e-6]


def _poly(bottom, right, top, left) -> Polygon:
    """A polygon from its bottom (W→E), right (S→N), top (W→E) and left (S→N) boundaries."""
    ring = bottom + right[1:] + top[::-1][1:] + left[::-1][1:]
    return Polygon(ring)


def layout(seed: int, g: Group) -> AdminLayout:
    """Commune polygons of a group in its TM-3 grid."""
    rng = rng_for(seed, "admin", g.key)
    e0, n0 = group_origin(g)
    h = g.height_km * 1000.0
    edges = [e0 + b[1] * 1000.0 for b in g.blocks] + [e0 + g.blocks[-1][2] * 1000.0]
    pins = edges + ([e0 + g.split[1] * 1000.0] if g.split else [])
    bottom = _hline(rng, edges[0], edges[-1], n0, AMPLITUDE, pins)
    top = _hline(rng, edges[0], edges[-1], n0 + h, AMPLITUDE, pins)
    verticals = [_vline(rng, x, n0, n0 + h, AMPLITUDE) for x in edges]
    old, parts = {}, {}
    for i, (code, _, _) in enumerate(g.blocks):
        xa, xb = edges[i], edges[i + 1]
        old[code] = _poly(_slice(bottom, xa, xb), verticals[i + 1], _slice(top, xa, xb), verticals[i])
        if g.split and g.split[0] == code:
            xs = e0 + g.split[1] * 1000.0
            cut = _vline(rng, xs, n0, n0 + h, 2 * AMPLITUDE)
            west_new = OLD_COMMUNES[g.blocks[i - 1][0]].new_codes[0]
            east_new = OLD_COMMUNES[g.blocks[i + 1][0]].new_codes[0]
            parts[code] = [
                (west_new, _poly(_slice(bottom, xa, xs), cut, _slice(top, xa, xs), verticals[i])),
                (east_new, _poly(_slice(bottom, xs, xb), verticals[i + 1], _slice(top, xs, xb), cut)),
            ]
    pieces: dict[str, list[Polygon]] = {}
    for code, poly in old.items():
        for new_code, part in parts.get(code, [(OLD_COMMUNES[code].new_codes[0], poly)]):
            pieces.setdefault(new_code, []).append(part)
    new = {code: shapely.union_all(ps) for code, ps in sorted(pieces.items())}
    return AdminLayout(g, old, parts, new)


def all_layouts(seed: int) -> dict[str, AdminLayout]:
    """Admin layouts of every group, keyed by group key."""
    return {g.key: layout(seed, g) for g in GROUPS}


def to_lonlat(geom, epsg: int):
    """Transform a grid geometry to WGS 84 lon/lat with the pinned EPSG:6960 path."""
    t = to_wgs84(epsg)

    def fn(xy: np.ndarray) -> np.ndarray:
        """Vectorised coordinate transform for shapely.transform."""
        lon, lat = t.transform(xy[:, 0], xy[:, 1])
        return np.column_stack([lon, lat])

    return shapely.transform(geom, fn)


def commune_frames(layouts: dict[str, AdminLayout]) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]:
    """(old, new) commune GeoDataFrames in EPSG:4326 with code, name, level, version_id, province_code."""
    old_rows, new_rows = [], []
    for lay in layouts.values():
        for code, poly in lay.old.items():
            c = OLD_COMMUNES[code]
            old_rows.append((code, c.name, "xa", OLD_VERSION, c.province_code, to_lonlat(poly, lay.group.epsg)))
        for code, poly in lay.new.items():
            c = NEW_COMMUNES[code]
            new_rows.append((code, c.name, "xa", NEW_VERSION, c.province_code, to_lonlat(poly, lay.group.epsg)))
    cols = ["code", "name", "level", "version_id", "province_code", "geometry"]

    def frame(rows):
        """Sorted GeoDataFrame of commune rows."""
        rows = sorted(rows, key=lambda r: r[0])
        return gpd.GeoDataFrame([r[:5] for r in rows], columns=cols[:5], geometry=[r[5] for r in rows],
                                crs="EPSG:4326")

    return frame(old_rows), frame(new_rows)


def new_commune_at(layouts: dict[str, AdminLayout], old_code: str, x: float, y: float) -> str:
    """The new commune (code) that holds a grid point of an old commune's parcel."""
    for lay in layouts.values():
        if old_code in lay.old:
            for new_code, part in lay.parts.get(old_code, []):
                if part.contains(shapely.Point(x, y)):
                    return new_code
            return OLD_COMMUNES[old_code].new_codes[0]
    raise KeyError(old_code)


def _csv(rows: list[list[object]]) -> str:
    """CSV text with '\\n' line ends (deterministic bytes)."""
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerows(rows)
    return buf.getvalue()


def write_lineage(path: Path, layouts: dict[str, AdminLayout]) -> int:
    """admin_lineage.csv: one row per (old commune, new commune) with relation, area share and default flag."""
    rows = [["old_version", "old_code", "old_name", "old_province_code", "new_version", "new_code", "new_name",
             "new_province_code", "relation", "area_share", "is_default"]]
    for lay in layouts.values():
        for code, poly in sorted(lay.old.items()):
            c = OLD_COMMUNES[code]
            targets = lay.parts.get(code) or [(c.new_codes[0], poly)]
            for new_code, part in sorted(targets, key=lambda t: c.new_codes.index(t[0])):
                n = NEW_COMMUNES[new_code]
                relation = "split_part" if len(targets) > 1 else "merged_into"
                rows.append([OLD_VERSION, code, c.name, c.province_code, NEW_VERSION, new_code, n.name,
                             n.province_code, relation, f"{part.area / poly.area:.5f}",
                             "true" if new_code == c.new_codes[0] else "false"])
    path.write_text(_csv(rows), encoding="utf-8")
    return len(rows) - 1


def sheet_targets(layouts: dict[str, AdminLayout], sh: Sheet) -> list[str]:
    """New communes whose territory a sheet frame overlaps (two for a sheet cut by the split boundary)."""
    frame = shapely.box(sh.x0, sh.y0, sh.x0 + sh.size, sh.y0 + sh.size)
    lay = layouts[sh.group.key]
    parts = lay.parts.get(sh.spec.old_code)
    if not parts:
        return [OLD_COMMUNES[sh.spec.old_code].new_codes[0]]
    return [code for code, part in parts if part.intersection(frame).area > 1.0]


def write_renumbering(path: Path, layouts: dict[str, AdminLayout], sheets: list[Sheet]) -> int:
    """sheet_renumbering.csv (bảng tham chiếu): old commune + sheet -> new commune + new sheet number."""
    rows = [["old_commune_code", "old_sheet_no", "scale", "sheet_label", "new_commune_code", "new_sheet_no",
             "note"]]
    counters: dict[str, int] = {}
    for sh in sheets:
        targets = sheet_targets(layouts, sh)
        for code in targets:
            counters[code] = counters.get(code, 0) + 1
            note = "split sheet: assign parcels by location" if len(targets) > 1 else ""
            if sh.spec.kind in ("utm_extract", "unclosed_extract", "swapped"):
                note = (note + "; " if note else "") + "extract survey (trích đo)"
            rows.append([sh.spec.old_code, sh.spec.sheet_no, f"1:{sh.spec.scale}", sh.label, code,
                         counters[code], note])
    path.write_text(_csv(rows), encoding="utf-8")
    return len(rows) - 1
