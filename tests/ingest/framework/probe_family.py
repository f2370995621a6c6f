"""A family that exists only in the tests: it exercises what the framework offers every family (no geometry,
points, a secondary table, the append and versioned strategies) without any family's domain rules."""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from hub.catalog.base import Rule, Strict
from hub.catalog.family import FamilySpec, TimeSpec
from ingest.core import output
from ingest.core.table import Rows, TablePipeline, secondary_row_ids


class ProbeOptions(Strict):
    """One option, to prove options are validated per family."""

    split_tags: bool = False


class ProbePipeline(TablePipeline):
    """Rows as mapped; `level_too_high` flags levels above 100; tags split into a secondary table."""

    def derive(self, rows: Rows):
        """A family rule, and a secondary table derived from a text column."""
        level = rows.values.get("level")
        if level is not None:
            arr = level.to_numpy(zero_copy_only=False) if isinstance(level, pa.Array) else np.asarray(level)
            with np.errstate(invalid="ignore"):
                rows.f.add(np.flatnonzero(np.nan_to_num(arr.astype(float), nan=0) > 100), "level_too_high",
                           "level above 100", rows.mapping.get("level"))
        if not rows.ctx.ds.opts.split_tags or not rows.ctx.ds.tables:
            return None
        tags = rows.values.get("tags")
        src, sub, vals = [], [], []
        for i, text in enumerate(tags.to_pylist() if tags is not None else []):
            for j, tag in enumerate((text or "").split(",")):
                if tag.strip():
                    src.append(i)
                    sub.append(j)
                    vals.append(tag.strip())
        src_a = np.array(src, dtype=np.int64)
        keep = ~rows.f.rejected[src_a] if len(src_a) else np.zeros(0, dtype=bool)
        code = rows.values.get("code")
        codes = code.take(pa.array(src_a)) if code is not None and len(src_a) else pa.array([], pa.string())
        return {"tags": output.TableRows({"code": codes, "tag": pa.array(vals, pa.string())}, len(vals),
                                         row_ids=secondary_row_ids(rows.ctx, rows.batch, src_a, np.array(sub)),
                                         keep=keep)}


SPEC = FamilySpec(
    name="probe",
    title="Framework probe (tests only)",
    rules={"level_too_high": Rule(severity="warn", title="level above 100")},
    options=ProbeOptions,
    formats=frozenset({"geojson", "gpkg"}),
    geometry=None,
    time=TimeSpec(column="observed_at", kind="timestamptz", role="observation"),
    publish="append",
    pipeline="tests.ingest.framework.probe_family:ProbePipeline",
)
