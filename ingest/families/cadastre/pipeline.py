"""Cadastre family pipeline: source batch -> canonical parcel rows, with per-row rules (vectorised where it matters)."""

from __future__ import annotations

import datetime as dt
import json
import operator
from dataclasses import dataclass, field

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import shapely

from hub import crs, geohash
from hub.catalog.models import Dataset
from hub.errors import UsageError
from hub.ref.admin_units import NEW as NEW_ADMIN_VERSION
from ingest.core import output
from ingest.core.family import Context, FieldMap, Options, Pipeline
from ingest.core.findings import Findings
from ingest.core.values import as_float as _num
from ingest.core.values import as_int as _int
from ingest.reference import refdata
from ingest.reference.refdata import RefData
from ingest.sources import Batch, SourceFile
from ingest.spatial import georef, topology, validity, wkb
from ingest.steps import decode, pii
from ingest.steps.landuse import Normaliser

METRES_PER_DEGREE = 111_000.0  # the outside-commune tolerance is given in metres; boundaries are in degrees
TEXT_SCAN = ("address", "note")


@dataclass
class CadastreContext(Context):
    """The run context plus the cadastre's reference data (admin units, codes, boundaries) and load date."""

    ref: RefData = field(default_factory=RefData)
    landuse: Normaliser | None = None
    valid_from: str = ""
    buffered: dict[str, object] = field(default_factory=dict)


class CadastrePipeline(Pipeline):
    """Parcels (TT 25/2014 maps) from Shapefile, MapInfo, GeoPackage, GeoJSON, FlatGeobuf and Famis DGN."""

    context_class = CadastreContext

    def prepare(self, conn, ds: Dataset, srcs: list[SourceFile], options: Options, load_id: int) -> CadastreContext:
        """Reference data once per run; CRS decisions (Famis files without a CRS take their commune's zone)."""
        ctx = self.context_class(ds, load_id, options)
        ctx.file_index = {s.display: i for i, s in enumerate(srcs)}
        opts = ds.opts
        ctx.ref = refdata.load(conn, opts.admin_version)
        ctx.landuse = Normaliser(ctx.ref, opts.land_use_list)
        try:
            ctx.valid_from = dt.date.fromisoformat(options.valid_from).isoformat() if options.valid_from \
                else dt.date.today().isoformat()
        except ValueError:
            raise UsageError(f"--valid-from '{options.valid_from}' is not a date (YYYY-MM-DD)") from None
        ctx.route_sensitive = opts.exclude_sensitive_land_use
        zone_of = {}
        if opts.crs_from_commune:
            from ingest.families.cadastre.famis import commune_of

            for src in srcs:
                province = ctx.ref.communes.get(opts.admin_version, {}).get(commune_of(src.path) or "")
                if province in ctx.ref.zones:
                    zone_of[src.display] = ctx.ref.zones[province]
        self.decide_crs(conn, ctx, srcs, zone_of)
        return ctx

    def transform(self, batch: Batch, ctx: Context, fmap: FieldMap) -> output.Output:
        """Map, decode, reproject and validate one batch of parcels."""
        return transform(batch, ctx, fmap.primary)


def _required(f: Findings, cols: dict[str, object], parsed: dict[str, pa.Array], fmap: dict[str, str]) -> None:
    """missing_required / bad_value for the key columns (null once parsed: missing if the source was empty)."""
    for name, values in parsed.items():
        null = values.is_null().to_numpy(zero_copy_only=False)
        if not null.any():
            continue
        raw = cols[name]
        if isinstance(raw, pa.Array):
            empty = pc.fill_null(pc.equal(raw.cast(pa.string()), ""), True).to_numpy(zero_copy_only=False)
        else:
            empty = np.array([v is None or (isinstance(v, str) and v == "") for v in raw], dtype=bool)
        f.add(null & empty, "missing_required", f"{name} is missing", fmap.get(name))
        f.add(null & ~empty, "bad_value", f"{name} is not a whole number", fmap.get(name))


