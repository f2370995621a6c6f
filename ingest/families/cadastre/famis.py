"""Famis DGN V7: parcel boundaries as lines plus text labels, polygonised and joined spatially (§7.2).

Famis keeps no attribute table: the parcel number, area and land-use code are text elements placed inside
each parcel, on their own levels, in TCVN3. The commune code and sheet number are carried by the file name
`<anything>_<old_commune_code>_<sheet_no>[_suffix].dgn` (Famis exports one sheet per file).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pyogrio
import shapely

from hub.errors import InputError
from ingest.core.batch import Batch
from ingest.sources.registry import Reader

LEVEL_LINES = 10
LEVEL_LABELS = {13: "SoThuTuThua", 14: "DienTich", 15: "KyHieuMucDichSuDung"}
_NAME = re.compile(r"_(\d{5})_(\d{1,4})(?:_[a-z]+)?$")


def commune_of(path: Path) -> str | None:
    """The old commune code in a Famis file name, if any."""
    m = _NAME.search(path.stem)
    return m.group(1) if m else None


def read(src, chunk_rows: int) -> Iterator[Batch]:
    """The family reader for Famis DGN (one batch per sheet file, whatever the chunk size)."""
    yield from read_famis(src)


READER = Reader((".dgn",), "ingest.sources:inspect_sequential", "ingest.families.cadastre.famis:read")


def read_famis(src) -> Iterator:
    """One batch per file: polygons formed from the boundary lines, attributes from the labels inside."""
    m = _NAME.search(src.path.stem)
    if not m:
        raise InputError("Famis DGN file name must end with _<commune code>_<sheet no>", file=src.display)
    commune, sheet = m.group(1), m.group(2)
    df = pyogrio.read_dataframe(src.path, encoding="latin1")
    if df.empty:
        raise InputError("no elements in the DGN file", file=src.display)
    lines = df[(df["Level"] == LEVEL_LINES) & df.geometry.geom_type.isin(["LineString", "MultiLineString"])]
    faces = np.array(shapely.get_parts(shapely.polygonize(lines.geometry.values)))
    texts = df[df["Text"].notna() & df["Level"].isin(list(LEVEL_LABELS))]
    labels: dict[int, dict[int, list]] = {}  # face -> level -> texts (in reading order)
    if len(faces) and len(texts):
        tree = shapely.STRtree(faces)
        ip, ig = tree.query(shapely.centroid(texts.geometry.values), predicate="within")
        for p_, g_ in sorted(zip(ip, ig)):
            labels.setdefault(int(g_), {}).setdefault(int(texts["Level"].iloc[p_]), []).append(texts["Text"].iloc[p_])
    # One row per parcel-number label (a parcel), plus one per unlabelled face; a face holding several numbers
    # means a boundary line does not close, so none of those parcels has a trustworthy shape.
    rows: list[tuple[int, dict, bool]] = []
    centres = shapely.centroid(faces) if len(faces) else np.array([])
    order = np.lexsort((-shapely.get_y(centres), shapely.get_x(centres))) if len(faces) else []
    for g in order:
        found = labels.get(int(g), {})
        numbers = found.get(13, [None])
        for k, number in enumerate(numbers):
            attrs = {LEVEL_LABELS[lv]: (vals[k] if k < len(vals) else vals[0]) for lv, vals in found.items()
                     if lv != 13}
            attrs[LEVEL_LABELS[13]] = number
            rows.append((int(g), attrs, len(numbers) > 1))
    n = len(rows)
    out = {"MaXa": [commune] * n, "SoHieuToBanDo": [sheet] * n}
    for name in LEVEL_LABELS.values():
        out[name] = [r[1].get(name) for r in rows]
    geoms = np.array([faces[r[0]] for r in rows], dtype=object) if n else np.array([], dtype=object)
    ambiguous = np.array([r[2] for r in rows], dtype=bool)
    geoms[ambiguous] = None
    yield Batch(src, np.arange(1, n + 1), out, geoms, ambiguous)
