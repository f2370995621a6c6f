"""Cadastre family: source batch -> canonical parcel rows, with per-row rules (vectorised where it matters)."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field

import numpy as np
import shapely

from hub import crs, geohash
from hub.catalog.models import Dataset
from hub.errors import SchemaViolation
from hub.text import decode_column
from ingest import georef, pii
from ingest.issues import Issue, issue
from ingest.landuse import Normaliser
from ingest.refdata import RefData
from ingest.sources import Batch

ADMIN_TOLERANCE_DEG = 0.0005  # ~50 m: synthetic or generalised boundaries are not survey-grade
_INT = re.compile(r"^\s*(\d{1,9})(?:[.,]0+)?\s*$")
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
    next_row_id: int = 1


@dataclass
class Output:
    """A transformed batch: accepted rows (core + personal), rejected source rows, and issues."""

    core: list[tuple] = field(default_factory=list)
    personal: list[tuple] = field(default_factory=list)
    quarantine: list[tuple] = field(default_factory=list)
    issues: list[Issue] = field(default_factory=list)


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


def _int(value) -> int | None:
    """A whole number from a number or text ('12', '12.0'); None if not one."""
    if value is None:
        return None
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, float):
        return int(value) if value.is_integer() else None
    m = _INT.match(str(value))
    return int(m.group(1)) if m else None


def _num(value) -> float | None:
    """An area from a number or Vietnamese/English text ('1.234,5', '1234.5'); None if not parsable."""
    if value is None or isinstance(value, (int, float, np.number)):
        return None if value is None else float(value)
    t = str(value).strip().replace(" ", "")
    if "," in t and "." in t:
        t = t.replace(".", "").replace(",", ".") if t.rfind(",") > t.rfind(".") else t.replace(",", "")
    elif "," in t:
        t = t.replace(",", ".")
    try:
        return float(t)
    except ValueError:
        return None


def _multi(geoms: np.ndarray) -> np.ndarray:
    """Polygons as MultiPolygons (the column type), others untouched."""
    out = geoms.copy()
    poly = np.flatnonzero(shapely.get_type_id(geoms) == 3)
    if len(poly):
        out[poly] = shapely.multipolygons(geoms[poly], indices=np.arange(len(poly)))
    return out


def transform(batch: Batch, ctx: Context, fmap: dict[str, str]) -> Output:
    """Map, decode, reproject and validate one batch (row-level rules; set-level rules run in SQL later)."""
    ds, out, file, n = ctx.ds, Output(), batch.file.display, len(batch)
    decision = ctx.decisions[file]
    cols: dict[str, list] = {}
    enc: dict[str, list] = {}
    for col, src in fmap.items():
        values = batch.attrs[src]
        if ds.column(col).type == "text" and values and any(isinstance(v, (str, bytes)) for v in values):
            decoded = decode_column([v if v is None or isinstance(v, (str, bytes)) else str(v) for v in values],
                                    ctx.encoding)
            cols[col] = [d.text.strip() if d.text else None for d in decoded]
            enc[col] = decoded
        else:
            cols[col] = list(values)
    bad: dict[int, list[Issue]] = {}
    flags: list[Issue] = []

    def hit(i: int, rule: str, msg: str, fld: str | None = None, key: str | None = None, action=None) -> None:
        """Record a finding for row i (rejecting it if the catalog says error)."""
        it = issue(ds, file, int(batch.row_no[i]), rule, msg, field=fld, key=key, action=action)
        (bad.setdefault(i, []) if it.action == "rejected" else flags).append(it)

    communes = cols["old_commune_code"]
    sheets = [_int(v) for v in cols["sheet_no"]]
    parcels = [_int(v) for v in cols["parcel_no"]]
    keys = [f"{c}.{s}.{p}" if c and s is not None and p is not None else None
            for c, s, p in zip(communes, sheets, parcels)]
    for i in range(n):
        for name, val, raw in (("old_commune_code", communes[i], cols["old_commune_code"][i]),
                               ("sheet_no", sheets[i], cols["sheet_no"][i]), ("parcel_no", parcels[i], cols["parcel_no"][i])):
            if val is None:
                rule = "missing_required" if raw in (None, "") else "bad_value"
                hit(i, rule, f"{name} is {'missing' if rule == 'missing_required' else 'not a whole number'}",
                    fmap.get(name))
        for col, decs in enc.items():
            d = decs[i]
            if "encoding_uncertain" in d.flags or "encoding_hint_mismatch" in d.flags:
                hit(i, "encoding_uncertain", f"text decoded as {d.encoding} with confidence {d.confidence:.2f}",
                    fmap[col], keys[i])
            elif d.encoding == "utf-8-double":
                hit(i, "encoding_uncertain", "double-encoded UTF-8 repaired (UTF-8 bytes once read as CP1252)",
                    fmap[col], keys[i])

    geoms = batch.geom
    empty = shapely.is_missing(geoms) | shapely.is_empty(geoms)
    valid = shapely.is_valid(geoms)
    unreadable = batch.unreadable if batch.unreadable is not None else np.zeros(n, dtype=bool)
    for i in np.flatnonzero(unreadable):
        hit(i, "invalid_geometry", "the parcel's boundary does not close (unreadable ring, or a DGN boundary "
            "line stopping short of its node)", key=keys[i])
    for i in np.flatnonzero(empty & ~unreadable):
        hit(i, "empty_geometry", "no geometry", key=keys[i])
    for i in np.flatnonzero(~valid & ~empty & ~unreadable):
        hit(i, "invalid_geometry", shapely.is_valid_reason(geoms[i]), key=keys[i])
    ok = ~empty & valid
    vn = np.full(n, None, dtype=object)
    wgs = np.full(n, None, dtype=object)
    if ok.any():
        vn[ok], wgs[ok] = georef.to_targets(geoms[ok], decision)
    pos = np.full(n, None, dtype=object)
    pos[ok] = shapely.point_on_surface(wgs[ok])
    outside = np.zeros(n, dtype=bool)
    outside[ok] = georef.outside_vietnam(pos[ok])
    if outside.any():
        swapped = georef.swapped_would_fit(geoms[outside], decision)
        for i, fits in zip(np.flatnonzero(outside), swapped):
            if fits:
                hit(i, "axis_order", "coordinates fall outside Vietnam but fit once X and Y are swapped "
                                     "(northing written as easting)", key=keys[i])
            else:
                hit(i, "outside_admin_unit", f"coordinates fall outside Vietnam in EPSG:{decision.epsg}", key=keys[i])
    if decision.suspect:
        for i in np.flatnonzero(ok):
            hit(i, "datum_suspect", decision.suspect, key=keys[i])

    old_codes = ctx.ref.communes.get(ds.source.admin_version, {})
    new_code: list[str | None] = [None] * n
    for i in range(n):
        c = communes[i]
        if not c or i in bad:
            continue
        if c not in old_codes:
            hit(i, "admin_code_unknown", f"commune code {c} is not in {ds.source.admin_version}", fmap.get("old_commune_code"), keys[i])
        poly = ctx.ref.old_bounds.get(c)
        if poly is not None and pos[i] is not None and not _buffered(ctx, c, poly).contains(pos[i]):
            km = poly.distance(pos[i]) * 111.0
            hit(i, "outside_admin_unit", f"parcel lies ~{km:.1f} km outside commune {c} "
                f"(EPSG:{decision.epsg}: wrong central meridian or zone?)", key=keys[i])
            continue
        succ = ctx.ref.lineage.get(c, [])
        if len(succ) == 1:
            new_code[i] = succ[0][0]
        elif succ:
            hits = [code for code, _ in succ if ctx.ref.new_bounds.get(code) is not None
                    and ctx.ref.new_bounds[code].contains(pos[i])]
            new_code[i] = hits[0] if hits else succ[0][0]

    lu_raw = cols.get("land_use_raw", [None] * n)
    lu_codes: list[str | None] = [None] * n
    sensitive = [False] * n
    for i in range(n):
        res = ctx.landuse.normalise(lu_raw[i])
        for rule, msg in res.findings:
            hit(i, rule, msg, fmap.get("land_use_raw"), keys[i])
        lu_codes[i] = "+".join(res.codes) or None
        if res.sensitive:
            sensitive[i] = True
            hit(i, "sensitive_land_use", "defence/security land: kept out of every public view", key=keys[i],
                action="excluded")

    grid_area = np.full(n, np.nan)
    if decision.vn2000 and decision.epsg != crs.VN2000_GEOGRAPHIC:
        grid_area[ok] = shapely.area(geoms[ok])
    areas = [_num(v) for v in cols.get("area_m2", [None] * n)]
    k = float(ds.rule("area_mismatch").params.get("k", 0.0004))
    scale = float(ds.rule("area_mismatch").params.get("scale_denominator", 1000))
    for i in np.flatnonzero(ok):
        a, p = areas[i], grid_area[i]
        if a is not None and not np.isnan(p) and abs(a - p) > k * scale * np.sqrt(max(p, 1.0)):
            hit(i, "area_mismatch", f"declared area {a:.1f} m² differs from the computed {p:.1f} m² by more than "
                f"{k}·M·√P (M={scale:.0f})", fmap.get("area_m2"), keys[i])

    nat = cols.get("national_id", [None] * n)
    check = np.array([bool(v) for v in nat]) & ok
    if check.any() and decision.vn2000:
        idx = np.flatnonzero(check)
        _, pts = georef.to_targets(shapely.point_on_surface(geoms[idx]), decision)
        hashes = geohash.encode_array(shapely.get_x(pts), shapely.get_y(pts), 12)
        for i, h in zip(idx, hashes):
            if h != nat[i]:
                hit(i, "national_id_mismatch", "the official id does not match the GeoHash of the parcel's "
                    "interior point (EPSG:6960); official value kept", fmap.get("national_id"), keys[i])

    owners = cols.get("owner_name", [None] * n)
    withheld: list[dict] = [{} for _ in range(n)]
    for col in TEXT_SCAN:
        values = cols.get(col)
        if not values:
            continue
        for i in range(n):
            why = pii.scan(values[i]) or ("person_name" if pii.contains_name(values[i], owners[i]) else None)
            if why:
                withheld[i][col] = values[i]
                values[i] = None
                hit(i, "personal_data_in_text", f"{col} held personal data ({why}): withheld from public data",
                    fmap.get(col), keys[i], action="redacted")

    vn_m, wgs_m = _multi(vn), _multi(wgs)
    core_names = [c.name for c in ds.by_sensitivity("public", "restricted")]
    pers_names = [c.name for c in ds.by_sensitivity("personal")]
    empty_col = [None] * n
    src = {c: cols.get(c, empty_col) for c in core_names + pers_names}
    enc_cols = [c for c in enc if ds.column(c).sensitivity != "personal"]
    wgs_hex = shapely.to_wkb(shapely.set_srid(wgs_m, 4326), hex=True, include_srid=True)
    vn_hex = shapely.to_wkb(shapely.set_srid(vn_m, 4756), hex=True, include_srid=True)
    for i in range(n):
        if i in bad:
            out.quarantine.append(_raw_row(batch, i, bad[i]))
            out.issues += bad[i]
            continue
        derived = {
            "parcel_key": keys[i], "old_commune_code": communes[i], "sheet_no": sheets[i], "parcel_no": parcels[i],
            "commune_code": new_code[i], "admin_version": "GSO-2025-07-01" if new_code[i] else None,
            "area_m2": areas[i], "computed_area_m2": None if np.isnan(grid_area[i]) else round(float(grid_area[i]), 2),
            "land_use_codes": lu_codes[i], "land_use_list": ds.source.land_use_list, "src_srid": decision.epsg,
            "valid_from": ctx.valid_from, "is_sensitive": sensitive[i],
            "provenance": json.dumps({"file": file, "row": int(batch.row_no[i]), "crs": decision.origin,
                                      "encoding": {c: [enc[c][i].encoding, enc[c][i].confidence] for c in enc_cols
                                                   if enc[c][i].encoding != "ascii"}}),
        }
        row = [ctx.next_row_id] + [derived[c] if c in derived else src[c][i] for c in core_names]
        row += [wgs_hex[i], vn_hex[i]]
        out.core.append(tuple(row))
        prow = {c: src[c][i] for c in pers_names}
        prow["withheld"] = json.dumps(withheld[i], ensure_ascii=False) if withheld[i] else None
        if any(v is not None for v in prow.values()):
            out.personal.append((ctx.next_row_id, *[prow.get(c) for c in pers_names]))
        ctx.next_row_id += 1
    out.issues += flags
    return out


def _buffered(ctx: Context, code: str, poly):
    """The commune polygon grown by the tolerance, prepared once per run."""
    got = ctx.buffered.get(code)
    if got is None:
        got = ctx.buffered[code] = poly.buffer(ADMIN_TOLERANCE_DEG)
        shapely.prepare(got)
    return got


def _raw_row(batch: Batch, i: int, issues: list[Issue]) -> tuple:
    """A rejected source row as read (text as Latin-1 byte strings, geometry as WKB hex) for restricted.quarantine."""
    raw = {k: (v[i] if not isinstance(v[i], (bytes, bytearray)) else v[i].hex()) for k, v in batch.attrs.items()}
    g = batch.geom[i]
    raw["_geometry_wkb_hex"] = None if g is None else shapely.to_wkb(g, hex=True)
    return (batch.file.display, int(batch.row_no[i]), sorted({it.rule for it in issues}),
            json.dumps(raw, ensure_ascii=False, default=str))
