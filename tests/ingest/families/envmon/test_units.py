"""Units and parameter spellings: ppb at 25 °C / 1 atm with IUPAC molecular weights, spellings of vendors."""

from __future__ import annotations

import numpy as np
import pytest

from ingest.families.envmon import parameters as P
from ingest.families.envmon import units


@pytest.mark.parametrize("formula,mw", [("NO2", 46.005), ("O3", 47.997), ("SO2", 64.058), ("CO", 28.010),
                                        ("C6H6", 78.114)])
def test_molecular_weight(formula, mw):
    assert units.molecular_weight(formula) == pytest.approx(mw, abs=1e-3)


def test_ppb_and_ppm():
    no2 = P.get("NO2")
    v, bad = units.convert(np.array([100.0]), np.array(["ppb"], dtype=object), no2)
    assert v[0] == pytest.approx(100 * 46.005 / 24.45) and not bad[0]  # 188.16 µg/m³
    co = P.get("CO")
    v, _ = units.convert(np.array([1.0]), np.array(["ppm"], dtype=object), co)
    assert v[0] == pytest.approx(1000 * 28.010 / 24.45)


@pytest.mark.parametrize("spelling", ["µg/m3", "ug/m3", "μg/m³", "µg/Nm3", "ug/Nm³", "UG/M3", " µg / m3 "])
def test_microgram_spellings(spelling):
    assert units.conversion(spelling, P.get("PM2.5")) == units.Conversion(1.0)


def test_refused_units():
    assert units.conversion("mg/L", P.get("PM10")) is None  # a water unit on an air parameter
    assert units.conversion("ppb", P.get("PM2.5")) is None  # no molecular weight for dust
    assert units.conversion("ppb", P.get("BOD5")) is None  # ppb is ambiguous in water
    v, bad = units.convert(np.array([1.0, 2.0]), np.array(["furlong", "mg/m3"], dtype=object), P.get("SO2"))
    assert list(bad) == [True, False] and np.isnan(v[0]) and v[1] == 2000


def test_water_and_other_units():
    assert units.conversion("µg/L", P.get("AS")).scale == pytest.approx(1e-3)
    assert units.conversion("mg/L", P.get("ALDRIN")).scale == 1000
    assert units.conversion("CFU/100mL", P.get("COLIFORM")).scale == 1
    assert units.conversion("", P.get("PH")).scale == 1
    k = units.conversion("K", P.get("TEMP"))
    assert 300 * k.scale + k.offset == pytest.approx(26.85)
    assert units.conversion("℃", P.get("TEMP")) == units.Conversion(1.0)


@pytest.mark.parametrize("spelling,code", [("PM-2-5", "PM2.5"), ("pm2.5", "PM2.5"), ("PM 10", "PM10"),
                                           ("N-NO2", "N-NO2"), ("NO2", "NO2"), ("E.coli", "ECOLI"),
                                           ("BOD₅", "BOD5"), ("Nhiệt độ", "TEMP"), ("NH4+", "N-NH4"),
                                           ("DO (%)", "DO_SAT"), ("DO", "DO"), ("Bụi PM2.5", "PM2.5")])
def test_spellings(spelling, code):
    assert P.resolve(spelling) == code


def test_vendor_spellings_and_unknown():
    assert P.resolve("Dust25", {"dust25": "PM2.5"}) == "PM2.5"
    assert P.resolve("Unobtainium") is None
