"""The envmon sample set (issue 13): generated in time, deterministic, and every defect of its manifest found by the
family's readers and quality rules, rule by rule, at exactly the station, parameter and hour the manifest names."""

from __future__ import annotations

import hashlib
import json
import time
from datetime import datetime
from pathlib import Path

import numpy as np
import pytest

from hub.samples import envmon as gen
from ingest.families.envmon import normalise as norm
from ingest.families.envmon.indices import aqi
from ingest.families.envmon.quality import checks, duplicates, flags
from ingest.families.envmon.quality.flags import FLAGS, INVALID
from ingest.families.envmon.readers.periodic import PeriodicLayout
from ingest.families.envmon.readers.periodic_io import read_export
from ingest.families.envmon.readers.stations import read_stations
from ingest.families.envmon.readers.tt10 import Tt10Layout, read_tt10

H = np.timedelta64(3600, "s")
SEVEN = np.timedelta64(7, "h")


def utc(label: str) -> np.datetime64:
    """A manifest's local hour-ending label → UTC period end."""
    return np.datetime64(datetime.strptime(label, "%Y-%m-%d %H:%M"), "s") - SEVEN


@pytest.fixture(scope="module")
def samples(tmp_path_factory):
    out = tmp_path_factory.mktemp("envmon")
    t0 = time.perf_counter()
    manifest = gen.generate(out)
    return out, manifest, time.perf_counter() - t0


def load(out: Path, manifest: dict, prefix: str) -> norm.Observations:
    """Read and normalise every file of the sources under a prefix, as their declarations say."""
    parts = []
    for src, decl in sorted(manifest["sources"].items()):
        if not src.startswith(prefix):
            continue
        when = norm.SourceTime(convention=decl["time_convention"])
        path = out / src
        if decl["format"] == "tt10":
            layout = Tt10Layout()
            for c in read_tt10(sorted(path.glob("*.txt")), layout, display=lambda p: str(p.relative_to(out))):
                parts.append(norm.normalise(c, when, layout))
        else:
            layout = PeriodicLayout(units_row=decl.get("units_row"), limits=decl.get("limits", {}))
            for f in ([path] if path.is_file() else sorted(path.glob("*.csv"))):
                for c in read_export(f, layout, display=str(f.relative_to(out))):
                    parts.append(norm.normalise(c, when))
    return norm.concat(parts)


@pytest.fixture(scope="module")
def tt10(samples):
    out, manifest, _ = samples
    return load(out, manifest, "tt10/")


@pytest.fixture(scope="module")
def csvs(samples):
    out, manifest, _ = samples
    return load(out, manifest, "air_csv/")


def rows(obs: norm.Observations, station: str, parameter: str | None = None) -> np.ndarray:
    m = obs.station == station
    return m & (obs.parameter == parameter) if parameter else m


def test_generated_fast_small_and_deterministic(samples, tmp_path):
    out, manifest, seconds = samples
    assert seconds < 30, seconds
    assert manifest["files"]["tt10/cantho"]["files"] + manifest["files"]["tt10/tuyenquang"]["files"] > 3000
    size = sum(f.stat().st_size for f in out.rglob("*") if f.is_file())
    assert size < 20 << 20, size
    again = gen.generate(tmp_path, seed=manifest["seed"])
    assert json.dumps(again, sort_keys=True) == json.dumps(json.loads((out / "manifest.json").read_text()),
                                                          sort_keys=True)
    for rel in ("stations.csv", "air_csv/cantho/CT-KK01_2025.csv", "water/tuyenquang_2025.csv"):
        assert hashlib.sha256((out / rel).read_bytes()).digest() == hashlib.sha256((tmp_path / rel).read_bytes()).digest()


def test_station_list(samples):
    out, manifest, _ = samples
    sts, rejects = read_stations(out / "stations.csv")
    assert not rejects and len(sts) == 16
    assert sum(s.medium == "air" for s in sts) == 12 and sum(s.medium == "surface_water" for s in sts) == 4
    assert {s.code[:2] for s in sts} == {"CT", "TQ"}
    assert all(s.commune_old and s.commune_new for s in sts)


