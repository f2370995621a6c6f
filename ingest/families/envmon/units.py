"""Units of monitoring values: spellings normalised, values converted to their parameter's canonical unit (raw value
and unit are kept by the caller). Air concentrations go to µg/m³ at 25 °C and 1 atm: µg/m³ = ppb × M / 24.45
(domain §6.2; QCVN 05:2023 §1.3.10 defines Nm³ at 25 °C and 760 mmHg; 24.45 L/mol is the convention of that
formula and of US EPA, the ideal gas gives 24.465, 0.06 % apart), M from IUPAC standard atomic weights."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

import numpy as np

from ingest.families.envmon.parameters import Parameter

MOLAR_VOLUME_L = 24.45
# IUPAC abridged standard atomic weights (2021), g/mol
ATOMIC_WEIGHT = {"H": 1.008, "C": 12.011, "N": 14.007, "O": 15.999, "S": 32.06, "Cl": 35.45}
_ELEMENT = re.compile(r"([A-Z][a-z]?)(\d*)")


def molecular_weight(formula: str) -> float:
    """Molar mass of a simple formula ("NO2" → 46.005 g/mol)."""
    total, pos = 0.0, 0
    for m in _ELEMENT.finditer(formula):
        if m.start() != pos or m.group(1) not in ATOMIC_WEIGHT:
            raise ValueError(f"cannot read formula {formula!r}")
        total += ATOMIC_WEIGHT[m.group(1)] * int(m.group(2) or 1)
        pos = m.end()
    if pos != len(formula) or not formula:
        raise ValueError(f"cannot read formula {formula!r}")
    return total


def unit_key(text: str | None) -> str:
    """A unit spelling reduced for matching: NFKC (³ → 3), µ/μ/u/mc → µ, 'N' of Nm³ dropped, no spaces, lower."""
    t = unicodedata.normalize("NFKC", text or "").strip().lower().replace(" ", "")
    t = t.replace("\u03bc", "\u00b5").replace("mcg", "µg")
    t = re.sub(r"^u(?=g)", "µ", t)
    t = re.sub(r"(?<=/)n(?=m3$)", "", t)  # µg/Nm3 = µg/m3 at 25 °C, 760 mmHg (QCVN 05:2023)
    t = t.replace("º", "°")  # masculine ordinal, typed for the degree sign
    return t


@dataclass(frozen=True)
class Conversion:
    """value_canonical = value × scale + offset."""

    scale: float
    offset: float = 0.0


# unit key -> (dimension, scale to the dimension's base unit)
_AIR_MASS = {"µg/m3": 1.0, "mg/m3": 1e3, "ng/m3": 1e-3, "g/m3": 1e6}  # base µg/m³
_WATER_MASS = {"mg/l": 1.0, "µg/l": 1e-3, "ng/l": 1e-6, "g/l": 1e3, "mg/dm3": 1.0, "ppm(mg/l)": 1.0}  # base mg/L
_MIXING = {"ppb": 1.0, "ppm": 1e3, "ppbv": 1.0, "ppmv": 1e3}  # base ppb
_SIMPLE: dict[str, dict[str, float]] = {
    "MPN/100mL": {"mpn/100ml": 1, "cfu/100ml": 1, "/100ml": 1, "mpn/100ml(cfu)": 1, "vk/100ml": 1},
    "-": {"": 1, "-": 1, "ph": 1, "none": 1},
    "%": {"%": 1, "%rh": 1, "%sat": 1},
    "m/s": {"m/s": 1, "km/h": 1 / 3.6},
    "°": {"°": 1, "độ": 1, "deg": 1, "degree": 1, "degrees": 1},
    "hPa": {"hpa": 1, "mbar": 1, "kpa": 10, "mmhg": 1.333224},
    "µS/cm": {"µs/cm": 1, "ms/cm": 1000, "ms/m": 10},
    "NTU": {"ntu": 1, "ftu": 1, "fnu": 1},
    "‰": {"‰": 1, "ppt": 1, "psu": 1, "g/kg": 1},
}


def conversion(unit: str | None, param: Parameter) -> Conversion | None:
    """How to bring a value in `unit` to the parameter's canonical unit, or None if the unit is not one for it
    (ppb/ppm need the molecular weight; a water unit on an air parameter is refused, not guessed)."""
    k = unit_key(unit)
    target = param.unit
    if target == "°C":
        if k in ("°c", "c", "oc", "độc", "độ", "degc", "celsius"):
            return Conversion(1.0)
        return Conversion(1.0, -273.15) if k in ("k", "kelvin") else None
    if target == "µg/m³":
        if k in _AIR_MASS:
            return Conversion(_AIR_MASS[k])
        if k in _MIXING and param.formula:
            return Conversion(_MIXING[k] * molecular_weight(param.formula) / MOLAR_VOLUME_L)
        return None
    if target in ("mg/L", "µg/L"):
        if k not in _WATER_MASS:
            return None
        return Conversion(_WATER_MASS[k] * (1e3 if target == "µg/L" else 1.0))
    table = _SIMPLE.get(target)
    if table is None or k not in table:
        return None
    return Conversion(float(table[k]))


def convert(values: np.ndarray, units: np.ndarray, param: Parameter) -> tuple[np.ndarray, np.ndarray]:
    """Values in canonical units (NaN where the unit is unknown) and a mask of the rows whose unit is unknown;
    one conversion per distinct unit spelling."""
    values = np.asarray(values, dtype=float)
    units = np.asarray(units, dtype=object)
    out = np.full(values.shape, np.nan)
    bad = np.zeros(values.shape, dtype=bool)
    for u in {(x if isinstance(x, str) else "") for x in units.tolist()}:
        rows = units == u if u else np.array([not isinstance(x, str) or x == "" for x in units.tolist()], dtype=bool)
        conv = conversion(u, param)
        if conv is None:
            bad |= rows
        else:
            out[rows] = values[rows] * conv.scale + conv.offset
    return out, bad
