"""The raster pipeline: each source GeoTIFF is one row of the dataset, checked, made a COG, described by a STAC
Item and published by the framework's `replace` strategy (ledger, findings, quarantine, atomic swap).

Per raster (in `transform`): header checks → CRS decision (an EPSG code the hub pins, VN-2000 recognised from WKT
parameters, or --crs; never guessed) → COG written under a temporary name → block scan (value rules) → footprint
through the pinned EPSG:6960 path (outside Vietnam: refused) → STAC Item (validated) → the COG renamed to its
content address `<sha256[:20]>.tif`. In a run of several rasters a refused one is quarantined with its rule
(rows_in = loaded + rejected) and the others publish; a run of one raster fails with that raster's own error.
Content-addressed names never overwrite a published COG with other bytes, so a killed run leaves what is served
untouched; files no published row names are swept at the start of the next run. After the swap (`after_publish`,
same transaction) the zonal statistics of the new rasters over every published polygon set are computed.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import psycopg
import pyarrow as pa
import shapely
from psycopg import sql

from hub.errors import HubError, UsageError
from hub.settings import raster_settings
from ingest.core import output
from ingest.core.batch import Batch, SourceFile
from ingest.core.family import Context, FieldMap, Options, Pipeline
from ingest.core.findings import Findings
from ingest.families.raster import cog, scan, stac
from ingest.families.raster import crs as rcrs
from ingest.families.raster.options import RasterOptions

COG_ROUTE = "/rasters"  # where the API serves the store (hub.api.rasters)


@dataclass
class RasterContext(Context):
    """The run's store folder and --crs (as an EPSG code)."""

    store: Path = Path()
    crs_code: int | None = None
    cogs: dict[str, str] = field(default_factory=dict)  # raster key -> COG file written by this run


def crs_code(text: str | None) -> int | None:
    """`--crs 5897` or `--crs EPSG:5897` as an EPSG code (rasters take no province shorthand: a grid has one CRS)."""
    if not text:
        return None
    t = text.strip().upper().removeprefix("EPSG:")
    if not t.isdigit():
        raise UsageError(f"--crs {text}: a raster takes an EPSG code (e.g. --crs EPSG:5897)")
    return int(t)


def _published_files(conn: psycopg.Connection, ds) -> set[str]:
    """COG files the live table names (nothing if the dataset was never published)."""
    table = ds.primary.core_table
    if not conn.execute("SELECT to_regclass(%s) IS NOT NULL", (f'"{table[0]}"."{table[1]}"',)).fetchone()[0]:
        return set()
    rows = conn.execute(sql.SQL("SELECT href FROM {}").format(sql.Identifier(*table))).fetchall()
    return {Path(r[0]).name for r in rows if r[0]}


def sweep(conn: psycopg.Connection, ds, store: Path) -> None:
    """Remove what no published row names: COGs of replaced versions and partial files of killed runs (the
    dataset's publish lock is held; an API reader that opened an old COG keeps its handle)."""
    keep = _published_files(conn, ds)
    for p in store.iterdir() if store.is_dir() else ():
        if p.is_file() and p.name not in keep:
            p.unlink(missing_ok=True)


def _tiff_type(dtype: str) -> str:
    """Catalog-facing pixel type name."""
    return dtype


