"""Normalised price rows, column-wise, and rule findings on row-index arrays (the shape of ingest.core.findings).

One row per price cell of the annex (plus rows a stated rule derives: TMD at 80 % of the residential price, VT2
at 0.5 × VT1), each with the raw cell text, its sheet and address and the unit multiplier applied; prices are
Arrow int64 đồng/m², never floats.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

import numpy as np
import pyarrow as pa

SCHEMA = pa.schema([
    ("sheet", pa.string()), ("cell", pa.string()), ("row_no", pa.int32()), ("layout", pa.string()),
    ("land_use_code", pa.string()), ("land_type", pa.string()), ("area", pa.string()), ("commune", pa.string()),
    ("former_province", pa.string()), ("former_province_name", pa.string()),
    ("road", pa.string()), ("road_key", pa.string()), ("road_code", pa.string()), ("segment_code", pa.string()),
    ("segment_from", pa.string()), ("segment_to", pa.string()), ("segment_text", pa.string()),
    ("segment_key", pa.string()), ("position", pa.string()),
    ("price_vnd", pa.int64()), ("raw_text", pa.string()), ("unit_multiplier", pa.int32()),
    ("unit_source", pa.string()), ("derived_from", pa.string()), ("coefficient", pa.string()),
    ("note", pa.string()), ("year", pa.int16()),
])
FIELDS = tuple(SCHEMA.names)


@dataclass
class Finding:
    """A rule's hits: row indices into the records, one message or one per row, the field it concerns."""

    rule: str
    rows: np.ndarray
    message: str | list[str]
    field: str | None = None

    def messages(self) -> list[str]:
        """One message per hit row."""
        return list(self.message) if not isinstance(self.message, str) else [self.message] * len(self.rows)


@dataclass
class Records:
    """Price rows being built: one list per field; `value` keeps the sheet-unit Decimal until the unit is known."""

    cols: dict[str, list] = field(default_factory=lambda: {f: [] for f in FIELDS})
    value: list[Decimal | None] = field(default_factory=list)

    def __len__(self) -> int:
        """Rows so far."""
        return len(self.value)

    def add(self, value: Decimal | None, **fields: object) -> int:
        """Append a row (missing fields null); returns its index."""
        for name in FIELDS:
            self.cols[name].append(fields.get(name))
        self.value.append(value)
        return len(self.value) - 1

    def table(self) -> pa.Table:
        """The rows as an Arrow table of SCHEMA."""
        return pa.table({f: pa.array(self.cols[f], SCHEMA.field(f).type) for f in FIELDS}, schema=SCHEMA)


class Hits:
    """Findings under construction: rule -> (row indices, messages), turned into `Finding`s at the end."""

    def __init__(self) -> None:
        self._rows: dict[tuple[str, str | None], list[int]] = {}
        self._msgs: dict[tuple[str, str | None], list[str]] = {}

    def add(self, rule: str, row: int, message: str, field: str | None = None) -> None:
        """One hit."""
        key = (rule, field)
        self._rows.setdefault(key, []).append(row)
        self._msgs.setdefault(key, []).append(message)

    def findings(self) -> list[Finding]:
        """The hits per rule and field."""
        return [Finding(rule, np.asarray(rows, dtype=np.int64), self._msgs[(rule, fld)], fld)
                for (rule, fld), rows in self._rows.items()]
