"""Validation issues and the per-run tally; rows_in == loaded + rejected is checked here."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from hub.catalog.models import Dataset


@dataclass(frozen=True)
class Issue:
    """One rule hit on one source row (never carries source values: they may be personal)."""

    file: str
    row_no: int | None  # None: a finding about the load, not a row (column_empty)
    rule: str
    severity: str
    action: str
    message: str
    field: str | None = None
    key: str | None = None
    table: str | None = None  # the secondary table the row belongs to (None: the primary)
    location: str | None = None  # where in the file, when a row number is not enough (a sheet's cell)


@dataclass
class Tally:
    """Counts of a run: rows in, loaded, rejected, and issues by rule."""

    rows_in: int = 0
    rejected: int = 0
    blocking: Counter = field(default_factory=Counter)
    summary: dict = field(default_factory=dict)  # rule -> {severity, action, count}
    flagged: int = 0  # kept rows with a finding (summed over chunks: they never share a row)
    examples: dict[str, list[str]] = field(default_factory=dict)  # rule -> its first messages

    @property
    def by_rule(self) -> dict[str, int]:
        """Findings per rule."""
        return {rule: entry["count"] for rule, entry in self.summary.items()}

    @property
    def loaded(self) -> int:
        """Rows that reach the published table."""
        return self.rows_in - self.rejected

    def add(self, ds: Dataset, counts: dict[str, list], flagged: int = 0,
            examples: dict[str, list[str]] | None = None) -> None:
        """Add findings per rule ([severity, action, count]: the summary, and the rules the catalog says block
        publication), the rows they flagged and example messages; the findings go to meta.issue as they come."""
        for rule, msgs in (examples or {}).items():
            kept = self.examples.setdefault(rule, [])
            kept += msgs[:max(0, 2 - len(kept))]
        for rule, (sev, act, n) in counts.items():
            entry = self.summary.setdefault(rule, {"severity": sev, "action": act, "count": 0})
            entry["count"] += n
            if blocks(ds, rule):
                self.blocking[rule] += n
        self.flagged += flagged


def counts(issues: list[Issue]) -> dict[str, list]:
    """Findings per rule as [severity, action, count], the form `Tally.add` takes."""
    out: dict[str, list] = {}
    for i in issues:
        out.setdefault(i.rule, [i.severity, i.action, 0])[2] += 1
    return out


def examples(issues: list[Issue], per_rule: int = 2) -> dict[str, list[str]]:
    """The first messages per rule of Issue objects, located, the form `Tally.add` takes."""
    out: dict[str, list[str]] = {}
    for i in issues:
        shown = out.setdefault(i.rule, [])
        if len(shown) < per_rule:
            where = i.location or (f"row {i.row_no}" if i.row_no is not None else "")
            shown.append(" ".join(p for p in (i.file, where) if p) + f": {i.message}")
    return out


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


def issue(ds: Dataset, file: str, row_no: int | None, rule: str, message: str, *, field: str | None = None,
          key: str | None = None, action: str | None = None, table: str | None = None,
          location: str | None = None) -> Issue:
    """An issue with the severity the catalog gives the rule; errors reject the row."""
    sev = severity(ds, rule)
    act = action or default_action(ds, rule)
    return Issue(file, None if row_no is None else int(row_no), rule, sev, act, message, field, key, table,
                 location)
