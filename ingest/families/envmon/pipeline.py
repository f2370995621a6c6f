"""The envmon pipeline on the framework: reader rows -> observations or stations (row rules and quality flags as
findings), set rules in SQL over the whole load (duplicates by the declared rule, stuck sensors), and the derived
VN_AQI tables refreshed inside the publish transaction (ingest.families.envmon.derived)."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import shapely
from psycopg import sql

from ingest.core import output
from ingest.core.batch import Batch
from ingest.core.family import Context, FieldMap, Pipeline
from ingest.core.findings import Findings
from ingest.core.issues import issue
from ingest.core.stage import ROWS_PER_FILE
from ingest.families.envmon import parameters
from ingest.families.envmon.quality.flags import FLAGS, INVALID
from ingest.families.envmon.source import REJECT_FIELDS

ROW_FLAGS = ("calibrating", "device_error", "status_unknown", "negative_value", "impossible_value", "censored")
FLAG_TEXT = {"calibrating": "status 01: the device was calibrating", "device_error": "status 02: device error",
             "status_unknown": "a status code the layout does not define", "negative_value": "a negative value",
             "impossible_value": "outside the parameter's possible range",
             "censored": "censored: below or above the detection limit"}
_ORDER = {"prefer_valid_last": "((flags & {inv}) = 0) DESC, row_id DESC", "last": "row_id DESC",
          "first": "row_id ASC", "reject_all": "row_id DESC"}


def flag_names(bits: np.ndarray) -> list[str | None]:
    """Comma-joined flag names of each bitmask (None when clean)."""
    out: list[str | None] = []
    for b in bits.tolist():
        names = [k for k, v in FLAGS.items() if b & v]
        out.append(",".join(names) if names else None)
    return out


def _rejects(f: Findings, attrs: dict) -> None:
    """Reader rejects (a line or cell that gave no value) as findings naming field and rule."""
    rule = np.asarray(attrs["_reject_rule"], dtype=object)
    hit = np.flatnonzero(rule != None)  # noqa: E711  (object array)
    if not len(hit):
        return
    fields = np.asarray(attrs["_reject_field"], dtype=object)
    msgs = np.asarray(attrs["_reject_message"], dtype=object)
    for key in sorted({(rule[i], fields[i]) for i in hit}, key=str):
        rows = hit[(rule[hit] == key[0]) & (fields[hit] == key[1])]
        f.add(rows, key[0], [str(m) for m in msgs[rows]], key[1], action="rejected")


class EnvmonPipeline(Pipeline):
    """Stations and observations of one envmon dataset (its `options.kind` says which)."""

    def field_map(self, ctx: Context, src) -> FieldMap:
        """The family's readers hand columns by their catalog names: nothing to map."""
        names = {c.name for c in ctx.ds.primary.columns}
        return FieldMap({None: {f: f for f in src.fields if f in names}},
                        [f for f in src.fields if f not in names and f not in REJECT_FIELDS])

    def transform(self, batch: Batch, ctx: Context, fmap: FieldMap) -> output.Output:
        """One chunk -> rows with their findings."""
        if ctx.ds.opts.kind == "stations":
            return self._stations(batch, ctx)
        a, n = batch.attrs, len(batch)
        station = np.asarray(a["station_code"], dtype=object)
        param = np.asarray(a["parameter"], dtype=object)
        times = pa.array(list(a["observed_at"]), pa.timestamp("us"), from_pandas=True).cast(
            pa.timestamp("us", tz="UTC"))
        iso = [None if s is None or t is None else f"{s}:{p}:{t.isoformat().replace('+00:00', 'Z')}"
               for s, p, t in zip(station.tolist(), param.tolist(), times.to_pylist())]
        f = Findings(ctx.ds, batch.file.display, batch.row_no, pa.array(iso, pa.string()), None, batch.where)
        _rejects(f, a)
        bits = np.asarray(a["flags"], dtype=np.int64)
        for name in ROW_FLAGS:
            f.add(np.flatnonzero((bits & FLAGS[name]) != 0), name, FLAG_TEXT[name], "value")
        when = ctx.ds.opts.time_for(batch.file.display)
        values = {k: a[k] for k in ("station_code", "parameter", "value", "unit", "value_raw", "unit_raw", "status",
                                    "qualifier", "detection_limit", "sample_id", "source_where")}
        values.update(obs_id=pa.array(iso, pa.string()), observed_at=times, flags=pa.array(bits, pa.int32()),
                      flag_names=pa.array(flag_names(bits), pa.string()),
                      value=pa.array(np.asarray(a["value"], dtype=float), pa.float64(), from_pandas=True),
                      detection_limit=pa.array(np.asarray(a["detection_limit"], dtype=float), pa.float64(),
                                               from_pandas=True),
                      time_convention=pa.array([when.convention] * n, pa.string()))
        return output.assemble(ctx, batch, f.summary(), {None: output.TableRows(values, n)})

    def _stations(self, batch: Batch, ctx: Context) -> output.Output:
        """Station rows with their WGS 84 point (the list gives lon/lat, or VN-2000 x/y converted by the reader)."""
        a, n = batch.attrs, len(batch)
        f = Findings(ctx.ds, batch.file.display, batch.row_no, pa.array(a["station_code"], pa.string()), None,
                     batch.where)
        _rejects(f, a)
        lon = np.array([np.nan if v is None else v for v in a["lon"]], dtype=float)
        lat = np.array([np.nan if v is None else v for v in a["lat"]], dtype=float)
        ok = ~f.rejected & np.isfinite(lon) & np.isfinite(lat)
        pts = np.full(n, None, dtype=object)
        pts[ok] = shapely.set_srid(shapely.points(lon[ok], lat[ok]), 4326)
        wkb = pa.array([None if p is None else shapely.to_wkb(p, include_srid=True) for p in pts], pa.binary())
        bounds = np.column_stack([lon, lat, lon, lat])
        values = {k: a[k] for k in a if k not in REJECT_FIELDS}
        return output.assemble(ctx, batch, f.summary(),
                               {None: output.TableRows(values, n, (wkb, pa.nulls(n, pa.binary()), bounds))})

    def set_rules(self, conn, ctx: Context, staging, files: list[str]):
        """Duplicates (station, parameter, time) resolved by the declared rule, stuck sensors flagged; then the
        generic key check (which now finds no duplicate)."""
        found = []
        if ctx.ds.opts.kind == "observations":
            staged = staging.primary
            found += _duplicates(conn, ctx, staged, files)
            found += _stuck(conn, ctx, staged, files)
        return found + super().set_rules(conn, ctx, staging, files)

    def after_publish(self, conn, ctx: Context, version: int) -> None:
        """The VN_AQI tables and the latest-per-station table, for the stations and hours this load touched."""
        if ctx.ds.opts.kind == "observations" and ctx.ds.opts.aqi:
            from ingest.families.envmon import derived

            derived.refresh(conn, ctx.ds, ctx.load_id)


