"""One ingest run: ledger, lock, steps over streamed chunks, staging, set-level rules, publish."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass
from pathlib import Path

import psycopg
from psycopg import sql
from tqdm import tqdm

from hub import __version__
from hub.catalog import ddl
from hub.catalog.loader import checksum, load_dataset
from hub.db import copy_binary
from hub.db.connect import connect
from hub.errors import DatabaseError, HubError, LockBusy, PublishBlocked, PublishRefused
from hub.settings import ingest_settings
from ingest.families.cadastre import pipeline as cadastre
from ingest.spatial import georef
from ingest.core import stage as load, output, parallel
from ingest.publish import replace as publish
from ingest.reference import refdata
from ingest import sources
from ingest.core.issues import Issue, Tally, counts
from ingest.steps.landuse import Normaliser


@dataclass(frozen=True)
class Options:
    """What the caller asked for (recorded in the ledger: a rerun with other options is a new load)."""

    crs: str | None = None
    encoding: str | None = None
    dry_run: bool = False
    force: bool = False
    valid_from: str | None = None


def _parts(f: sources.SourceFile) -> list[Path]:
    """A source's files: the file itself, or every sidecar of a multi-file format."""
    return sorted(p for p in f.path.parent.glob(f.path.stem + ".*")) if f.fmt in ("shp", "tab") else [f.path]


def _size(f: sources.SourceFile) -> int:
    """A source's size in bytes, sidecars included."""
    return sum(p.stat().st_size for p in _parts(f))


def _listing(files: list[sources.SourceFile]) -> list[dict]:
    """The ledger's file list before hashing: name, format, features and size in bytes."""
    return [{"file": f.display, "format": f.fmt, "features": f.features, "bytes": _size(f)} for f in files]


def _digest(files: list[sources.SourceFile]) -> tuple[str, list[str]]:
    """SHA-256 over every file's bytes (and sidecars), in order; and each file's own SHA-256."""
    total, each = hashlib.sha256(), []
    for f in files:
        h = hashlib.sha256()
        for part in _parts(f):
            with open(part, "rb") as fh:
                for block in iter(lambda: fh.read(1 << 20), b""):
                    h.update(block)
        total.update(f.display.encode() + h.digest())
        each.append(h.hexdigest())
    return total.hexdigest(), each


def _could_repeat(conn, ds_id: str, listing: list[dict]) -> bool:
    """Whether the published load read files of these names and sizes: only then can this run repeat it, and
    only then must the checksum be known before any work starts (otherwise it is computed alongside the run)."""
    row = conn.execute("SELECT l.source_files FROM meta.published p JOIN meta.load l USING (load_id) "
                       "WHERE p.dataset_id = %s", (ds_id,)).fetchone()
    return bool(row) and [(f.get("file"), f.get("bytes")) for f in row[0]] == \
        [(f["file"], f["bytes"]) for f in listing]


class _Checksum:
    """The sources' SHA-256, computed in a side thread once started, or when first asked for.

    The run starts it with the core table's ANALYZE: while chunks stream, and while the indexes build side by side,
    both cores are busy and hashing 300 MB would take ~0.35 s of them; ANALYZE leaves a core idle, and the file is
    still in the page cache."""

    def __init__(self, pool: ThreadPoolExecutor, srcs: list[sources.SourceFile]) -> None:
        """Nothing is read yet."""
        self._pool, self._srcs, self._future = pool, srcs, None

    def start(self) -> None:
        """Begin hashing in the pool's thread (once)."""
        if self._future is None:
            self._future = self._pool.submit(_digest, self._srcs)

    def result(self) -> tuple[str, list[str]]:
        """(total, per file) hex digests, waiting for them."""
        self.start()
        return self._future.result()


def _record_digest(conn, load_id: int, digest: _Checksum | None) -> None:
    """Write a checksum computed alongside the run into the ledger row (total and per file)."""
    if digest is None:
        return
    total, each = digest.result()
    _add_to_files(conn, load_id, [{"sha256": h} for h in each])
    conn.execute("UPDATE meta.load SET source_sha256 = %s WHERE load_id = %s", (total, load_id))


