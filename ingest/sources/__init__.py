"""Extract: find source files, identify their format and CRS, and stream features in chunks.

Text is read Latin-1 (byte-transparent) whatever the file claims: `.cpg`, DBF LDID and MapInfo `!charset`
routinely lie about TCVN3/VNI content (domain spec §7.1), so decoding is a later, per-value step.
"""

from __future__ import annotations

import json
import mmap
import os
import re
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyogrio
import pyogrio.errors
import shapely

from hub.errors import InputError
from ingest.core.batch import UTF8_FORMATS, Batch, SourceFile

__all__ = ["Batch", "SourceFile", "arrow_chunks", "discover", "from_arrow", "inspect", "read_batches"]

FORMATS = {".gpkg": "gpkg", ".shp": "shp", ".tab": "tab", ".geojson": "geojson", ".json": "geojson",
           ".dgn": "dgn", ".fgb": "fgb"}
# GDAL drivers the hub opens (no VRT, no network, no archives handled by GDAL itself: security case I02).
DRIVERS = {"gpkg": "GPKG", "shp": "ESRI Shapefile", "tab": "MapInfo File", "geojson": "GeoJSON", "dgn": "DGN",
           "fgb": "FlatGeobuf"}


def discover(paths: list[Path], extra: dict[str, str] | None = None) -> list[Path]:
    """Files to read: folders are searched recursively; archives, VRTs, GDAL virtual paths and links out are refused.

    Security cases I01/I02: nothing but the allowlisted formats is ever handed to GDAL, no path GDAL would
    reinterpret (`/vsi…`, `scheme://`, `a.zip!b`, `a;b`) is accepted, and a symbolic link inside a folder that
    leads outside it (or a shapefile/MapInfo sidecar that is a link out or not a regular file) refuses the run
    before any byte is read.
    """
    found: list[Path] = []
    for p in paths:
        text = str(p)
        _check_remote(text)
        if p.is_dir():
            found += _walk(p, extra)
        elif p.is_file():
            _check_suffix(p, text, extra)
            found.append(p)
        else:
            raise InputError("no such file or folder", file=text)
    if not found:
        raise InputError("no readable source files found", file=", ".join(map(str, paths)))
    for f in found:
        _check_path_text(str(f))
        _check_path_text(str(f.resolve()))
        _check_sidecars(f)
    return found


ARCHIVES = (".zip", ".kmz", ".7z", ".rar", ".tar", ".tgz", ".tbz2", ".txz", ".gz", ".bz2", ".xz", ".zst", ".lz4",
            ".z", ".cab", ".arj", ".lzh", ".iso")
VIRTUAL = (".vrt", ".ovf", ".xodr")  # GDAL files that name other files or URLs
_VSI_PREFIX = re.compile(r"^/+vsi", re.IGNORECASE)
_SCHEME = re.compile(r"^[a-z][a-z0-9+.-]+:/", re.IGNORECASE)  # a URL, also once Path() folded '//' into '/'


def _gdal_view(text: str) -> str:
    """The path string pyogrio hands to GDAL for `text` (it rewrites `a.zip!b`, `a;b`, `zip:`, `https://`)."""
    try:
        from pyogrio.util import vsi_path
    except ImportError:  # pragma: no cover - pyogrio moved it: fall back to refusing every special character
        return text if not re.search(r"[!;]|^[a-z][a-z0-9+.-]*:", text, re.IGNORECASE) else ""
    return vsi_path(text)


def _check_remote(text: str) -> None:
    """Refuse GDAL virtual file systems (/vsicurl/, /vsizip/, …, any case) and URLs."""
    if _VSI_PREFIX.match(text) or _SCHEME.match(text) or "://" in text:
        raise InputError("virtual or remote paths (/vsi…, URLs) are not accepted", file=text, rule="source_path")


def _check_path_text(text: str) -> None:
    """Refuse a path GDAL (or pyogrio before it) would not read as a plain local file."""
    _check_remote(text)
    if _gdal_view(text) != text:
        raise InputError("the path contains characters GDAL reads as an archive or URL part ('!', ';', "
                         "'scheme:'); rename the file or folder", file=text, rule="source_path")


