"""The GeoTIFF reader: a raster is one source row (its pixels are read by the pipeline, block by block)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np

from hub.errors import InputError
from ingest.core.batch import Batch, SourceFile
from ingest.sources.registry import Reader

MAGIC = (b"II*\x00", b"MM\x00*", b"II+\x00", b"MM\x00+")  # classic TIFF and BigTIFF, both byte orders


def inspect(path: Path, display: str) -> SourceFile:
    """A TIFF by its leading bytes (GDAL never probes another driver on it); its header is read by the pipeline,
    so that a bad raster is quarantined with its rule rather than failing the whole run."""
    with open(path, "rb") as fh:
        head = fh.read(4)
    if head not in MAGIC:
        raise InputError("the content is not a GeoTIFF (wrong extension, or a file of another kind renamed)",
                         file=display, rule="unreadable")
    return SourceFile(path, display, "tif", None, 1, ())


def read(src: SourceFile, chunk_rows: int) -> Iterator[Batch]:
    """One batch of one row: the raster itself."""
    yield Batch(src, np.array([1], dtype=np.int64), {"file": [src.display]})


TIFF = Reader((".tif", ".tiff"), "ingest.families.raster.reader:inspect", "ingest.families.raster.reader:read")
