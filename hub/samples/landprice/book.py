"""A tiny deterministic XLSX writer over openpyxl: cells with fonts, merged ranges, then a zip with fixed dates.

openpyxl stamps the current time in docProps/core.xml and in every zip entry; both are pinned here so a rerun
gives the same bytes (the cadastre samples' rule).
"""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import openpyxl
from openpyxl.styles import Alignment, Font

ZIP_DATE = (2025, 12, 20, 0, 0, 0)
CORE_DATE = dt.datetime(2025, 12, 20, 0, 0, 0)


@dataclass
class SheetSpec:
    """A sheet to write: rows of values from A1, merged ranges, the font of its text cells, number formats."""

    name: str
    rows: list[list[object]] = field(default_factory=list)
    merged: list[str] = field(default_factory=list)
    font: str = "Times New Roman"
    formats: dict[str, str] = field(default_factory=dict)  # cell -> number format (e.g. "@" = text)
    hidden: bool = False


def write_book(path: Path, sheets: list[SheetSpec]) -> Path:
    """Write the sheets as one workbook with pinned timestamps."""
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for spec in sheets:
        ws = wb.create_sheet(spec.name)
        font = Font(name=spec.font, size=11)
        for r, values in enumerate(spec.rows, start=1):
            for c, value in enumerate(values, start=1):
                if value is None:
                    continue
                cell = ws.cell(row=r, column=c, value=value)
                if isinstance(value, str):
                    cell.font = font
                    cell.alignment = Alignment(wrap_text=True, vertical="center")
        for ref in spec.merged:
            ws.merge_cells(ref)
        for ref, fmt in spec.formats.items():
            ws[ref].number_format = fmt
        if spec.hidden:
            ws.sheet_state = "hidden"
    wb.properties.created = wb.properties.modified = CORE_DATE
    wb.properties.creator = "hub.samples"
    buf = io.BytesIO()
    wb.save(buf)
    path.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(io.BytesIO(buf.getvalue())) as src, \
            zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            pinned = zipfile.ZipInfo(info.filename, date_time=ZIP_DATE)
            pinned.compress_type = zipfile.ZIP_DEFLATED
            pinned.external_attr = 0o644 << 16
            data = src.read(info.filename)
            if info.filename == "docProps/core.xml":  # openpyxl sets `modified` to the time of saving
                data = re.sub(rb"(<dcterms:modified[^>]*>)[^<]*", rb"\g<1>" + CORE_DATE.isoformat().encode() + b"Z",
                              data)
            dst.writestr(pinned, data)
    return path
