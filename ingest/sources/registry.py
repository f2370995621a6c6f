"""Readers by source format: the generic ones (GDAL for vector formats; families and the tabular readers add
theirs), and a family's overrides (spec.readers), loaded lazily by dotted path."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from hub.catalog.families import load_object, spec
from hub.catalog.models import Dataset
from hub.errors import InputError
from ingest.core.batch import Batch, SourceFile


@dataclass(frozen=True)
class Reader:
    """How one source format is found, described and read.

    `inspect(path, display) -> SourceFile` checks the content is the format's and describes it; `read(src,
    chunk_rows) -> Iterator[Batch]` streams it; `sequential` readers run in the parent (no random access).
    `dataset` readers also get the catalog entry (`ds=`): a layout that is catalog data (TT 10/2021's vendor
    layouts), or one format that means different things per dataset (a station list or a lab export, both CSV)."""

    suffixes: tuple[str, ...]
    inspect: str  # "module:function"
    read: str  # "module:function"
    sequential: bool = True
    dataset: bool = False


READERS: dict[str, Reader] = {
    "csv": Reader((".csv",), "ingest.sources.tabular:inspect_csv", "ingest.sources.tabular:read_csv"),
    "xlsx": Reader((".xlsx",), "ingest.sources.tabular:inspect_xlsx", "ingest.sources.tabular:read_xlsx"),
}


def reader(fmt: str, ds: Dataset | None) -> Reader | None:
    """The reader of a format for a dataset: the family's override, else the generic one (None: GDAL's)."""
    if ds is not None:
        dotted = spec(ds.family).readers.get(fmt)
        if dotted:
            got = load_object(dotted)
            if not isinstance(got, Reader):
                raise TypeError(f"{dotted} is not a Reader")
            return got
    return READERS.get(fmt)


def suffix_formats(ds: Dataset | None) -> dict[str, str]:
    """File suffix -> format of every non-GDAL reader a dataset may use."""
    out = {s: fmt for fmt, r in READERS.items() for s in r.suffixes}
    if ds is not None:
        for fmt in spec(ds.family).readers:
            r = reader(fmt, ds)
            if r is not None:
                out.update({s: fmt for s in r.suffixes})
    return out


def call_inspect(r: Reader, path: Path, display: str, ds: Dataset | None = None) -> SourceFile:
    """Describe a file with its reader (errors name the file)."""
    fn: Callable[..., SourceFile] = load_object(r.inspect)  # type: ignore[assignment]
    return fn(path, display, ds=ds) if r.dataset else fn(path, display)


def call_read(r: Reader, src: SourceFile, chunk_rows: int, ds: Dataset | None = None) -> Iterator[Batch]:
    """Stream a file with its reader."""
    fn: Callable[..., Iterator[Batch]] = load_object(r.read)  # type: ignore[assignment]
    return fn(src, chunk_rows, ds=ds) if r.dataset else fn(src, chunk_rows)


def check_format(src: SourceFile, ds: Dataset) -> None:
    """A file of a format the dataset does not accept is refused before anything is read (Source.formats)."""
    if src.fmt not in ds.source.formats:
        raise InputError(f"format {src.fmt} is not accepted by dataset '{ds.id}' (accepted: "
                         f"{', '.join(ds.source.formats)}); pass only its files", file=src.display,
                         rule="source_format")