def _check_suffix(p: Path, text: str, extra: dict[str, str] | None = None) -> None:
    """An explicitly named file must be of an allowlisted format; archives and VRTs get their own message."""
    name = p.name.lower()
    if name.endswith(ARCHIVES):
        raise InputError("archives are not accepted (zip-slip, zip bombs, nested archives): extract it with a "
                         "trusted tool and pass the folder", file=text, rule="source_archive")
    if name.endswith(VIRTUAL):
        raise InputError("GDAL virtual files (.vrt) are not accepted: they can read other files or URLs",
                         file=text, rule="source_format")
    known = {**FORMATS, **(extra or {})}
    if p.suffix.lower() not in known:
        raise InputError(f"unsupported format '{p.suffix}'; supported: {', '.join(sorted(known))}",
                         file=text, rule="source_format")


def _outside(link: Path, root: Path) -> bool:
    """Whether a symbolic link leads outside root (dangling links are resolved as far as they go)."""
    return not link.resolve().is_relative_to(root)


def _walk(folder: Path, extra: dict[str, str] | None = None) -> list[Path]:
    """Source files under folder, sorted; links leading outside refuse the run, links inside are skipped."""
    root = folder.resolve()
    out: list[Path] = []
    for dirpath, dirnames, filenames in os.walk(folder, followlinks=False):
        here = Path(dirpath)
        for name in sorted(dirnames + filenames):
            f = here / name
            if f.is_symlink():
                if _outside(f, root):
                    raise InputError(f"symbolic link pointing outside the input folder ({f.resolve()}); "
                                     "copy the file in or pass its target explicitly", file=str(f),
                                     rule="source_symlink")
                continue  # a link to a file in the folder: the file itself is read
            lower = name.lower()
            if name in dirnames:
                continue
            if lower.endswith(ARCHIVES) or lower.endswith(VIRTUAL):
                _check_suffix(f, str(f))
            if (f.suffix.lower() in FORMATS or f.suffix.lower() in (extra or {})) and f.is_file():
                out.append(f)
    return sorted(out)


def _check_sidecars(f: Path) -> None:
    """Shapefile/MapInfo parts read with the main file (same stem) must be regular files inside its folder."""
    if f.suffix.lower() not in (".shp", ".tab"):
        return
    real = f.resolve()
    folder = real.parent
    for part in folder.glob(real.stem + ".*"):  # the same parts ingest.core.run hashes and GDAL opens
        if part.is_symlink() and _outside(part, folder):
            raise InputError(f"part '{part.name}' is a symbolic link pointing outside the folder",
                             file=str(f), rule="source_symlink")
        if not part.resolve().is_file():
            raise InputError(f"part '{part.name}' is not a regular file", file=str(f), rule="source_path")


_MAGIC_TEXT = 65536


def _sniff(path: Path, fmt: str, display: str) -> None:
    """Check the file's leading bytes are its format's, so GDAL never probes another driver (VRT, …) on it."""
    try:
        with open(path, "rb") as fh:
            head = fh.read(_MAGIC_TEXT)
    except OSError as exc:
        raise InputError("cannot be read", file=display, internal=str(exc)) from exc
    ok = {
        "gpkg": head.startswith(b"SQLite format 3\x00"),
        "shp": head[:4] == b"\x00\x00\x27\x0a",
        "fgb": head.startswith(b"fgb\x03"),
        "dgn": len(head) >= 4 and ((head[0] in (0x08, 0xC8) and head[1:4] == b"\x09\xfe\x02")
                                   or head[:4] == b"\x08\x05\x17\x00"),
        "geojson": head.removeprefix(b"\xef\xbb\xbf").lstrip(b" \t\r\n").startswith(b"{"),
        "tab": re.match(rb"\s*!table\b", head, re.IGNORECASE) is not None,
    }[fmt]
    if not ok:
        raise InputError(f"the content is not {fmt} (wrong extension, or a file of another kind renamed)",
                         file=display, rule="source_format")
    if fmt == "tab":
        lower = head.lower()
        if (re.search(rb"\btype\s+native\b", lower) is None or b"create view" in lower
                or b"isseamless" in lower):
            raise InputError("only native MapInfo tables are accepted (views, seamless and linked tables read "
                             "other files)", file=display, rule="source_format")
    if fmt == "geojson":
        _check_geojson_crs(path, display)


# A "crs" member (GDAL matches member names case-insensitively, JSON allows \uXXXX escapes in names).
_CRS_KEY = re.compile(rb'"(?:c|\\u0043|\\u0063)(?:r|\\u0052|\\u0072)(?:s|\\u0053|\\u0073)"\s*:', re.IGNORECASE)


