"""Rule findings collected column-wise (row index arrays), turned into Issue objects once per chunk."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from hub.catalog.models import Dataset
from ingest.issues import Issue, default_action, severity


class Findings:
    """Findings of one chunk: (rows, rule, message(s), field, action) entries, vectorised."""

    def __init__(self, ds: Dataset, file: str, row_no: np.ndarray, keys: Sequence[str | None]) -> None:
        self.ds, self.file, self.row_no, self.keys = ds, file, row_no, keys
        self.entries: list[tuple[np.ndarray, str, object, str | None, str]] = []
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
        self.entries.append((rows, rule, message, field, act))

    def issues(self) -> tuple[dict[int, list[Issue]], list[Issue]]:
        """(rejected row -> its issues, issues of rows that are kept)."""
        bad: dict[int, list[Issue]] = {}
        kept: list[Issue] = []
        for rows, rule, message, field, act in self.entries:
            sev = severity(self.ds, rule)
            per_row = not isinstance(message, str)
            for k, i in enumerate(rows.tolist()):
                it = Issue(self.file, int(self.row_no[i]), rule, sev, act, message[k] if per_row else message,
                           field, self.keys[i])
                if self.rejected[i]:
                    bad.setdefault(i, []).append(it)
                else:
                    kept.append(it)
        return bad, kept