def _add_to_files(conn, load_id: int, extra: list[dict]) -> None:
    """Add fields to each file of the ledger row's file list (in the run's file order)."""
    files = conn.execute("SELECT source_files FROM meta.load WHERE load_id = %s", (load_id,)).fetchone()[0]
    conn.execute("UPDATE meta.load SET source_files = %s WHERE load_id = %s",
                 (json.dumps([{**f, **e} for f, e in zip(files, extra)]), load_id))


def _crs_of(ctx: cadastre.Context, file: str) -> dict:
    """A file's CRS decision as the ledger and the summary show it."""
    decision = ctx.decisions[file]
    return {"crs": f"EPSG:{decision.epsg}", "crs_from": decision.origin}


def _lock_key(dataset_id: str) -> int:
    """A stable 63-bit advisory lock key per dataset."""
    return int.from_bytes(hashlib.sha256(f"hub:publish:{dataset_id}".encode()).digest()[:8], "big") >> 1


def _issue_rows(load_id: int, ds_id: str, issues: list[Issue]):
    """meta.issue rows."""
    return ((load_id, ds_id, i.file, i.row_no, i.key, i.field, i.rule, i.severity, i.action, i.message) for i in issues)


def _previous_identical(conn, ds_id: str, src_sha: str, cat_sha: str, options: dict):
    """The published load this run would repeat, if any."""
    return conn.execute(
        "SELECT l.load_id, l.rows_in, l.rows_loaded, l.rows_rejected, l.issues_by_rule, l.version FROM meta.published p "
        "JOIN meta.load l USING (load_id) WHERE p.dataset_id = %s AND l.source_sha256 = %s AND l.catalog_sha256 = %s "
        "AND l.options = %s::jsonb", (ds_id, src_sha, cat_sha, json.dumps(options))).fetchone()


def _ref_fingerprint(conn) -> str:
    """A digest of the reference data rules depend on (seed files, loaded boundaries)."""
    return conn.execute(
        "SELECT md5((SELECT string_agg(file || sha256, ',' ORDER BY file) FROM ref.seed) || ':' || "
        "coalesce((SELECT string_agg(version_id || code || md5(ST_AsBinary(geom_wgs84)), ',' ORDER BY version_id, code) "
        "FROM ref.admin_unit WHERE geom_wgs84 IS NOT NULL), ''))").fetchone()[0]


def _decisions(ctx: cadastre.Context, srcs: list[sources.SourceFile], option: int | None) -> None:
    """Decide every file's CRS before reading any data (a CRS error fails the run before anything loads)."""
    for src in srcs:
        commune_epsg = None
        if src.fmt == "dgn":
            from ingest.families.cadastre.famis import commune_of

            province = ctx.ref.communes.get(ctx.ds.source.admin_version, {}).get(commune_of(src.path) or "")
            commune_epsg = ctx.ref.zones.get(province or "")
        ctx.decisions[src.display] = georef.decide(src.display, src.crs_wkt, ctx.ds, option, commune_epsg)


