"""A price annex (XLSX or its CSV export) -> price rows, findings, the act, and a report per sheet.

Sheets are read in workbook order; a sheet no layout covers and the recogniser cannot place refuses the file
(SchemaViolation naming each such sheet and the headers found): loading the other sheets alone would publish
a table with a hole nobody sees.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pyarrow as pa

from hub.errors import SchemaViolation
from ingest.families.landprice.decision import DecisionText, read_decision
from ingest.families.landprice.options import LandPriceOptions
from ingest.families.landprice.records import Finding, Hits, Records
from ingest.families.landprice.sheet import SheetReader, SheetReport
from ingest.sources.tabular import Table, open_table


@dataclass
class Extracted:
    """Everything read from one file."""

    file: str
    rows: pa.Table
    findings: list[Finding]
    sheets: list[SheetReport]
    decision: DecisionText
    notes: list[str] = field(default_factory=list)

    def report(self) -> list[str]:
        """Per-sheet lines for the user (which layout was recognised, what was skipped)."""
        return [s.describe() for s in self.sheets] + self.notes


def read_table(table: Table, options: LandPriceOptions) -> Extracted:
    """Read every sheet of an opened table; refuse the file if a sheet cannot be placed."""
    records, hits = Records(), Hits()
    reports = [SheetReader(table, name, options, records, hits).read() for name in table.sheet_names]
    refused = [r for r in reports if r.status == "refused"]
    if refused:
        detail = "; ".join(f"sheet '{r.sheet}': {r.reason}; headers found: "
                           f"{' | '.join(r.headers_found) or '(none)'}" for r in refused)
        raise SchemaViolation(f"cannot place {len(refused)} sheet(s) in a land-price layout: {detail}. Add a "
                              "layout for it to the catalog entry or list it in skip_sheets",
                              file=table.display, rule="layout_unrecognised")
    if not any(r.status == "read" for r in reports):
        raise SchemaViolation("no sheet holds a price table", file=table.display, rule="layout_unrecognised")
    lines = [(f"{r.sheet}!{w}", t) for r in reports for w, t in r.titles + r.footnotes]
    decision = read_decision(lines)
    notes = []
    if (m := decision.mismatch()):
        notes.append(m)
    return Extracted(table.display, records.table(), hits.findings(), reports, decision, notes)


def read_file(path: Path, options: LandPriceOptions, display: str | None = None) -> Extracted:
    """Open (with the tabular readers' checks) and read one file."""
    with open_table(path, display) as table:
        return read_table(table, options)
