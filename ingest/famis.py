"""Famis DGN V7: parcel boundaries as lines plus text labels, polygonised and joined spatially (§7.2).

Famis keeps no attribute table: the parcel number, area and land-use code are text elements placed inside
each parcel, on their own levels, in TCVN3. The commune code and sheet number are carried by the file name
`<anything>_<old_commune_code>_<sheet_no>[_suffix].dgn` (Famis exports one sheet per file).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Iterator

import numpy as np
import pyogrio
import shapely

from hub.errors import InputError

LEVEL_LINES = 10
LEVEL_LABELS = {13: "SoThuTuThua", 14: "DienTich", 15: "KyHieuMucDichSuDung"}
_NAME = re.compile(r"_(\d{5})_(\d{1,4})(?:_[a-z]+)?$")


def commune_of(path: Path) -> str | None:
    """The old commune code in a Famis file name, if any."""
    m = _NAME.search(path.stem)
    return m.group(1) if m else None


def read_famis(src) -> Iterator:
    """One batch per file: polygons formed from the boundary lines, attributes from the labels inside."""
    from ingest.sources import Batch

    m = _NAME.search(src.path.stem)
    if not m:
        raise InputError("Famis DGN file name must end with _<commune code>_<sheet no>", file=src.display)
    commune, sheet = m.group(1), m.group(2)
    df = pyogrio.read_dataframe(src.path, encoding="latin1")
    if df.empty:
        raise InputError("no elements in the DGN file", file=src.display)
    lines = df[(df["Level"] == LEVEL_LINES) & df.geometry.geom_type.isin(["LineString", "MultiLineString"])]
    polys = np.array(shapely.get_parts(shapely.polygonize(lines.geometry.values)))
    texts = df[df["Text"].notna() & df["Level"].isin(list(LEVEL_LABELS))]
    attrs: dict[str, list] = {"MaXa": [commune] * len(polys), "SoHieuToBanDo": [sheet] * len(polys)}
    for name in LEVEL_LABELS.values():
        attrs[name] = [None] * len(polys)
    if len(polys) and len(texts):
        tree = shapely.STRtree(polys)
        pts = shapely.centroid(texts.geometry.values)
        idx_pts, idx_polys = tree.query(pts, predicate="within")
        for ip, ig in zip(idx_pts, idx_polys):
            level = int(texts["Level"].iloc[ip])
            attrs[LEVEL_LABELS[level]][ig] = texts["Text"].iloc[ip]
    order = np.lexsort((shapely.get_y(shapely.centroid(polys)) * -1, shapely.get_x(shapely.centroid(polys)))) \
        if len(polys) else np.array([], dtype=int)
    attrs = {k: [v[i] for i in order] for k, v in attrs.items()}
    yield Batch(src, np.arange(1, len(polys) + 1), attrs, polys[order] if len(polys) else polys)
