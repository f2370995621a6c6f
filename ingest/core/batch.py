"""What readers hand to pipelines: a source file's description and chunks of its rows (light: numpy only)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

UTF8_FORMATS = frozenset({"gpkg", "geojson", "fgb"})  # text is UTF-8 by the format's specification

@dataclass(frozen=True)
class SourceFile:
    """A file to ingest, with what its reader says about it (features -1: counted only while reading)."""

    path: Path
    display: str
    fmt: str
    crs_wkt: str | None
    features: int
    fields: tuple[str, ...]
    layer: str | None = None  # a multi-layer container's layer (GeoPackage), None for single-layer formats
    crs_error: str | None = None  # why the file's own CRS definition could not be read (a truncated .prj)
    shadow: Path | None = None  # a folder of links to the file's parts without the unreadable .prj, read instead

    @property
    def read_path(self) -> Path:
        """The path GDAL opens: the file, or its shadow when its .prj is unreadable (--crs then says the CRS)."""
        return self.shadow / self.path.name if self.shadow else self.path


@dataclass
class Batch:
    """A chunk of rows: raw attributes (Arrow arrays, or lists of Latin-1 strings, bytes or numbers) and
    source-grid geometries (None for formats without geometry)."""

    file: SourceFile
    row_no: np.ndarray
    attrs: dict[str, object]
    geom: np.ndarray | None = None
    unreadable: np.ndarray | None = None  # rows whose stored geometry could not be parsed (e.g. unclosed ring)
    where: list[str] | None = None  # a location per row shown in findings (e.g. "Phụ lục 1!C12"), if not a row number

    def __len__(self) -> int:
        """Rows in the batch."""
        return len(self.row_no)
