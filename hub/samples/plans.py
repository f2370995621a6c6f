"""The concrete defect plan of the sample set: which sheet of which file carries which §11 case."""

from __future__ import annotations

import struct

import shapely

from hub.samples import defects as d
from hub.samples.inject import Plan, file_for
from hub.samples.parcels import Sheet


def plan_cantho(pl: Plan) -> None:
    """Old Cần Thơ shapefiles (VNI): geometry, key, area, code, encoding, PII, sensitive and ID cases."""
    pl.legit_pair(("31210", 1), ("31212", 1))
    pl.bowtie("31210", 1)
    sh, p = pl.pick("31219", 1, span1=True)
    d.zero_area(p)
    pl.add(sh, p, "1_zero_area", "invalid_geometry", "error", "ring collapsed onto three collinear vertices")
    pl.slivers("31228", 1, 1.2, "2_overlap", "topology_overlap")
    pl.slivers("31207", 2, -2.5, "2_gap", "topology_gap")
    pl.duplicate("31212", 1)
    pl.area("31210", 2)
    pl.land_use("31210", 1, "XYZ", "unknown_land_use", "error", "not in any code list")
    pl.land_use("31219", 1, " ont ", "land_use_normalised", "info",
                "case/space variant of ONT (GDAL trims DBF blanks; the raw DBF bytes keep the leading one)")
    pl.land_use("31207", 1, "ONT+CLN", "land_use_normalised", "info", "multi-code: split into ONT and CLN")
    pl.land_use("31228", 1, "T", "legacy_land_use", "warn", "pre-2014 'thổ cư' code: manual crosswalk")
    for code, no in (("31210", 1), ("31228", 1), ("31219", 1)):
        pl.encoding(code, no, "TenChu", "utf8_nfc", "info", "UTF-8 NFC value inside the VNI DBF (mixed rows)",
                    pred=lambda p: any(ord(ch) > 127 for ch in p.ten_chu))
    for code, no in (("31212", 1), ("31207", 2)):
        pl.encoding(code, no, "DiaChi", "utf8_double", "warn",
                    "double-encoded UTF-8 (UTF-8 bytes read as CP1252, saved as UTF-8) inside the VNI DBF")
    pl.split("31207", 2)
    pl.pii("31210", 1, "GhiChu")
    pl.pii("31228", 1, "DiaChi")
    pl.sensitive("31219", 1, "CQP")
    pl.sensitive("31207", 1, "CAN")
    sh = pl.by[("31228", 1)]
    p = pl.picker(sh).pick(sh, east=True)
    q = d.right_neighbour(sh, p)
    pl.picker(sh).mark(q)
    shared = len(set(p.ring) & set(q.ring))
    pl.add(sh, p, "20_shared_vertices", "none", "none",
           f"shares {shared} vertices exactly with {q.key}; must stay identical after export at ≥ 8 decimals",
           neighbour=q.key, shared_vertices=shared)
    pl.wrong_ids(("cantho_old",), "proj_default")
    sh = pl.by[("31212", 2)]
    for p in sh.parcels:
        pl.picker(sh).mark(p)
        pl.add(sh, p, "9_utm_datum", "datum_suspect", "warn",
               "VN-2000 / UTM 48N (EPSG:3405) coordinates declared as WGS 84 / UTM 48N (EPSG:32648): ≈ 225 m off",
               true_epsg=3405, declared_epsg=32648)


