"""Readers marked `dataset=True` get the catalog entry (a layout that is catalog data); others are called as before."""

from __future__ import annotations

from pathlib import Path

from ingest.core.batch import SourceFile
from ingest.sources import registry

SEEN: list = []


def inspect_with(path: Path, display: str, ds=None) -> SourceFile:
    """Records the entry it was given."""
    SEEN.append(("inspect", ds))
    return SourceFile(path, display, "csv", None, -1, ())


def read_with(src: SourceFile, chunk_rows: int, ds=None):
    """Records the entry it was given."""
    SEEN.append(("read", ds))
    return iter(())


def inspect_plain(path: Path, display: str) -> SourceFile:
    """Takes no entry (a generic reader)."""
    return SourceFile(path, display, "csv", None, -1, ())


def test_dataset_readers_get_the_entry(tmp_path):
    SEEN.clear()
    entry = object()
    r = registry.Reader((".csv",), f"{__name__}:inspect_with", f"{__name__}:read_with", dataset=True)
    src = registry.call_inspect(r, tmp_path / "a.csv", "a.csv", entry)
    assert list(registry.call_read(r, src, 10, entry)) == []
    assert SEEN == [("inspect", entry), ("read", entry)]
    plain = registry.Reader((".csv",), f"{__name__}:inspect_plain", f"{__name__}:read_with")
    assert registry.call_inspect(plain, tmp_path / "b.csv", "b.csv", entry).display == "b.csv"
