"""The land-price layout model: catalog data saying where a provincial annex keeps what (light: pydantic only).

A province's catalog entry lists its sheets' layouts (which header rows, which column holds which role, which
columns are prices and of what land type / position / area); the `landprice_upload` entry leaves `layouts`
empty and lets `recognise` build the same model from the Vietnamese headers. Either way the unit is stated by the
sheet (header, title, footnote) or by the layout, never inferred from magnitudes (domain §4.2).
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

Role = Literal["stt", "commune", "former_province", "province", "land_use_code", "land_type", "area", "road_code",
               "road", "segment_code", "segment", "segment_from", "segment_to", "position_code", "position",
               "price", "coefficient", "note", "year"]
Kind = Literal["long", "positions_across", "land_types_across", "areas_across", "coefficients"]
Unit = Literal["dong", "nghin_dong", "trieu_dong"]
UNIT_MULTIPLIER = {"dong": 1, "nghin_dong": 1_000, "trieu_dong": 1_000_000}
KIND_LABELS = {
    "long": "one price per row (position and land type in their own columns)",
    "positions_across": "positions across (VT1…VT5 columns per road segment or land type)",
    "land_types_across": "land types across (ODT/ONT, TMD, SKC columns per road segment)",
    "areas_across": "areas across (khu vực × vị trí columns per land type)",
    "coefficients": "adjustment coefficients (hệ số điều chỉnh per land type or area)",
}
_COLUMN = r"^[A-Z]{1,3}$"
_POSITION = re.compile(r"^VT[1-9]$")


def sheet_matches(pattern: str, name: str) -> bool:
    """A sheet name against a name or a pattern with * and ?."""
    if not any(ch in pattern for ch in "*?"):
        return name == pattern
    regex = "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern)
    return re.fullmatch(regex, name) is not None


class _Strict(BaseModel):
    """Unknown keys are errors (a typo in a layout must not pass silently)."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class PriceColumn(_Strict):
    """A column holding prices; what the row does not say (land type, position, area) the column does."""

    column: str = Field(pattern=_COLUMN)
    land_use: str | None = Field(None, pattern=r"^[A-Z]{3}$", description="TT 08/2024 code of the column "
                                 "(RES: residential, ODT or ONT as the sheet or commune says)")
    position: str | None = Field(None, description="VT1…VT9 of the column")
    area: str | None = Field(None, description="khu vực of the column (KV1…)")
    unit: Unit | None = Field(None, description="Overrides the sheet's unit for this column")
    header: str = Field("", description="The header text the column was recognised by (reports)")

    @field_validator("position")
    @classmethod
    def _position(cls, v: str | None) -> str | None:
        """Positions are VT1…VT9."""
        if v is not None and not _POSITION.match(v):
            raise ValueError(f"position {v!r} is not VT1…VT9")
        return v


class SheetLayout(_Strict):
    """Where one sheet (or every sheet matching a pattern) keeps what."""

    sheet: str = Field(description="Sheet name, or a pattern with * and ? (e.g. 'Phụ lục *')")
    kind: Kind
    header_rows: tuple[int, ...] = Field(min_length=1, description="1-based header rows, top to bottom")
    data_from: int | None = Field(None, ge=1, description="First data row (default: after the header rows)")
    data_to: int | None = Field(None, ge=1, description="Last data row (default: up to the footnotes)")
    columns: dict[Role, str] = Field(default_factory=dict, description="Role -> column letter")
    prices: tuple[PriceColumn, ...] = ()
    land_use: str | None = Field(None, pattern=r"^[A-Z]{3}$", description="Land type of every row of the sheet")
    unit: Unit | None = Field(None, description="The sheet's unit when no header, title or footnote states it")
    former_province: str | None = Field(None, pattern=r"^\d{2}$", description="Old province code of the sheet")
    position_coefficients: dict[str, Decimal] = Field(
        default_factory=dict, description="VT2… as a coefficient of VT1 where the sheet gives only VT1")
    share_of_residential: dict[Literal["TMD", "SKC"], Decimal] = Field(
        default_factory=dict, description="TMD/SKC as a share (0.8 = 80 %) of the residential price")
    encoding: str | None = Field(None, description="Text encoding hint (tcvn3, vni, utf-8); default per value")

    @field_validator("columns")
    @classmethod
    def _letters(cls, v: dict[str, str]) -> dict[str, str]:
        """Column letters only."""
        for role, col in v.items():
            if not re.match(_COLUMN, col):
                raise ValueError(f"column of {role!r} must be a letter such as 'C', not {col!r}")
        return v

    @field_validator("position_coefficients")
    @classmethod
    def _coefficients(cls, v: dict[str, Decimal]) -> dict[str, Decimal]:
        """VT2… coefficients in (0, 1]."""
        for pos, k in v.items():
            if not _POSITION.match(pos) or pos == "VT1" or not Decimal(0) < k <= Decimal(1):
                raise ValueError(f"{pos}: {k} (positions VT2…VT9, coefficients in (0, 1])")
        return v

    @model_validator(mode="after")
    def _complete(self) -> SheetLayout:
        """A price sheet names its price columns (or a long-format price column) and something to price."""
        if self.kind != "coefficients" and not self.prices and "price" not in self.columns:
            raise ValueError("a price layout needs `prices` or a `price` column")
        if self.kind == "coefficients" and "coefficient" not in self.columns:
            raise ValueError("a coefficients layout needs a `coefficient` column")
        return self

    @property
    def last_header(self) -> int:
        """The last header row."""
        return max(self.header_rows)

    def matches(self, name: str) -> bool:
        """Whether the layout applies to a sheet of this name."""
        return sheet_matches(self.sheet, name)


class Decision(_Strict):
    """The legal act a table belongs to: People's Council resolution or People's Committee decision (domain §4.1)."""

    number: str = Field(description="e.g. '45/2025/QĐ-UBND' or '52/2025/NQ-HĐND'")
    signed: dt.date | None = None
    valid_from: dt.date | None = None
    valid_to: dt.date | None = None

    @property
    def issuing_body(self) -> str:
        """UBND (decision) or HĐND (resolution), read from the number's suffix."""
        return "HĐND" if "HĐND" in self.number.upper() or "HDND" in self.number.upper() else "UBND"


class LandPriceOptions(_Strict):
    """`source.options` of a land-price dataset."""

    province_code: str | None = Field(None, pattern=r"^\d{2}$", description="New (2025) province code; None = "
                                      "read from the table's title (upload entry)")
    former_provinces: dict[str, str] = Field(default_factory=dict,
                                             description="Name as the table writes it -> old province code")
    layouts: tuple[SheetLayout, ...] = ()
    recognise: bool = Field(False, description="Recognise sheets no layout covers by their headers")
    skip_sheets: tuple[str, ...] = Field((), description="Sheet names or patterns that carry no prices")
    decision: Decision | None = Field(None, description="The act, when the annex's title does not state it")
    segment_distance_m: float = Field(30.0, gt=0, le=500, description="Largest parcel-to-segment distance for "
                                      "a link by street name")

    @model_validator(mode="after")
    def _something(self) -> LandPriceOptions:
        """Without layouts the entry must recognise."""
        if not self.layouts and not self.recognise:
            raise ValueError("give `layouts` for the province's annex, or set `recognise: true`")
        return self

    def layout_for(self, sheet: str) -> SheetLayout | None:
        """The first layout that applies to a sheet."""
        return next((lay for lay in self.layouts if lay.matches(sheet)), None)

    def skips(self, sheet: str) -> bool:
        """Whether a sheet is declared to carry no prices."""
        return any(sheet_matches(p, sheet) for p in self.skip_sheets)
