"""Synthetic but plausible monitoring signals for the envmon sample set (deterministic per seed): hourly air
pollutants and meteorology per station, monthly surface-water samples per site.

Shapes, not measurements: PM follows the dry season (north: winter inversions, Tuyên Quang peaking in January with
a haze episode; Mekong delta: dry season Dec–Apr) with morning and evening traffic peaks and log-AR(1) noise;
O₃ peaks mid-afternoon; NO₂ and CO follow traffic; water quality varies by site and season."""

from __future__ import annotations

import numpy as np

AIR = ("PM2.5", "PM10", "O3", "NO2", "SO2", "CO", "TEMP", "RH")
WATER = ("PH", "TEMP", "DO", "TSS", "COD", "BOD5", "N-NH4", "N-NO3", "N-NO2", "P-PO4", "COLIFORM", "ECOLI", "AS",
         "CD", "PB", "ZN", "HG")
DECIMALS = {"PM2.5": 1, "PM10": 1, "O3": 1, "NO2": 1, "SO2": 2, "CO": 0, "TEMP": 1, "RH": 0}  # low SO2: 0.01


def _ar1(rng: np.random.Generator, n: int, phi: float, sigma: float) -> np.ndarray:
    """A stationary AR(1) series (log-noise of hourly concentrations)."""
    e = rng.normal(0.0, sigma, n)
    out = np.empty(n)
    out[0] = e[0] / np.sqrt(1 - phi ** 2)
    for i in range(1, n):
        out[i] = phi * out[i - 1] + e[i]
    return out


def air(rng: np.random.Generator, local_end: np.ndarray, north: bool, level: float) -> dict[str, np.ndarray]:
    """Hourly values in µg/m³ (°C, %) for hour-ending local times; `level` scales a station's pollution."""
    n = len(local_end)
    start = local_end - np.timedelta64(1, "h")
    doy = (start.astype("datetime64[D]") - start.astype("datetime64[Y]").astype("datetime64[D]")).astype(int)
    hour = (start - start.astype("datetime64[D]")).astype("timedelta64[h]").astype(int)
    season = (1 + 0.55 * np.cos(2 * np.pi * (doy - 15) / 365)) if north else \
        (1 + 0.35 * np.cos(2 * np.pi * (doy - 45) / 365))
    traffic = 1 + 0.35 * np.exp(-((hour - 7.5) ** 2) / 4) + 0.45 * np.exp(-((hour - 19) ** 2) / 6)
    noise = _ar1(rng, n, 0.93, 0.12)
    base = (24.0 if north else 13.0) * level
    pm25 = base * season * traffic * np.exp(noise)
    if north:  # a January haze episode: ten days of stagnant air
        ep = (doy >= 8) & (doy < 18)
        pm25 = np.where(ep, pm25 * (1.6 + 0.5 * np.sin(np.pi * (doy - 8) / 10)), pm25)
    pm10 = pm25 * (1.6 + 0.2 * np.exp(_ar1(rng, n, 0.8, 0.1)))
    sun = np.clip(np.sin(np.pi * (hour - 6) / 12), 0, None)
    o3 = (18 + 62 * sun ** 1.5) * (1.0 - 0.25 * (season - 1)) * np.exp(_ar1(rng, n, 0.85, 0.15))
    no2 = 22 * level * traffic * season * np.exp(_ar1(rng, n, 0.9, 0.18))
    so2 = 9 * level * season * np.exp(_ar1(rng, n, 0.95, 0.2) + rng.normal(0, 0.05, n))
    co = 700 * level * traffic * season * np.exp(_ar1(rng, n, 0.9, 0.15))
    temp = (23 + 6.5 * np.sin(2 * np.pi * (doy - 105) / 365) if north else 27.5 + 1.5 * np.sin(2 * np.pi * (doy - 80)
                                                                                           / 365)) \
        + 3.5 * np.sin(np.pi * (hour - 9) / 12) + rng.normal(0, 0.6, n)
    rh = np.clip(82 - 14 * np.sin(np.pi * (hour - 8) / 12) + rng.normal(0, 4, n), 30, 100)
    values = {"PM2.5": pm25, "PM10": pm10, "O3": o3, "NO2": no2, "SO2": so2, "CO": co, "TEMP": temp, "RH": rh}
    return {k: np.round(v, DECIMALS[k]) for k, v in values.items()}


def water(rng: np.random.Generator, n: int, polluted: float) -> dict[str, np.ndarray]:
    """n samples of one site in canonical units (mg/L, MPN/100 mL, °C); `polluted` 0–1."""
    def lognorm(mu: float, s: float) -> np.ndarray:
        return mu * np.exp(rng.normal(0, s, n))

    temp = np.round(26 + 3 * rng.normal(0, 1, n), 1)
    out = {
        "PH": np.round(7.1 - 0.4 * polluted + rng.normal(0, 0.25, n), 2), "TEMP": temp,
        "DO": np.round(np.clip(7.2 - 3.5 * polluted + rng.normal(0, 0.5, n), 0.5, 12), 2),
        "TSS": np.round(lognorm(25 + 60 * polluted, 0.4), 1), "COD": np.round(lognorm(9 + 20 * polluted, 0.3), 1),
        "BOD5": np.round(lognorm(3.5 + 9 * polluted, 0.3), 1),
        "N-NH4": np.round(lognorm(0.08 + 0.9 * polluted, 0.5), 3),
        "N-NO3": np.round(lognorm(0.6 + 2 * polluted, 0.4), 2),
        "N-NO2": np.round(lognorm(0.01 + 0.06 * polluted, 0.5), 3),
        "P-PO4": np.round(lognorm(0.05 + 0.3 * polluted, 0.4), 3),
        "COLIFORM": np.round(lognorm(1500 + 9000 * polluted, 0.5), -1),
        "ECOLI": np.round(lognorm(30 + 250 * polluted, 0.6)),
        "AS": np.round(lognorm(0.003 + 0.01 * polluted, 0.5), 4), "CD": np.round(lognorm(0.0008, 0.5), 5),
        "PB": np.round(lognorm(0.004 + 0.01 * polluted, 0.5), 4), "ZN": np.round(lognorm(0.05, 0.5), 3),
        "HG": np.round(lognorm(0.0002, 0.5), 5),
    }
    return out
