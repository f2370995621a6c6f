"""The envmon family's light spec (issue 13, domain §6.2): station lists, TT 10/2021 files and periodic exports
as station time series, published with the append strategy; VN_AQI computed after publish (no GIS imports)."""

from __future__ import annotations

import re
from typing import Literal

from pydantic import Field, field_validator

from hub.catalog.base import Rule, Strict
from hub.catalog.family import FamilySpec, TimeSpec
from ingest.families.envmon.layouts import Convention, PeriodicLayout, SourceTime, Tt10Layout


class TimeRule(Strict):
    """A source's own time convention: files whose path (as the run shows it) matches `match` use it."""

    match: str = Field(description="Regular expression searched in the file's path")
    convention: Convention
    interval_minutes: int = Field(60, ge=1)

    @field_validator("match")
    @classmethod
    def _regex(cls, v: str) -> str:
        re.compile(v)
        return v


class EnvmonOptions(Strict):
    """What an envmon dataset holds and how its sources are laid out (catalog data, never guessed)."""

    kind: Literal["stations", "observations"] = Field("observations", description="A station list, or series")
    tt10: Tt10Layout = Field(default_factory=Tt10Layout, description="TT 10/2021 file layout of the vendor")
    periodic: PeriodicLayout = Field(default_factory=PeriodicLayout, description="CSV/XLSX export layout")
    time: SourceTime = Field(default_factory=SourceTime, description="The sources' time convention")
    time_by_file: list[TimeRule] = Field(default_factory=list, description="Per-source conventions (first match)")
    aqi: bool = Field(False, description="Compute hourly and daily VN_AQI (QĐ 1459) after each publish")
    stations_dataset: str = Field("envmon_stations", description="Dataset whose stations the derived tables join")

    def time_for(self, path: str) -> SourceTime:
        """The convention of one file: the first matching rule, else the dataset's."""
        for r in self.time_by_file:
            if re.search(r.match, path):
                return SourceTime(convention=r.convention, interval_minutes=r.interval_minutes,
                                  utc_offset_minutes=self.time.utc_offset_minutes, duplicates=self.time.duplicates)
        return self.time


def _rule(sev: str, title: str) -> Rule:
    return Rule(severity=sev, title=title)  # type: ignore[arg-type]


RULES = {
    "line_unreadable": _rule("error", "a TT 10/2021 line does not have the layout's fields"),
    "time_unreadable": _rule("error", "the time cannot be read with the layout's format"),
    "value_unreadable": _rule("error", "the value is not a number, a censored value (<LOD) or empty"),
    "parameter_unknown": _rule("error", "the parameter is not in the catalogue nor the source's spellings"),
    "station_missing": _rule("error", "no station code (file name or column)"),
    "unit_unknown": _rule("error", "the unit cannot be converted to the parameter's canonical unit"),
    "header_missing": _rule("error", "a required column of the station list is missing"),
    "duplicate_observation": _rule("warn", "several rows for one station, parameter and time: one kept by the "
                                           "declared rule, the others quarantined"),
    "calibrating": _rule("warn", "TT 10/2021 status 01: the device was calibrating (stored, flagged)"),
    "device_error": _rule("warn", "TT 10/2021 status 02: device error (stored, flagged)"),
    "status_unknown": _rule("warn", "a status code the layout does not define (stored, flagged)"),
    "negative_value": _rule("warn", "a negative concentration (stored, flagged, never in an index)"),
    "impossible_value": _rule("warn", "outside the parameter's physically possible range (stored, flagged)"),
    "censored": _rule("info", "below or above a detection limit (kept as censored with its limit)"),
    "stuck_sensor": _rule("warn", "the same value repeated for the parameter's stuck hours or more"),
    "gap": _rule("info", "hours with no value inside the load's window"),
}

SPEC = FamilySpec(
    name="envmon",
    title="Environmental monitoring (quan trắc môi trường)",
    rules=RULES,
    options=EnvmonOptions,
    formats=frozenset({"tt10", "csv", "xlsx"}),
    geometry=None,
    time=TimeSpec(column="observed_at", kind="timestamptz", role="observation"),
    publish="append",
    pipeline="ingest.families.envmon.pipeline:EnvmonPipeline",
    readers={"tt10": "ingest.families.envmon.source:TT10", "csv": "ingest.families.envmon.source:CSV",
             "xlsx": "ingest.families.envmon.source:XLSX"},
    samples="hub.samples.envmon:generate",
    demo=(("envmon_stations", "envmon/stations.csv"), ("envmon_air", "envmon/air_csv"),
          ("envmon_air", "envmon/tt10")),
)
