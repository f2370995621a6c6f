"""Cadastre family: source batch -> canonical parcel rows, with per-row rules (vectorised where it matters)."""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field

import numpy as np
import shapely

from hub import crs, geohash
from hub.catalog.models import Dataset
from hub.errors import SchemaViolation
from hub.text import decode_column
from hub.text.detect import utf8_column
from ingest import georef, output, pii
from ingest.findings import Findings
from ingest.values import as_float as _num, as_int as _int
from ingest.landuse import Normaliser
from ingest.refdata import RefData
from ingest.sources import UTF8_FORMATS, Batch

ADMIN_TOLERANCE_DEG = 0.0005  # ~50 m: synthetic or generalised boundaries are not survey-grade
TEXT_SCAN = ("address", "note")


@dataclass
class Context:
    """Everything a batch transform needs: the dataset, reference data, decisions and counters."""

    ds: Dataset
    ref: RefData
    landuse: Normaliser
    encoding: str
    valid_from: str
    decisions: dict[str, georef.CrsDecision] = field(default_factory=dict)
    buffered: dict[str, object] = field(default_factory=dict)
    file_index: dict[str, int] = field(default_factory=dict)  # file -> position in the run (row ids)


def field_map(ds: Dataset, fields: list[str], file: str) -> dict[str, str]:
    """Canonical column -> source field, matched case-insensitively; a frozen contract refuses extras."""
    lower = {f.lower(): f for f in fields}
    out: dict[str, str] = {}
    for col in ds.columns:
        for alias in col.source:
            if alias.lower() in lower:
                out[col.name] = lower[alias.lower()]
                break
    if ds.source.contract == "freeze":
        extra = sorted(set(fields) - set(out.values()))
        if extra:
            raise SchemaViolation(f"source fields {extra} are not in the catalog (contract: freeze)", file=file)
    missing = [c for c in ("old_commune_code", "sheet_no", "parcel_no") if c not in out]
    if missing:
        raise SchemaViolation(f"no source field for required column(s) {missing}; catalog aliases: "
                              + "; ".join(f"{c} <- {ds.column(c).source}" for c in missing), file=file)
    return out


def _multi(geoms: np.ndarray) -> np.ndarray:
    """Polygons as MultiPolygons (the column type), others untouched."""
    out = geoms.copy()
    poly = np.flatnonzero(shapely.get_type_id(geoms) == 3)
    if len(poly):
        out[poly] = shapely.multipolygons(geoms[poly], indices=np.arange(len(poly)))
    return out


def _decode(batch: Batch, ctx: Context, fmap: dict[str, str]) -> tuple[dict[str, list], dict[str, list]]:
    """Canonical columns from the mapped source fields; text decoded per distinct value (NFC, stripped)."""
    cols: dict[str, list] = {}
    enc: dict[str, list] = {}
    utf8 = batch.file.fmt in UTF8_FORMATS and ctx.encoding in ("auto", "utf-8")
    for col, src in fmap.items():
        values = batch.attrs[src]
        if ctx.ds.column(col).type == "text" and any(isinstance(v, (str, bytes)) for v in values):
            values = [v if v is None or isinstance(v, (str, bytes)) else str(v) for v in values]
            decoded = utf8_column(values) if utf8 else decode_column(values, ctx.encoding)
            cols[col] = [d.text.strip() if d.text else None for d in decoded]
            enc[col] = decoded
        else:
            cols[col] = list(values)
    return cols, enc


def _encoding_rules(f: Findings, enc: dict[str, list], fmap: dict[str, str]) -> None:
    """encoding_uncertain where detection is unsure, and where double-encoded UTF-8 was repaired."""
    for col, decs in enc.items():
        unsure = [i for i, d in enumerate(decs) if d.flags and ("encoding_uncertain" in d.flags
                                                               or "encoding_hint_mismatch" in d.flags)]
        if unsure:
            f.add(unsure, "encoding_uncertain",
                  [f"text decoded as {decs[i].encoding} with confidence {decs[i].confidence:.2f}" for i in unsure],
                  fmap[col])
        doubled = [i for i, d in enumerate(decs) if d.encoding == "utf-8-double" and not d.flags]
        if doubled:
            f.add(doubled, "encoding_uncertain", "double-encoded UTF-8 repaired (UTF-8 bytes once read as CP1252)",
                  fmap[col])


def _required(f: Findings, cols: dict[str, list], parsed: dict[str, list], fmap: dict[str, str]) -> None:
    """missing_required / bad_value for the key columns."""
    for name, values in parsed.items():
        raw = cols[name]
        missing = [i for i, v in enumerate(values) if v is None and raw[i] in (None, "")]
        bad = [i for i, v in enumerate(values) if v is None and raw[i] not in (None, "")]
        f.add(missing, "missing_required", f"{name} is missing", fmap.get(name))
        f.add(bad, "bad_value", f"{name} is not a whole number", fmap.get(name))


