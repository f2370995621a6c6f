"""One ingest run: ledger bracket, lock, the family's pipeline over streamed chunks, staging, set-level rules,
then the dataset's publish strategy (docs/framework.md)."""

from __future__ import annotations

import os
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import psycopg
from psycopg import sql
from tqdm import tqdm

from hub import __version__
from hub.catalog import ddl
from hub.catalog.loader import checksum, load_dataset
from hub.catalog.models import Dataset
from hub.db import copy_binary
from hub.db.connect import connect, first
from hub.errors import DatabaseError, HubError, LockBusy, PublishBlocked, PublishRefused
from hub.settings import ingest_settings
from ingest import publish as strategies
from ingest import sources
from ingest.core import ledger, output, parallel, stage
from ingest.core.family import Context, FieldMap, Options, Pipeline, notify_published, pipeline_for
from ingest.core.issues import Issue, Tally, counts, examples, issue
from ingest.core.output import TableOut
from ingest.publish.common import Stats, measure
from ingest.sources import registry

__all__ = ["Options", "run_ingest"]


@dataclass
class Totals:
    """One table's figures summed over the chunks (core rows, extent, time span, values in important columns)."""

    rows_in: int = 0
    loaded: int = 0
    core_rows: int = 0
    extent: tuple | None = None
    interval: tuple | None = None
    filled: dict[str, int] = field(default_factory=dict)

    def add(self, part: TableOut) -> None:
        """Add one chunk's part."""
        self.rows_in += part.rows_in
        self.loaded += part.loaded
        self.core_rows += part.core_rows
        self.extent = output.merge_extents(self.extent, part.extent)
        self.interval = output.merge_intervals(self.interval, part.interval)
        for col, n in part.filled.items():
            self.filled[col] = self.filled.get(col, 0) + n


def run_ingest(dataset_id: str, paths: list[Path], opts: Options = Options()) -> dict:
    """Run the dataset's pipeline over the given files; returns the summary (also recorded in meta.load)."""
    t0 = time.monotonic()
    settings = ingest_settings()
    ds = load_dataset(dataset_id)
    pipe = pipeline_for(ds.family)
    files = sources.discover(paths, registry.suffix_formats(ds))  # the dataset's readers' suffixes (.csv, .tif)
    root = Path(os.path.commonpath([p.resolve().parent for p in files]))
    srcs = sources.inspect_all(files, root, ds)
    files_listed = ledger.listing(srcs)
    options = opts.ledger()
    cat_sha = checksum(ds)
    with connect("etl", autocommit=True) as conn, ThreadPoolExecutor(1, thread_name_prefix="hub-sha") as hasher:
        if not first(conn.execute("SELECT pg_try_advisory_lock(%s)", (ledger.lock_key(ds.id),))):
            raise LockBusy(f"another run is publishing dataset '{ds.id}'; try again when it ends")
        try:
            return _locked(conn, hasher, ds, pipe, srcs, files_listed, opts, options, cat_sha, settings, t0)
        finally:  # unlock before closing: a closed socket's backend may hold the lock a moment longer
            _unlock(conn, ds)


def _unlock(conn, ds: Dataset) -> None:
    """Release the dataset's publish lock now (the next run of a loop must not find it taken)."""
    try:
        conn.execute("SELECT pg_advisory_unlock(%s)", (ledger.lock_key(ds.id),))
    except psycopg.Error:  # a broken connection: its backend's end releases the lock
        pass


