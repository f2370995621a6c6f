"""Famis-style DGN V7 sheets written with ezdgn: boundary lines, TCVN3 label texts, a metric seed.

Layout of every sheet file (no attribute table; the ETL must polygonise the lines and join labels spatially):

* level 10 — parcel boundary linestrings, each boundary edge once, split at nodes (vertex degree ≠ 2);
* level 13 / 14 / 15 — one text per parcel each: parcel number, area (m², one decimal), land-use code,
  stacked vertically around the parcel's point-on-surface (all three inside the parcel);
* level 20 — place-name annotations (hamlets) inside the sheet; level 63 — title block above the frame.

Texts are TCVN3 bytes. The seed is ezdgn's bundled 2D seed (GDAL's seed_2d.dgn) with a patched TCB: master unit
``m``, sub unit ``mm``, 1000 sub units per master, 10 UOR per sub unit (0.1 mm resolution) and a global origin
at the sheet centre rounded to the kilometre, so int32 UORs cover ±214 km around it.
"""

from __future__ import annotations

import math
import struct
from functools import lru_cache
from importlib.resources import files
from pathlib import Path

import ezdgn
import shapely

from hub.samples.grid import boundary_segments, chain_segments
from hub.samples.parcels import Sheet
from hub.samples.regions import OLD_COMMUNES
from hub.text.tcvn3 import tcvn3_encode

LEVEL_BOUNDARY, LEVEL_NUMBER, LEVEL_AREA, LEVEL_LANDUSE, LEVEL_PLACE, LEVEL_TITLE = 10, 13, 14, 15, 20, 63
SUB_PER_MASTER, UOR_PER_SUB = 1000, 10


def _put_int32(buf: bytearray, offset: int, value: int) -> None:
    """Store a DGN V7 'middle-endian' int32 (PDP-11 word order)."""
    p = struct.pack("<i", value)
    buf[offset:offset + 4] = bytes([p[2], p[3], p[0], p[1]])


def _put_vax_d(buf: bytearray, offset: int, value: float) -> None:
    """Store a VAX D-float (the TCB global origin format)."""
    if value == 0.0:
        buf[offset:offset + 8] = bytes(8)
        return
    m, e = math.frexp(abs(value))
    bits = ((1 if value < 0 else 0) << 63) | ((e + 128) << 55) | ((int(m * 2**53) - (1 << 52)) << 3)
    words = [(bits >> s) & 0xFFFF for s in (48, 32, 16, 0)]
    buf[offset:offset + 8] = struct.pack("<4H", *words)


@lru_cache(maxsize=64)
def metric_seed(origin_e: float, origin_n: float) -> bytes:
    """A V7 2D seed in metres (0.1 mm UORs) whose design-plane origin is (origin_e, origin_n)."""
    seed = bytearray(files("ezdgn").joinpath("_data", "seed_2d.dgn").read_bytes())  # GDAL's seed_2d.dgn
    _put_int32(seed, 1112, SUB_PER_MASTER)
    _put_int32(seed, 1116, UOR_PER_SUB)
    seed[1120:1124] = b"m mm"
    uor = SUB_PER_MASTER * UOR_PER_SUB
    _put_vax_d(seed, 1240, -origin_e * uor)
    _put_vax_d(seed, 1248, -origin_n * uor)
    return bytes(seed)


def _label_points(ring, height: float) -> list[tuple[float, float]]:
    """Three stacked label points (number, area, land use) inside a parcel; collapse to one if it is too small."""
    poly = shapely.Polygon(ring)
    p = poly.point_on_surface()
    pts = [(p.x, p.y + 1.4 * height), (p.x, p.y), (p.x, p.y - 1.4 * height)]
    if all(poly.contains(shapely.Point(q)) for q in pts):
        return [(round(x, 3), round(y, 3)) for x, y in pts]
    return [(round(p.x, 3), round(p.y, 3))] * 3


def write_sheet(path: Path, sh: Sheet, swapped: bool = False) -> dict:
    """Write one sheet as a DGN V7 file; returns counts of lines and texts written."""
    size = sh.size
    cx, cy = sh.x0 + size / 2, sh.y0 + size / 2
    flip = (lambda x, y: (y, x)) if swapped else (lambda x, y: (x, y))
    ox, oy = flip(round(cx, -3), round(cy, -3))
    doc = ezdgn.new(metric_seed(ox, oy))
    ms = doc.modelspace()
    segs = boundary_segments(sh.part)
    lines = chain_segments(sorted(segs))
    short = sh.extras.get("undershoot")  # ((a, b), new_b): a boundary line that stops short of its node
    n_lines = 0
    for line in lines:
        if short and {line[0], line[-1]} == set(short[0]) and len(line) == 2:
            line = [short[0][0], short[1]]
        ms.add_line_string([flip(x, y) for x, y in line], dgnattribs={"level": LEVEL_BOUNDARY, "color": 3})
        n_lines += 1
    height = 0.0015 * sh.spec.scale  # 1.5 mm on paper
    n_text = 0
    for p in sh.parcels:
        texts = [str(p.number).encode("ascii"), f"{p.dien_tich:.1f}".encode("ascii"), tcvn3_encode(p.land_use)]
        for (x, y), text, level in zip(_label_points(p.orig_ring, height), texts,
                                       (LEVEL_NUMBER, LEVEL_AREA, LEVEL_LANDUSE)):
            ms.add_text(text, flip(x, y), height=height, justification=7,
                        dgnattribs={"level": level, "color": 1 if level == LEVEL_NUMBER else 2})
            n_text += 1
    for hamlet, (x, y) in sh.extras.get("place_names", []):
        ms.add_text(tcvn3_encode(f"Thôn {hamlet}"), flip(x, y), height=2 * height, justification=7,
                    dgnattribs={"level": LEVEL_PLACE, "color": 5})
        n_text += 1
    c = OLD_COMMUNES[sh.spec.old_code]
    title = [f"Tờ bản đồ số {sh.spec.sheet_no}", f"{c.name} - {c.district} - {c.province}",
             f"Mã xã: {c.code} - Tỷ lệ 1:{sh.spec.scale} - Phiên hiệu: {sh.label}"]
    for k, t in enumerate(title):
        ms.add_text(tcvn3_encode(t), flip(cx, sh.y0 + size + (3 - k) * 3 * height), height=2 * height,
                    justification=7, dgnattribs={"level": LEVEL_TITLE, "color": 0})
        n_text += 1
    doc.saveas(path)
    return {"lines": n_lines, "texts": n_text, "parcels": len(sh.parcels)}