def test_every_tt10_line_accounted_for(samples, tt10):
    _, manifest, _ = samples
    expected = sum(v["observations"] for k, v in manifest["files"].items() if k.startswith("tt10/"))
    assert tt10.rows_in == expected == len(tt10) + len(tt10.rejects)
    d = manifest["defects"]["unreadable_value"]
    assert [(r.rule, r.field, r.where) for r in tt10.rejects] == [("value_unreadable", "value", "line 2")]
    assert d["station"] in tt10.rejects[0].file


@pytest.mark.parametrize("key,bit", [("calibrating", FLAGS["calibrating"]), ("device_error", FLAGS["device_error"])])
def test_status_codes_become_flag_ranges(samples, tt10, key, bit):
    _, manifest, _ = samples
    d = manifest["defects"][key]
    flagged = (tt10.bits & bit) != 0
    assert set(tt10.station[flagged]) == {d["station"]} and set(tt10.parameter[flagged]) == set(d["parameters"])
    hours = {utc(h) for h in d["hours_local"]}
    assert set(tt10.time[flagged]) == hours
    rng = flags.ranges(tt10.station, tt10.parameter, tt10.time, flagged, key)
    assert len(rng) == len(d["parameters"])
    assert all(r.start == min(hours) - H and r.end == max(hours) and r.rows == len(hours) for r in rng)


def test_resend_duplicates(samples, tt10):
    _, manifest, _ = samples
    d = manifest["defects"]["resend"]
    keep, lost = duplicates.resolve(tt10.station, tt10.parameter, tt10.time, tt10.value, tt10.bits)
    assert len(lost) == 3 * 8 and sum(not x.identical for x in lost) == 1
    c = d["conflict"]
    conflict = next(x for x in lost if not x.identical)
    assert tt10.value[conflict.row] == c["first"] and tt10.value[conflict.winner] == c["resent"]
    assert "cantho_resend" in tt10.file[conflict.winner]  # delivered last, valid: it wins
    assert utc(c["hour_local"]) == tt10.time[conflict.row]


def test_tt10_gap(samples, tt10):
    _, manifest, _ = samples
    d = manifest["defects"]["tt10_gap"]
    g = [x for x in checks.gaps(tt10.station, tt10.parameter, tt10.time) if x.station == d["station"]]
    assert len(g) == 8 and {x.rows for x in g} == {len(d["hours_local"])}  # every parameter, 6 hours
    assert g[0].start == utc(d["hours_local"][0]) - H and g[0].end == utc(d["hours_local"][-1])