def _locked(conn, hasher, ds: Dataset, pipe, srcs, files_listed, opts, options, cat_sha, settings, t0) -> dict:
    """The run under the dataset's publish lock: repeat check, the load row, the pipeline, its ending."""
    options["reference"] = ledger.reference_fingerprint(conn)  # new boundaries or seeds: a new load
    src_sha, digest = None, None
    if not (opts.dry_run or opts.force) and ledger.could_repeat(conn, ds.id, files_listed):
        src_sha, each = ledger.digest(srcs)
        files_listed = [{**f, "sha256": h} for f, h in zip(files_listed, each)]
        prev = ledger.previous_identical(conn, ds.id, src_sha, cat_sha, options)
        if prev:
            return _unchanged(conn, ds, files_listed, src_sha, cat_sha, options, prev, t0)
    else:  # cannot repeat the published load: hash alongside the run instead of before it
        digest = ledger.Checksum(hasher, srcs)
    stage.drop_orphans(conn, ds)
    load_id = first(conn.execute(
        "INSERT INTO meta.load (dataset_id, status, source_files, source_sha256, catalog_sha256, options, "
        "hub_version) VALUES (%s, 'running', %s, %s, %s, %s, %s) RETURNING load_id",
        (ds.id, _json(files_listed), src_sha, cat_sha, _json(options), __version__)))
    try:
        return _run(conn, ds, pipe, srcs, opts, options, load_id, settings, t0, digest)
    except PublishBlocked:
        raise
    except HubError as exc:
        _finish_quietly(conn, load_id, "refused" if isinstance(exc, PublishRefused) else "failed", ds,
                        message=exc.user_message(), checksum=digest)
        raise
    except psycopg.Error as exc:  # E02: whatever failed, the transaction rolled back; say so, no SQL shown
        why = ("another session holds a lock on the published table (lock_timeout)"
               if isinstance(exc, psycopg.errors.LockNotAvailable) else
               f"the database refused the load ({type(exc).__name__})")
        msg = f"dataset '{ds.id}': {why}; nothing was published and the previous version is still served"
        _finish_quietly(conn, load_id, "failed", ds, message=msg, checksum=digest)
        raise DatabaseError(msg, internal=str(exc)) from exc
    except BaseException as exc:
        _finish_quietly(conn, load_id, "failed", ds, message=f"internal error ({type(exc).__name__})",
                        checksum=digest)
        raise


def _json(obj) -> str:
    """JSON for a jsonb parameter."""
    import json

    return json.dumps(obj, ensure_ascii=False, default=str)


def _unchanged(conn, ds: Dataset, files_listed, src_sha, cat_sha, options, prev, t0) -> dict:
    """Record an identical rerun (nothing to do) and describe it."""
    load_id = first(conn.execute(
        "INSERT INTO meta.load (dataset_id, status, finished_at, source_files, source_sha256, catalog_sha256, "
        "options, rows_in, rows_loaded, rows_rejected, issues_by_rule, version, message, hub_version) VALUES "
        "(%s, 'unchanged', clock_timestamp(), %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s) RETURNING load_id",
        (ds.id, _json(files_listed), src_sha, cat_sha, _json(options), prev[1], prev[2], prev[3], _json(prev[4]),
         prev[5], f"identical to load {prev[0]}: nothing to do", __version__)))
    return {"load_id": load_id, "dataset": ds.id, "status": "unchanged", "rows_in": prev[1],
            "rows_loaded": prev[2], "rows_rejected": prev[3], "issues_by_rule": prev[4],
            "version": prev[5], "same_as_load": prev[0], "seconds": round(time.monotonic() - t0, 2)}


def _finish_quietly(conn, load_id: int, status: str, ds=None, **extra) -> None:
    """Close the ledger row of a failed run and drop its staging tables; a dead connection must not hide the
    original error (the next run of the dataset drops whatever is left)."""
    try:
        if ds is not None:
            stage.drop_run_tables(conn, ds, load_id)
        ledger.finish(conn, load_id, status, **extra)
    except psycopg.Error:
        pass


def _staging_session(conn) -> None:
    """Settings of a transaction that creates and fills staging tables."""
    conn.execute("SET LOCAL ROLE hub_owner")
    conn.execute("SET LOCAL jit = off")  # one-off queries: compiling costs more than it saves
    # A table created in the transaction is synced at commit instead of WAL-logged (wal_level=minimal): have the
    # kernel write the pages out while copying, or the commit waits ~0.2 s per 400 MB for the disk.
    conn.execute("SET LOCAL backend_flush_after = '2MB'")


