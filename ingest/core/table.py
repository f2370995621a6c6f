"""A pipeline for the common case: each source row is one row of the dataset's primary table, its columns read
from mapped source fields (decoded, typed, required checked), its geometry (if the table has one) checked and
reprojected by the generic geometry step. Families subclass it and add derived columns and rules in `derive`."""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from hub.catalog.models import TableRef
from ingest.core import output
from ingest.core.batch import Batch
from ingest.core.family import Context, FieldMap, Pipeline
from ingest.core.findings import Findings
from ingest.spatial import step
from ingest.steps import decode, typed


class Rows:
    """One chunk of a table being built: its columns (by catalog name), findings, and the source mapping."""

    def __init__(self, ctx: Context, batch: Batch, table: TableRef, mapping: dict[str, str]) -> None:
        """Decode and type the mapped columns; findings keyed by the table's id column when it is mapped."""
        self.ctx, self.batch, self.table, self.mapping = ctx, batch, table, mapping
        n = len(batch)
        raw, self.encoding = decode.columns(batch, table, mapping, ctx.encoding)
        self.raw = raw
        key = table.publication.id_column if table.publication else None
        keys = raw.get(key) if key and isinstance(raw.get(key), pa.Array) else pa.nulls(n, pa.string())
        self.f = Findings(ctx.ds, batch.file.display, batch.row_no, keys, table.name, batch.where)
        decode.encoding_rules(self.f, self.encoding, mapping)
        self.values: dict[str, object] = {**raw, **typed.cast(self.f, raw, table, mapping)}
        self.geometry: step.Geometry | None = None

    def __len__(self) -> int:
        """Rows in the chunk."""
        return len(self.batch)

    def constant(self, name: str, value) -> None:
        """Set a column to one value on every row (an Arrow array of the column's type)."""
        arrow = output.ARROW_TYPES[self.table.column(name).type]
        self.values[name] = pa.array([value] * len(self), arrow)


class TablePipeline(Pipeline):
    """Source rows -> primary-table rows; `derive` adds what the family computes."""

    def derive(self, rows: Rows) -> dict[str | None, output.TableRows] | None:
        """Family hook: add derived columns and findings to `rows` (and return secondary tables' rows, if any)."""
        return None

    def transform(self, batch: Batch, ctx: Context, fmap: FieldMap) -> output.Output:
        """Decode, type, check required values, check and reproject geometry, derive, assemble."""
        t = ctx.ds.primary
        rows = Rows(ctx, batch, t, fmap.primary)
        if t.geometry is not None:
            rows.geometry = step.geometry(rows.f, batch.geom, t.geometry, ctx.decisions.get(batch.file.display))
        extra = self.derive(rows) or {}
        typed.required(rows.f, rows.values, t, len(batch), fmap.primary)
        findings = rows.f.summary()
        tables: dict[str | None, output.TableRows] = {None: output.TableRows(rows.values, len(batch),
                                         rows.geometry.columns() if rows.geometry is not None else None),
                  **{k: v for k, v in extra.items() if k is not None}}
        return output.assemble(ctx, batch, findings, tables)


def secondary_row_ids(ctx: Context, batch: Batch, source_index: np.ndarray, sub: np.ndarray) -> np.ndarray:
    """Row ids of a secondary table's rows: their source row's id × 1000 + their position under it (a source row
    may give up to 1000 rows of a secondary table: a lab sheet row's results, a price row's positions)."""
    return output.file_row_ids(ctx, batch)[source_index] * 1000 + sub
