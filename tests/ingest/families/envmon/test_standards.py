"""QCVN 05:2023 and QCVN 08:2023 as data: every limit has its averaging period, validity and status."""

from __future__ import annotations

from datetime import date

import numpy as np
import pytest

from ingest.families.envmon import parameters
from ingest.families.envmon.indices import exceedance as ex

AIR, WATER = "QCVN 05:2023/BTNMT", "QCVN 08:2023/BTNMT"


def test_every_limit_names_a_known_parameter_in_its_unit():
    for name in (AIR, WATER):
        for lim in ex.standard(name):
            p = parameters.get(lim.parameter)
            assert lim.unit == p.unit, lim
            assert lim.status in ("S", "U", "V")


@pytest.mark.parametrize("param,avg,limit", [
    ("SO2", "1h", 350), ("SO2", "24h", 125), ("CO", "8h", 10000), ("NO2", "1h", 200), ("NO2", "year", 40),
    ("O3", "8h", 120), ("TSP", "24h", 200), ("PM10", "24h", 100), ("PM2.5", "year", 25),
])
def test_qcvn05_table1(param, avg, limit):
    assert ex.limit_for(ex.standard(AIR), param, avg, date(2024, 6, 1)).max == limit


def test_pm25_24h_changes_on_2026_01_01():
    days = np.array(["2025-12-31", "2026-01-01"], dtype="datetime64[D]")
    hit, lim = ex.exceedances(ex.standard(AIR), "PM2.5", "24h", np.array([47.0, 47.0]), days)
    assert list(lim) == [50, 45] and list(hit) == [False, True]
    hit, _ = ex.exceedances(ex.standard(AIR), "PM2.5", "24h", np.array([50.0, np.nan]), days)
    assert not hit.any()  # at the limit is not above it; NaN never exceeds


def test_no_limit_no_exceedance():
    hit, lim = ex.exceedances(ex.standard(AIR), "PM10", "1h", np.array([900.0]), np.array(["2024-01-01"],
                                                                                           dtype="datetime64[D]"))
    assert not hit[0] and np.isnan(lim[0])


def test_qcvn08_table1_and_classes():
    w = ex.standard(WATER)
    assert ex.limit_for(w, "CD", "sample", date(2024, 1, 1)).max == 0.005
    assert all(lim.status == "U" for lim in w if lim.table == "2")  # Bảng 2 is unverified and says so
    d = date(2024, 1, 1)
    assert list(ex.water_class(w, "BOD5", np.array([3, 6, 8, 12, np.nan]), d)) == ["A", "B", "C", "D", None]
    assert list(ex.water_class(w, "DO", np.array([7, 5.5, 4.5, 1]), d)) == ["A", "B", "C", "D"]
    assert list(ex.water_class(w, "PH", np.array([7, 6.2, 9]), d)) == ["A", "B", "D"]
    # TSS above 100 is C or D by the floating rubbish, which a value cannot tell: at best C.
    assert list(ex.water_class(w, "TSS", np.array([20, 80, 150]), d)) == ["A", "B", "C"]
    assert list(ex.water_class(w, "CD", np.array([1.0]), d)) == [None]  # not a Bảng 2 parameter


def test_bad_standard_file_names_the_row(tmp_path):
    f = tmp_path / "x.csv"
    f.write_text("standard,table,parameter,averaging,level,min,max,unit,valid_from,valid_to,status,note\n"
                 "X,1,SO2,2h,,,1,µg/m³,,,S,\n", encoding="utf-8")
    with pytest.raises(ValueError, match="row 2"):
        ex.read(f)
