"""Publish strategies (dlt's write dispositions): how a staged load becomes the published version.

`replace` swaps the staged tables in; `append` merges a time window per scope; `versioned` closes and opens
validity periods. Each runs in one transaction and is recorded in the ledger."""

from __future__ import annotations

from types import ModuleType

from hub.catalog.models import Dataset


def strategy(ds: Dataset) -> ModuleType:
    """The module implementing the dataset's strategy (`guard` and `publish`)."""
    from ingest.publish import append, replace, versioned

    return {"replace": replace, "append": append, "versioned": versioned}[ds.strategy]