def plan_soctrang(pl: Plan) -> None:
    """Old Sóc Trăng GeoPackage (UTF-8, 5 % NFD): code variants, wrong-KTT sheet, keys, IDs; unclosed ring."""
    pl.legit_pair(("31528", 1), ("31555", 1))
    pl.land_use("31528", 1, "\u041eDT", "land_use_homoglyph", "error", "Cyrillic О (U+041E) instead of Latin O")
    pl.land_use("31558", 1, "KĐD", "unknown_land_use", "warn",
                "planning zone code with Vietnamese Đ: must survive decoding, not a homoglyph, not a parcel type")
    pl.land_use("31555", 1, "BHK", "legacy_land_use", "warn", "TT 27/2018 code in a 2026 dataset: map to HNK")
    pl.land_use("31528", 2, "2L", "legacy_land_use", "warn", "pre-2014 code (2 vụ lúa): manual crosswalk")
    pl.duplicate("31555", 1)
    pl.area("31558", 1)
    pl.pii("31528", 2, "GhiChu")
    sh = pl.by[("31558", 2)]
    for p in sh.parcels:
        pl.picker(sh).mark(p)
        pl.add(sh, p, "7_wrong_ktt", "outside_admin_unit", "error",
               "sheet computed with KTT 105°00′ (EPSG:5897 parameters) but stored as EPSG:9209 (105°30′)",
               computed_with_epsg=5897, declared_epsg=9209)
    pl.wrong_ids(("soctrang_old",), "proj_default")
    sh = pl.by[("31555", 2)]
    p = sh.parcels[len(sh.parcels) // 2]
    p.raw_wkb = _unclosed_wkb(p.ring)
    pl.add(sh, p, "1_unclosed_ring", "invalid_geometry", "error",
           "WKB ring without its closing vertex: shapely refuses it, read with on_invalid='fix' or raw WKB")
    rng = pl.pickers[file_for(pl.by[("31528", 1)])].rng
    for s in pl.sheets:
        if s.group.key == "soctrang_old" and s.spec.kind == "normal":
            for p in s.parcels:
                for fld, attr in (("DiaChi", "dia_chi"), ("TenChu", "ten_chu"), ("GhiChu", "ghi_chu")):
                    if rng.random() < 0.05 and any(ord(ch) > 127 for ch in getattr(p, attr)):
                        p.enc[fld] = "nfd"


def _unclosed_wkb(ring) -> bytes:
    """ISO WKB polygon whose only ring lacks the closing vertex."""
    pts = ring[:-1]
    return struct.pack("<BIII", 1, 3, 1, len(pts)) + b"".join(struct.pack("<dd", x, y) for x, y in pts)


def plan_tuyenquang(pl: Plan) -> None:
    """Old Tuyên Quang Famis DGN sheets: labels, an undershoot, split commune, sensitive, swapped sheet."""
    pl.legit_pair(("02209", 1), ("02212", 1))
    pl.duplicate("02212", 1)
    pl.area("02212", 1)
    pl.land_use("02482", 1, "XYZ", "unknown_land_use", "error", "not in any code list")
    pl.land_use("02209", 1, "KĐD", "unknown_land_use", "warn",
                "zone code with Đ (TCVN3 byte 0xA7): decode, keep, not a parcel land type")
    pl.land_use("02212", 2, "ONT+CLN", "land_use_normalised", "info", "multi-code: split into ONT and CLN")
    pl.split("02494", 1)
    pl.sensitive("02500", 1, "CQP")
    pl.sensitive("02209", 1, "CAN")
    sh, p = pl.pick("02500", 1, east=True)
    q = d.right_neighbour(sh, p)
    pl.picker(sh).mark(q)
    a, b = p.ring[p.span], p.ring[p.span + 1]  # p's east edge, shared with q
    length = ((b[0] - a[0]) ** 2 + (b[1] - a[1]) ** 2) ** 0.5
    stop = (round(b[0] - (b[0] - a[0]) * 0.5 / length, 3), round(b[1] - (b[1] - a[1]) * 0.5 / length, 3))
    sh.extras["undershoot"] = ((a, b), stop)
    for r in (p, q):
        pl.add(sh, r, "1_unclosed_ring", "invalid_geometry", "error",
               f"boundary line between {p.key} and {q.key} stops 0.5 m short of its node: neither parcel closes")
    sh = pl.by[("02209", 2)]
    for p in sh.parcels:
        pl.picker(sh).mark(p)
        pl.add(sh, p, "8_axis_swap", "axis_order", "error", "whole sheet written with X=N, Y=E swapped")
    for s in pl.sheets:
        if s.group.key == "tuyenquang_old":
            _place_names(pl, s)


def _place_names(pl: Plan, sh: Sheet) -> None:
    """Up to three hamlet-name annotations at random interior points of a DGN sheet (level 20)."""
    rng = pl.picker(sh).rng
    hamlets = sh.group.hamlets
    n = 1 + int(sh.spec.scale >= 5000) + int(sh.spec.scale >= 10000)
    out = []
    for _ in range(n):
        x = sh.x0 + sh.size * float(rng.uniform(0.2, 0.8))
        y = sh.y0 + sh.size * float(rng.uniform(0.2, 0.8))
        out.append((hamlets[int(rng.integers(len(hamlets)))], (round(x, 3), round(y, 3))))
    sh.extras["place_names"] = out


def plan_hagiang(pl: Plan) -> None:
    """Old Hà Giang MapInfo TAB (TCVN3 declared WindowsLatin1): geometry, codes, case loss, lost 0xAD, IDs."""
    pl.bowtie("00718", 1)
    pl.slivers("00724", 1, 0.4, "2_overlap", "topology_overlap")
    pl.duplicate("00715", 1)
    pl.area("00718", 1)
    pl.land_use("00715", 2, "T", "legacy_land_use", "warn", "pre-2014 'thổ cư' code: manual crosswalk")
    pl.land_use("00724", 1, "2L", "legacy_land_use", "warn", "pre-2014 code: manual crosswalk")
    pl.land_use("00715", 1, " ont ", "land_use_normalised", "info", "case/space variant of ONT")
    pl.sensitive("00715", 1, "CQP")
    pl.pii("00724", 1, "GhiChu")
    for code, no in (("00715", 1), ("00718", 1), ("00724", 1)):
        pl.encoding(code, no, "DiaChi", "tcvn3_case_loss", "info",
                    "typed in uppercase with a .VnTimeH font: TCVN3 bytes decode to mixed case", transform=str.upper)
    for code, no in (("00715", 2), ("00718", 1), ("00724", 1)):
        pl.encoding(code, no, "TenChu", "tcvn3_soft_hyphen_stripped", "warn",
                    "TCVN3 0xAD (ư) stripped as a soft hyphen: 'ư' is lost and cannot be recovered",
                    transform=_with_u)
    pl.wrong_ids(("hagiang_old",), "no_shift")


def _with_u(name: str) -> str:
    """Keep a holder name that contains 'ư', else swap in a synthetic one that does."""
    options = ("Lương Văn Trường", "Dương Thị Hương", "Trương Mí Khương", "Lường Thị Thương")
    return name if "ư" in name else options[len(name) % len(options)]


def apply_all(pl: Plan) -> None:
    """Run every plan in a fixed order."""
    plan_cantho(pl)
    plan_soctrang(pl)
    plan_tuyenquang(pl)
    plan_hagiang(pl)


def wrong_ktt_offset_m(sh: Sheet) -> float:
    """Distance (m) between a wrong-KTT sheet's centre as stored and where it really is (sanity value)."""
    from hub.crs import to_wgs84
    cx, cy = sh.x0 + sh.size / 2, sh.y0 + sh.size / 2
    lon, lat = to_wgs84(sh.epsg).transform(cx, cy)
    x5, y5 = to_wgs84(5897).transform(lon, lat, direction="INVERSE")
    return float(shapely.Point(cx, cy).distance(shapely.Point(x5, y5)))