def _duplicates(conn, ctx: Context, staged, files: list[str]):
    """Rows of one station, parameter and time beyond the first by the declared rule: quarantined and reported
    with the row that won (a re-sent file agrees with it; a conflict does not); the winner carries duplicate_kept."""
    rule = ctx.ds.opts.time.duplicates
    core = sql.Identifier(*staged.core)
    order = sql.SQL(_ORDER[rule].format(inv=INVALID))
    rows = conn.execute(sql.SQL(
        "WITH r AS (SELECT row_id, obs_id, value_raw, flags, count(*) OVER w AS n, row_number() OVER (w ORDER BY "
        "{o}) AS rk, first_value(row_id) OVER (w ORDER BY {o}) AS win, first_value(value_raw) OVER (w ORDER BY {o}) "
        "AS win_raw FROM {c} WINDOW w AS (PARTITION BY station_code, parameter, observed_at)) "
        "SELECT row_id, obs_id, value_raw, win, win_raw FROM r WHERE n > 1 AND (rk > 1 OR %s) ORDER BY row_id"
    ).format(o=order, c=core), (rule == "reject_all",)).fetchall()
    if not rows:
        return []
    out, lose, keep = [], [], set()
    for row_id, key, raw, win, win_raw in rows:
        if rule != "reject_all" and row_id == win:
            continue
        lose.append(row_id)
        keep.add(win)
        where = f"{files[win // ROWS_PER_FILE]} line/row {win % ROWS_PER_FILE}"
        msg = ("all rows of this station, parameter and time are refused (rule reject_all)" if rule == "reject_all"
               else f"{'same value as' if raw == win_raw else 'CONFLICTS with'} the row kept by rule {rule}: "
                    f"{where} ({win_raw} vs {raw})")
        out.append(issue(ctx.ds, files[row_id // ROWS_PER_FILE], row_id % ROWS_PER_FILE, "duplicate_observation",
                         msg, field="observed_at", key=key, action="rejected"))
    conn.execute(sql.SQL(
        "INSERT INTO restricted.quarantine (load_id, dataset_id, file, row_no, rules, raw, table_name) "
        "SELECT %s, %s, (%s::text[])[c.row_id / %s + 1], c.row_id %% %s, ARRAY['duplicate_observation'], "
        "to_jsonb(c), NULL FROM {} c WHERE c.row_id = ANY(%s)").format(core),
        (staged.load_id, ctx.ds.id, files, ROWS_PER_FILE, ROWS_PER_FILE, lose))
    conn.execute(sql.SQL("DELETE FROM {} WHERE row_id = ANY(%s)").format(core), (lose,))
    if rule != "reject_all":
        conn.execute(sql.SQL("UPDATE {} SET flags = flags | %s, flag_names = concat_ws(',', flag_names, "
                             "'duplicate_kept') WHERE row_id = ANY(%s)").format(core),
                     (FLAGS["duplicate_kept"], sorted(keep - set(lose))))
    return out


def _stuck(conn, ctx: Context, staged, files: list[str]):
    """Runs of one repeated value over consecutive hours of at least the parameter's stuck_hours (gaps and
    islands in SQL over the staged rows): every value of the run flagged stuck_sensor."""
    limits = [(p.code, p.stuck_hours) for p in parameters.catalogue().values() if p.stuck_hours]
    if not limits:
        return []
    core = sql.Identifier(*staged.core)
    rows = conn.execute(sql.SQL(
        "WITH lim(parameter, h) AS (SELECT * FROM unnest(%s::text[], %s::int[])), "
        "o AS (SELECT row_id, obs_id, station_code, parameter, observed_at, value, lim.h, "
        "observed_at - (row_number() OVER (PARTITION BY station_code, parameter, value ORDER BY observed_at)) "
        "* interval '1 hour' AS grp FROM {c} JOIN lim USING (parameter) WHERE value IS NOT NULL AND value <> 0 "
        "AND (flags & %s) = 0), "
        "g AS (SELECT *, count(*) OVER (PARTITION BY station_code, parameter, value, grp) AS run, "
        "min(observed_at) OVER (PARTITION BY station_code, parameter, value, grp) AS t0 FROM o) "
        "SELECT row_id, obs_id, value, run, t0 FROM g WHERE run >= h ORDER BY row_id").format(c=core),
        ([c for c, _ in limits], [h for _, h in limits], FLAGS["calibrating"] | FLAGS["device_error"])).fetchall()
    if not rows:
        return []
    conn.execute(sql.SQL("UPDATE {} SET flags = flags | %s, flag_names = concat_ws(',', flag_names, "
                         "'stuck_sensor') WHERE row_id = ANY(%s)").format(core),
                 (FLAGS["stuck_sensor"], [r[0] for r in rows]))
    return [issue(ctx.ds, files[rid // ROWS_PER_FILE], rid % ROWS_PER_FILE, "stuck_sensor",
                  f"value {v:g} repeated for {run} consecutive hours from {t0:%Y-%m-%d %H:%M}Z", field="value", key=k)
            for rid, k, v, run, t0 in rows]
