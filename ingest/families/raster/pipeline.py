"""One raster load: a GeoTIFF (the dataset's "row") checked, made a COG, described by a STAC Item, published.

Steps: checksum (an identical rerun is `unchanged`) → header checks → CRS decision → COG (temporary name) →
block scan (value rules) → footprint through the pinned EPSG:6960 path (outside Vietnam: refused) → STAC Item
(validated) → one transaction: raster.coverage row, ledger, findings, and the zonal statistics of every published
parcel set and commune set refreshed. A refused or killed run leaves the published COG and its row untouched; the
refused file is kept in restricted.quarantine with its rules (rows_in = loaded + rejected = 1).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import time
from dataclasses import dataclass
from pathlib import Path

import psycopg

from hub import __version__
from hub.db.connect import connect
from hub.errors import CrsError, HubError, InputError, LockBusy, SchemaViolation
from hub.settings import raster_settings
from ingest.families.raster import cog, scan, stac
from ingest.families.raster import crs as rcrs
from ingest.families.raster.options import RasterOptions

# What each rule does when it fires (severity 'error' refuses the raster, 'warn' flags it)
RULES = {
    "crs": "error", "outside_vietnam": "error", "unreadable": "error", "not_gridded": "error",
    "rotated_grid": "error", "band_missing": "error", "bad_value": "error", "nodata_conflict": "error",
    "scale_conflict": "error", "cog_invalid": "error", "stac_invalid": "error", "all_nodata": "error",
    "unknown_class": "error", "value_out_of_range": "warn", "datum_suspect": "warn", "partly_outside_vietnam": "warn",
}


@dataclass(frozen=True)
class RasterDataset:
    """A raster catalog entry as the pipeline needs it (phase B takes it from catalogs/*.yaml)."""

    id: str
    title_vi: str
    title_en: str
    options: RasterOptions


def _lock_key(dataset_id: str) -> int:
    """The dataset's publish lock (same keys as the vector pipeline: one publisher per dataset)."""
    return int.from_bytes(hashlib.sha256(f"hub:publish:{dataset_id}".encode()).digest()[:8], "big") >> 1


def _options_json(ds: RasterDataset, crs_option: int | None) -> str:
    """What drove the run (recorded; a rerun with other options is a new load)."""
    return json.dumps({"crs": crs_option, "raster": ds.options.model_dump(mode="json")}, sort_keys=True)


def _unchanged(conn, ds: RasterDataset, src_sha: str, options: str) -> dict | None:
    """The published load if it read the same bytes with the same options."""
    row = conn.execute("SELECT c.load_id, c.version FROM raster.coverage c JOIN meta.load l USING (load_id) "
                       "WHERE c.dataset_id = %s AND l.source_sha256 = %s AND l.options = %s::jsonb",
                       (ds.id, src_sha, options)).fetchone()
    return {"load_id": row[0], "version": row[1]} if row else None


def _issue(conn, load_id: int, ds_id: str, file: str, rule: str, message: str, field: str | None,
           action: str) -> None:
    """One finding in meta.issue (no pixel values: they are not personal, but the ledger keeps rules only)."""
    conn.execute("INSERT INTO meta.issue (load_id, dataset_id, file, row_no, field, rule, severity, action, message) "
                 "VALUES (%s, %s, %s, 1, %s, %s, %s, %s, %s)",
                 (load_id, ds_id, file, field, rule, RULES.get(rule, "error"), action, message))


def _check_values(stats: scan.BandStats, opts: RasterOptions, file: str) -> list[tuple[str, str]]:
    """Value rules on the scan: refusals raise, flags are returned as (rule, message)."""
    if stats.count == 0:
        raise InputError("every pixel is nodata", file=file, field="band 1", rule="all_nodata")
    flags = []
    if opts.categorical:
        known = opts.class_by_value()
        unknown = {v: n for v, n in stats.histogram.items() if v not in known}
        if unknown:
            listing = ", ".join(f"{v} ({n} pixels)" for v, n in sorted(unknown.items()))
            raise SchemaViolation(f"pixel values not among the declared classes: {listing}; declare them in the "
                                  "catalog entry's classes or set them to nodata", file=file, field="band 1",
                                  rule="unknown_class")
    elif stats.out_of_range:
        lo, hi = opts.range
        flags.append(("value_out_of_range", f"{stats.out_of_range} pixels outside the plausible {opts.kind} range "
                      f"{lo:g}..{hi:g} {opts.unit or ''} (min {stats.minimum:g}, max {stats.maximum:g})"))
    return flags


def ingest_raster(ds: RasterDataset, path: Path, crs_option: int | None = None, force: bool = False) -> dict:
    """Load one GeoTIFF into the dataset; returns the run summary (also in meta.load)."""
    t0 = time.monotonic()
    path = Path(path)
    name = path.name
    if not path.is_file():
        raise InputError("no such file", file=str(path), rule="unreadable")
    src_sha = cog.sha256(path)
    options = _options_json(ds, crs_option)
    files = [{"file": name, "format": "tif", "bytes": path.stat().st_size, "sha256": src_sha}]
    with connect("etl") as conn:
        conn.autocommit = True
        if not conn.execute("SELECT pg_try_advisory_lock(%s)", (_lock_key(ds.id),)).fetchone()[0]:
            raise LockBusy(f"another run is publishing {ds.id}; try again when it has finished")
        try:
            prev = None if force else _unchanged(conn, ds, src_sha, options)
            status = "unchanged" if prev else "running"
            load_id = conn.execute(
                "INSERT INTO meta.load (dataset_id, status, source_files, source_sha256, options, hub_version, "
                "rows_in, rows_loaded, rows_rejected, rows_flagged, finished_at) VALUES (%s, %s, %s, %s, %s, %s, "
                "1, %s, %s, 0, CASE WHEN %s THEN clock_timestamp() END) RETURNING load_id",
                (ds.id, status, json.dumps(files), src_sha, options, __version__, 1 if prev else None,
                 0 if prev else None, bool(prev))).fetchone()[0]
            if prev:
                return {"load_id": load_id, "dataset": ds.id, "status": "unchanged", "rows_in": 1,
                        "rows_loaded": 1, "rows_rejected": 0, "version": prev["version"],
                        "seconds": round(time.monotonic() - t0, 2)}
            try:
                return _run(conn, ds, path, src_sha, crs_option, load_id, t0)
            except HubError as exc:
                _reject(conn, ds, load_id, name, src_sha, exc)
                raise
            except BaseException as exc:
                conn.execute("UPDATE meta.load SET status = 'failed', finished_at = clock_timestamp(), message = %s "
                             "WHERE load_id = %s", (f"internal error ({type(exc).__name__})", load_id))
                raise
        finally:
            conn.execute("SELECT pg_advisory_unlock(%s)", (_lock_key(ds.id),))


def _reject(conn, ds: RasterDataset, load_id: int, name: str, src_sha: str, exc: HubError) -> None:
    """A refused raster: ledger 'failed' with rows_rejected = 1, its rule in meta.issue and the file in quarantine."""
    rule = exc.context.get("rule") or "error"
    with conn.transaction():
        _issue(conn, load_id, ds.id, name, rule, exc.user_message(), exc.context.get("field"), "rejected")
        conn.execute("INSERT INTO restricted.quarantine (load_id, dataset_id, file, row_no, rules, raw) "
                     "VALUES (%s, %s, %s, 1, %s, %s)",
                     (load_id, ds.id, name, [rule], json.dumps({"sha256": src_sha, "reason": exc.user_message()})))
        conn.execute("UPDATE meta.load SET status = 'failed', finished_at = clock_timestamp(), message = %s, "
                     "rows_loaded = 0, rows_rejected = 1, issues_by_rule = %s WHERE load_id = %s",
                     (exc.user_message(), json.dumps({rule: 1}), load_id))


def _run(conn, ds: RasterDataset, path: Path, src_sha: str, crs_option: int | None, load_id: int,
         t0: float) -> dict:
    """The checks, the COG and the publication (see the module docstring)."""
    opts, name = ds.options, path.name
    info = cog.inspect(path, opts.band)
    decision = rcrs.decide(name, info.wkt, crs_option)
    flags: list[tuple[str, str]] = []
    if decision.suspect:
        flags.append(("datum_suspect", decision.suspect))
    nodata, _, _ = cog.declared(info, opts)
    store = raster_settings().store / ds.id
    store.mkdir(parents=True, exist_ok=True)
    staged = store / f".load-{load_id}.tif"
    try:
        facts = cog.write_cog(info, decision, opts, staged)
        poly = scan.footprint(staged, decision)
        share = scan.inside_vietnam(poly)
        if share == 0.0:
            raise CrsError(f"the raster lands outside Vietnam with {decision.detail} (WGS 84 bounds "
                           f"{[round(v, 4) for v in poly.bounds]}): X and Y swapped, or the wrong zone",
                           file=name, field="crs", rule="outside_vietnam")
        if share < 0.5:
            flags.append(("partly_outside_vietnam", f"only {100 * share:.0f} % of the raster lies inside Vietnam"))
        stats = scan.scan(staged, opts)
        flags += _check_values(stats, opts, name)
        cog_sha = cog.sha256(staged)
        final = store / f"{cog_sha[:20]}.tif"
        published = dt.datetime.now(dt.timezone.utc).replace(microsecond=0)
        item = stac.build_item(dataset_id=ds.id, title={"vi": ds.title_vi, "en": ds.title_en}, href=final.name,
                               decision=decision, shape=(info.height, info.width), transform=info.transform,
                               footprint=poly, dtype=info.dtype, nodata=nodata, opts=opts, stats=stats,
                               cog_sha256=cog_sha, published=published, resolution=abs(info.transform[0]))
        stac.validate(item, name)
        staged.replace(final)
        summary = _publish(conn, ds, load_id, final, cog_sha, src_sha, decision, info, nodata, stats, poly, item,
                           published, flags, facts)
    finally:
        staged.unlink(missing_ok=True)
    _sweep(store, keep=final.name)
    summary["seconds"] = round(time.monotonic() - t0, 2)
    return summary


def _publish(conn, ds, load_id, final: Path, cog_sha, src_sha, decision, info, nodata, stats, poly, item,
             published, flags, facts) -> dict:
    """One transaction: the coverage row, the ledger, the findings and the zonal statistics."""
    from ingest.families.raster import zonal_refresh

    opts = ds.options
    st = {**stats.as_stac(), "histogram": {str(k): v for k, v in sorted(stats.histogram.items())}} \
        if opts.categorical else stats.as_stac()
    with conn.transaction():
        version = conn.execute("SELECT coalesce(max(version), 0) + 1 FROM meta.load WHERE dataset_id = %s",
                               (ds.id,)).fetchone()[0]
        conn.execute(
            "INSERT INTO raster.coverage (dataset_id, load_id, version, kind, file, cog_sha256, source_sha256, epsg, "
            "crs_decision, width, height, transform, dtype, nodata, scale, \"offset\", unit, classes, stats, "
            "footprint, stac, published_at) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, "
            "%s, %s, %s, %s, ST_GeomFromText(%s, 4326), %s, %s) ON CONFLICT (dataset_id) DO UPDATE SET "
            "load_id = EXCLUDED.load_id, version = EXCLUDED.version, kind = EXCLUDED.kind, file = EXCLUDED.file, "
            "cog_sha256 = EXCLUDED.cog_sha256, source_sha256 = EXCLUDED.source_sha256, epsg = EXCLUDED.epsg, "
            "crs_decision = EXCLUDED.crs_decision, width = EXCLUDED.width, height = EXCLUDED.height, "
            "transform = EXCLUDED.transform, dtype = EXCLUDED.dtype, nodata = EXCLUDED.nodata, "
            "scale = EXCLUDED.scale, \"offset\" = EXCLUDED.\"offset\", unit = EXCLUDED.unit, "
            "classes = EXCLUDED.classes, stats = EXCLUDED.stats, footprint = EXCLUDED.footprint, "
            "stac = EXCLUDED.stac, published_at = EXCLUDED.published_at",
            (ds.id, load_id, version, opts.kind, final.name, cog_sha, src_sha, decision.epsg, decision.detail,
             info.width, info.height, list(info.transform), info.dtype, nodata, opts.scale, opts.offset, opts.unit,
             json.dumps([c.model_dump() for c in opts.classes], ensure_ascii=False), json.dumps(st), poly.wkt,
             json.dumps(item, ensure_ascii=False), published))
        for rule, message in flags:
            _issue(conn, load_id, ds.id, final.name, rule, message, "band 1", "flagged")
        zonal = zonal_refresh.refresh_raster(conn, ds.id)
        files = [{"file": final.name, "format": "tif", "sha256": cog_sha, "role": "published COG", **facts}]
        conn.execute(
            "UPDATE meta.load SET status = 'published', finished_at = clock_timestamp(), version = %s, "
            "rows_loaded = 1, rows_rejected = 0, rows_flagged = %s, issues_by_rule = %s, "
            "source_files = source_files || %s::jsonb, message = %s WHERE load_id = %s",
            (version, 1 if flags else 0, json.dumps({r: 1 for r, _ in flags}), json.dumps(files),
             f"{decision.origin}: {decision.detail}", load_id))
    return {"load_id": load_id, "dataset": ds.id, "status": "published", "version": version, "rows_in": 1,
            "rows_loaded": 1, "rows_rejected": 0, "crs": f"EPSG:{decision.epsg}", "crs_from": decision.origin,
            "cog": final.name, "cog_sha256": cog_sha, "overviews": facts["overviews"],
            "flags": [{"rule": r, "message": m} for r, m in flags], "zonal": zonal}


def _sweep(store: Path, keep: str) -> None:
    """Remove COGs of earlier versions and partial files of killed runs (the lock is held: nothing else writes
    here; an API reader that opened an old COG keeps its handle)."""
    for p in store.iterdir():
        if p.name != keep and p.is_file():
            p.unlink(missing_ok=True)