_URL = re.compile(r"[a-z][a-z0-9+.-]*://[^\"\\\s]*")
_OGC_CRS_URI = re.compile(r"^https?://www\.opengis\.net/def/crs/[a-z0-9]+/[0-9.]+/[0-9a-z]+$")  # resolved offline


def _check_geojson_crs(path: Path, display: str) -> None:
    """Refuse a GeoJSON whose `crs` members GDAL would fetch over the network (type link/url, any URL)."""
    if path.stat().st_size == 0:
        return
    with open(path, "rb") as fh, mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ) as mm:
        for m in _CRS_KEY.finditer(mm):
            text = mm[m.end():m.end() + _MAGIC_TEXT].decode("utf-8", errors="replace")
            try:
                value, _ = json.JSONDecoder().raw_decode(text.lstrip())
            except ValueError:
                value = text  # unparsable here: judge the raw text
            flat = json.dumps(value, ensure_ascii=False).lower()
            kind = str(value.get("type", "")).lower() if isinstance(value, dict) else ""
            urls = [u for u in _URL.findall(flat) if not _OGC_CRS_URI.match(u)]
            if kind in ("link", "url") or urls or "href" in flat:
                raise InputError("the GeoJSON 'crs' member refers to a link or URL (GDAL would fetch it); "
                                 "remove it and pass --crs", file=display, rule="source_crs_link")


def inspect(path: Path, root: Path | None = None, ds=None) -> SourceFile:
    """Open a file with its format's reader only (GDAL's driver for vector formats) and read its metadata."""
    from ingest.sources import registry

    display = str(path.relative_to(root)) if root and path.is_relative_to(root) else str(path)
    _check_path_text(str(path))
    fmt = FORMATS.get(path.suffix.lower()) or registry.suffix_formats(ds).get(path.suffix.lower())
    if fmt is None:
        raise InputError(f"unsupported format '{path.suffix}'", file=display, rule="source_format")
    other = registry.reader(fmt, ds)
    if other is not None:
        return registry.call_inspect(other, path, display, ds)
    if fmt not in DRIVERS:
        raise InputError(f"no reader for format {fmt}", file=display, rule="source_format")
    _sniff(path, fmt, display)
    try:
        info = pyogrio.read_info(path, encoding="latin1")
    except pyogrio.errors.CRSError as exc:  # a truncated .prj: read without it; the CRS decision says why
        shadow = _without_prj(path)
        if shadow is None:
            raise InputError(f"cannot be opened as {fmt} (its CRS definition is unreadable)", file=display,
                             internal=str(exc)) from exc
        info = pyogrio.read_info(shadow / path.name, encoding="latin1")
        return SourceFile(path, display, fmt, None, int(info.get("features", -1)), tuple(info.get("fields", ())),
                          crs_error=str(exc) or "unparseable WKT", shadow=shadow)
    except Exception as exc:  # GDAL raises many types; the message names the file, not GDAL internals
        raise InputError(f"cannot be opened as {fmt} ({type(exc).__name__})", file=display,
                         internal=str(exc)) from exc
    if info.get("driver") != DRIVERS[fmt]:
        raise InputError(f"opened by driver {info.get('driver')!r}, expected {DRIVERS[fmt]!r}", file=display)
    return SourceFile(path, display, fmt, info.get("crs"), int(info.get("features", -1)),
                      tuple(info.get("fields", ())))


def inspect_sequential(path: Path, display: str) -> SourceFile:
    """A vector file read front to back by its family's reader (Famis DGN): checked by its magic bytes only, its
    size in features known once read."""
    fmt = FORMATS[path.suffix.lower()]
    _sniff(path, fmt, display)
    return SourceFile(path, display, fmt, None, -1, ())


_SHADOWS: list[Path] = []


def _without_prj(path: Path) -> Path | None:
    """A private folder of links to a shapefile's parts without its .prj (GDAL refuses the whole file when the
    .prj does not parse; the CRS then comes from --crs or the catalog). None for other formats."""
    import atexit
    import shutil
    import tempfile

    if path.suffix.lower() != ".shp" or not path.with_suffix(".prj").exists():
        return None
    folder = Path(tempfile.mkdtemp(prefix="hub-noprj-"))
    if not _SHADOWS:
        atexit.register(lambda: [shutil.rmtree(p, ignore_errors=True) for p in _SHADOWS])
    _SHADOWS.append(folder)
    for part in path.parent.glob(path.stem + ".*"):
        if part.suffix.lower() != ".prj":
            (folder / part.name).symlink_to(part.resolve())
    return folder


