"""What a raster catalog entry declares about its band: kind, unit, nodata, scale/offset, valid range, classes.

Declared, never guessed: a file whose own nodata/scale/offset contradict the entry is refused; a file without
them gets the declared ones written into its COG (STAC raster:bands carries the same values).
"""

from __future__ import annotations

import re
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from hub.catalog.base import Strict

Kind = Literal["dem", "slope", "landcover", "thematic"]
DEFAULT_RANGE: dict[str, tuple[float, float]] = {
    "dem": (-100.0, 3200.0),   # below the delta's polders .. above Fansipan (3,143 m)
    "slope": (0.0, 90.0),      # degrees
}


class RasterClass(BaseModel):
    """One class of a categorical raster: its pixel value, bilingual name and display colour."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    value: int = Field(ge=0, le=65535)
    code: str = Field(min_length=1, max_length=16, description="Short code stored in the zonal statistics")
    name_vi: str
    name_en: str
    color: str = Field(pattern=r"^#[0-9A-Fa-f]{6}$")


class RasterOptions(Strict):
    """The `options:` of a raster entry: the band's meaning and the values the COG must declare."""

    kind: Kind
    unit: str | None = Field(None, description="Unit of the physical value (m, degree); none for classes")
    nodata: float | None = Field(None, description="No-data value of the stored pixels (before scale/offset)")
    scale: float = Field(1.0, description="physical = stored × scale + offset")
    offset: float = 0.0
    valid_range: tuple[float, float] | None = Field(None, description="Plausible physical values (default per kind)")
    classes: tuple[RasterClass, ...] = ()
    legend: Literal["worldcover"] | None = Field(None, description="A published legend the classes default to "
                                                 "(worldcover: ESA WorldCover 2021 v200)")
    band: int = Field(1, ge=1, description="Band to publish when the file has several")
    title_vi: str = ""
    title_en: str = ""

    @model_validator(mode="before")
    @classmethod
    def _legend(cls, data):
        """`legend: worldcover` without `classes` takes the legend's classes (values, names, colours)."""
        if isinstance(data, dict) and data.get("legend") == "worldcover" and not data.get("classes"):
            data = {**data, "classes": WORLDCOVER}
        return data

    @model_validator(mode="after")
    def _consistent(self) -> RasterOptions:
        """Classes only for categorical kinds, required for land cover; a non-zero scale; codes unique."""
        if self.kind == "landcover" and not self.classes:
            raise ValueError("a land-cover raster must declare its classes")
        if self.classes and self.kind in ("dem", "slope"):
            raise ValueError(f"a {self.kind} raster is continuous: it has no classes")
        if self.scale == 0:
            raise ValueError("scale must not be 0")
        values = [c.value for c in self.classes]
        codes = [c.code for c in self.classes]
        if len(set(values)) != len(values) or len(set(codes)) != len(codes):
            raise ValueError("class values and codes must be unique")
        if any(not re.fullmatch(r"[A-Za-z0-9_]+", c) for c in codes):
            raise ValueError("class codes are letters, digits and '_'")
        return self

    @property
    def categorical(self) -> bool:
        """Whether pixel values are class codes (shares, nearest-neighbour resampling) rather than measurements."""
        return bool(self.classes)

    @property
    def range(self) -> tuple[float, float] | None:
        """The plausible physical range (declared, or the kind's default)."""
        return self.valid_range or DEFAULT_RANGE.get(self.kind)

    def class_by_value(self) -> dict[int, RasterClass]:
        """Classes keyed by pixel value."""
        return {c.value: c for c in self.classes}


# ESA WorldCover 2021 classes (v200 product legend: values and colours), with Vietnamese names.
WORLDCOVER = tuple(RasterClass(value=v, code=c, name_vi=vi, name_en=en, color=col) for v, c, vi, en, col in (
    (10, "tree", "Cây gỗ", "Tree cover", "#006400"),
    (20, "shrub", "Cây bụi", "Shrubland", "#FFBB22"),
    (30, "grass", "Đồng cỏ", "Grassland", "#FFFF4C"),
    (40, "crop", "Đất trồng trọt", "Cropland", "#F096FF"),
    (50, "built", "Đất xây dựng", "Built-up", "#FA0000"),
    (60, "bare", "Đất trống, thực vật thưa", "Bare / sparse vegetation", "#B4B4B4"),
    (70, "snow", "Băng tuyết", "Snow and ice", "#F0F0F0"),
    (80, "water", "Mặt nước thường xuyên", "Permanent water bodies", "#0064C8"),
    (90, "wetland", "Đất ngập nước có cỏ", "Herbaceous wetland", "#0096A0"),
    (95, "mangrove", "Rừng ngập mặn", "Mangroves", "#00CF75"),
    (100, "moss", "Rêu, địa y", "Moss and lichen", "#FAE6A0"),
))