def _geometry(f: Findings, batch: Batch, decision: georef.CrsDecision):
    """Validity, reprojection (pinned) and position checks; returns (ok mask, VN-2000 EWKB, WGS 84 EWKB, points,
    WGS 84 bounds, source coordinates of the ok rows as `wkb.ragged` arrays).

    The two EWKB arrays hold a value for every row (NULL where the geometry is not usable), the points and
    bounds a row each (NaN there)."""
    geoms, n = batch.geom, len(batch)
    empty = shapely.is_missing(geoms) | shapely.is_empty(geoms)
    polygonal = np.isin(shapely.get_type_id(geoms), (3, 6))
    shapes = np.flatnonzero(~empty & polygonal)
    rag = wkb.ragged(geoms[shapes])  # their coordinates, extracted once for validity, reprojection and topology
    valid = np.zeros(n, dtype=bool)
    valid[shapes] = validity.is_valid(geoms[shapes], rag)  # small simple rings proven in numpy, the rest by GEOS
    unreadable = batch.unreadable if batch.unreadable is not None else np.zeros(n, dtype=bool)
    f.add(unreadable, "invalid_geometry", "the parcel's boundary does not close (unreadable ring, or a DGN "
          "boundary line stopping short of its node)")
    f.add(empty & ~unreadable, "empty_geometry", "no geometry")
    other = np.flatnonzero(~empty & ~polygonal)
    f.add(other, "invalid_geometry", [f"a parcel must be a polygon, not a {geoms[i].geom_type}" for i in other])
    invalid = np.flatnonzero(~valid & ~empty & polygonal & ~unreadable)
    f.add(invalid, "invalid_geometry", [shapely.is_valid_reason(geoms[i]) for i in invalid])
    ok = ~empty & valid & polygonal
    pos = np.full((n, 2), np.nan)
    bounds = np.full((n, 4), np.nan)
    ok_rag = wkb.take(rag, np.flatnonzero(valid[shapes]))
    vn, wgs, bounds[ok] = georef.to_targets_wkb(ok_rag, decision)
    # The interior point is taken in the source grid, then transformed: the national-id definition (§1.3).
    pos[ok] = georef.points_to_wgs(shapely.point_on_surface(geoms[ok]), decision)  # (lon, lat) rows
    if not ok.all():
        spread = pa.array(np.where(ok, np.cumsum(ok) - 1, 0), mask=~ok)
        vn, wgs = vn.take(spread), wgs.take(spread)
    outside = np.zeros(n, dtype=bool)
    outside[ok] = georef.outside_vietnam(pos[ok, 0], pos[ok, 1])
    if outside.any():
        fits = georef.swapped_would_fit(geoms[outside], decision)
        rows = np.flatnonzero(outside)
        f.add(rows[fits], "axis_order", "coordinates fall outside Vietnam but fit once X and Y are swapped "
                                        "(northing written as easting)")
        f.add(rows[~fits], "outside_admin_unit", f"coordinates fall outside Vietnam in EPSG:{decision.epsg}")
    if decision.suspect:
        f.add(ok, "datum_suspect", decision.suspect)
    return ok, vn, wgs, pos, bounds, ok_rag


def _codes(values: pa.Array) -> tuple[np.ndarray, list]:
    """(each row's index among the column's distinct values, -1 where null; the distinct values), by Arrow
    dictionary encoding: no Python loop per row."""
    enc = values.dictionary_encode()
    return pc.fill_null(enc.indices, -1).to_numpy(zero_copy_only=False).astype(np.int64), enc.dictionary.to_pylist()


def _groups(values: pa.Array) -> list[tuple[object, np.ndarray]]:
    """(distinct value, row indices) pairs of a column, null as a value of its own."""
    idx, uniq = _codes(values)
    if (idx < 0).any():
        idx[idx < 0] = len(uniq)
        uniq.append(None)
    order = np.argsort(idx, kind="stable")
    bounds = np.searchsorted(idx[order], np.arange(len(uniq) + 1))
    return [(uniq[k], order[bounds[k]:bounds[k + 1]]) for k in range(len(uniq)) if bounds[k + 1] > bounds[k]]


