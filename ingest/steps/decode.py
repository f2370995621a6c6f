"""Text columns from any reader: legacy encodings decided per value (TCVN3, VNI, CP1258, NFD, double-encoded
UTF-8; domain §7.1), NFC, stripped, empty text as NULL; the unusual decisions kept for provenance."""

from __future__ import annotations

import pyarrow as pa

from hub.catalog.models import TableRef
from hub.text import columns as text_columns
from ingest.core.batch import UTF8_FORMATS, Batch
from ingest.core.findings import Findings


def columns(batch: Batch, table: TableRef, mapping: dict[str, str],
            encoding: str) -> tuple[dict[str, object], dict[str, dict]]:
    """Catalog columns from the mapped source fields: text decoded, other columns as read (an Arrow array, or a
    list of a legacy format's values); and the per-row decoding decisions that were not plain ASCII/UTF-8."""
    cols: dict[str, object] = {}
    enc: dict[str, dict] = {}
    utf8 = batch.file.fmt in UTF8_FORMATS and encoding in ("auto", "utf-8")
    for col, src in mapping.items():
        values = batch.attrs[src]
        is_text = table.column(col).type == "text"
        if isinstance(values, pa.ChunkedArray):
            values = values.combine_chunks()
        if isinstance(values, pa.Array):
            if not is_text:
                cols[col] = values
                continue
            if not (pa.types.is_string(values.type) or pa.types.is_large_string(values.type)):
                values = values.cast(pa.string())
            tc = text_columns.from_arrow_utf8(values) if utf8 else text_columns.from_values(
                [None if v is None else v.encode("utf-8") for v in values.to_pylist()], encoding)
        elif is_text and any(isinstance(v, (str, bytes)) for v in values):
            tc = text_columns.from_values(
                [v if v is None or isinstance(v, (str, bytes)) else str(v) for v in values], encoding)
        elif is_text:  # numbers (or nothing) in a text column
            cols[col] = pa.array([None if v is None else str(int(v)) if isinstance(v, float) and v.is_integer()
                                  else str(v) for v in values], pa.string())
            continue
        else:
            cols[col] = list(values)
            continue
        cols[col], enc[col] = tc.text, tc.special
    return cols, enc


def encoding_rules(f: Findings, enc: dict[str, dict], mapping: dict[str, str]) -> None:
    """encoding_uncertain where detection is unsure, and where double-encoded UTF-8 was repaired."""
    for col, special in enc.items():
        unsure = [i for i, d in special.items() if "encoding_uncertain" in d.flags or "encoding_hint_mismatch" in d.flags]
        if unsure:
            f.add(unsure, "encoding_uncertain",
                  [f"text decoded as {special[i].encoding} with confidence {special[i].confidence:.2f}"
                   for i in unsure], mapping[col])
        doubled = [i for i, d in special.items() if d.encoding == "utf-8-double" and not d.flags]
        if doubled:
            f.add(doubled, "encoding_uncertain", "double-encoded UTF-8 repaired (UTF-8 bytes once read as CP1252)",
                  mapping[col])
