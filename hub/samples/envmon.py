"""The environmental-monitoring sample set (issue 13): a dozen automatic air stations and four surface-water sites in
Thành phố Cần Thơ (92) and Tuyên Quang (08), one year of hourly air data and monthly water samples, with every
defect the pipeline must handle placed deliberately and listed in manifest.json (file, line or cell, rule).

Layout (under the output folder):
* `stations.csv` — the station list (Vietnamese headers, new and old commune codes).
* `tt10/cantho/`, `tt10/tuyenquang/` — TT 10/2021 files, one per station per hour, for TT10_DAYS days from 1 March
  (hour-ending local labels); `tt10/cantho_resend/` — files the FTP client sent again (duplicates).
* `air_csv/cantho/*.csv` (hour-ending), `air_csv/tuyenquang/*.csv` (hour-BEGINNING labels) — the rest of the year.
* `water/cantho_2025.xlsx` (units row), `water/tuyenquang_2025.csv` (units in headers, metals in µg/L).
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from hub.samples import envmon_files as files
from hub.samples.envmon_series import AIR, air, water
from hub.samples.regions import NEW_COMMUNES, OLD_COMMUNES

GENERATOR_VERSION = "1.0.0"
YEAR_START = np.datetime64("2025-01-01T01:00")  # first hour-ending label (local): the hour 00:00–01:00
TT10_START_DAY = 59  # 1 March 2025
TT10_DAYS = 14
OPERATORS = {"92": "Sở Nông nghiệp và Môi trường Thành phố Cần Thơ",
             "08": "Sở Nông nghiệp và Môi trường tỉnh Tuyên Quang",
             "national": "Cục Môi trường (Bộ Nông nghiệp và Môi trường)"}
# (code, new commune, offset lon/lat in 0.01°, pollution level, network)
AIR_STATIONS = (
    ("CT-KK01", "31212", (0.4, 0.3), 1.3, "national"), ("CT-KK02", "31212", (-0.6, -0.2), 1.0, "provincial"),
    ("CT-KK03", "31207", (0.2, 0.5), 1.1, "provincial"), ("CT-KK04", "31207", (-0.3, -0.6), 0.9, "provincial"),
    ("CT-KK05", "31528", (0.5, 0.1), 0.8, "provincial"), ("CT-KK06", "31528", (-0.4, 0.4), 0.7, "provincial"),
    ("TQ-KK01", "02212", (0.3, -0.2), 1.3, "national"), ("TQ-KK02", "02212", (-0.5, 0.3), 1.1, "provincial"),
    ("TQ-KK03", "02494", (0.2, 0.4), 1.0, "provincial"), ("TQ-KK04", "02494", (-0.2, -0.5), 0.9, "provincial"),
    ("TQ-KK05", "00715", (0.3, 0.2), 0.6, "provincial"), ("TQ-KK06", "00715", (-0.4, -0.3), 0.5, "provincial"),
)
WATER_SITES = (("CT-NM01", "31212", (0.8, -0.5), 0.5, "Sông Hậu tại Thốt Nốt"),
               ("CT-NM02", "31528", (0.9, 0.6), 0.3, "Sông Hậu tại Kế Sách"),
               ("TQ-NM01", "02212", (0.7, 0.6), 0.4, "Sông Lô tại Nông Tiến"),
               ("TQ-NM02", "02494", (-0.8, 0.7), 0.2, "Sông Lô tại Thái Bình"))


def _old_code(new: str) -> str:
    """The first pre-2025 commune whose default successor is `new`."""
    return next(c.code for c in OLD_COMMUNES.values() if c.new_codes[0] == new)


def stations() -> list[dict]:
    """All sample stations with location, commune codes and metadata."""
    out = []
    for code, commune, (dx, dy), level, network in AIR_STATIONS:
        c = NEW_COMMUNES[commune]
        out.append({"code": code, "name": f"Trạm quan trắc không khí tự động {c.name} {code[-2:]}",
                    "network": network, "kind": "automatic", "medium": "air",
                    "lon": round(c.lon + dx / 100, 5), "lat": round(c.lat + dy / 100, 5),
                    "operator": OPERATORS["national" if network == "national" else c.province_code],
                    "commune_old": _old_code(commune), "commune_new": commune, "province": c.province_code,
                    "level": level})
    for code, commune, (dx, dy), polluted, name in WATER_SITES:
        c = NEW_COMMUNES[commune]
        out.append({"code": code, "name": f"Điểm quan trắc nước mặt {name}", "network": "provincial",
                    "kind": "periodic", "medium": "surface_water",
                    "lon": round(c.lon + dx / 100, 5), "lat": round(c.lat + dy / 100, 5),
                    "operator": OPERATORS[c.province_code], "commune_old": _old_code(commune),
                    "commune_new": commune, "province": c.province_code, "level": polluted})
    return out


def _hours(n_days: int) -> np.ndarray:
    """Hour-ending local labels of the sample period."""
    return YEAR_START + np.arange(n_days * 24) * np.timedelta64(1, "h")


def period(scale: float) -> tuple[int, int, int]:
    """Days of the sample period, days of the TT 10/2021 window and its first day index."""
    n_days = max(30, min(365, round(365 * scale)))
    tt10_days = min(TT10_DAYS, max(2, n_days // 10))
    return n_days, tt10_days, min(TT10_START_DAY, n_days - tt10_days)


def truth(seed: int, n_days: int) -> tuple[np.random.Generator, dict[str, dict[str, np.ndarray]]]:
    """The generator's hourly air values (µg/m³, before defects and unit changes) and the random state after them."""
    rng = np.random.default_rng(seed)
    hours = _hours(n_days)
    return rng, {s["code"]: air(rng, hours, s["province"] == "08", s["level"]) for s in stations()
                 if s["medium"] == "air"}