def run_ingest(dataset_id: str, paths: list[Path], opts: Options = Options()) -> dict:
    """Run the dataset's pipeline over the given files; returns the summary (also recorded in meta.load)."""
    t0 = time.monotonic()
    settings = ingest_settings()
    ds = load_dataset(dataset_id)
    files = sources.discover(paths)
    root = Path(os.path.commonpath([p.resolve().parent for p in files]))
    srcs = [sources.inspect(f.resolve(), root) for f in files]
    listing = _listing(srcs)
    options = {k: v for k, v in asdict(opts).items() if k in ("crs", "encoding", "valid_from") and v}
    cat_sha = checksum(ds)
    with connect("etl", autocommit=True) as conn, ThreadPoolExecutor(1, thread_name_prefix="hub-sha") as hasher:
        if not conn.execute("SELECT pg_try_advisory_lock(%s)", (_lock_key(ds.id),)).fetchone()[0]:
            raise LockBusy(f"another run is publishing dataset '{ds.id}'; try again when it ends")
        options["reference"] = _ref_fingerprint(conn)  # new boundaries or seeds make a rerun a new load
        src_sha, digest = None, None
        if not (opts.dry_run or opts.force) and _could_repeat(conn, ds.id, listing):
            src_sha, each = _digest(srcs)
            listing = [{**f, "sha256": h} for f, h in zip(listing, each)]
            prev = _previous_identical(conn, ds.id, src_sha, cat_sha, options)
            if prev:
                load_id = conn.execute(
                    "INSERT INTO meta.load (dataset_id, status, finished_at, source_files, source_sha256, "
                    "catalog_sha256, options, rows_in, rows_loaded, rows_rejected, issues_by_rule, version, message, "
                    "hub_version) VALUES (%s, 'unchanged', clock_timestamp(), %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, "
                    "%s) RETURNING load_id",
                    (ds.id, json.dumps(listing), src_sha, cat_sha, json.dumps(options), prev[1], prev[2], prev[3],
                     json.dumps(prev[4]), prev[5], f"identical to load {prev[0]}: nothing to do",
                     __version__)).fetchone()[0]
                return {"load_id": load_id, "dataset": ds.id, "status": "unchanged", "rows_in": prev[1],
                        "rows_loaded": prev[2], "rows_rejected": prev[3], "issues_by_rule": prev[4],
                        "version": prev[5], "same_as_load": prev[0], "seconds": round(time.monotonic() - t0, 2)}
        else:  # cannot repeat the published load: hash alongside the run instead of before it
            digest = _Checksum(hasher, srcs)
        load.drop_orphans(conn, ds)
        load_id = conn.execute(
            "INSERT INTO meta.load (dataset_id, status, source_files, source_sha256, catalog_sha256, options, "
            "hub_version) VALUES (%s, 'running', %s, %s, %s, %s, %s) RETURNING load_id",
            (ds.id, json.dumps(listing), src_sha, cat_sha, json.dumps(options), __version__)).fetchone()[0]
        try:
            return _run(conn, ds, srcs, opts, options, load_id, settings, t0, digest)
        except PublishBlocked:
            raise
        except HubError as exc:
            _finish_quietly(conn, load_id, "refused" if isinstance(exc, PublishRefused) else "failed", ds,
                            message=exc.user_message(), digest=digest)
            raise
        except psycopg.Error as exc:  # E02: whatever failed, the transaction rolled back; say so, no SQL shown
            why = ("another session holds a lock on the published table (lock_timeout)"
                   if isinstance(exc, psycopg.errors.LockNotAvailable) else
                   f"the database refused the load ({type(exc).__name__})")
            msg = f"dataset '{ds.id}': {why}; nothing was published and the previous version is still served"
            _finish_quietly(conn, load_id, "failed", ds, message=msg, digest=digest)
            raise DatabaseError(msg, internal=str(exc)) from exc
        except BaseException as exc:
            _finish_quietly(conn, load_id, "failed", ds, message=f"internal error ({type(exc).__name__})",
                            digest=digest)
            raise


def _finish_quietly(conn, load_id: int, status: str, ds=None, **extra) -> None:
    """Close the ledger row of a failed run and drop its staging tables; a dead connection must not hide the
    original error (the next run of the dataset drops whatever is left)."""
    try:
        if ds is not None:
            load.drop_run_tables(conn, ds, load_id)
        _finish(conn, load_id, status, **extra)
    except psycopg.Error:
        pass


def _finish(conn, load_id: int, status: str, tally: Tally | None = None, digest: _Checksum | None = None,
            **extra) -> None:
    """Close the ledger row (with the checksum, when it was computed alongside the run)."""
    _record_digest(conn, load_id, digest)
    vals = {"status": status, "message": extra.get("message"), "version": extra.get("version"),
            "forced": bool(extra.get("forced"))}
    if tally:
        vals.update(rows_in=tally.rows_in, rows_loaded=tally.loaded, rows_rejected=tally.rejected,
                    rows_flagged=tally.flagged, issues_by_rule=json.dumps(dict(tally.by_rule)))
    assigns = sql.SQL(", ").join(sql.SQL("{} = {}").format(sql.Identifier(k), sql.Placeholder(k)) for k in vals)
    conn.execute(sql.SQL("UPDATE meta.load SET {}, finished_at = clock_timestamp() WHERE load_id = {}").format(
        assigns, sql.Placeholder("load_id")), {**vals, "load_id": load_id})


def _staging_session(conn) -> None:
    """Settings of a transaction that creates and fills staging tables."""
    conn.execute("SET LOCAL ROLE hub_owner")
    conn.execute("SET LOCAL jit = off")  # one-off queries: compiling costs more than it saves
    # A table created in the transaction is synced at commit instead of WAL-logged (wal_level=minimal): have the
    # kernel write the pages out while copying, or the commit waits ~0.2 s per 400 MB for the disk.
    conn.execute("SET LOCAL backend_flush_after = '2MB'")


