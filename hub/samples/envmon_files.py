"""File writers and the defect plan of the envmon sample set (see hub.samples.envmon). Every defect is recorded with
the station, parameter, local hour-ending label(s) and the rule the pipeline must apply."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import numpy as np
import openpyxl

from hub.samples.envmon_series import AIR, WATER

MW = {"O3": 47.997, "NO2": 46.005, "SO2": 64.058, "CO": 28.010}
VENDOR_NAMES = {  # how each province's station vendor spells the parameters in TT 10/2021 files
    "92": {"PM2.5": "PM-2-5", "PM10": "PM-10", "O3": "O3", "NO2": "NO2", "SO2": "SO2", "CO": "CO", "TEMP": "Temp",
           "RH": "Humidity"},
    "08": {"PM2.5": "PM2.5", "PM10": "PM10", "O3": "O3", "NO2": "NO2", "SO2": "SO2", "CO": "CO", "TEMP": "TEMP",
           "RH": "RH"},
}
TT10_UNITS = {"92": {"PM2.5": "µg/m3", "PM10": "µg/m3", "O3": "µg/m3", "NO2": "µg/m3", "SO2": "µg/m3",
                     "CO": "µg/m3", "TEMP": "oC", "RH": "%"},
              "08": {"PM2.5": "ug/m3", "PM10": "ug/m3", "O3": "ppb", "NO2": "ppb", "SO2": "ppb", "CO": "ppm",
                     "TEMP": "oC", "RH": "%"}}
CSV_HEADERS = {"PM2.5": "PM2.5", "PM10": "PM10", "O3": "O3", "NO2": "NO2", "SO2": "SO2", "CO": "CO",
               "TEMP": "Nhiệt độ", "RH": "Độ ẩm"}
PROVINCE_DIR = {"92": "cantho", "08": "tuyenquang"}
FILE_PREFIX = {"92": "CanTho_SNNMT", "08": "TuyenQuang_SNNMT"}
SOURCES = {
    "tt10/cantho": {"format": "tt10", "time_convention": "hour_ending", "utc_offset": "+07:00"},
    "tt10/cantho_resend": {"format": "tt10", "time_convention": "hour_ending", "utc_offset": "+07:00"},
    "tt10/tuyenquang": {"format": "tt10", "time_convention": "hour_ending", "utc_offset": "+07:00"},
    "air_csv/cantho": {"format": "csv", "time_convention": "hour_ending", "utc_offset": "+07:00"},
    "air_csv/tuyenquang": {"format": "csv", "time_convention": "hour_beginning", "utc_offset": "+07:00"},
    "water/cantho_2025.xlsx": {"format": "xlsx", "time_convention": "instant", "units_row": 2,
                               "limits": {"AS": 0.001, "N-NH4": 0.02}},
    "water/tuyenquang_2025.csv": {"format": "csv", "time_convention": "instant"},
}


@dataclass
class Plan:
    """The sample period: hour-ending local labels, which hours come as TT 10/2021 files, and the days."""

    hours: np.ndarray
    in_tt10: np.ndarray
    n_days: int


def label(t: np.datetime64) -> str:
    """A time as the station files print it (minutes, a space between date and time)."""
    return str(t.astype("datetime64[m]")).replace("T", " ")


def _csv_hour(plan: Plan, frac: float, hour: int) -> int:
    """Index of a CSV-period hour at a fraction of the period (moved out of the TT10 window)."""
    i = int(plan.n_days * frac) * 24 + hour
    while plan.in_tt10[i]:
        i += 24 * 20
    return min(i, len(plan.hours) - 1)


def place_defects(plan: Plan, truth: dict[str, dict[str, np.ndarray]]) -> dict:
    """Choose where each defect goes (positions relative to the period, so any scale has them all)."""
    tt = np.flatnonzero(plan.in_tt10)
    d: dict = {}
    cal = tt[4 * 24 + 1: 4 * 24 + 4]  # day 5 of the window, hours ending 02:00-04:00
    d["calibrating"] = {"station": "CT-KK02", "parameters": ["O3", "NO2", "SO2", "CO"], "status": "01",
                        "hours_local": [label(plan.hours[i]) for i in cal], "rule": "calibrating",
                        "_idx": cal.tolist()}
    err = tt[7 * 24 + 9: 7 * 24 + 21] if len(tt) > 7 * 24 + 21 else tt[-14:-2]
    d["device_error"] = {"station": "TQ-KK02", "parameters": ["PM2.5"], "status": "02",
                         "hours_local": [label(plan.hours[i]) for i in err], "rule": "device_error",
                         "_idx": err.tolist()}
    res = tt[min(9, len(tt) // 24 - 1) * 24 + 7: min(9, len(tt) // 24 - 1) * 24 + 10]
    d["resend"] = {"station": "CT-KK03", "folder": "tt10/cantho_resend", "hours_local": [label(plan.hours[i])
                   for i in res], "conflict": {"parameter": "PM2.5", "hour_local": label(plan.hours[res[1]]),
                                                "first": float(truth["CT-KK03"]["PM2.5"][res[1]]),
                                                "resent": round(float(truth["CT-KK03"]["PM2.5"][res[1]]) + 5.0, 1)},
                   "rule": "duplicate (prefer_valid_last: the re-sent value wins)", "_idx": res.tolist()}
    gap = tt[-3 * 24 + 12: -3 * 24 + 18]
    d["tt10_gap"] = {"station": "TQ-KK06", "hours_local": [label(plan.hours[i]) for i in gap],
                     "rule": "gap (no file)", "_idx": gap.tolist()}
    bad = int(tt[2 * 24 + 8])
    d["unreadable_value"] = {"station": "CT-KK01", "parameter": "PM10", "hour_local": label(plan.hours[bad]),
                             "line": 2, "rule": "value_unreadable (empty value field)", "_idx": [bad]}
    stuck_start = _csv_hour(plan, 0.55, 4)
    stuck = list(range(stuck_start, stuck_start + 10))
    d["stuck"] = {"station": "CT-KK04", "parameter": "PM10", "value": 57.3,
                  "hours_local": [label(plan.hours[i]) for i in stuck], "rule": "stuck_sensor", "_idx": stuck}
    g0 = _csv_hour(plan, 0.27, 0)
    d["csv_gap"] = {"station": "CT-KK06", "hours_local": [label(plan.hours[g0]), label(plan.hours[g0 + 47])],
                    "missing_hours": 48, "rule": "gap (rows absent)", "_idx": list(range(g0, g0 + 48))}
    dup = _csv_hour(plan, 0.42, 0)
    d["csv_duplicates"] = {"station": "TQ-KK04", "hours_local": [label(plan.hours[i]) for i in range(dup, dup + 3)],
                           "rule": "duplicate (identical rows, one kept)", "_idx": list(range(dup, dup + 3))}
    neg = _csv_hour(plan, 0.69, 3)
    d["negative"] = {"station": "TQ-KK05", "parameter": "SO2", "value": -2.1, "hour_local": label(plan.hours[neg]),
                     "rule": "negative_value", "_idx": [neg]}
    imp = _csv_hour(plan, 0.75, 12)
    d["impossible"] = {"station": "CT-KK05", "parameter": "PM2.5", "value": 9999.0,
                       "hour_local": label(plan.hours[imp]), "rule": "impossible_value", "_idx": [imp]}
    d["units"] = {"tt10/tuyenquang": "O3, NO2, SO2 in ppb, CO in ppm", "air_csv/tuyenquang/TQ-KK03_2025.csv":
                  "O3, NO2, SO2 in ppb, CO in ppm", "water/tuyenquang_2025.csv": "AS, CD, PB, HG in µg/L",
                  "rule": "converted to µg/m³ (25 °C, 1 atm) / mg/L; raw value and unit kept"}
    d["censored"] = []
    return d


def _value_out(code: str, unit: str, v: float) -> str:
    """A value written in a source unit."""
    if unit == "ppb":
        return f"{v * 24.45 / MW[code]:.2f}"
    if unit == "ppm":
        return f"{v * 24.45 / MW[code] / 1000:.3f}"
    return f"{v:.0f}" if code == "CO" else f"{v:.2f}" if code == "SO2" else f"{v:.1f}"


def write_station_list(out: Path, sts: list[dict]) -> dict:
    """stations.csv with Vietnamese headers."""
    path = out / "stations.csv"
    head = ["Mã trạm", "Tên trạm", "Mạng lưới", "Loại trạm", "Môi trường", "Kinh độ", "Vĩ độ", "Đơn vị vận hành",
            "Mã xã cũ", "Mã xã mới"]
    vi = {"national": "Quốc gia", "provincial": "Tỉnh", "automatic": "Tự động", "periodic": "Định kỳ",
          "air": "Không khí", "surface_water": "Nước mặt"}
    with open(path, "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(head)
        for s in sts:
            w.writerow([s["code"], s["name"], vi[s["network"]], vi[s["kind"]], vi[s["medium"]], s["lon"], s["lat"],
                        s["operator"], s["commune_old"], s["commune_new"]])
    return {"stations.csv": {"rows": len(sts)}}


def write_tt10(out: Path, plan: Plan, truth: dict, sts: list[dict], d: dict) -> dict:
    """One TT 10/2021 file per air station and hour of the window (+ the re-sent files)."""
    info: dict = {}
    cal, err = set(d["calibrating"]["_idx"]), set(d["device_error"]["_idx"])
    gap, res = set(d["tt10_gap"]["_idx"]), d["resend"]["_idx"]
    bad = d["unreadable_value"]["_idx"][0]
    for s in (s for s in sts if s["medium"] == "air"):
        prov = s["province"]
        folder = out / "tt10" / PROVINCE_DIR[prov]
        folder.mkdir(parents=True, exist_ok=True)
        count = lines_total = 0
        for i in np.flatnonzero(plan.in_tt10):
            if s["code"] == "TQ-KK06" and i in gap:
                continue
            ts = plan.hours[i].astype(datetime).strftime("%Y%m%d%H%M%S")
            lines = []
            for p in AIR:
                status = "00"
                if s["code"] == "CT-KK02" and i in cal and p in d["calibrating"]["parameters"]:
                    status = "01"
                if s["code"] == "TQ-KK02" and i in err and p == "PM2.5":
                    status = "02"
                unit = TT10_UNITS[prov][p]
                val = _value_out(p, unit, float(truth[s["code"]][p][i]))
                if s["code"] == "CT-KK01" and i == bad and p == "PM10":
                    val = ""
                lines.append(f"{VENDOR_NAMES[prov][p]}\t{val}\t{unit}\t{ts}\t{status}")
            (folder / f"{FILE_PREFIX[prov]}_{s['code']}_{ts}.txt").write_text("\n".join(lines) + "\n",
                                                                               encoding="utf-8")
            count += 1
            lines_total += len(lines)
        key = f"tt10/{PROVINCE_DIR[prov]}"
        info.setdefault(key, {"files": 0, "observations": 0})
        info[key]["files"] += count
        info[key]["observations"] += lines_total
    folder = out / "tt10" / "cantho_resend"
    folder.mkdir(parents=True, exist_ok=True)
    conflict = d["resend"]["conflict"]
    for i in res:
        ts = plan.hours[i].astype(datetime).strftime("%Y%m%d%H%M%S")
        src = out / "tt10" / "cantho" / f"{FILE_PREFIX['92']}_CT-KK03_{ts}.txt"
        text = src.read_text(encoding="utf-8")
        if label(plan.hours[i]) == conflict["hour_local"]:
            text = text.replace(f"PM-2-5\t{conflict['first']:.1f}\t", f"PM-2-5\t{conflict['resent']:.1f}\t")
        (folder / src.name).write_text(text, encoding="utf-8")
    info["tt10/cantho_resend"] = {"files": len(res), "observations": len(res) * len(AIR)}
    return info


def write_air_csv(out: Path, plan: Plan, truth: dict, sts: list[dict], d: dict) -> dict:
    """One CSV per air station for the hours outside the TT 10/2021 window."""
    info: dict = {}
    gap = set(d["csv_gap"]["_idx"])
    dup = set(d["csv_duplicates"]["_idx"])
    stuck = set(d["stuck"]["_idx"])
    for s in (s for s in sts if s["medium"] == "air"):
        prov = s["province"]
        folder = out / "air_csv" / PROVINCE_DIR[prov]
        folder.mkdir(parents=True, exist_ok=True)
        ppb = s["code"] == "TQ-KK03"
        units = {p: ("ppb" if ppb and p in ("O3", "NO2", "SO2") else "ppm" if ppb and p == "CO" else
                     "°C" if p == "TEMP" else "%" if p == "RH" else "µg/m3") for p in AIR}
        shift = np.timedelta64(1, "h") if prov == "08" else np.timedelta64(0, "h")  # hour-beginning labels
        series = {p: truth[s["code"]][p].copy() for p in AIR}
        if s["code"] == "CT-KK04":
            series["PM10"][sorted(stuck)] = d["stuck"]["value"]
        if s["code"] == d["negative"]["station"]:
            series["SO2"][d["negative"]["_idx"][0]] = d["negative"]["value"]
        if s["code"] == d["impossible"]["station"]:
            series["PM2.5"][d["impossible"]["_idx"][0]] = d["impossible"]["value"]
        rows = 0
        path = folder / f"{s['code']}_2025.csv"
        with open(path, "w", encoding="utf-8", newline="") as fh:
            w = csv.writer(fh)
            w.writerow(["Mã trạm", "Thời gian"] + [f"{CSV_HEADERS[p]} ({units[p]})" for p in AIR])
            for i in np.flatnonzero(~plan.in_tt10):
                if s["code"] == "CT-KK06" and i in gap:
                    continue
                label = (plan.hours[i] - shift).astype(datetime).strftime("%d/%m/%Y %H:%M")
                row = [s["code"], label] + [_value_out(p, units[p], float(series[p][i])) for p in AIR]
                for _ in range(2 if (s["code"] == "TQ-KK04" and i in dup) else 1):
                    w.writerow(row)
                    rows += 1
        info[f"air_csv/{PROVINCE_DIR[prov]}/{path.name}"] = {"rows": rows, "observations": rows * len(AIR),
                                                             "units": units}
    return info


WATER_HEAD = {"PH": "pH", "TEMP": "Nhiệt độ", "DO": "DO", "TSS": "TSS", "COD": "COD", "BOD5": "BOD5",
              "N-NH4": "N-NH4", "N-NO3": "N-NO3", "N-NO2": "N-NO2", "P-PO4": "P-PO4", "COLIFORM": "Coliform",
              "ECOLI": "E.coli", "AS": "As", "CD": "Cd", "PB": "Pb", "ZN": "Zn", "HG": "Hg"}
WATER_UNIT = {"PH": "-", "TEMP": "°C", "COLIFORM": "MPN/100mL", "ECOLI": "MPN/100mL"}
CENSOR = {("CT-NM01", 2, "N-NH4"): "<0,02", ("CT-NM02", 4, "AS"): "KPH", ("TQ-NM01", 6, "COLIFORM"): "<3",
          ("TQ-NM02", 1, "CD"): "<0.1", ("TQ-NM01", 0, "HG"): "< 0,1", ("CT-NM01", 0, "HG"): "<0.0001"}


def _water_cell(site: str, k: int, p: str, v: float, unit: str) -> object:
    """A lab cell: a number (scaled to the sheet's unit) or its censored text."""
    text = CENSOR.get((site, k, p))
    if text is not None:
        return text
    return round(v * 1000, 3) if unit == "µg/L" else v


def write_water(out: Path, samples: dict[str, dict[str, np.ndarray]], d: dict) -> dict:
    """Cần Thơ's lab workbook (units row) and Tuyên Quang's CSV (units in headers, metals in µg/L)."""
    folder = out / "water"
    folder.mkdir(parents=True, exist_ok=True)
    info: dict = {}
    for (site, k, p), text in CENSOR.items():
        if k < len(next(iter(samples[site].values()))):
            d["censored"].append({"station": site, "sample": k + 1, "parameter": p, "text": text,
                                  "rule": "censored (qualifier and limit kept, no value)"})
    ct = [s for s in samples if s.startswith("CT")]
    tq = [s for s in samples if s.startswith("TQ")]
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Kết quả quan trắc"
    ws.append(["STT", "Ký hiệu điểm", "Ngày lấy mẫu", "Giờ"] + [WATER_HEAD[p] for p in WATER])
    ws.append([None, None, None, None] + [WATER_UNIT.get(p, "mg/L") for p in WATER])
    n = 0
    for site in ct:
        for k in range(len(samples[site]["PH"])):
            n += 1
            ws.append([n, site, datetime(2025, 1 + k % 12, 15), "09:00"]
                      + [_water_cell(site, k, p, float(samples[site][p][k]), WATER_UNIT.get(p, "mg/L"))
                         for p in WATER])
    wb.properties.created = wb.properties.modified = datetime(2025, 12, 31)
    wb.save(folder / "cantho_2025.xlsx")
    info["water/cantho_2025.xlsx"] = {"rows": n, "observations": n * len(WATER)}
    units = {p: ("µg/L" if p in ("AS", "CD", "PB", "HG") else WATER_UNIT.get(p, "mg/L")) for p in WATER}
    m = 0
    with open(folder / "tuyenquang_2025.csv", "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["Mã trạm", "Thời gian"] + [f"{WATER_HEAD[p]} ({units[p]})" for p in WATER])
        for site in tq:
            for k in range(len(samples[site]["PH"])):
                m += 1
                w.writerow([site, f"15/{1 + k % 12:02d}/2025 08:30"]
                           + [_water_cell(site, k, p, float(samples[site][p][k]), units[p]) for p in WATER])
    info["water/tuyenquang_2025.csv"] = {"rows": m, "observations": m * len(WATER), "units": units}
    return info