def _stage(conn, ctx: Context, pipe: Pipeline, srcs: list[sources.SourceFile], fmaps: dict[str, FieldMap],
           settings, tally: Tally, totals: dict[str | None, Totals], bar) -> None:
    """Extract, transform and COPY every chunk into the run's staging tables (figures summed into `totals`).

    The primary core table is filled by one COPY statement on `conn` for the whole run (see
    copy_binary.streaming); side tables, secondary tables, quarantine and findings chunk by chunk on a second
    connection. Each connection creates its tables in its own transaction (with wal_level=minimal their rows then
    skip WAL) and commits before the indexes are built; a run that dies after that leaves only staging tables,
    which the next run of the dataset drops (drop_orphans)."""
    ds = ctx.ds
    staging = stage.staging_tables(ds, ctx.load_id)
    primary = staging.primary
    copies = {}  # stream key -> (table, columns)
    for st in staging.tables:
        copies[output.stream_key(st.table.name, "core")] = (st.core, ddl.core_columns(st.table))
        copies[output.stream_key(st.table.name, "personal")] = (st.personal, ddl.personal_columns(st.table))
        copies[output.stream_key(st.table.name, "sensitive")] = (st.sensitive, ddl.core_columns(st.table))
    copies["issues"] = (("meta", "issue"), output.ISSUE_COLUMNS)
    with connect("etl", autocommit=True) as side, conn.transaction(), side.transaction():
        _staging_session(conn)
        _staging_session(side)
        stage.create_core(conn, primary)
        for st in staging.tables:
            if st is not primary:
                stage.create_core(side, st)
            stage.create_side(side, st)
        with copy_binary.streaming(conn, primary.core, ddl.core_columns(primary.table), freeze=True) as copy_core:
            def write(out) -> None:
                """COPY one transformed chunk (runs in the writer thread while the next chunk is transformed)."""
                for key, data in out.streams.items():
                    if key == "core":
                        copy_core(data)
                    elif len(data):
                        table, cols = copies[key]
                        copy_binary.copy(side, table, cols, data, freeze=table != ("meta", "issue"))
                if out.quarantine:
                    stage.quarantine(side, ds, ctx.load_id, out.quarantine)
                out.done()

            # One writer thread: the server parses chunk N while Python transforms chunk N+1 (libpq waits release
            # the GIL). At most one chunk is in flight, so memory stays bounded by two chunks.
            with ThreadPoolExecutor(max_workers=1, thread_name_prefix="hub-copy") as writer:
                pending = None
                rows_for = {s.display: parallel.rows_per_chunk(s.features, ledger.size(s), settings.chunk_rows,
                                                               settings.chunk_bytes) for s in srcs}
                for rows, out in parallel.transformed(ctx, pipe, srcs, fmaps, rows_for, settings.workers,
                                                      settings.chunk_bytes):
                    if pending is not None:
                        pending.result()
                    pending = writer.submit(write, out)
                    tally.rows_in += rows
                    tally.rejected += len(out.quarantine)
                    for name, part in out.tables.items():
                        totals.setdefault(name, Totals()).add(part)
                    tally.add(ds, out.issue_counts, out.flagged, out.examples)
                    bar.update(rows)
                if pending is not None:
                    pending.result()


def _empty_columns(ctx: Context, fmaps: dict[str, FieldMap], totals: dict[str | None, Totals]) -> list[Issue]:
    """column_empty for every important column no loaded row has a value in, saying why (no source field, or
    only empty values) and which source fields were left unmapped."""
    found = []
    unmapped = sorted({f for fm in fmaps.values() for f in fm.unmapped})
    file = next(iter(fmaps), None) or ""
    for t in ctx.ds.all_tables:
        tot = totals.get(t.name)
        if tot is None or not tot.loaded:
            continue
        for col in (c for c in t.columns if c.important):
            if tot.filled.get(col.name, 0):
                continue
            mapped = [fm.columns.get(t.name, {}).get(col.name) for fm in fmaps.values()]
            target = col.name if t.name is None else f"{t.name}.{col.name}"
            if any(mapped):
                why = f"its source field {sorted({m for m in mapped if m})} is empty in every row"
            else:
                why = (f"no source field maps to it (aliases: {', '.join(col.source) or 'none'}; unmapped fields: "
                       f"{', '.join(unmapped) or 'none'}); map one with --map FIELD={target}")
            found.append(issue(ctx.ds, file, None, "column_empty", f"column {target} is empty in all {tot.loaded} "
                               f"loaded rows: {why}", field=col.name, table=t.name, action="flagged"))
    return found


