"""CSV exports of spreadsheets, streamed: encoding by byte-order mark only, delimiter sniffed, text left raw.

Without a BOM a file is read Latin-1 (byte-transparent), so UTF-8, TCVN3, VNI and CP1258 values of one file are
each decided later by `hub.text` (domain §7.1: mixed files are common; Excel's "CSV" export writes the ANSI code
page, "CSV UTF-8" a BOM, "Unicode text" UTF-16 with tabs). No value is typed here: `15.000.000` stays text
for the family to read with its field's semantics (§7.3).
"""

from __future__ import annotations

import codecs
import csv
import io
from collections.abc import Iterator
from pathlib import Path

from hub.errors import InputError
from ingest.sources.tabular.cells import Row, Value

_SNIFF_BYTES = 64 * 1024
_DELIMITERS = ",;\t|"
_BINARY_MAGIC = (b"PK\x03\x04", b"\xd0\xcf\x11\xe0", b"%PDF", b"\x7fELF", b"SQLite format 3", b"\x1f\x8b")
MAX_FIELD_CHARS = 1 << 20  # a cell of a price table is a few hundred characters; a megabyte means a broken file


def _encoding(head: bytes) -> tuple[str, int]:
    """(Python codec, BOM length) from the byte-order mark; latin-1 without one."""
    for bom, enc in ((codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16-le"),
                     (codecs.BOM_UTF16_BE, "utf-16-be")):
        if head.startswith(bom):
            return enc, len(bom)
    return "latin-1", 0


def _delimiter(sample: str, display: str) -> str:
    """The delimiter: csv.Sniffer among , ; TAB |, else the one most frequent on the first line."""
    try:
        return csv.Sniffer().sniff(sample, delimiters=_DELIMITERS).delimiter
    except csv.Error:
        first = sample.splitlines()[0] if sample else ""
        counts = {d: first.count(d) for d in _DELIMITERS}
        best = max(counts, key=counts.__getitem__)
        if not counts[best] and first.strip():
            return ","  # a single-column file
        return best


class CsvTable:
    """One CSV file as one sheet (named after the file); row numbers are CSV records, 1-based, as a spreadsheet
    shows them when it opens the file."""

    def __init__(self, path: Path, display: str | None = None, delimiter: str | None = None) -> None:
        self.path, self.display = path, display or str(path)
        try:
            with open(path, "rb") as fh:
                head = fh.read(_SNIFF_BYTES)
        except OSError as exc:
            raise InputError("cannot be read", file=self.display, internal=str(exc)) from exc
        if head.startswith(_BINARY_MAGIC):
            raise InputError("the content is not CSV text (a workbook, archive or other binary file renamed)",
                             file=self.display, rule="source_format")
        self.encoding, self._skip = _encoding(head)
        body = head[self._skip:]
        if self.encoding == "latin-1" and b"\x00" in body:
            raise InputError("the content is not CSV text (NUL bytes; UTF-16 without a byte-order mark?)",
                             file=self.display, rule="source_format")
        sample = body.decode(self.encoding, errors="replace")
        self.delimiter = delimiter or _delimiter(sample, self.display)
        self.sheet = path.stem

    @property
    def sheet_names(self) -> list[str]:
        """The single pseudo-sheet."""
        return [self.sheet]

    def rows(self, sheet: str | None = None, fill_merged: bool = False) -> Iterator[Row]:
        """Every record as a Row of raw strings (None for empty fields); a malformed record names its row."""
        csv.field_size_limit(MAX_FIELD_CHARS)
        # UTF-8 is split byte-transparently and checked per record, so a bad byte is reported at its row;
        # UTF-16 cannot be split that way (NUL bytes) and is decoded as a stream.
        stream_enc = "latin-1" if self.encoding == "utf-8" else self.encoding
        with open(self.path, "rb") as raw:
            raw.seek(self._skip)
            text = io.TextIOWrapper(raw, encoding=stream_enc, errors="strict", newline="")
            reader = csv.reader(text, delimiter=self.delimiter)
            n = 0
            try:
                for n, record in enumerate(reader, start=1):
                    if self.encoding == "utf-8":
                        record = [v.encode("latin-1").decode("utf-8") for v in record]
                    values: list[Value] = [v if v != "" else None for v in record]
                    while values and values[-1] is None:
                        values.pop()
                    yield Row(n, values)
            except csv.Error as exc:
                raise InputError(f"malformed CSV record ({exc})", file=self.display, row=n + 1,
                                 rule="source_format") from exc
            except UnicodeDecodeError as exc:
                raise InputError(f"the text is not valid {self.encoding} although its byte-order mark says so",
                                 file=self.display, row=(n if self.encoding == "utf-8" else n + 1) or 1,
                                 rule="source_encoding") from exc

    def merged(self, sheet: str | None = None) -> list:
        """CSV has no merged cells."""
        return []

    def state(self, sheet: str | None = None) -> str:
        """Always visible."""
        return "visible"

    def close(self) -> None:
        """Nothing stays open between reads."""

    def __enter__(self) -> CsvTable:
        """For symmetry with Workbook."""
        return self

    def __exit__(self, *exc: object) -> None:
        """Nothing to release."""
