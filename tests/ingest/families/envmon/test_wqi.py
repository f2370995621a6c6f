"""VN_WQI (QĐ 1460): per-parameter curves, group formulas and classes. The decision's tables are UNVERIFIED in this
build (indices/wqi_table.py says on what each rests); these tests pin the hub's reading of them, and the arithmetic
of the combined formula of domain §6.2, so a correction to a table shows up as a reviewed diff."""

from __future__ import annotations

import math

import numpy as np
import pytest

from ingest.families.envmon.indices import wqi
from ingest.families.envmon.indices.wqi_table import CLASSES, CURVES, WQI_ALGORITHM_VERSION, class_of

NAN = np.nan


def test_curves_are_tables_of_the_decision_reading():
    # First breakpoint of every one-sided curve is q = 100 (tranxuanthuy/vnwqi shifts Cd, Pb, Hg, N-NH4 by a row).
    for name, c in CURVES.items():
        assert len(c.bp) == len(c.q) and list(c.bp) == sorted(c.bp), name
        if not c.two_sided:
            assert c.q[0] == 100, name
    assert "unverified" in WQI_ALGORITHM_VERSION


@pytest.mark.parametrize("param,value,expected", [
    ("BOD5", 4, 100), ("BOD5", 5, 87.5), ("BOD5", 15, 50), ("BOD5", 50, 10), ("BOD5", 60, 10), ("BOD5", 2, 100),
    ("CD", 0.005, 100), ("CD", 0.0065, 87.5), ("CD", 0.1, 25), ("CD", 0.2, 10),
    ("COLIFORM", 6250, 62.5), ("COLIFORM", 10001, 10), ("N-NO2", 0.05, 100), ("N-NO2", 0.06, 10),
    ("PH", 7.0, 100), ("PH", 5.75, 75), ("PH", 8.75, 75), ("PH", 5.5, 10), ("PH", 9.0, 10),
    ("DO_SAT", 100, 100), ("DO_SAT", 35, 37.5), ("DO_SAT", 175, 37.5), ("DO_SAT", 10, 10), ("DO_SAT", 250, 10),
    ("ALDRIN", 0.1, 100), ("ALDRIN", 0.11, 10),
])
def test_si(param, value, expected):
    assert wqi.si(param, np.array([value]))[0] == pytest.approx(expected)


def test_do_saturation_polynomial():
    # 25 °C: DO_bh = 14.652 − 0.41022·25 + 0.0079910·625 − 0.000077774·15625 = 8.2586 mg/L
    sat = 14.652 - 0.41022 * 25 + 0.0079910 * 625 - 0.000077774 * 15625
    assert wqi.do_saturation(np.array([sat]), np.array([25.0]))[0] == pytest.approx(100.0)


def test_combined_formula():
    s = {"PH": np.array([8.75]), "AS": np.array([0.015]), "CD": np.array([0.005]),
         "DO_SAT": np.array([100.0]), "BOD5": np.array([5.0]), "COD": np.array([15.0]), "N-NH4": np.array([0.3]),
         "COLIFORM": np.array([6250.0]), "ECOLI": np.array([20.0])}
    r = wqi.wqi(s)
    g3 = math.sqrt(87.5 * 100)  # geometric mean of As 87.5 and Cd 100
    g4 = (100 + 87.5 + 75 + 100) / 4
    g5 = (62.5 + 100) / 2
    expected = 0.75 * (g3 / 100) * (g4 ** 2 * g5) ** (1 / 3)
    assert r.groups["III"][0] == pytest.approx(g3) and r.wqi_raw[0] == pytest.approx(expected)
    assert r.wqi[0] == math.floor(expected + 0.5)


def test_missing_groups_and_minimums():
    base = {"DO_SAT": np.array([100.0, 100.0, 100.0]), "BOD5": np.array([4.0, 4.0, NAN]),
            "COD": np.array([10.0, 10.0, 10.0]), "PH": np.array([7.0, NAN, 7.0]),
            "COLIFORM": np.array([1000.0, 1000.0, 1000.0])}
    r = wqi.wqi(base)
    assert r.wqi[0] == 100  # groups I, IV, V
    assert np.isnan(r.wqi[1]) and "groups" in r.reason[1]  # only IV and V
    assert np.isnan(r.wqi[2]) and "group IV" in r.reason[2]  # 2 parameters in group IV
    no_v = wqi.wqi({"PH": np.array([7.0]), "AS": np.array([0.01]), "DO_SAT": np.array([100.0]),
                    "BOD5": np.array([15.0]), "COD": np.array([30.0])})
    assert no_v.wqi_raw[0] == pytest.approx((100 + 50 + 50) / 3)  # bracket = mean IV without group V


def test_do_from_mg_l_and_temperature():
    r = wqi.wqi({"DO": np.array([8.2586]), "TEMP": np.array([25.0]), "BOD5": np.array([4.0]),
                 "COD": np.array([10.0]), "PH": np.array([7.0]), "ECOLI": np.array([10.0])})
    assert r.si["DO"][0] == pytest.approx(100) and r.wqi[0] == 100


def test_classes():
    assert [c.low for c in CLASSES] == [91, 76, 51, 26, 10, 0]
    assert class_of(91).name_vi == "Rất tốt" and class_of(91).rgb == (51, 51, 255)
    assert class_of(90).name_vi == "Tốt" and class_of(50).name_vi == "Xấu" and class_of(25).name_vi == "Kém"
    assert class_of(9).name_vi == "Ô nhiễm rất nặng" and class_of(None) is None
