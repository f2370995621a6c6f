"""Rule findings collected column-wise (row index arrays) and handed on column-wise: one Issue object per
rejected row (its quarantine record needs them), a table for meta.issue, and counts for the run's tally.

A file with a legacy code list can carry a finding on every row; per-finding Python objects, pickling and
row-by-row COPY would then cost more than the transform itself."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pyarrow as pa

from hub.catalog.models import Dataset
from ingest.core.issues import Issue, default_action, severity

# meta.issue columns a chunk fills (load_id, dataset_id and file are constant and added when encoding).
COLUMNS = {"row_no": pa.int64(), "feature_key": pa.string(), "field": pa.string(), "rule": pa.string(),
           "severity": pa.string(), "action": pa.string(), "message": pa.string(), "table_name": pa.string(),
           "location": pa.string()}


@dataclass
class Summary:
    """A chunk's findings: issues of rejected rows, every finding as a table, counts per rule, flagged rows."""

    bad: dict[int, list[Issue]]
    table: pa.Table
    counts: dict[str, list] = field(default_factory=dict)  # rule -> [severity, action, count]
    flagged: int = 0  # rows kept (not rejected) with at least one finding
    examples: dict[str, list[str]] = field(default_factory=dict)  # rule -> the first messages (where: message)


EXAMPLES = 2  # messages per rule the run summary shows


def constant(value: str | None, n: int) -> pa.Array:
    """A string column of n equal values (or nulls)."""
    return pa.nulls(n, pa.string()) if value is None else pa.nulls(n, pa.string()).fill_null(value)


class Findings:
    """Findings of one chunk: (rows, rule, message(s), field, action) entries, vectorised."""

    def __init__(self, ds: Dataset, file: str, row_no: np.ndarray, keys: Sequence[str | None] | pa.Array,
                 table: str | None = None, where: Sequence[str] | None = None) -> None:
        """Findings on the rows of one chunk of `table` (None: the primary); `where` locates rows in the file when
        a row number is not enough (a spreadsheet cell)."""
        self.ds, self.file, self.row_no, self.table = ds, file, row_no, table
        self.keys = keys if isinstance(keys, pa.Array) else pa.array(list(keys), pa.string())
        self.where = None if where is None else pa.array(list(where), pa.string())
        self.entries: list[tuple[np.ndarray, str, Any, str | None, str]] = []
        self.rejected = np.zeros(len(row_no), dtype=bool)

    def add(self, rows, rule: str, message: str | Sequence[str], field: str | None = None,
            action: str | None = None) -> None:
        """Record `rule` on `rows` (index array or mask); errors reject the rows unless an action is given."""
        rows = np.asarray(rows)
        if rows.dtype == bool:
            rows = np.flatnonzero(rows)
        if not len(rows):
            return
        act = action or default_action(self.ds, rule)
        if act == "rejected":
            self.rejected[rows] = True
        self.entries.append((rows.astype(np.int64), rule, message, field, act))

    def summary(self) -> Summary:
        """The chunk's findings, column-wise (rejected rows' issues also as objects)."""
        bad: dict[int, list[Issue]] = {}
        parts: list[pa.Table] = []
        counts: dict[str, list] = {}
        flagged = np.zeros(len(self.row_no), dtype=bool)
        examples: dict[str, list[str]] = {}
        for rows, rule, message, fld, act in self.entries:  # message: one str, or a sequence of str per row
            sev, n = severity(self.ds, rule), len(rows)
            per_row = not isinstance(message, str)
            shown = examples.setdefault(rule, [])
            for k in range(min(n, EXAMPLES - len(shown))):
                i = int(rows[k])
                where = self.where[i].as_py() if self.where is not None else f"row {int(self.row_no[i])}"
                shown.append(f"{self.file} {where}: {message[k] if per_row else message}")
            for k in np.flatnonzero(self.rejected[rows]).tolist():
                i = int(rows[k])
                bad.setdefault(i, []).append(Issue(
                    self.file, int(self.row_no[i]), rule, sev, act, message[k] if per_row else message, fld,
                    self.keys[i].as_py(), self.table, None if self.where is None else self.where[i].as_py()))
            flagged[rows] = True
            counts.setdefault(rule, [sev, act, 0])[2] += n
            parts.append(pa.table([pa.array(self.row_no[rows], pa.int64()), self.keys.take(rows), constant(fld, n),
                                   constant(rule, n), constant(sev, n), constant(act, n),
                                   pa.array(list(message), pa.string()) if per_row else constant(message, n),
                                   constant(self.table, n),
                                   constant(None, n) if self.where is None else self.where.take(rows)],
                                  names=list(COLUMNS)))
        table = pa.concat_tables(parts) if parts else pa.schema(COLUMNS).empty_table()
        return Summary(bad, table, counts, int((flagged & ~self.rejected).sum()), examples)