def _why_empty(tally: Tally, fmaps: dict[str, FieldMap]) -> str | None:
    """What rejected every row of a load, in words (None when the source simply had no rows)."""
    if not tally.rows_in:
        return None
    rejecting = sorted(((e["count"], r) for r, e in tally.summary.items() if e["action"] == "rejected"), reverse=True)
    if not rejecting:
        return None
    parts = [f"{r} {n}" + (f" (e.g. {tally.examples[r][0]})" if tally.examples.get(r) else "") for n, r in rejecting[:3]]
    unmapped = sorted({f for fm in fmaps.values() for f in fm.unmapped})
    hint = f"; source fields no column takes: {', '.join(unmapped)} (see --map)" if unmapped else ""
    return f"all {tally.rows_in} rows were rejected by {', '.join(parts)}{hint}"


def _run(conn, ds: Dataset, pipe: Pipeline, srcs, opts: Options, options: dict, load_id: int, settings, t0: float,
         digest: ledger.Checksum | None = None) -> dict:
    """The steps, inside the ledger bracket."""
    ctx = pipe.prepare(conn, ds, srcs, opts, load_id)
    fmaps = {s.display: pipe.field_map(ctx, s) for s in srcs if s.fields or s.features >= 0}
    # The ledger's file list, in row-id order, gets each file's CRS decision: with row_id it is every row's
    # provenance (rows with decoding decisions also carry them in their provenance column).
    ledger.add_to_files(conn, load_id, [_crs_of(ctx, s.display) for s in srcs])
    tally = Tally()
    totals: dict[str | None, Totals] = {}
    phases: dict[str, float] = {}
    staging = stage.staging_tables(ds, load_id)
    total = sum(max(s.features, 0) for s in srcs) or None
    bar = tqdm(total=total, unit="rows", desc=f"ingest {ds.id}", disable=not (settings.progress and os.isatty(2)))
    _stage(conn, ctx, pipe, srcs, fmaps, settings, tally, totals, bar)
    bar.close()
    phases["extract_transform_copy"] = time.monotonic() - t0
    files = [s.display for s in srcs]
    spatial = [st for st in staging.tables if st.table.geometry is not None]
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="hub-gist") as side:
        gists = [side.submit(stage.build_spatial_index, st) for st in spatial]  # own connection: both cores work
        with stage.owner_transaction(conn):
            conn.execute(stage.MAINTENANCE_MEMORY)
            # The GiST build (which cannot run in parallel) keeps a core to itself: parallel B-tree workers only
            # get the cores beyond two (on two cores they took turns with it: 2.3 s -> 1.7 s at 1M rows).
            spare = max(0, (os.cpu_count() or 2) - 2)
            conn.execute("SELECT set_config('max_parallel_maintenance_workers', least(current_setting("
                         "'max_parallel_maintenance_workers')::int, %s)::text, true)", (spare,))
            set_issues = pipe.set_rules(conn, ctx, staging, files)
            for st in staging.tables:
                for stmt in ddl.index_others(st.table, *st.core, st.suffix):
                    conn.execute(stmt)
            set_issues += _empty_columns(ctx, fmaps, totals)
            stage.copy_rows(conn, ("meta", "issue"), output.ISSUE_COLUMNS,
                            ledger.issue_rows(load_id, ds.id, set_issues))
            for st in staging.tables:
                stage.key_side_tables(conn, st)  # beside the rest of the GiST build
        removed: dict[str | None, set[tuple[str, int | None]]] = {}
        for i in set_issues:
            if i.action == "rejected":
                removed.setdefault(i.table, set()).add((i.file, i.row_no))
        tally.rejected += len(removed.get(None, ()))
        tally.add(ds, counts(set_issues), 0, examples(set_issues))
        if any(i.action != "rejected" and i.row_no is not None for i in set_issues):
            tally.flagged = stage.flagged_rows(conn, load_id)  # rows the set rules flag may be flagged already
        stats = _stats(conn, staging, totals, removed)
        for g in gists:
            g.result()
    phases["set_rules_and_indexes"] = time.monotonic() - t0 - sum(phases.values())
    if digest is not None:  # beside ANALYZE, which leaves a core idle
        digest.start()
    with stage.owner_transaction(conn):
        for st in staging.tables:
            conn.execute(ddl.primary_key(*st.core, st.suffix))
            conn.execute(sql.SQL("ANALYZE {}").format(sql.Identifier(*st.core)))
    phases["issues_and_analyze"] = time.monotonic() - t0 - sum(phases.values())
    summary = _summary(ctx, srcs, fmaps, tally, totals, removed, options, load_id, phases)
    assert tally.rows_in == tally.loaded + tally.rejected
    if opts.dry_run:
        stage.drop_run_tables(conn, ds, load_id)
        ledger.finish(conn, load_id, "dry_run", tally, message="dry run: nothing published", checksum=digest)
        return {**summary, "status": "dry_run", "seconds": round(time.monotonic() - t0, 2)}
    if tally.blocking:
        ledger.finish(conn, load_id, "blocked", tally, message=f"blocked by {dict(tally.blocking)}", checksum=digest)
        raise PublishBlocked(f"not published: rules {sorted(tally.blocking)} block publication of '{ds.id}' "
                             f"(see meta.issue WHERE load_id = {load_id})")
    strategy = strategies.strategy(ds)
    with conn.transaction():
        note = strategy.guard(conn, ds, staging, tally.loaded, opts.force, settings.max_row_drop,
                              _why_empty(tally, fmaps))
        version = strategy.publish(conn, ds, load_id, staging, stats)
        pipe.after_publish(conn, ctx, version)
        notify_published(conn, ds)
        ledger.finish(conn, load_id, "published", tally, version=version, forced=bool(note) and "forced" in note,
                      message=note, checksum=digest)
    secs = time.monotonic() - t0
    phases["publish"] = secs - sum(phases.values())
    summary["phases_seconds"] = {k: round(v, 2) for k, v in phases.items()}
    return {**summary, "status": "published", "version": version, "seconds": round(secs, 2),
            "rows_per_second": round(tally.rows_in / secs) if secs else None}


