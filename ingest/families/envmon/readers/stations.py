"""Station list files (CSV or XLSX, one row per station, headers in Vietnamese or English): code, name, network,
kind, medium, location (WGS 84 lon/lat, or VN-2000 x/y with its EPSG code through the pinned EPSG:6960 shift),
operator, commune codes before and after 1 July 2025, and how the station's data are time-stamped."""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from pathlib import Path

from hub import crs
from hub.errors import InputError
from ingest.core.values import as_float
from ingest.families.envmon.parameters import name_key
from ingest.families.envmon.readers.common import Reject

# field -> accepted header spellings (matched by parameters.name_key)
HEADERS = {
    "code": ("code", "mã trạm", "ma tram", "ký hiệu", "mã điểm", "station"),
    "name": ("name", "tên trạm", "ten tram", "tên điểm", "tên"),
    "network": ("network", "mạng lưới", "cấp", "mang luoi"),
    "kind": ("kind", "loại trạm", "loại", "hình thức"),
    "medium": ("medium", "môi trường", "thành phần môi trường"),
    "lon": ("lon", "longitude", "kinh độ", "kinh do"),
    "lat": ("lat", "latitude", "vĩ độ", "vi do"),
    "x": ("x", "x (m)", "tọa độ x"),
    "y": ("y", "y (m)", "tọa độ y"),
    "epsg": ("epsg", "crs", "hệ tọa độ"),
    "operator": ("operator", "đơn vị vận hành", "đơn vị quản lý", "cơ quan quản lý"),
    "commune_old": ("commune_old", "mã xã cũ", "ma xa cu", "mã xã (trước 01/7/2025)"),
    "commune_new": ("commune_new", "mã xã mới", "ma xa moi", "mã xã", "mã xã (từ 01/7/2025)"),
    "address": ("address", "địa chỉ", "vị trí"),
    "time_convention": ("time_convention", "quy ước thời gian", "nhãn giờ"),
    "interval_minutes": ("interval_minutes", "chu kỳ (phút)", "tần suất (phút)"),
}
VOCAB = {
    "network": {"national": ("national", "quốc gia", "trung ương", "quoc gia"),
                "provincial": ("provincial", "tỉnh", "cấp tỉnh", "địa phương", "tinh")},
    "kind": {"automatic": ("automatic", "tự động", "tự động, liên tục", "tự động liên tục", "tu dong"),
             "periodic": ("periodic", "định kỳ", "thủ công", "dinh ky")},
    "medium": {"air": ("air", "không khí", "không khí xung quanh", "khong khi"),
               "surface_water": ("surface_water", "nước mặt", "nuoc mat"),
               "groundwater": ("groundwater", "nước dưới đất", "nước ngầm", "nuoc duoi dat"),
               "sea_water": ("sea_water", "nước biển", "nước biển ven bờ", "nuoc bien")},
    "time_convention": {"hour_ending": ("hour_ending", "cuối giờ", "kết thúc giờ", ""),
                        "hour_beginning": ("hour_beginning", "đầu giờ", "bắt đầu giờ")},
}
VIETNAM_BBOX = (102.1, 8.3, 117.9, 23.5)  # lon/lat, incl. Hoàng Sa and Trường Sa
_COMMUNE = re.compile(r"^\d{5}$")


@dataclass(frozen=True)
class Station:
    """One station as loaded."""

    code: str
    name: str
    network: str
    kind: str
    medium: str
    lon: float
    lat: float
    operator: str | None
    commune_old: str | None
    commune_new: str | None
    address: str | None
    time_convention: str
    interval_minutes: int
    row: int


def _rows(path: Path, encoding: str) -> tuple[list[str], list[tuple[int, list]]]:
    """Header and (row number, values) of the first sheet or the CSV."""
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        import openpyxl

        wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
        try:
            rows = list(wb[wb.sheetnames[0]].iter_rows(values_only=True))
        finally:
            wb.close()
    else:
        with open(path, encoding=encoding, newline="") as fh:
            rows = list(csv.reader(fh))
    if not rows:
        raise InputError("the station list is empty", file=str(path), rule="header_missing")
    head = [("" if h is None else str(h)).lstrip("\ufeff").strip() for h in rows[0]]
    return head, [(i, list(r)) for i, r in enumerate(rows[1:], start=2) if any(v not in (None, "") for v in r)]