def _stage(conn, ctx: cadastre.Context, srcs: list[sources.SourceFile], settings, tally: Tally,
           bar) -> tuple[int, tuple | None]:
    """Extract, transform and COPY every chunk into the run's staging tables; returns the core table's row count
    and WGS 84 extent, measured while copying.

    The core table is filled by one COPY statement on `conn` for the whole run (see copy_binary.streaming), the
    personal and defence/security tables, quarantine and findings chunk by chunk on a second connection. Each
    connection creates its tables in its own transaction (with wal_level=minimal their rows then skip WAL) and
    commits before the indexes are built; a run that dies after that leaves only staging tables, which the next
    run of the dataset drops (drop_orphans)."""
    ds, load_id = ctx.ds, ctx.load_id
    core_cols, pers_cols = ddl.core_columns(ds), ddl.personal_columns(ds)
    (cs, ct), (ps, pt) = load.staging_tables(ds, load_id)
    core_rows, extent = 0, None
    with connect("etl", autocommit=True) as side, conn.transaction(), side.transaction():
        _staging_session(conn)
        _staging_session(side)
        load.create_core(conn, ds, load_id)
        load.create_side(side, ds, load_id)
        with copy_binary.streaming(conn, (cs, ct), core_cols, freeze=True) as copy_core:
            def write(out) -> None:
                """COPY one transformed chunk (runs in the writer thread while the next chunk is transformed)."""
                copy_core(out.core_copy)
                copy_binary.copy(side, load.sensitive_staging(ds, load_id), core_cols, out.sensitive_copy,
                                 freeze=True)
                copy_binary.copy(side, (ps, pt), pers_cols, out.personal_copy, freeze=True)
                if out.quarantine:
                    load.quarantine(side, ds, load_id, out.quarantine)
                copy_binary.copy(side, ("meta", "issue"), output.ISSUE_COLUMNS, out.issues_copy)
                out.done()

            # One writer thread: the server parses chunk N while Python transforms chunk N+1 (libpq waits release
            # the GIL). At most one chunk is in flight, so memory stays bounded by two chunks.
            with ThreadPoolExecutor(max_workers=1, thread_name_prefix="hub-copy") as writer:
                pending = None
                rows_for = {s.display: parallel.rows_per_chunk(s.features, _size(s), settings.chunk_rows,
                                                               settings.chunk_bytes) for s in srcs}
                for rows, out in parallel.transformed(ctx, srcs, rows_for, settings.workers, settings.chunk_bytes):
                    if pending is not None:
                        pending.result()
                    pending = writer.submit(write, out)
                    tally.rows_in += rows
                    tally.rejected += len(out.quarantine)
                    core_rows, extent = core_rows + out.core_rows, output.merge_extents(extent, out.extent)
                    tally.add(ds, out.issue_counts, out.flagged)
                    bar.update(rows)
                if pending is not None:
                    pending.result()
    return core_rows, extent


