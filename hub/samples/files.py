"""Write the cadastre sample files from built sheets; each writer reports rows, row map and encodings."""

from __future__ import annotations

from pathlib import Path

import shapely
from pyproj import Transformer

from hub.crs import ZONES, proj4_pinned, tmerc
from hub.samples import dgn
from hub.samples.inject import HAGIANG, SHP_DIR, SOCTRANG, TEXT_FIELDS, UNCLOSED, UTM, file_for
from hub.samples.parcels import Parcel, Sheet
from hub.samples.textenc import encode_text
from hub.samples.writers import exact_bounds, write_gpkg, write_shapefile, write_tab

SHP_FIELDS = [("MaXa", "C", 5, 0), ("SoHieuToBa", "N", 4, 0), ("SoThuTuThu", "N", 6, 0), ("DienTich", "N", 12, 1),
              ("KyHieuMucD", "C", 20, 0), ("DiaChi", "C", 254, 0), ("TenChu", "C", 120, 0),
              ("GhiChu", "C", 254, 0), ("MaDinhDanh", "C", 12, 0)]
FULL_FIELDS = ["MaXa", "SoHieuToBanDo", "SoThuTuThua", "DienTich", "KyHieuMucDichSuDung", "DiaChi", "TenChu",
               "GhiChu", "MaDinhDanh"]


def _regrid(src: int, dst: int) -> Transformer:
    """Pure VN-2000 grid → grid change (same datum): inverse TM of `src`, forward TM of `dst`."""
    return Transformer.from_pipeline(f"+proj=pipeline +step +inv {tmerc(ZONES[src])} +step {tmerc(ZONES[dst])}")


def written_ring(sh: Sheet, p: Parcel) -> tuple:
    """The ring as the file stores it: wrong-KTT sheets re-projected on 105°00′, UTM extracts on UTM 48N."""
    kind = sh.spec.kind
    if kind not in ("wrong_ktt", "utm_extract"):
        return p.ring
    t = _regrid(sh.epsg, 5897) if kind == "wrong_ktt" else _regrid(sh.epsg, 3405)
    xs, ys = t.transform([x for x, _ in p.ring], [y for _, y in p.ring])
    return tuple((round(float(x), 3), round(float(y), 3)) for x, y in zip(xs, ys))


def _ordered(sheets: list[Sheet]) -> list[tuple[Sheet, Parcel]]:
    """Records of a file in export order: sheet, then parcel number, then grid position."""
    recs = [(sh, p) for sh in sheets for p in sh.parcels]
    return sorted(recs, key=lambda r: (r[1].old_code, r[1].sheet_no, r[1].number, r[1].row, r[1].col))


def _values(p: Parcel) -> dict[str, str]:
    """Text fields of a record by output field name."""
    return {"DiaChi": p.dia_chi, "TenChu": p.ten_chu, "GhiChu": p.ghi_chu}


def _encodings(recs, default: str, declared: str) -> dict:
    """Manifest block: declared vs actual encoding and the rows (1-based) of every non-default row class."""
    classes: dict[str, dict[str, list[int]]] = {}
    for row, (_, p) in enumerate(recs, start=1):
        for fld, cls in sorted(p.enc.items()):
            classes.setdefault(cls, {}).setdefault(fld, []).append(row)
    return {"declared": declared, "default": default, "text_fields": list(TEXT_FIELDS),
            "row_classes": classes}


def write_cantho(out: Path, sheets: list[Sheet]) -> dict[str, dict]:
    """One shapefile per old Cần Thơ commune: VNI bytes in the DBF, .cpg 'UTF-8', .prj of EPSG:5897."""
    infos = {}
    by_file: dict[str, list[Sheet]] = {}
    for sh in sheets:
        by_file.setdefault(file_for(sh), []).append(sh)
    for rel in sorted(f for f in by_file if f.startswith(SHP_DIR)):
        recs = _ordered(by_file[rel])
        records = [[p.old_code.encode("ascii"), p.sheet_no, p.number, p.dien_tich,
                    encode_text(p.land_use, "vni")]
                   + [encode_text(v, "vni", p.enc.get(f)) for f, v in _values(p).items()]
                   + [p.ma_dinh_danh.encode("ascii")] for _, p in recs]
        geoms = [shapely.Polygon(written_ring(sh, p)) for sh, p in recs]
        path = out / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        write_shapefile(path, geoms, 5897, SHP_FIELDS, records)
        infos[rel] = {"rows": len(recs), "row_of": {id(p): i for i, (_, p) in enumerate(recs, 1)},
                      "format": "ESRI Shapefile", "crs": "EPSG:5897 (.prj ESRI WKT, no TOWGS84)",
                      "fields": [f[0] for f in SHP_FIELDS],
                      "encodings": _encodings(recs, "VNI", ".cpg says UTF-8 (false); DBF LDID 0")}
    return infos


