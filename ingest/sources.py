"""Extract: find source files, identify their format and CRS, and stream features in chunks.

Text is read Latin-1 (byte-transparent) whatever the file claims: `.cpg`, DBF LDID and MapInfo `!charset`
routinely lie about TCVN3/VNI content (domain spec §7.1), so decoding is a later, per-value step.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

import numpy as np
import pyarrow as pa
import pyogrio
import shapely

from hub.errors import InputError

FORMATS = {".gpkg": "gpkg", ".shp": "shp", ".tab": "tab", ".geojson": "geojson", ".json": "geojson",
           ".dgn": "dgn", ".fgb": "fgb"}
UTF8_FORMATS = {"gpkg", "geojson", "fgb"}  # text is UTF-8 by the format's specification
# GDAL drivers the hub opens (no VRT, no network, no archives handled by GDAL itself: security case I02).
DRIVERS = {"gpkg": "GPKG", "shp": "ESRI Shapefile", "tab": "MapInfo File", "geojson": "GeoJSON", "dgn": "DGN",
           "fgb": "FlatGeobuf"}


@dataclass(frozen=True)
class SourceFile:
    """A file to ingest, with what GDAL says about it."""

    path: Path
    display: str
    fmt: str
    crs_wkt: str | None
    features: int
    fields: tuple[str, ...]


@dataclass
class Batch:
    """A chunk of features: raw attributes (Latin-1 strings or numbers) and source-grid geometries."""

    file: SourceFile
    row_no: np.ndarray
    attrs: dict[str, list]
    geom: np.ndarray
    unreadable: np.ndarray | None = None  # rows whose stored geometry could not be parsed (e.g. unclosed ring)

    def __len__(self) -> int:
        """Rows in the batch."""
        return len(self.row_no)


def discover(paths: list[Path]) -> list[Path]:
    """Files to read: folders are searched recursively; unknown formats and GDAL virtual paths are refused."""
    found: list[Path] = []
    for p in paths:
        text = str(p)
        if text.startswith("/vsi") or "://" in text:
            raise InputError("virtual or remote paths are not accepted", file=text, rule="source_path")
        if p.is_dir():
            found += sorted(f for f in p.rglob("*") if f.suffix.lower() in FORMATS and f.is_file()
                            and not f.is_symlink())
        elif p.is_file():
            if p.suffix.lower() not in FORMATS:
                raise InputError(f"unsupported format '{p.suffix}'; supported: {', '.join(sorted(FORMATS))}",
                                 file=text, rule="source_format")
            found.append(p)
        else:
            raise InputError("no such file or folder", file=text)
    if not found:
        raise InputError("no readable source files found", file=", ".join(map(str, paths)))
    return found


def inspect(path: Path, root: Path | None = None) -> SourceFile:
    """Open a file with its format's GDAL driver only and read its metadata."""
    fmt = FORMATS[path.suffix.lower()]
    display = str(path.relative_to(root)) if root and path.is_relative_to(root) else str(path)
    if fmt == "dgn":
        return SourceFile(path, display, fmt, None, -1, ())
    try:
        info = pyogrio.read_info(path, encoding="latin1")
    except Exception as exc:  # GDAL raises many types; the message names the file, not GDAL internals
        raise InputError(f"cannot be opened as {fmt} ({type(exc).__name__})", file=display,
                         internal=str(exc)) from exc
    if info.get("driver") != DRIVERS[fmt]:
        raise InputError(f"opened by driver {info.get('driver')!r}, expected {DRIVERS[fmt]!r}", file=display)
    return SourceFile(path, display, fmt, info.get("crs"), int(info.get("features", -1)),
                      tuple(info.get("fields", ())))


def read_batches(src: SourceFile, chunk_rows: int) -> Iterator[Batch]:
    """Stream a file as batches of at most chunk_rows features (GDAL Arrow stream: bounded memory)."""
    if src.fmt == "dgn":
        from ingest.famis import read_famis

        yield from read_famis(src)
        return
    if src.fmt in UTF8_FORMATS:
        yield from _arrow_batches(src, chunk_rows)
        return
    start = 0
    # MapInfo: GDAL converts from the declared !charset itself, so undo that to get the bytes back.
    encoding = None if src.fmt == "tab" else "latin1"
    while True:  # legacy formats: byte-transparent reads (Arrow refuses non-UTF-8 encodings)
        df = pyogrio.read_dataframe(src.path, encoding=encoding, skip_features=start, max_features=chunk_rows)
        if df.empty:
            return
        attrs = {c: df[c].astype(object).where(df[c].notna(), None).tolist() for c in df.columns if c != "geometry"}
        if src.fmt == "tab":
            attrs = {c: [_cp1252_bytes(v) if isinstance(v, str) else v for v in vals] for c, vals in attrs.items()}
        yield Batch(src, np.arange(start + 1, start + len(df) + 1), attrs, df.geometry.values.to_numpy())
        start += len(df)
        if len(df) < chunk_rows:
            return


def _cp1252_bytes(text: str) -> bytes:
    """Bytes of a value GDAL decoded as Windows-1252 (undefined bytes pass through as Latin-1)."""
    try:
        return text.encode("cp1252")
    except UnicodeEncodeError:
        return bytes(b for ch in text for b in (ch.encode("cp1252") if ord(ch) > 0xFF else bytes([ord(ch)])))


def _arrow_batches(src: SourceFile, chunk_rows: int) -> Iterator[Batch]:
    """UTF-8 formats through GDAL's Arrow stream; text handed on as UTF-8 bytes for per-value detection."""
    start = 1
    with pyogrio.open_arrow(src.path, batch_size=chunk_rows, use_pyarrow=True) as (meta, reader):
        geom_col = meta.get("geometry_name") or "wkb_geometry"
        for rb in reader:
            n = rb.num_rows
            attrs = {}
            for name in rb.schema.names:
                if name == geom_col:
                    continue
                values = rb.column(name).to_pylist()
                if pa.types.is_string(rb.schema.field(name).type) or pa.types.is_large_string(rb.schema.field(name).type):
                    values = [v.encode("utf-8") if v is not None else None for v in values]
                attrs[name] = values
            wkb = rb.column(geom_col).to_numpy(zero_copy_only=False)
            geoms = shapely.from_wkb(wkb, on_invalid="ignore")
            unreadable = np.array([w is not None for w in wkb]) & shapely.is_missing(geoms)
            yield Batch(src, np.arange(start, start + n), attrs, geoms, unreadable)
            start += n
