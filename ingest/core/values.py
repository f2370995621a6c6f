"""Numbers as they arrive: whole numbers and Vietnamese/English decimal notation."""

from __future__ import annotations

import re

import numpy as np

_INT = re.compile(r"^\s*(\d{1,9})(?:[.,]0+)?\s*$")


def as_int(value) -> int | None:
    """A whole number from a number or text ('12', '12.0'); None if not one."""
    if value is None:
        return None
    if isinstance(value, (bytes, bytearray)):
        value = value.decode("latin-1")
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, float):
        return int(value) if value.is_integer() else None
    m = _INT.match(str(value))
    return int(m.group(1)) if m else None


def as_float(value) -> float | None:
    """An area from a number or Vietnamese/English text ('1.234,5', '1234.5'); None if not parsable."""
    if value is None or isinstance(value, (int, float, np.number)):
        return None if value is None else float(value)
    if isinstance(value, (bytes, bytearray)):
        value = value.decode("latin-1")
    t = str(value).strip().replace(" ", "")
    if "," in t and "." in t:
        t = t.replace(".", "").replace(",", ".") if t.rfind(",") > t.rfind(".") else t.replace(",", "")
    elif "," in t:
        t = t.replace(",", ".")
    try:
        return float(t)
    except ValueError:
        return None
