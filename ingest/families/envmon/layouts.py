"""How envmon sources are laid out and labelled, as catalog data (the entry's `options:`): light pydantic models
only, so the catalog validates them without importing the readers (docs/framework.md: the light spec)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, field_validator

from hub.catalog.base import Strict

Convention = Literal["hour_ending", "hour_beginning", "instant"]
DuplicateRule = Literal["prefer_valid_last", "last", "first", "reject_all"]
VN_OFFSET_MIN = 7 * 60


TT10_FIELDS = ("parameter", "value", "unit", "time", "status", "station", "ignore")
DEFAULT_NAME = r"^(?P<province>[^_]+)_(?P<operator>[^_]+)_(?P<station>[^_]+)_(?P<time>\d{14})\.txt$"


class Tt10Layout(Strict):
    """One vendor's TT 10/2021 file layout."""

    columns: tuple[str, ...] = Field(("parameter", "value", "unit", "time", "status"),
                                     description="Field order of a line (parameter, value, unit, time, status, "
                                                 "station, ignore)")
    delimiter: str = Field("\t", description="One character, or 'whitespace' for runs of spaces and tabs")
    time_format: str = Field("%Y%m%d%H%M%S", description="strptime format of the line's time field")
    file_name: str = Field(DEFAULT_NAME, description="Regex on the file name; group 'station' (unless a line "
                                                     "field carries it) and optionally 'time'")
    file_time_format: str = "%Y%m%d%H%M%S"
    decimal: Literal[".", ","] = "."
    encoding: str = "utf-8"
    header_lines: int = Field(0, ge=0)
    status_measuring: tuple[str, ...] = ("00",)
    status_calibrating: tuple[str, ...] = ("01",)
    status_error: tuple[str, ...] = ("02",)
    spellings: dict[str, str] = Field(default_factory=dict, description="Vendor parameter name -> parameter code")
    suffixes: tuple[str, ...] = (".txt",)

    @field_validator("columns")
    @classmethod
    def _columns(cls, v: tuple[str, ...]) -> tuple[str, ...]:
        bad = [c for c in v if c not in TT10_FIELDS]
        if bad or "value" not in v or "parameter" not in v:
            raise ValueError(f"columns must name parameter and value and only {TT10_FIELDS}; got {list(v)}")
        return v

    @field_validator("delimiter")
    @classmethod
    def _delimiter(cls, v: str) -> str:
        if v != "whitespace" and len(v) != 1:
            raise ValueError("delimiter must be one character or 'whitespace'")
        return v


class PeriodicLayout(Strict):
    """How a periodic export is laid out (defaults cover the usual Vietnamese lab and export sheets)."""

    sheet: str | None = Field(None, description="XLSX sheet (default: the first)")
    header_row: int = Field(1, ge=1, description="1-based row of the column headers")
    units_row: int | None = Field(None, ge=1, description="Row of units under the headers, if any")
    station: tuple[str, ...] = ("station", "mã trạm", "ký hiệu trạm", "mã điểm", "ký hiệu điểm", "điểm quan trắc",
                                "vị trí", "site", "code")
    time: tuple[str, ...] = ("time", "datetime", "thời gian", "ngày giờ", "thời điểm")
    date: tuple[str, ...] = ("date", "ngày", "ngày lấy mẫu", "ngày quan trắc")
    hour: tuple[str, ...] = ("hour", "giờ", "giờ lấy mẫu")
    sample: tuple[str, ...] = ("sample", "mã mẫu", "ký hiệu mẫu", "số hiệu mẫu")
    limits: dict[str, float] = Field(default_factory=dict, description="Parameter -> detection limit for bare "
                                                                      "'<LOD'/'KPH' cells (canonical unit)")
    not_measured: tuple[str, ...] = ("", "-", "–", "—", "kqt", "n/a", "na", "kxđ")
    not_detected: tuple[str, ...] = ("kph", "nd", "lod", "<lod", "< lod", "không phát hiện")
    ignore: tuple[str, ...] = Field((), description="Headers that are neither keys nor parameters (e.g. 'STT')")
    spellings: dict[str, str] = Field(default_factory=dict, description="Header -> parameter code")
    encoding: str = "utf-8"
    delimiter: str = ","



class SourceTime(Strict):
    """How a source labels time (declared per source in the catalog entry, stored with the load)."""

    convention: Convention = "hour_ending"
    interval_minutes: int = Field(60, ge=1)
    utc_offset_minutes: int = VN_OFFSET_MIN
    duplicates: DuplicateRule = "prefer_valid_last"
