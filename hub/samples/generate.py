"""Entry point: generate the cadastre sample set of §11 into a directory and write manifest.json."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pyogrio

from hub.samples import admin
from hub.samples.files import write_cantho, write_dgns, write_gpkgs, write_hagiang
from hub.samples.inject import Plan, file_for
from hub.samples.parcels import build_all, finalize
from hub.samples.plans import apply_all, wrong_ktt_offset_m
from hub.samples.regions import NEW_COMMUNES, NEW_VERSION, OLD_COMMUNES, OLD_VERSION
from hub.samples.textenc import ROW_CLASSES
from hub.samples.writers import GPKG_DATE, gdal_config

GENERATOR = "hub.samples"
GENERATOR_VERSION = "1.0.0"

CONVENTIONS = {
    "key": "old_commune_code.sheet_no.parcel_no (legacy MT = MX.SH.ST with the OLD 5-digit commune code)",
    "row": "1-based feature number in GDAL read order (pyogrio read_dataframe index + 1); null for DGN "
           "files, whose records are identified by key only",
    "cantho/cadastre_cantho_old/<old_commune_code>.shp": "one shapefile per old Cần Thơ commune (EPSG:5897)",
    "tuyenquang/famis_tuyenquang_<old_commune_code>_<sheet_no>.dgn": "one Famis DGN V7 per sheet (EPSG:9211); "
        "the file name is the only carrier of commune code and sheet number (also repeated in the level-63 "
        "title texts)",
    "tuyenquang/famis_tuyenquang_<old_commune_code>_<sheet_no>_swapped.dgn": "same, X/Y swapped (axis_order)",
    "dgn_levels": {"10": "parcel boundary linestrings (each edge once, split at nodes)",
                   "13": "parcel number", "14": "area m² (one decimal)", "15": "land-use code (TCVN3)",
                   "20": "hamlet name annotations (TCVN3)", "63": "title block above the frame (TCVN3)"},
    "dgn_units": "master unit m, 1000 mm sub units, 10 UOR/mm; global origin = sheet centre rounded to 1 km",
    "gpkg_layer": "ThuaDat",
    "admin_layer": "communes (columns code, name, level, version_id, province_code; EPSG:4326 via EPSG:6960)",
    "ma_dinh_danh": "GeoHash-12 of shapely point_on_surface in the source TM-3 grid, transformed with the "
                    "pinned EPSG:6960 pipeline (hub.crs.to_wgs84)",
    "dien_tich": "TM-3 grid area of the stored polygon rounded to 0.1 m² (legal area for wrong-KTT/UTM extracts)",
    "land_use_code_lists": {"cantho": "LANDUSE_TT08_2024", "tuyenquang": "LANDUSE_TT27_2018 (BHK/NHK legit)"},
}


def _info(msg: str, progress: Callable[[str], None] | None) -> None:
    """Report progress if a callback is given."""
    if progress:
        progress(msg)


def _admin(out: Path, layouts, sheets) -> dict[str, dict]:
    """admin/: lineage CSV, sheet renumbering CSV, old and new commune polygons."""
    (out / "admin").mkdir(parents=True, exist_ok=True)
    infos = {"admin/admin_lineage.csv": {"rows": admin.write_lineage(out / "admin/admin_lineage.csv", layouts)},
             "admin/sheet_renumbering.csv": {
                 "rows": admin.write_renumbering(out / "admin/sheet_renumbering.csv", layouts, sheets)}}
    old, new = admin.commune_frames(layouts)
    for name, frame, version in (("communes_old", old, OLD_VERSION), ("communes_new", new, NEW_VERSION)):
        path = out / f"admin/{name}.gpkg"
        path.unlink(missing_ok=True)
        with gdal_config(OGR_CURRENT_DATE=GPKG_DATE):
            pyogrio.write_dataframe(frame, path, layer="communes", driver="GPKG")
        infos[f"admin/{name}.gpkg"] = {"rows": len(frame), "layer": "communes", "version_id": version,
                                       "crs": "EPSG:4326"}
    return infos


def _sheets_table(sheets) -> list[dict]:
    """Per-sheet metadata for the manifest."""
    rows = []
    for sh in sheets:
        rows.append({"file": file_for(sh), "old_commune_code": sh.spec.old_code, "sheet_no": sh.spec.sheet_no,
                     "scale": sh.spec.scale, "label": sh.label, "epsg_true": sh.epsg, "kind": sh.spec.kind,
                     "frame_sw": [sh.x0, sh.y0], "frame_size_m": sh.size, "parcels": len(sh.parcels)})
    return rows


def generate(out_dir: Path, scale: float = 1.0, seed: int = 2025,
             progress: Callable[[str], None] | None = None) -> dict:
    """Write the cadastre sample set for Thành phố Cần Thơ and Tuyên Quang into out_dir; return the manifest."""
    if scale <= 0:
        raise ValueError("scale must be > 0")
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    _info("building sheets and parcels", progress)
    sheets = build_all(seed, scale)
    layouts = admin.all_layouts(seed)
    plan = Plan(seed, sheets, layouts)
    apply_all(plan)
    finalize(sheets)
    files: dict[str, dict] = {}
    for label, writer in (("cantho shapefiles (VNI)", write_cantho), ("geopackages", write_gpkgs),
                          ("hagiang TAB (TCVN3)", write_hagiang), ("famis DGN V7 (TCVN3)", write_dgns)):
        _info(f"writing {label}", progress)
        files.update(writer(out, sheets))
    _info("writing admin reference files", progress)
    files.update(_admin(out, layouts, sheets))
    broken = []
    for b in plan.broken:
        row_of = files[b.file].get("row_of", {})
        broken.append(b.as_dict(row_of.get(id(b.parcel)) if b.parcel is not None else None))
    broken.sort(key=lambda e: (e["file"], e["row"] or 0, e["key"], e["defect"]))
    wrong = [sh for sh in sheets if sh.spec.kind == "wrong_ktt"]
    manifest = {
        "generator": GENERATOR, "generator_version": GENERATOR_VERSION, "seed": seed, "scale": scale,
        "admin_versions": {"old": OLD_VERSION, "new": NEW_VERSION},
        "conventions": CONVENTIONS,
        "row_classes": ROW_CLASSES,
        "files": {k: {kk: vv for kk, vv in v.items() if kk != "row_of"} for k, v in sorted(files.items())},
        "parcels": {"A_cantho": sum(len(s.parcels) for s in sheets if s.group.region == "A"),
                    "B_tuyenquang": sum(len(s.parcels) for s in sheets if s.group.region == "B")},
        "communes": {"old": {c.code: {"name": c.name, "province_code": c.province_code,
                                      "successors": list(c.new_codes)} for c in OLD_COMMUNES.values()},
                     "new": {c.code: {"name": c.name, "province_code": c.province_code}
                             for c in NEW_COMMUNES.values()}},
        "split_communes": {g.split[0]: {"boundary_km_east_of_origin": g.split[1]}
                           for g in (s.group for s in sheets) if g.split},
        "wrong_ktt_offset_m": round(wrong_ktt_offset_m(wrong[0]), 1) if wrong else None,
        "wrong_ktt_note": "105°00′ instead of 105°30′ is a 0.5° error: ≈ 55 km at 9.8° N (§11's '≈ 27 km' is the "
                          "figure for a 0.25° error)",
        "sheets": _sheets_table(sheets),
        "broken": broken,
    }
    (out / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=1, sort_keys=False) + "\n",
                                       encoding="utf-8")
    _info(f"done: {len(files)} files, {len(broken)} broken records", progress)
    return manifest