def _admin(f: Findings, ctx: CadastreContext, communes: pa.Array, pos: np.ndarray, decision, fmap) -> np.ndarray:
    """Commune checks per distinct code (known code, inside its boundary) and the new commune via lineage/space."""
    n = len(communes)
    new_code = np.full(n, None, dtype=object)
    version = ctx.ds.opts.admin_version
    known = ctx.ref.communes.get(version, {})
    has_pos = ~np.isnan(pos[:, 0])
    for c, rows in _groups(communes):
        rows = rows[~f.rejected[rows]]
        if not c or not len(rows):
            continue
        if c not in known:
            f.add(rows, "admin_code_unknown", f"commune code {c} is not in {version}",
                  fmap.get("old_commune_code"))
        placed = rows[has_pos[rows]]
        poly = ctx.ref.old_bounds.get(c)
        if poly is not None and len(placed):
            inside = shapely.contains_xy(_buffered(ctx, c, poly), pos[placed, 0], pos[placed, 1])
            away = placed[~inside]
            f.add(away, "outside_admin_unit", [f"parcel lies ~{poly.distance(shapely.Point(pos[i])) * 111.0:.1f} km outside "
                                               f"commune {c} (EPSG:{decision.epsg}: wrong central meridian or zone?)"
                                               for i in away])
            rows = np.setdiff1d(rows, away)
        succ = ctx.ref.lineage.get(c, [])
        if len(succ) == 1:
            new_code[rows] = succ[0][0]
        elif succ:
            assigned = np.zeros(len(rows), dtype=bool)
            for code, _ in succ:
                target = ctx.ref.new_bounds.get(code)
                if target is None:
                    continue
                cand = has_pos[rows] & ~assigned
                hit = np.zeros(len(rows), dtype=bool)
                hit[cand] = shapely.contains_xy(target, pos[rows[cand], 0], pos[rows[cand], 1])
                new_code[rows[hit]] = code
                assigned |= hit
            new_code[rows[~assigned]] = succ[0][0]
    return new_code


def _land_use(f: Findings, ctx: CadastreContext, raw: pa.Array, fmap) -> tuple[np.ndarray, np.ndarray]:
    """Normalised codes per distinct raw value; findings on the rows that carry each value."""
    codes = np.full(len(raw), None, dtype=object)
    sensitive = np.zeros(len(raw), dtype=bool)
    for value, rows in _groups(raw):
        res = ctx.landuse.normalise(value)
        for rule, msg in res.findings:
            f.add(rows, rule, msg, fmap.get("land_use_raw"))
        codes[rows] = "+".join(res.codes) or None
        if res.sensitive:
            sensitive[rows] = True
            f.add(rows, "sensitive_land_use", "defence/security land: kept out of every public view",
                  action="excluded")
    return codes, sensitive


def _areas(f: Findings, ctx: CadastreContext, cols, geoms, ok, decision, fmap) -> tuple[np.ndarray, np.ndarray]:
    """Declared areas parsed; computed TM-3 grid areas; area_mismatch beyond k·M·√P."""
    n = len(geoms)
    grid = np.full(n, np.nan)
    if decision.vn2000 and decision.epsg != crs.VN2000_GEOGRAPHIC:
        grid[ok] = shapely.area(geoms[ok])
    raw = cols.get("area_m2", [None] * n)
    if isinstance(raw, pa.Array) and (pa.types.is_floating(raw.type) or pa.types.is_integer(raw.type)):
        declared = raw.cast(pa.float64()).to_numpy(zero_copy_only=False).copy()  # nulls become NaN
        given = raw.is_valid().to_numpy(zero_copy_only=False)
    else:
        raw = raw.to_pylist() if isinstance(raw, pa.Array) else raw
        declared = np.array([v if type(v) is float else (np.nan if (a := _num(v)) is None else a) for v in raw],
                            dtype=float)
        given = np.array([v is not None and str(v).strip() != "" for v in raw], dtype=bool)
    with np.errstate(invalid="ignore"):
        finite = np.isfinite(declared)
    unusable = np.flatnonzero(~finite & given)
    declared[~finite] = np.nan
    f.add(unusable, "bad_value", "area is not a finite number", fmap.get("area_m2"))
    rule = ctx.ds.rule("area_mismatch")
    k, scale = float(rule.params.get("k", 0.0004)), float(rule.params.get("scale_denominator", 1000))
    with np.errstate(invalid="ignore"):
        off = ok & ~np.isnan(declared) & ~np.isnan(grid) & \
            (np.abs(declared - grid) > k * scale * np.sqrt(np.maximum(grid, 1.0)))
    rows = np.flatnonzero(off)
    f.add(rows, "area_mismatch", [f"declared area {declared[i]:.1f} m² differs from the computed {grid[i]:.1f} m² "
                                  f"by more than {k}·M·√P (M={scale:.0f})" for i in rows], fmap.get("area_m2"))
    return declared, np.round(grid, 2)


