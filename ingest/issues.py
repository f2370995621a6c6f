"""Validation issues and the per-run tally; rows_in == loaded + rejected is checked here."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from hub.catalog.models import Dataset


@dataclass(frozen=True)
class Issue:
    """One rule hit on one source row (never carries source values: they may be personal)."""

    file: str
    row_no: int
    rule: str
    severity: str
    action: str
    message: str
    field: str | None = None
    key: str | None = None


@dataclass
class Tally:
    """Counts of a run: rows in, loaded, rejected, and issues by rule."""

    rows_in: int = 0
    rejected: int = 0
    blocking: Counter = field(default_factory=Counter)
    summary: dict = field(default_factory=dict)  # rule -> {severity, action, count}
    flagged_rows: set = field(default_factory=set)  # (file, row) of kept rows with a set-level finding
    chunk_flagged: int = 0  # kept rows with a finding of the row rules (chunks never share a row)

    @property
    def by_rule(self) -> dict[str, int]:
        """Findings per rule."""
        return {rule: entry["count"] for rule, entry in self.summary.items()}

    @property
    def flagged(self) -> int:
        """Rows with at least one finding that did not reject them."""
        return self.chunk_flagged + len(self.flagged_rows)

    @property
    def loaded(self) -> int:
        """Rows that reach the published table."""
        return self.rows_in - self.rejected

    def add_chunk(self, ds: Dataset, counts: dict[str, list], flagged: int) -> None:
        """Add a chunk's counts per rule ([severity, action, count]) and its flagged rows."""
        for rule, (sev, act, n) in counts.items():
            entry = self.summary.setdefault(rule, {"severity": sev, "action": act, "count": 0})
            entry["count"] += n
            if blocks(ds, rule):
                self.blocking[rule] += n
        self.chunk_flagged += flagged

    def recount_flagged(self, rows: int) -> None:
        """Replace the flagged count by one measured over every finding (when set rules flag rows that row rules
        may have flagged already)."""
        self.chunk_flagged, self.flagged_rows = rows, set()

    def add(self, ds: Dataset, issues: list[Issue]) -> None:
        """Count issues by rule (with severity and action, for the summary), note the ones the catalog says block
        publication, and remember flagged rows; the issues themselves are written to meta.issue as they come."""
        for i in issues:
            entry = self.summary.setdefault(i.rule, {"severity": i.severity, "action": i.action, "count": 0})
            entry["count"] += 1
            if blocks(ds, i.rule):
                self.blocking[i.rule] += 1
            if i.action != "rejected":
                self.flagged_rows.add((i.file, i.row_no))


_RULES: dict[tuple[int, str], object] = {}


def _rule(ds: Dataset, rule: str):
    """The dataset's rule settings, memoised: they are asked once per finding, millions of times."""
    key = (id(ds), rule)
    got = _RULES.get(key)
    if got is None:
        got = _RULES[key] = ds.rule(rule)
    return got


def severity(ds: Dataset, rule: str) -> str:
    """The rule's severity for this dataset."""
    return _rule(ds, rule).severity


def blocks(ds: Dataset, rule: str) -> bool:
    """Whether the rule's findings block publication for this dataset."""
    return _rule(ds, rule).blocks_publish


def default_action(ds: Dataset, rule: str) -> str:
    """Errors reject the row; anything milder flags it."""
    return "rejected" if severity(ds, rule) == "error" else "flagged"


def issue(ds: Dataset, file: str, row_no: int, rule: str, message: str, *, field: str | None = None,
          key: str | None = None, action: str | None = None) -> Issue:
    """An issue with the severity the catalog gives the rule; errors reject the row."""
    sev = severity(ds, rule)
    act = action or default_action(ds, rule)
    return Issue(file, int(row_no), rule, sev, act, message, field, key)