def _geometry(f: Findings, batch: Batch, decision: georef.CrsDecision):
    """Validity, reprojection (pinned) and position checks; returns (ok mask, vn, wgs, interior points)."""
    geoms, n = batch.geom, len(batch)
    empty = shapely.is_missing(geoms) | shapely.is_empty(geoms)
    valid = shapely.is_valid(geoms)
    unreadable = batch.unreadable if batch.unreadable is not None else np.zeros(n, dtype=bool)
    f.add(unreadable, "invalid_geometry", "the parcel's boundary does not close (unreadable ring, or a DGN "
          "boundary line stopping short of its node)")
    f.add(empty & ~unreadable, "empty_geometry", "no geometry")
    invalid = np.flatnonzero(~valid & ~empty & ~unreadable)
    f.add(invalid, "invalid_geometry", [shapely.is_valid_reason(geoms[i]) for i in invalid])
    ok = ~empty & valid
    vn = np.full(n, None, dtype=object)
    wgs = np.full(n, None, dtype=object)
    pos = np.full(n, None, dtype=object)
    if ok.any():
        vn[ok], wgs[ok] = georef.to_targets(_multi(geoms[ok]), decision)  # the column type: MultiPolygon
        # The interior point is taken in the source grid, then transformed: the national-id definition (§1.3).
        pos[ok] = georef.to_targets(shapely.point_on_surface(geoms[ok]), decision)[1]
    outside = np.zeros(n, dtype=bool)
    outside[ok] = georef.outside_vietnam(pos[ok])
    if outside.any():
        fits = georef.swapped_would_fit(geoms[outside], decision)
        rows = np.flatnonzero(outside)
        f.add(rows[fits], "axis_order", "coordinates fall outside Vietnam but fit once X and Y are swapped "
                                        "(northing written as easting)")
        f.add(rows[~fits], "outside_admin_unit", f"coordinates fall outside Vietnam in EPSG:{decision.epsg}")
    if decision.suspect:
        f.add(ok, "datum_suspect", decision.suspect)
    return ok, vn, wgs, pos


def _admin(f: Findings, ctx: Context, communes: list, pos: np.ndarray, decision, fmap) -> list:
    """Commune checks per distinct code (known code, inside its boundary) and the new commune via lineage/space."""
    n = len(communes)
    codes = np.array([c or "" for c in communes], dtype=object)
    new_code: list[str | None] = [None] * n
    known = ctx.ref.communes.get(ctx.ds.source.admin_version, {})
    live = ~f.rejected & (codes != "")
    for c in set(codes[live].tolist()):
        rows = np.flatnonzero(live & (codes == c))
        if c not in known:
            f.add(rows, "admin_code_unknown", f"commune code {c} is not in {ctx.ds.source.admin_version}",
                  fmap.get("old_commune_code"))
        has_pos = rows[[p is not None for p in pos[rows]]]
        poly = ctx.ref.old_bounds.get(c)
        if poly is not None and len(has_pos):
            inside = shapely.contains(_buffered(ctx, c, poly), pos[has_pos])
            away = has_pos[~inside]
            f.add(away, "outside_admin_unit", [f"parcel lies ~{poly.distance(pos[i]) * 111.0:.1f} km outside "
                                               f"commune {c} (EPSG:{decision.epsg}: wrong central meridian or zone?)"
                                               for i in away])
            rows = np.setdiff1d(rows, away)
        succ = ctx.ref.lineage.get(c, [])
        if len(succ) == 1:
            for i in rows:
                new_code[i] = succ[0][0]
        elif succ:
            assigned = np.zeros(len(rows), dtype=bool)
            for code, _ in succ:
                target = ctx.ref.new_bounds.get(code)
                if target is None:
                    continue
                cand = np.array([p is not None for p in pos[rows]]) & ~assigned
                hit = np.zeros(len(rows), dtype=bool)
                hit[cand] = shapely.contains(target, pos[rows][cand])
                for i in rows[hit]:
                    new_code[i] = code
                assigned |= hit
            for i in rows[~assigned]:
                new_code[i] = succ[0][0]
    return new_code


def _land_use(f: Findings, ctx: Context, raw: list, fmap) -> tuple[list, np.ndarray]:
    """Normalised codes per distinct raw value; findings on the rows that carry each value."""
    by_value: dict = {}
    for i, v in enumerate(raw):
        by_value.setdefault(v, []).append(i)
    codes: list[str | None] = [None] * len(raw)
    sensitive = np.zeros(len(raw), dtype=bool)
    for value, rows in by_value.items():
        res = ctx.landuse.normalise(value)
        for rule, msg in res.findings:
            f.add(rows, rule, msg, fmap.get("land_use_raw"))
        joined = "+".join(res.codes) or None
        for i in rows:
            codes[i] = joined
        if res.sensitive:
            sensitive[rows] = True
            f.add(rows, "sensitive_land_use", "defence/security land: kept out of every public view",
                  action="excluded")
    return codes, sensitive