def _vocab(field: str, text: str) -> str | None:
    """The hub's word for a vocabulary value written in Vietnamese or English."""
    k = name_key(text)
    for word, spellings in VOCAB[field].items():
        if k in {name_key(s) for s in spellings}:
            return word
    return None


def read_stations(path: Path, display: str | None = None, encoding: str = "utf-8") -> tuple[list[Station],
                                                                                              list[Reject]]:
    """Stations of a list file and the rows refused (each naming row, field and rule)."""
    display = display or str(path)
    head, rows = _rows(Path(path), encoding)
    keys = {name_key(h): i for i, h in enumerate(head)}
    col = {f: next((keys[name_key(s)] for s in spells if name_key(s) in keys), None) for f, spells in HEADERS.items()}
    for need in ("code", "name", "medium"):
        if col[need] is None:
            raise InputError(f"no {need} column (accepted headers: {', '.join(HEADERS[need])})", file=display,
                             field=need, rule="header_missing")
    stations, rejects, seen = [], [], {}
    for n, r in rows:
        def get(f: str, r=r) -> str:
            i = col[f]
            v = r[i] if i is not None and i < len(r) else None
            if isinstance(v, float) and v.is_integer() and f in ("code", "commune_old", "commune_new", "epsg"):
                v = int(v)
            return "" if v is None else str(v).strip()

        def bad(f: str, rule: str, msg: str, n=n, get=get) -> None:
            rejects.append(Reject(display, f"row {n}", f, rule, msg, get(f) or None))

        code = get("code")
        if not code:
            bad("code", "missing_required", "no station code")
            continue
        if code in seen:
            bad("code", "duplicate_key", f"station {code} already listed on row {seen[code]}")
            continue
        words, failed = {}, False
        for f in ("network", "kind", "medium", "time_convention"):
            text = get(f)
            w = _vocab(f, text) if text else None
            if w is None and (text or f == "medium"):
                bad(f, "bad_value" if text else "missing_required", f"{text!r} is not one of {', '.join(VOCAB[f])}")
                failed = True
            words[f] = w
        if failed:
            continue
        lon, lat = as_float(get("lon")), as_float(get("lat"))
        if lon is None or lat is None:
            x, y, epsg = as_float(get("x")), as_float(get("y")), get("epsg").upper().removeprefix("EPSG:")
            if x is None or y is None or not epsg.isdigit() or not crs.is_vn2000(int(epsg)):
                bad("lon", "missing_required", "no WGS 84 lon/lat and no VN-2000 x/y with a known EPSG code")
                continue
            lon, lat = crs.to_wgs84(int(epsg)).transform(x, y)
        if not (VIETNAM_BBOX[0] <= lon <= VIETNAM_BBOX[2] and VIETNAM_BBOX[1] <= lat <= VIETNAM_BBOX[3]):
            bad("lon", "outside_admin_unit", f"({lon:.5f}, {lat:.5f}) is outside Vietnam (lon/lat swapped?)")
            continue
        communes = {}
        for f in ("commune_old", "commune_new"):
            c = get(f).zfill(5) if get(f).isdigit() else get(f)
            if c and not _COMMUNE.match(c):
                bad(f, "bad_value", f"{c!r} is not a 5-digit commune code")
            communes[f] = c if c and _COMMUNE.match(c) else None
        interval = as_float(get("interval_minutes")) or 60.0
        seen[code] = n
        stations.append(Station(code, get("name"), words["network"] or "provincial", words["kind"] or "automatic",
                                words["medium"], round(lon, 7), round(lat, 7), get("operator") or None,
                                communes["commune_old"], communes["commune_new"], get("address") or None,
                                words["time_convention"] or "hour_ending", int(interval), n))
    return stations, rejects