def inspect_all(files: list[Path], root: Path | None, ds) -> list[SourceFile]:
    """Describe every file of a run with the dataset's readers; formats it does not accept are refused."""
    from ingest.sources import registry

    out = []
    for f in files:
        src = inspect(f.resolve(), root, ds)
        registry.check_format(src, ds)
        out.append(src)
    return out


def sequential(src: SourceFile, ds=None) -> bool:
    """Whether a file is read front to back in the parent (no random access: DGN, CSV, XLSX, station files)."""
    from ingest.sources import registry

    if src.fmt == "dgn" or src.features < 0:
        return True
    other = registry.reader(src.fmt, ds)
    return other is not None and other.sequential


def read_batches(src: SourceFile, chunk_rows: int, ds=None) -> Iterator[Batch]:
    """Stream a file as batches of at most chunk_rows features (bounded memory), with its dataset's reader."""
    from ingest.sources import registry

    other = registry.reader(src.fmt, ds)
    if other is not None:
        yield from registry.call_read(other, src, chunk_rows, ds)
        return
    if src.fmt in UTF8_FORMATS:
        for rb, geom_col, start in arrow_chunks(src, chunk_rows):
            yield from_arrow(src, rb, geom_col, start)
        return
    start = 0
    while True:
        batch = _legacy_range(src, start, chunk_rows)
        if not len(batch):
            return
        yield batch
        start += len(batch)
        if len(batch) < chunk_rows:
            return


def read_range(src: SourceFile, start: int, count: int) -> Batch:
    """Features start+1 .. start+count of a legacy-format file (row numbers as read_batches gives them)."""
    return _legacy_range(src, start, count)


def _legacy_range(src: SourceFile, start: int, count: int) -> Batch:
    """Legacy formats read byte-transparently (Arrow refuses non-UTF-8 encodings); MapInfo text is re-encoded to
    the bytes GDAL decoded from its declared !charset."""
    encoding = None if src.fmt == "tab" else "latin1"
    df = pyogrio.read_dataframe(src.read_path, encoding=encoding, skip_features=start, max_features=count)
    attrs = {c: df[c].astype(object).where(df[c].notna(), None).tolist() for c in df.columns if c != "geometry"}
    if src.fmt == "tab":
        attrs = {c: [_cp1252_bytes(v) if isinstance(v, str) else v for v in vals] for c, vals in attrs.items()}
    return Batch(src, np.arange(start + 1, start + len(df) + 1), attrs, df.geometry.values.to_numpy())


def _cp1252_bytes(text: str) -> bytes:
    """Bytes of a value GDAL decoded as Windows-1252 (undefined bytes pass through as Latin-1)."""
    try:
        return text.encode("cp1252")
    except UnicodeEncodeError:
        return bytes(b for ch in text for b in (ch.encode("cp1252") if ord(ch) > 0xFF else bytes([ord(ch)])))


def arrow_chunks(src: SourceFile, chunk_rows: int) -> Iterator[tuple[pa.RecordBatch, str, int]]:
    """(record batch, geometry column, first row number) of a UTF-8 format, read sequentially (GDAL Arrow stream).

    Reading is cheap next to the transform, so the parent reads and the workers transform: skipping to an offset
    would cost a scan per chunk in several drivers."""
    with pyogrio.open_arrow(src.read_path, batch_size=chunk_rows, use_pyarrow=True) as (meta, reader):
        geom_col = meta.get("geometry_name") or "wkb_geometry"
        start = 1
        for rb in reader:
            yield rb, geom_col, start
            start += rb.num_rows


def from_arrow(src: SourceFile, rb: pa.RecordBatch, geom_col: str, start: int) -> Batch:
    """A batch from an Arrow record batch: attributes stay Arrow arrays (decoded column-wise later)."""
    attrs = {name: rb.column(name) for name in rb.schema.names if name != geom_col}
    wkb = rb.column(geom_col).to_numpy(zero_copy_only=False)
    geoms = shapely.from_wkb(wkb, on_invalid="ignore")
    present = ~pc.is_null(rb.column(geom_col)).to_numpy(zero_copy_only=False)
    return Batch(src, np.arange(start, start + rb.num_rows), attrs, geoms, present & shapely.is_missing(geoms))