def generate(out_dir: Path, scale: float = 1.0, seed: int = 2025) -> dict:
    """Write the envmon sample set into out_dir and return its manifest (also written as manifest.json)."""
    if scale <= 0:
        raise ValueError("scale must be > 0")
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    n_days, tt10_days, tt10_first = period(scale)
    hours = _hours(n_days)
    sts = stations()
    rng, values = truth(seed, n_days)
    in_tt10 = (np.arange(len(hours)) >= tt10_first * 24) & (np.arange(len(hours)) < (tt10_first + tt10_days) * 24)
    plan = files.Plan(hours=hours, in_tt10=in_tt10, n_days=n_days)
    defects = files.place_defects(plan, values)
    manifest: dict = {"generator": "hub.samples.envmon", "generator_version": GENERATOR_VERSION, "seed": seed,
                      "scale": scale, "days": n_days, "first_hour_ending_local": str(hours[0]),
                      "tt10_window_local": [files.label(hours[in_tt10][0]), files.label(hours[in_tt10][-1])],
                      "parameters_air": list(AIR), "files": {}, "defects": defects}
    manifest["files"].update(files.write_station_list(out, sts))
    manifest["files"].update(files.write_tt10(out, plan, values, sts, defects))
    manifest["files"].update(files.write_air_csv(out, plan, values, sts, defects))
    samples = {s["code"]: water(rng, max(1, round(12 * n_days / 365)), s["level"])
               for s in sts if s["medium"] == "surface_water"}
    manifest["files"].update(files.write_water(out, samples, defects))
    for v in defects.values():  # positions were for the writers; the manifest names hours
        if isinstance(v, dict):
            v.pop("_idx", None)
    manifest["sources"] = files.SOURCES
    manifest["stations"] = [{k: v for k, v in s.items() if k != "level"} for s in sts]
    manifest["observations"] = {k: sum(v.get("observations", 0) for f, v in manifest["files"].items()
                                       if f.startswith(k)) for k in ("tt10/", "air_csv/", "water/")}
    (out / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return manifest