def test_units_converted_and_raw_kept(samples, tt10, csvs):
    _, manifest, _ = samples
    _, truth = gen.truth(manifest["seed"], manifest["days"])
    first = utc(manifest["tt10_window_local"][0])
    m = rows(tt10, "TQ-KK01", "NO2") & (tt10.time == first)
    assert tt10.unit_raw[m][0] == "ppb" and tt10.unit[m][0] == "µg/m³"
    i = int((first + SEVEN - np.datetime64(manifest["first_hour_ending_local"])) // H)
    assert tt10.value[m][0] == pytest.approx(truth["TQ-KK01"]["NO2"][i], abs=0.1)  # ppb written to 0.1
    co = rows(csvs, "TQ-KK03", "CO")
    assert set(csvs.unit_raw[co]) == {"ppm"} and set(csvs.unit[co]) == {"µg/m³"}
    assert np.nanmedian(csvs.value[co]) > 300  # µg/m³, not ppm


def test_hour_beginning_csv_is_shifted(samples, csvs):
    _, manifest, _ = samples
    _, truth = gen.truth(manifest["seed"], manifest["days"])
    first = np.datetime64(manifest["first_hour_ending_local"]) - SEVEN  # hour ending 01:00 local
    for st in ("CT-KK01", "TQ-KK01"):  # hour-ending and hour-beginning sources give the same instants
        m = rows(csvs, st, "PM2.5")
        assert csvs.time[m].min() == first
        assert csvs.value[m][np.argmin(csvs.time[m])] == truth[st]["PM2.5"][0]


def test_csv_defects(samples, csvs):
    _, manifest, _ = samples
    d = manifest["defects"]
    st = d["stuck"]
    mask, rng = checks.stuck(csvs.station, csvs.parameter, csvs.time, csvs.value)
    assert [(r.station, r.parameter, r.rows, r.end) for r in rng] == [
        (st["station"], st["parameter"], 10, utc(st["hours_local"][-1]))]  # and no false alarm elsewhere
    window = 24 * 14  # the TT 10/2021 window is absent from the CSV exports by design
    g = [x for x in checks.gaps(csvs.station, csvs.parameter, csvs.time) if x.rows != window]
    assert {(x.station, x.rows) for x in g} == {(d["csv_gap"]["station"], 48)} and len(g) == 8
    keep, lost = duplicates.resolve(csvs.station, csvs.parameter, csvs.time, csvs.value, csvs.bits)
    assert len(lost) == 3 * 8 and all(x.identical for x in lost)
    assert set(csvs.station[[x.row for x in lost]]) == {d["csv_duplicates"]["station"]}
    for key, bit in (("negative", FLAGS["negative_value"]), ("impossible", FLAGS["impossible_value"])):
        m = (csvs.bits & bit) != 0
        assert m.sum() == 1 and csvs.station[m][0] == d[key]["station"] and csvs.time[m][0] == utc(d[key]["hour_local"])
    assert csvs.rows_in == sum(v["observations"] for k, v in manifest["files"].items() if k.startswith("air_csv/"))
    assert not csvs.rejects


def test_water_censored_and_units(samples):
    out, manifest, _ = samples
    obs = load(out, manifest, "water/")
    assert obs.rows_in == manifest["observations"]["water/"] == len(obs) + len(obs.rejects) and not obs.rejects
    cens = obs.qualifier != None  # noqa: E711
    assert cens.sum() == len(manifest["defects"]["censored"])
    for c in manifest["defects"]["censored"]:
        m = cens & (obs.station == c["station"]) & (obs.parameter == c["parameter"])
        assert m.sum() == 1 and np.isnan(obs.value[m][0]) and obs.limit[m][0] > 0 and obs.value_raw[m][0] == c["text"]
    hg = cens & (obs.station == "TQ-NM01") & (obs.parameter == "HG")
    assert obs.limit[hg][0] == pytest.approx(0.0001)  # "< 0,1" µg/L → 0.0001 mg/L
    assert set(obs.unit[obs.parameter == "AS"]) == {"mg/L"} and "µg/L" in set(obs.unit_raw[obs.parameter == "AS"])


def test_flagged_hours_are_no_data_for_the_index(samples, tt10):
    _, manifest, _ = samples
    d = manifest["defects"]["device_error"]
    hours = np.array(sorted({utc(h) for h in d["hours_local"]}))
    grid = np.arange(hours[0] - 24 * H, hours[-1] + 2 * H, H)
    series = {}
    for p in ("PM2.5", "PM10", "O3", "NO2", "SO2", "CO"):
        m = rows(tt10, d["station"], p) & ((tt10.bits & INVALID) == 0)
        s = np.full(len(grid), np.nan)
        pos = np.searchsorted(grid, tt10.time[m])
        ok = (pos < len(grid)) & (grid[np.minimum(pos, len(grid) - 1)] == tt10.time[m])
        s[pos[ok]] = tt10.value[m][ok]
        series[p] = s
    h = aqi.hourly(series)
    inside = np.isin(grid, hours[2:])  # 2 of the 3 latest hours missing from the third error hour on
    assert np.isnan(h.sub["PM2.5"][inside]).all() and not np.isnan(h.aqi[inside]).any()  # PM10 still gives an AQI
    assert not np.isnan(h.sub["PM2.5"][grid < hours[0]][-1])