def _gpkg_columns(recs, default: str) -> dict[str, list]:
    """Full-name attribute columns of a GeoPackage/TAB: text as str (UTF-8 files) or Latin-1 of the bytes."""
    def text(v: str, cls: str | None) -> str:
        """Value as the writer needs it for the target encoding."""
        raw = encode_text(v, default, cls)
        return raw.decode("utf-8") if default in ("utf8",) else raw.decode("latin-1")

    cols: dict[str, list] = {k: [] for k in FULL_FIELDS}
    for _, p in recs:
        vals = _values(p)
        cols["MaXa"].append(p.old_code)
        cols["SoHieuToBanDo"].append(p.sheet_no)
        cols["SoThuTuThua"].append(p.number)
        cols["DienTich"].append(float(p.dien_tich))
        cols["KyHieuMucDichSuDung"].append(text(p.land_use, None))
        for f in TEXT_FIELDS:
            cols[f].append(text(vals[f], p.enc.get(f)))
        cols["MaDinhDanh"].append(p.ma_dinh_danh)
    return cols


def _wkbs(recs) -> list[bytes]:
    """Geometry WKB per record (verbatim raw WKB when a record carries one)."""
    return [p.raw_wkb or shapely.to_wkb(shapely.Polygon(written_ring(sh, p))) for sh, p in recs]


def write_gpkgs(out: Path, sheets: list[Sheet]) -> dict[str, dict]:
    """Sóc Trăng (EPSG:9209), the unclosed-ring extract (9209) and the mislabeled UTM extract (says 32648)."""
    infos = {}
    for rel, crs, note in ((SOCTRANG, "EPSG:9209", "EPSG:9209"), (UNCLOSED, "EPSG:9209", "EPSG:9209"),
                           (UTM, "EPSG:32648", "declared EPSG:32648 (WGS 84 / UTM 48N); really EPSG:3405")):
        recs = _ordered([sh for sh in sheets if file_for(sh) == rel])
        path = out / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        write_gpkg(path, "ThuaDat", _wkbs(recs), _gpkg_columns(recs, "utf8"), crs)
        infos[rel] = {"rows": len(recs), "row_of": {id(p): i for i, (_, p) in enumerate(recs, 1)},
                      "format": "GPKG", "layer": "ThuaDat", "crs": note, "fields": FULL_FIELDS,
                      "encodings": _encodings(recs, "UTF-8 NFC", "UTF-8 (GeoPackage)")}
    return infos


def write_hagiang(out: Path, sheets: list[Sheet]) -> dict[str, dict]:
    """Old Hà Giang MapInfo TAB: TCVN3 bytes under '!charset WindowsLatin1'; custom datum = pinned 6960."""
    recs = _ordered([sh for sh in sheets if file_for(sh) == HAGIANG])
    xs = [x for sh, p in recs for x, _ in p.ring]
    ys = [y for sh, p in recs for _, y in p.ring]
    path = out / HAGIANG
    path.parent.mkdir(parents=True, exist_ok=True)
    write_tab(path, _wkbs(recs), _gpkg_columns(recs, "tcvn3"), proj4_pinned(9209),
              exact_bounds(min(xs), min(ys), max(xs), max(ys)))
    return {HAGIANG: {"rows": len(recs), "row_of": {id(p): i for i, (_, p) in enumerate(recs, 1)},
                      "format": "MapInfo File", "fields": FULL_FIELDS,
                      "crs": "MapInfo CoordSys Earth Projection 8, datum 9999 (WGS 84 ellipsoid + EPSG:6960 "
                             "parameters), CM 105.5, k 0.9999, FE 500000 = EPSG:9209",
                      "encodings": _encodings(recs, "TCVN3", "!charset WindowsLatin1 (false)")}}


def write_dgns(out: Path, sheets: list[Sheet]) -> dict[str, dict]:
    """One Famis-style DGN V7 per old Tuyên Quang sheet (and the swapped one)."""
    infos = {}
    for sh in sheets:
        rel = file_for(sh)
        if not rel.endswith(".dgn"):
            continue
        path = out / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        counts = dgn.write_sheet(path, sh, swapped=sh.spec.kind == "swapped")
        infos[rel] = {"rows": counts["lines"] + counts["texts"], "parcels": counts["parcels"],
                      "lines": counts["lines"], "texts": counts["texts"], "row_of": {},
                      "format": "DGN V7", "crs": "EPSG:9211 (not stored in the file)",
                      "old_commune_code": sh.spec.old_code, "sheet_no": sh.spec.sheet_no,
                      "scale": sh.spec.scale, "swapped_axes": sh.spec.kind == "swapped",
                      "encodings": {"declared": "none (DGN V7 text is 8-bit)", "default": "TCVN3",
                                    "row_classes": {}}}
    return infos