def _national_id(f: Findings, cols, pos, ok, decision, fmap) -> None:
    """national_id_mismatch where the official GeoHash-12 differs from the pinned interior point's."""
    nat = cols.get("national_id")
    if nat is None or not decision.vn2000:
        return
    idx = np.flatnonzero(pc.fill_null(pc.not_equal(nat, ""), False).to_numpy(zero_copy_only=False) & ok)
    if not len(idx):
        return
    hashes = geohash.encode_array(pos[idx, 0], pos[idx, 1], 12)
    wrong = idx[~pc.fill_null(pc.equal(nat.take(idx), pa.array(hashes, pa.string())), False).to_numpy(
        zero_copy_only=False)]
    f.add(wrong, "national_id_mismatch", "the official id does not match the GeoHash of the parcel's interior "
          "point (EPSG:6960); official value kept", fmap.get("national_id"))


def _topology(f: Findings, ctx: CadastreContext, keys, communes, sheets, geoms, ok, ok_rag, decision) -> None:
    """topology_overlap / topology_gap within each sheet, in the source grid (metres, exact shared vertices).

    Sheets whose parcels share exact vertices are proven clean by `ingest.spatial.topology.clean_ragged` (edge
    cancellation, no GEOS); for the others GEOS coverage validation finds the parcels whose edges do not match
    their neighbours' (overlaps, narrow gaps) in linear time, and only those are intersected. Working before
    reprojection avoids the micro-overlaps a non-linear transform leaves at T-junctions. Chunk-local: a sheet split
    across chunks is checked per part, and overlaps across sheet frames are not looked for.
    """
    if not decision.vn2000 or decision.epsg == crs.VN2000_GEOGRAPHIC:
        return
    over, gap = ctx.ds.rule("topology_overlap"), ctx.ds.rule("topology_gap")
    min_overlap = float(over.params.get("min_area_m2", 0.05))
    lo, hi = float(gap.params.get("min_area_m2", 0.01)), float(gap.params.get("max_area_m2", 5.0))
    width = float(gap.params.get("max_width_m", 1.0))
    live = np.flatnonzero(ok & ~f.rejected)
    if not len(live):
        return
    groups = _groups(pc.binary_join_element_wise(communes.take(live), sheets.take(live).cast(pa.string()), "|"))
    gid = np.empty(len(live), dtype=np.int64)
    for k, (_, members) in enumerate(groups):
        gid[members] = k
    # Exact-vertex coverages need no GEOS validation; the live rows' coordinates are a subset of the ok rows'.
    proven = topology.clean_ragged(wkb.take(ok_rag, (np.cumsum(ok) - 1)[live]), gid)
    for k, (_, members) in enumerate(groups):
        if len(members) < 2 or proven[k]:
            continue
        idx = live[members]
        g = geoms[idx]
        flagged = np.flatnonzero(~shapely.is_empty(shapely.coverage_invalid_edges(g, gap_width=width)))
        if not len(flagged):
            continue
        tree = shapely.STRtree(g)
        a, b = tree.query(g[flagged], predicate="overlaps")
        a = flagged[a]
        pairs = sorted({(min(x, y), max(x, y)) for x, y in zip(a.tolist(), b.tolist())})
        if pairs:
            first, second = np.array(pairs).T
            areas = shapely.area(shapely.intersection(g[first], g[second]))
            big = areas >= min_overlap
            f.add(idx[first[big]], "topology_overlap",
                  [f"overlaps parcel {keys[int(idx[j])].as_py()} by {ar:.2f} m²"
                   for j, ar in zip(second[big], areas[big])])
        union = shapely.coverage_union_all(g)
        holes = [shapely.Polygon(r) for part in shapely.get_parts(union) for r in part.interiors]
        for hole in (h for h in holes if lo <= h.area <= hi):
            around = idx[tree.query(hole.buffer(1e-3), predicate="intersects")]
            f.add(around, "topology_gap", f"a gap of {hole.area:.2f} m² lies between this parcel and its neighbours")


