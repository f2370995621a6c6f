"""The heavy half of a family plugin: the pipeline a run drives (Kart's dataset types, dlt's resources).

`ingest.core.run` calls, in order: `prepare` (in the parent, before workers fork), `field_map` per file,
`transform` per chunk (in the workers), `set_rules` on the staged tables, and `after_publish` inside the publish
transaction. The defaults are the generic behaviour; a family overrides what it needs (docs/framework.md)."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from typing import TYPE_CHECKING, Any

from hub.catalog.families import load_object, spec
from hub.catalog.models import Dataset, TableRef
from hub.errors import ConfigError, SchemaViolation, UsageError
from ingest.core.batch import Batch, SourceFile

if TYPE_CHECKING:
    import psycopg

    from ingest.core.issues import Issue
    from ingest.core.output import Output
    from ingest.core.stage import StagingTables
    from ingest.spatial.georef import CrsDecision


@dataclass(frozen=True)
class Options:
    """What the caller asked for (recorded in the ledger: a rerun with other options is a new load)."""

    crs: str | None = None
    encoding: str | None = None
    dry_run: bool = False
    force: bool = False
    valid_from: str | None = None
    column_map: tuple[tuple[str, str], ...] = ()  # --map SRC=target, in order

    def ledger(self) -> dict:
        """The options that change what a run produces (the ledger's `options`, part of the rerun check)."""
        out: dict[str, Any] = {k: v for k, v in (("crs", self.crs), ("encoding", self.encoding),
                                                 ("valid_from", self.valid_from)) if v}
        if self.column_map:
            out["map"] = [f"{s}={t}" for s, t in self.column_map]
        return out


@dataclass
class FieldMap:
    """Which source field fills which catalog column, per table, for one file; and what is left over."""

    columns: dict[str | None, dict[str, str]]  # table name (None: primary) -> column -> source field
    unmapped: list[str] = field(default_factory=list)  # source fields no column takes
    missing: dict[str | None, list[str]] = field(default_factory=dict)  # important columns no field fills
    given: dict[str, str] = field(default_factory=dict)  # --map SRC=target applied to this file

    @property
    def primary(self) -> dict[str, str]:
        """The primary table's column -> source field."""
        return self.columns.get(None, {})

    def report(self) -> dict:
        """The mapping as the summary and `--json` show it: source -> column, unmapped, important left empty."""
        mapped = {src: (col if table is None else f"{table}.{col}")
                  for table, cols in self.columns.items() for col, src in cols.items()}
        return {"mapped": mapped, "unmapped": list(self.unmapped),
                "empty": [c if t is None else f"{t}.{c}" for t, cols in self.missing.items() for c in cols],
                **({"--map": dict(self.given)} if self.given else {})}


@dataclass
class Context:
    """What every chunk transform sees: the dataset, the run, the files' positions and CRS decisions.

    Built by `Pipeline.prepare` in the parent before workers fork, so workers inherit it; families subclass it
    for their reference data."""

    ds: Dataset
    load_id: int
    options: Options
    file_index: dict[str, int] = field(default_factory=dict)  # file -> position in the run (row ids)
    decisions: dict[str, CrsDecision] = field(default_factory=dict)  # file -> CRS decision (spatial sources)
    route_sensitive: bool = False  # rows whose is_sensitive is true go to the restricted-rows table

    @property
    def encoding(self) -> str:
        """The text encoding hint: --encoding, else the catalog's."""
        return self.options.encoding or self.ds.source.encoding


def _lower(fields: tuple[str, ...] | list[str]) -> dict[str, str]:
    """Source field names by their case-folded form (first spelling wins)."""
    out: dict[str, str] = {}
    for f in fields:
        out.setdefault(f.lower(), f)
    return out


class Pipeline:
    """The generic pipeline; families subclass it (their `spec.pipeline` names the subclass)."""

    context_class: type[Context] = Context

    def prepare(self, conn: psycopg.Connection, ds: Dataset, srcs: list[SourceFile], options: Options,
                load_id: int) -> Context:
        """Reference data and per-file decisions, in the parent before the fork (default: CRS decisions for
        sources that have geometry)."""
        ctx = self.context_class(ds, load_id, options)
        ctx.file_index = {s.display: i for i, s in enumerate(srcs)}
        if any(t.geometry is not None for t in ds.all_tables):
            self.decide_crs(conn, ctx, srcs)
        return ctx

    def decide_crs(self, conn: psycopg.Connection, ctx: Context, srcs: list[SourceFile],
                   zone_of: dict[str, int] | None = None) -> None:
        """Each spatial file's CRS, before any data is read (a CRS error fails the run before anything loads);
        `zone_of` gives files without a CRS a zone from elsewhere (a Famis file's commune)."""
        from ingest.spatial import georef

        option = None
        if ctx.options.crs:
            zones: dict[str, int] = dict(conn.execute("SELECT old_province_code, epsg FROM ref.crs_zone").fetchall())
            option = georef.parse_crs_option(ctx.options.crs, zones)
        for src in srcs:
            if src.fmt in NON_SPATIAL_FORMATS:
                continue
            ctx.decisions[src.display] = georef.decide(src.display, src.crs_wkt, ctx.ds.source.crs, option,
                                                       (zone_of or {}).get(src.display), src.crs_error)

    def field_map(self, ctx: Context, src: SourceFile) -> FieldMap:
        """Catalog columns filled from the file's fields: `--map` first, then each column's `source` aliases
        (case-insensitive); a frozen contract refuses extra fields; a required column must be found."""
        ds, lower = ctx.ds, _lower(src.fields)
        given = _given_map(ds, ctx.options.column_map, lower, src)
        columns: dict[str | None, dict[str, str]] = {}
        missing: dict[str | None, list[str]] = {}
        for t in ds.all_tables:
            out: dict[str, str] = {}
            for col in t.columns:
                hit = given.get((t.name, col.name))
                if hit is None:
                    hit = next((lower[a.lower()] for a in col.source if a.lower() in lower), None)
                if hit is not None:
                    out[col.name] = hit
            columns[t.name] = out
            absent = [c for c in t.columns if c.source and c.name not in out]
            req = [c.name for c in absent if c.required]
            if req:
                raise SchemaViolation(
                    f"no source field for required column(s) {req}; catalog aliases: "
                    + "; ".join(f"{c} <- {t.column(c).source}" for c in req)
                    + f"; fields in the file: {', '.join(src.fields) or 'none'} (map one with --map FIELD={req[0]})",
                    file=src.display)
            missing[t.name] = [c.name for c in absent if c.important]
        used = {f for cols in columns.values() for f in cols.values()}
        unmapped = [f for f in src.fields if f not in used]
        if ds.source.contract == "freeze" and unmapped:
            raise SchemaViolation(f"source fields {unmapped} are not in the catalog (contract: freeze)",
                                  file=src.display)
        return FieldMap(columns, unmapped, {t: c for t, c in missing.items() if c},
                        {src_name: (t or "") + ("." if t else "") + c for (t, c), src_name in given.items()})

    def transform(self, batch: Batch, ctx: Context, fmap: FieldMap) -> Output:
        """One chunk -> COPY-ready output (row rules; set rules run in SQL later)."""
        raise NotImplementedError(f"family {ctx.ds.family} has no transform")

    def set_rules(self, conn: psycopg.Connection, ctx: Context, staging: StagingTables,
                  files: list[str]) -> list[Issue]:
        """Rules over the whole load, in SQL on the staged tables (default: duplicate keys of every table)."""
        from ingest.core import stage

        found: list[Issue] = []
        for staged in staging.tables:
            found += stage.duplicate_keys(conn, ctx.ds, staged, files)
        return found

    def after_publish(self, conn: psycopg.Connection, ctx: Context, version: int) -> None:
        """Derived tables, inside the publish transaction (default: none)."""


def notify_published(conn: psycopg.Connection, ds: Dataset) -> None:
    """Every family's `on_publish` hook, inside the publish transaction of `ds` (registry order)."""
    from hub.catalog.families import names

    for name in names():
        dotted = spec(name).on_publish
        if dotted:
            hook = load_object(dotted)
            assert callable(hook), dotted
            hook(conn, ds)


NON_SPATIAL_FORMATS = frozenset({"csv", "xlsx"})


def _given_map(ds: Dataset, pairs: tuple[tuple[str, str], ...], lower: dict[str, str],
               src: SourceFile) -> dict[tuple[str | None, str], str]:
    """`--map SRC=target` pairs resolved against the file and the catalog: (table, column) -> source field."""
    out: dict[tuple[str | None, str], str] = {}
    for field_name, target in pairs:
        table_name, _, column = target.rpartition(".")
        table: TableRef | None = next((t for t in ds.all_tables if (t.name or "") == table_name), None)
        if table is None or column not in {c.name for c in table.columns}:
            raise UsageError(f"--map {field_name}={target}: '{target}' is not a column of dataset '{ds.id}' "
                             f"(columns: {', '.join(c.name for c in ds.columns)})")
        if not table.column(column).source:
            raise UsageError(f"--map {field_name}={target}: '{column}' is computed by the hub, not read from a "
                             "source field")
        real = lower.get(field_name.lower())
        if real is None:
            continue  # another file of the run may have it; the mapping report shows where it applied
        out[(table.name, column)] = real
    return out


@cache
def pipeline_for(family: str) -> Pipeline:
    """The family's pipeline object, imported on first use (the heavy modules load only for a run of it)."""
    dotted = spec(family).pipeline
    if not dotted:
        raise ConfigError(f"family '{family}' declares no pipeline")
    cls = load_object(dotted)
    if not (isinstance(cls, type) and issubclass(cls, Pipeline)):
        raise ConfigError(f"{dotted} is not a Pipeline subclass")
    return cls()