class RasterPipeline(Pipeline):
    """GeoTIFF rows → COG + STAC rows; zonal statistics after publication."""

    context_class = RasterContext

    def prepare(self, conn, ds, srcs: list[SourceFile], options: Options, load_id: int) -> Context:
        """The store of the dataset, swept of files no published row names; --crs parsed."""
        ctx = self.context_class(ds, load_id, options)
        assert isinstance(ctx, RasterContext)
        ctx.file_index = {s.display: i for i, s in enumerate(srcs)}
        ctx.store = raster_settings().store / ds.id
        ctx.store.mkdir(parents=True, exist_ok=True)
        ctx.crs_code = crs_code(options.crs)
        sweep(conn, ds, ctx.store)
        return ctx

    def field_map(self, ctx: Context, src: SourceFile) -> FieldMap:
        """A raster has no attribute fields: every column is computed from the pixels and the header."""
        return FieldMap({t.name: {} for t in ctx.ds.all_tables})

    def transform(self, batch: Batch, ctx: Context, fmap: FieldMap) -> output.Output:
        """One raster → its row (or its quarantine record with the rule that refused it)."""
        assert isinstance(ctx, RasterContext)
        src = batch.file
        key = Path(src.display).stem
        f = Findings(ctx.ds, src.display, batch.row_no, pa.array([key]), None, None)
        values: dict[str, object] = {}
        geometry = None
        try:
            values, poly, flags = self._raster(ctx, src.path, src.display, key)
            for rule, field_name, message in flags:
                f.add(np.array([0]), rule, message, field_name)
            ewkb = shapely.to_wkb(shapely.set_srid(shapely.MultiPolygon([poly]), 4326), include_srid=True)
            geometry = (pa.array([ewkb], pa.binary()), pa.nulls(1, pa.binary()), np.array([poly.bounds]))
        except HubError as exc:
            if len(ctx.file_index) == 1:
                raise  # one raster: its own error and exit code (a CRS refusal is 7, as for vector files)
            f.add(np.array([0]), exc.context.get("rule") or "unreadable", exc.user_message(),
                  exc.context.get("field"))
        values = {k: pa.array([v], output.ARROW_TYPES[ctx.ds.primary.column(k).type]) for k, v in values.items()}
        return output.assemble(ctx, batch, f.summary(), {None: output.TableRows(values, 1, geometry)})

    def _raster(self, ctx: RasterContext, path: Path, display: str, key: str):
        """Checks, COG, scan, footprint and STAC of one raster: (column values, WGS 84 footprint, flags)."""
        opts: RasterOptions = ctx.ds.opts
        info = cog.inspect(path, opts.band)
        decision = rcrs.decide(display, info.wkt, ctx.crs_code)
        flags: list[tuple[str, str, str]] = []
        if decision.suspect:
            flags.append(("datum_suspect", "crs", decision.suspect))
        nodata, _, _ = cog.declared(info, opts)
        staged = ctx.store / f".load-{ctx.load_id}-{ctx.file_index[display]}.tif"
        try:
            facts = cog.write_cog(info, decision, opts, staged)
            poly = scan.footprint(staged, decision)
            share = scan.inside_vietnam(poly)
            if share == 0.0:
                from hub.errors import CrsError

                raise CrsError(f"the raster lands outside Vietnam with {decision.detail} (WGS 84 bounds "
                               f"{[round(v, 4) for v in poly.bounds]}): X and Y swapped, or the wrong zone",
                               file=display, field="crs", rule="outside_vietnam")
            if share < 0.5:
                flags.append(("partly_outside_vietnam", "footprint",
                              f"only {100 * share:.0f} % of the raster lies inside Vietnam"))
            stats = scan.scan(staged, opts)
            flags += [(r, "band 1", m) for r, m in _value_flags(stats, opts, display)]
            cog_sha = cog.sha256(staged)
            final = ctx.store / f"{cog_sha[:20]}.tif"
            href = f"{COG_ROUTE}/{ctx.ds.primary.view[1]}/{final.name}"
            published = dt.datetime.now(dt.UTC).replace(microsecond=0)
            item = stac.build_item(dataset_id=f"{ctx.ds.id}:{key}", title=ctx.ds.title.model_dump(), href=href,
                                   decision=decision, shape=(info.height, info.width), transform=info.transform,
                                   footprint=poly, dtype=info.dtype, nodata=nodata, opts=opts, stats=stats,
                                   cog_sha256=cog_sha, published=published, resolution=abs(info.transform[0]))
            stac.validate(item, display)
            staged.replace(final)  # same name = same bytes: never changes what a published row names
        finally:
            staged.unlink(missing_ok=True)
        ctx.cogs[key] = final.name
        st = stats.as_stac()
        if opts.categorical:
            st = {**st, "histogram": {str(k): v for k, v in sorted(stats.histogram.items())}}
        import json

        values = {"raster_key": key, "kind": opts.kind, "href": href, "cog_sha256": cog_sha,
                  "source_sha256": cog.sha256(path), "epsg": decision.epsg, "crs_from": decision.origin,
                  "width": info.width, "height": info.height, "resolution": abs(info.transform[0]),
                  "dtype": _tiff_type(info.dtype), "nodata": nodata, "scale": opts.scale, "offset": opts.offset,
                  "unit": opts.unit, "overviews": len(facts.get("overviews") or ()),
                  "stats": json.dumps(st), "classes": json.dumps([c.model_dump() for c in opts.classes],
                                                                ensure_ascii=False),
                  "stac": json.dumps(item, ensure_ascii=False)}
        return values, poly, flags

    def after_publish(self, conn: psycopg.Connection, ctx: Context, version: int) -> None:
        """The statistics of the published rasters over every published polygon set and the communes."""
        from ingest.families.raster import zonal_refresh

        zonal_refresh.refresh_raster_dataset(conn, ctx.ds)


def _value_flags(stats: scan.BandStats, opts: RasterOptions, file: str) -> list[tuple[str, str]]:
    """Value rules on the scan: refusals raise, flags are returned as (rule, message)."""
    from hub.errors import InputError, SchemaViolation

    if stats.count == 0:
        raise InputError("every pixel is nodata", file=file, field="band 1", rule="all_nodata")
    if opts.categorical:
        known = opts.class_by_value()
        unknown = {v: n for v, n in stats.histogram.items() if v not in known}
        if unknown:
            listing = ", ".join(f"{v} ({n} pixels)" for v, n in sorted(unknown.items()))
            raise SchemaViolation(f"pixel values not among the declared classes: {listing}; declare them in the "
                                  "catalog entry's classes or set them to nodata", file=file, field="band 1",
                                  rule="unknown_class")
        return []
    if stats.out_of_range:
        lo, hi = opts.range
        return [("value_out_of_range", f"{stats.out_of_range} pixels outside the plausible {opts.kind} range "
                 f"{lo:g}..{hi:g} {opts.unit or ''} (min {stats.minimum:g}, max {stats.maximum:g})")]
    return []