def _personal_text(f: Findings, cols, fmap) -> tuple[list[str | None], dict[int, set[str]]]:
    """Redact free-text values that hold an ID number, a titled person name or the row's own owner name; returns
    the withheld values per row as JSON (restricted table only) and the withheld columns of each row.

    Work is per distinct value (addresses repeat across a hamlet's parcels, owners across their parcels): each
    distinct text is scanned and folded once, and each distinct (owner, text) pair compared once."""
    n = len(next(iter(cols.values())))
    owner_idx, owners = _distinct(cols.get("owner_name", pa.nulls(n, pa.string())))
    # Folded owner names; names under 5 characters are not looked for, b"\xff" never occurs in a folded text.
    owner_fold = np.empty(len(owners), dtype=object)
    owner_fold[:] = [name if name and len(name) >= 5 else b"\xff" for name in map(pii.fold, owners)]
    withheld: dict[int, dict] = {}
    for col in TEXT_SCAN:
        values = cols.get(col)
        if values is None:
            continue
        idx, uniq = _distinct(values)
        if not (idx >= 0).any():
            continue
        why = np.full(n, None, dtype=object)
        for u in pii.candidates(pa.array(uniq, pa.string())).tolist():
            if reason := pii.scan(uniq[u]):
                why[idx == u] = reason
        rows = np.flatnonzero((owner_idx >= 0) & (idx >= 0) & (why == None))  # noqa: E711
        if len(rows):
            # Distinct (text, owner) pairs: each distinct text is folded once, each pair compared once (in C).
            code, where = np.unique(idx[rows] * len(owners) + owner_idx[rows], return_inverse=True)
            text_of, owner_of = np.divmod(code, len(owners))
            folded = np.empty(len(uniq), dtype=object)
            texts = np.unique(text_of)
            folded[texts] = [pii.fold(uniq[t]) for t in texts.tolist()]
            hit = np.fromiter(map(operator.contains, folded[text_of], owner_fold[owner_of]), bool, len(code))
            why[rows[hit[where]]] = "person_name"
        found = np.flatnonzero(why != None).tolist()  # noqa: E711
        for i, text in zip(found, values.take(np.array(found, dtype=np.int64)).to_pylist()):
            withheld.setdefault(i, {})[col] = text
        if found:
            cols[col] = pc.if_else(pa.array(why != None), pa.scalar(None, pa.string()), values)  # noqa: E711
        f.add(found, "personal_data_in_text", [f"{col} held personal data ({why[i]}): withheld from public data"
                                               for i in found], fmap.get(col), action="redacted")
    out: list[str | None] = [None] * n
    for i, w in withheld.items():
        out[i] = json.dumps(w, ensure_ascii=False)
    return out, {i: set(w) for i, w in withheld.items()}


def _distinct(values: pa.Array) -> tuple[np.ndarray, list]:
    """`_codes`, with empty text counted as missing (-1) too."""
    idx, uniq = _codes(values)
    if "" in uniq:
        idx[idx == uniq.index("")] = -1
    return idx, uniq


def _ints(values) -> pa.Array:
    """Whole numbers from source values as Arrow int64, null where not one (integer columns pass straight through)."""
    if isinstance(values, pa.Array) and pa.types.is_integer(values.type):
        return values.cast(pa.int64())
    return pa.array([v if type(v) is int else _int(v) for v in
                     (values.to_pylist() if isinstance(values, pa.Array) else values)], pa.int64())


def _keys(communes: pa.Array, sheets: pa.Array, parcels: pa.Array) -> pa.Array:
    """Parcel keys 'commune.sheet.parcel' (null when a part is missing), built in Arrow."""
    return pc.binary_join_element_wise(communes, sheets.cast(pa.string()), parcels.cast(pa.string()), ".")