def _areas(f: Findings, ctx: Context, cols, geoms, ok, decision, fmap) -> tuple[list, np.ndarray]:
    """Declared areas parsed; computed TM-3 grid areas; area_mismatch beyond k·M·√P."""
    n = len(geoms)
    grid = np.full(n, np.nan)
    if decision.vn2000 and decision.epsg != crs.VN2000_GEOGRAPHIC:
        grid[ok] = shapely.area(geoms[ok])
    raw = cols.get("area_m2", [None] * n)
    areas = [_num(v) for v in raw]
    unusable = [i for i, (a, v) in enumerate(zip(areas, raw))
                if (a is None and v not in (None, "") and str(v).strip()) or (a is not None and not math.isfinite(a))]
    for i in unusable:
        areas[i] = None
    f.add(unusable, "bad_value", "area is not a finite number", fmap.get("area_m2"))
    declared = np.array([np.nan if a is None else a for a in areas], dtype=float)
    rule = ctx.ds.rule("area_mismatch")
    k, scale = float(rule.params.get("k", 0.0004)), float(rule.params.get("scale_denominator", 1000))
    with np.errstate(invalid="ignore"):
        off = ok & ~np.isnan(declared) & ~np.isnan(grid) & \
            (np.abs(declared - grid) > k * scale * np.sqrt(np.maximum(grid, 1.0)))
    rows = np.flatnonzero(off)
    f.add(rows, "area_mismatch", [f"declared area {declared[i]:.1f} m² differs from the computed {grid[i]:.1f} m² "
                                  f"by more than {k}·M·√P (M={scale:.0f})" for i in rows], fmap.get("area_m2"))
    return areas, grid


def _national_id(f: Findings, cols, pos, ok, decision, fmap) -> None:
    """national_id_mismatch where the official GeoHash-12 differs from the pinned interior point's."""
    nat = cols.get("national_id")
    if not nat or not decision.vn2000:
        return
    idx = np.flatnonzero(np.array([bool(v) for v in nat]) & ok)
    if not len(idx):
        return
    pts = pos[idx]
    hashes = geohash.encode_array(shapely.get_x(pts), shapely.get_y(pts), 12)
    wrong = [i for i, h in zip(idx.tolist(), hashes) if h != nat[i]]
    f.add(wrong, "national_id_mismatch", "the official id does not match the GeoHash of the parcel's interior "
          "point (EPSG:6960); official value kept", fmap.get("national_id"))


def _topology(f: Findings, ctx: Context, keys, communes, sheets, geoms, ok, decision) -> None:
    """topology_overlap / topology_gap within each sheet, in the source grid (metres, exact shared vertices).

    GEOS coverage validation finds the parcels whose edges do not match their neighbours' (overlaps, narrow gaps)
    in linear time; only those are intersected. Working before reprojection avoids the micro-overlaps a
    non-linear transform leaves at T-junctions. Chunk-local: a sheet split across chunks is checked per part, and
    overlaps across sheet frames are not looked for.
    """
    if not decision.vn2000 or decision.epsg == crs.VN2000_GEOGRAPHIC:
        return
    over, gap = ctx.ds.rule("topology_overlap"), ctx.ds.rule("topology_gap")
    min_overlap = float(over.params.get("min_area_m2", 0.05))
    lo, hi = float(gap.params.get("min_area_m2", 0.01)), float(gap.params.get("max_area_m2", 5.0))
    width = float(gap.params.get("max_width_m", 1.0))
    groups: dict[tuple, list[int]] = {}
    for i in np.flatnonzero(ok & ~f.rejected).tolist():
        groups.setdefault((communes[i], sheets[i]), []).append(i)
    for rows in groups.values():
        if len(rows) < 2:
            continue
        idx = np.array(rows)
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
                  [f"overlaps parcel {keys[idx[j]]} by {ar:.2f} m²" for j, ar in zip(second[big], areas[big])])
        union = shapely.coverage_union_all(g)
        holes = [shapely.Polygon(r) for part in shapely.get_parts(union) for r in part.interiors]
        for hole in (h for h in holes if lo <= h.area <= hi):
            around = idx[tree.query(hole.buffer(1e-3), predicate="intersects")]
            f.add(around, "topology_gap", f"a gap of {hole.area:.2f} m² lies between this parcel and its neighbours")


