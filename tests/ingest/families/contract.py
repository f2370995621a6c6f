"""What each family's contract module provides to tests/ingest/test_family_contract.py.

A family `name` has `tests/ingest/families/<name>/contract.py` with:
  DATASET: str                        the catalog entry the contract loads (published by nothing else in the test)
  good(tmp: Path) -> list[Path]       a valid source whose rows include at least one finding (a warning is
                                      enough: the kill test holds the run on meta.issue)
  broken(tmp: Path) -> list[Broken]   broken inputs, each with the exit code and the words its message must hold
  pub_columns_ok: bool = True         (optional) the family's views are plain projections of public columns
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Broken:
    """A broken input: its paths, the CLI exit code it must get, and what the one-line error must name."""

    label: str
    paths: list[Path]
    exit_code: int
    names: tuple[str, ...]
    args: tuple[str, ...] = ()