def _stats(conn, staging: stage.StagingTables, totals: dict[str | None, Totals], removed: dict) -> dict:
    """Each table's published figures: measured while copying, or in SQL where set rules removed rows."""
    out: dict[str | None, Stats] = {}
    for st in staging.tables:
        t, tot = st.table, totals.get(st.table.name, Totals())
        if removed.get(t.name):
            with stage.owner_transaction(conn):
                out[t.name] = measure(conn, t, st.core)
            continue
        first, last = tot.interval or (None, None)
        out[t.name] = Stats(tot.core_rows, list(tot.extent) if tot.extent else None, first, last)
    return out


def _crs_of(ctx: Context, file: str) -> dict:
    """A file's CRS decision as the ledger and the summary show it (nothing for non-spatial files)."""
    decision = ctx.decisions.get(file)
    return {"crs": f"EPSG:{decision.epsg}", "crs_from": decision.origin} if decision else {}


def _summary(ctx: Context, srcs, fmaps, tally: Tally, totals, removed, options, load_id, phases) -> dict:
    """The run's summary: counts, rules with examples, files with their CRS and column mapping, per-table figures."""
    prim = totals.get(None, Totals())
    excluded = prim.loaded - prim.core_rows - len(removed.get(None, ()))
    out = {"load_id": load_id, "dataset": ctx.ds.id, "rows_in": tally.rows_in, "rows_loaded": tally.loaded,
           "rows_rejected": tally.rejected, "rows_flagged": tally.flagged,
           "rows_excluded": max(excluded, 0), "rows_published": tally.loaded - max(excluded, 0),
           "issues_by_rule": dict(sorted(tally.summary.items())),
           "examples": {r: tally.examples[r] for r in sorted(tally.examples)}, "options": options,
           "files": [{"file": s.display, **_crs_of(ctx, s.display),
                      **({"columns": fmaps[s.display].report()} if s.display in fmaps else {})} for s in srcs],
           "quarantine": f"restricted.quarantine WHERE load_id = {load_id}",
           "issues": f"meta.issue WHERE load_id = {load_id}", "phases_seconds": phases}
    secondary = {t.name: {"rows": totals[t.name].rows_in, "loaded": totals[t.name].loaded}
                 for t in ctx.ds.all_tables if t.name is not None and t.name in totals}
    if secondary:
        out["tables"] = secondary
    return out