def transform(batch: Batch, ctx: CadastreContext, fmap: dict[str, str]) -> output.Output:
    """Map, decode, reproject and validate one batch (row rules; set-level rules run in SQL later)."""
    ds, file, n = ctx.ds, batch.file.display, len(batch)
    decision = ctx.decisions[file]
    cols, enc = decode.columns(batch, ctx.ds.primary, fmap, ctx.encoding)
    communes = cols["old_commune_code"]
    communes = pc.if_else(pc.equal(communes, ""), pa.scalar(None, pa.string()), communes)  # stripped to nothing
    parsed = {"sheet_no": _ints(cols["sheet_no"]), "parcel_no": _ints(cols["parcel_no"]),
              "old_commune_code": communes}
    sheets, parcels = parsed["sheet_no"], parsed["parcel_no"]
    keys = _keys(communes, sheets, parcels)
    f = Findings(ds, file, batch.row_no, keys)
    _required(f, cols, parsed, fmap)
    decode.encoding_rules(f, enc, fmap)
    ok, vn, wgs, pos, bounds, ok_rag = _geometry(f, batch, decision)
    new_code = _admin(f, ctx, communes, pos, decision, fmap)
    lu_codes, sensitive = _land_use(f, ctx, cols.get("land_use_raw", pa.nulls(n, pa.string())), fmap)
    areas, grid = _areas(f, ctx, cols, batch.geom, ok, decision, fmap)
    _national_id(f, cols, pos, ok, decision, fmap)
    _topology(f, ctx, keys, communes, sheets, batch.geom, ok, ok_rag, decision)
    withheld, held = _personal_text(f, cols, fmap)
    provenance, personal_provenance = _provenance(ds, file, batch.row_no, decision, enc, held)
    derived = {
        "parcel_key": keys, "old_commune_code": parsed["old_commune_code"], "sheet_no": sheets, "parcel_no": parcels,
        "commune_code": new_code, "admin_version": np.where(new_code == None, None, NEW_ADMIN_VERSION),  # noqa: E711
        "area_m2": areas, "computed_area_m2": grid,
        "land_use_codes": lu_codes, "land_use_list": pa.nulls(n, pa.string()).fill_null(ds.opts.land_use_list),
        "src_srid": pa.nulls(n, pa.int32()).fill_null(decision.epsg),
        "valid_from": pa.nulls(n, pa.string()).fill_null(ctx.valid_from), "is_sensitive": sensitive,
        "provenance": provenance, "personal_provenance": personal_provenance,
        "withheld": withheld,
    }
    findings = f.summary()
    return output.assemble(ctx, batch, findings, {None: output.TableRows({**cols, **derived}, n, (wgs, vn, bounds))})


def _decisions(special: dict[str, dict], i: int) -> dict[str, list]:
    """Non-trivial decoding decisions of row i: [encoding, confidence, raw bytes as hex] per field."""
    return {c: [d.encoding, d.confidence, d.raw.hex() if d.raw is not None else None]
            for c, per_row in special.items() if (d := per_row.get(i)) is not None and d.encoding not in
            ("ascii", "utf-8")}


def _provenance(ds: Dataset, file: str, row_no: np.ndarray, decision, enc: dict[str, dict],
                held: dict[int, set[str]]) -> tuple:
    """Provenance JSON of rows whose text needed a decoding decision (file, row, CRS origin, decisions with raw
    bytes) for the core table, and the same for personal fields and for values withheld as holding personal data
    (`held`: row -> columns), whose raw bytes may only live in the restricted table (issue 16 item 2).

    Other rows get NULL: their file and row are in row_id and the file's checksum and CRS decision in the ledger,
    so a million identical documents need not be built, sent and parsed by the server."""
    public = {c: {i: v for i, v in d.items() if c not in held.get(i, ())}
              for c, d in enc.items() if ds.column(c).sensitivity != "personal" and d}
    personal = {c: d if ds.column(c).sensitivity == "personal" else {i: v for i, v in d.items() if c in held.get(i, ())}
                for c, d in enc.items() if d}
    public = {c: d for c, d in public.items() if d}
    personal = {c: d for c, d in personal.items() if d}
    n = len(row_no)
    core: list[str | None] = [None] * n
    head = {"file": file, "crs": decision.origin}
    for i in sorted(set().union(*public.values())) if public else ():
        if mine := _decisions(public, i):
            core[i] = json.dumps({**head, "row": int(row_no[i]), "encoding": mine})
    private: list[str | None] = [None] * n
    for i in sorted(set().union(*personal.values())) if personal else ():
        if mine := _decisions(personal, i):
            private[i] = json.dumps(mine)
    return core, private


def _buffered(ctx: CadastreContext, code: str, poly):
    """The commune polygon grown by the rule's tolerance (metres; synthetic or generalised boundaries are not
    survey-grade), prepared once per run."""
    got = ctx.buffered.get(code)
    if got is None:
        tolerance = float(ctx.ds.rule("outside_admin_unit").params.get("tolerance_m", 50)) / METRES_PER_DEGREE
        got = ctx.buffered[code] = poly.buffer(tolerance)
        shapely.prepare(got)
    return got