def _personal_text(f: Findings, cols, fmap) -> list[dict]:
    """Redact free-text values that hold an ID number, a titled person name or the row's own owner name."""
    n = len(next(iter(cols.values())))
    owners = cols.get("owner_name") or [None] * n
    withheld: list[dict] = [{} for _ in range(n)]
    for col in TEXT_SCAN:
        values = cols.get(col)
        if not values:
            continue
        found, reasons = [], []
        for i, v in enumerate(values):
            if not v:
                continue
            why = pii.scan(v) or ("person_name" if pii.contains_name(v, owners[i]) else None)
            if why:
                withheld[i][col] = v
                values[i] = None
                found.append(i)
                reasons.append(f"{col} held personal data ({why}): withheld from public data")
        f.add(found, "personal_data_in_text", reasons, fmap.get(col), action="redacted")
    return withheld


def transform(batch: Batch, ctx: Context, fmap: dict[str, str]) -> output.Output:
    """Map, decode, reproject and validate one batch (row rules; set-level rules run in SQL later)."""
    ds, file, n = ctx.ds, batch.file.display, len(batch)
    decision = ctx.decisions[file]
    cols, enc = _decode(batch, ctx, fmap)
    communes = cols["old_commune_code"]
    parsed = {"sheet_no": [_int(v) for v in cols["sheet_no"]], "parcel_no": [_int(v) for v in cols["parcel_no"]]}
    sheets, parcels = parsed["sheet_no"], parsed["parcel_no"]
    parsed["old_commune_code"] = [c or None for c in communes]
    keys = [f"{c}.{s}.{p}" if c and s is not None and p is not None else None
            for c, s, p in zip(communes, sheets, parcels)]
    f = Findings(ds, file, batch.row_no, keys)
    _required(f, cols, parsed, fmap)
    _encoding_rules(f, enc, fmap)
    ok, vn, wgs, pos = _geometry(f, batch, decision)
    new_code = _admin(f, ctx, communes, pos, decision, fmap)
    lu_codes, sensitive = _land_use(f, ctx, cols.get("land_use_raw", [None] * n), fmap)
    areas, grid = _areas(f, ctx, cols, batch.geom, ok, decision, fmap)
    _national_id(f, cols, pos, ok, decision, fmap)
    _topology(f, ctx, keys, communes, sheets, batch.geom, ok, decision)
    withheld = _personal_text(f, cols, fmap)
    provenance, personal_provenance = _provenance(ds, file, batch.row_no, decision, enc)
    derived = {
        "parcel_key": keys, "old_commune_code": communes, "sheet_no": sheets, "parcel_no": parcels,
        "commune_code": new_code, "admin_version": ["GSO-2025-07-01" if c else None for c in new_code],
        "area_m2": areas, "computed_area_m2": [None if np.isnan(a) else round(float(a), 2) for a in grid],
        "land_use_codes": lu_codes, "land_use_list": [ds.source.land_use_list] * n, "src_srid": [decision.epsg] * n,
        "valid_from": [ctx.valid_from] * n, "is_sensitive": sensitive.tolist(),
        "provenance": provenance,
        "personal_provenance": personal_provenance,
        "withheld": [json.dumps(w, ensure_ascii=False) if w else None for w in withheld],
    }
    bad, kept = f.issues()
    return output.assemble(ctx, batch, cols, derived, vn, wgs, bad, kept)


def _decisions(enc: dict[str, list], cols: list[str], i: int) -> dict[str, list]:
    """Non-trivial decoding decisions of row i: [encoding, confidence, raw bytes as hex] per field."""
    out = {}
    for c in cols:
        d = enc[c][i]
        if d.encoding not in ("ascii", "utf-8"):
            out[c] = [d.encoding, d.confidence, d.raw.hex() if d.raw is not None else None]
    return out


def _provenance(ds: Dataset, file: str, row_no: np.ndarray, decision, enc: dict[str, list]) -> tuple[list, list]:
    """Per-row provenance JSON (file, row, CRS origin, decoding decisions with raw bytes) for the core table, and
    the same decisions for personal fields, which may only live in the restricted table."""
    public = [c for c in enc if ds.column(c).sensitivity != "personal"]
    personal = [c for c in enc if ds.column(c).sensitivity == "personal"]
    head = json.dumps(file)[:-1]
    core, private = [], []
    for i, r in enumerate(row_no.tolist()):
        core.append(f'{{"file": {head}", "row": {r}, "crs": "{decision.origin}", '
                    f'"encoding": {json.dumps(_decisions(enc, public, i))}}}')
        mine = _decisions(enc, personal, i)
        private.append(json.dumps(mine) if mine else None)
    return core, private


def _buffered(ctx: Context, code: str, poly):
    """The commune polygon grown by the tolerance, prepared once per run."""
    got = ctx.buffered.get(code)
    if got is None:
        got = ctx.buffered[code] = poly.buffer(ADMIN_TOLERANCE_DEG)
        shapely.prepare(got)
    return got