def _run(conn, ds, srcs, opts: Options, options: dict, load_id: int, settings, t0: float,
         digest: _Checksum | None = None) -> dict:
    """The steps, inside the ledger bracket."""
    ref = refdata.load(conn, ds.source.admin_version)
    ctx = cadastre.Context(ds, ref, Normaliser(ref, ds.source.land_use_list),
                           (opts.encoding or ds.source.encoding), opts.valid_from or dt.date.today().isoformat())
    _decisions(ctx, srcs, georef.parse_crs_option(opts.crs, ref.zones) if opts.crs else None)
    ctx.file_index = {s.display: i for i, s in enumerate(srcs)}
    ctx.load_id = load_id
    # The ledger's file list, in row-id order, gets each file's CRS decision: with row_id it is every row's
    # provenance (rows with decoding decisions also carry them in their provenance column).
    _add_to_files(conn, load_id, [_crs_of(ctx, src.display) for src in srcs])
    tally = Tally()
    phases: dict[str, float] = {}
    cs, ct = load.staging_tables(ds, load_id)[0]
    total = sum(max(s.features, 0) for s in srcs) or None
    bar = tqdm(total=total, unit="rows", desc=f"ingest {ds.id}", disable=not (settings.progress and os.isatty(2)))
    core_rows, extent = _stage(conn, ctx, srcs, settings, tally, bar)
    bar.close()
    phases["extract_transform_copy"] = time.monotonic() - t0
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="hub-gist") as side:
        gist = side.submit(load.build_spatial_index, ds, load_id)  # its own connection: both cores work
        with conn.transaction():
            conn.execute("SET LOCAL ROLE hub_owner")
            conn.execute(load.MAINTENANCE_MEMORY)
            # The GiST build (which cannot run in parallel) keeps a core to itself: parallel B-tree workers only
            # get the cores beyond two (on two cores they took turns with it: 2.3 s -> 1.7 s at 1M rows).
            spare = max(0, (os.cpu_count() or 2) - 2)
            conn.execute("SELECT set_config('max_parallel_maintenance_workers', least(current_setting("
                         "'max_parallel_maintenance_workers')::int, %s)::text, true)", (spare,))
            set_issues = load.set_rules(conn, ds, load_id, [s.display for s in srcs])
            for stmt in ddl.index_others(ds, cs, ct, f"l{load_id}"):
                conn.execute(stmt)
            load.copy_rows(conn, ("meta", "issue"), output.ISSUE_COLUMNS, _issue_rows(load_id, ds.id, set_issues))
            load.key_side_tables(conn, ds, load_id)  # beside the rest of the GiST build
        removed = len({(i.file, i.row_no) for i in set_issues if i.action == "rejected"})
        tally.rejected += removed
        tally.add(ds, counts(set_issues))
        if any(i.action != "rejected" for i in set_issues):  # rows the set rules flag may be flagged already
            tally.flagged = load.flagged_rows(conn, load_id)
        if removed:  # duplicates left the core table: measure what is left (a read, beside the GiST build)
            with conn.transaction():
                conn.execute("SET LOCAL ROLE hub_owner")
                stats = publish.measure(conn, (cs, ct))
        else:
            day = dt.date.fromisoformat(ctx.valid_from) if core_rows else None
            stats = (core_rows, list(extent) if extent else None, day, day)
        gist.result()
    phases["set_rules_and_indexes"] = time.monotonic() - t0 - sum(phases.values())
    if digest is not None:  # beside ANALYZE, which leaves a core idle
        digest.start()
    with conn.transaction():
        conn.execute("SET LOCAL ROLE hub_owner")
        conn.execute(ddl.primary_key(cs, ct, f"l{load_id}"))
        conn.execute(sql.SQL("ANALYZE {}").format(sql.Identifier(cs, ct)))
    phases["issues_and_analyze"] = time.monotonic() - t0 - sum(phases.values())
    summary = {"load_id": load_id, "dataset": ds.id, "rows_in": tally.rows_in, "rows_loaded": tally.loaded,
               "rows_rejected": tally.rejected, "rows_flagged": tally.flagged,
               "issues_by_rule": dict(sorted(tally.summary.items())), "options": options,
               "files": [{"file": s.display, **_crs_of(ctx, s.display)} for s in srcs],
               "quarantine": f"restricted.quarantine WHERE load_id = {load_id}",
               "issues": f"meta.issue WHERE load_id = {load_id}", "phases_seconds": phases}
    assert tally.rows_in == tally.loaded + tally.rejected
    if opts.dry_run:
        load.drop_run_tables(conn, ds, load_id)
        _finish(conn, load_id, "dry_run", tally, message="dry run: nothing published", digest=digest)
        return {**summary, "status": "dry_run", "seconds": round(time.monotonic() - t0, 2)}
    if tally.blocking:
        _finish(conn, load_id, "blocked", tally, message=f"blocked by {dict(tally.blocking)}", digest=digest)
        raise PublishBlocked(f"not published: rules {sorted(tally.blocking)} block publication of '{ds.id}' "
                             f"(see meta.issue WHERE load_id = {load_id})")
    with conn.transaction():
        note = publish.guard(conn, ds, tally.loaded, opts.force, settings.max_row_drop)
        version = publish.swap(conn, ds, load_id, stats)
        _finish(conn, load_id, "published", tally, version=version, forced=bool(note), message=note, digest=digest)
    secs = time.monotonic() - t0
    phases["publish"] = secs - sum(phases.values())
    summary["phases_seconds"] = {k: round(v, 2) for k, v in phases.items()}
    return {**summary, "status": "published", "version": version, "seconds": round(secs, 2),
            "rows_per_second": round(tally.rows_in / secs) if secs else None}
