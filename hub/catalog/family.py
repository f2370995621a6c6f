"""The light half of a family plugin: what the catalog, the CLI and the API need to know about a family.

A family (cadastre, landprice, planning, envmon, ...) is one folder under ingest/families/ with a `spec.py`
defining a `FamilySpec` (importable without GDAL, numpy or pandas) and a heavy pipeline loaded only for a run of
that family, as pygeoapi's plugin table does (see docs/framework.md)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

from pydantic import Field

from hub.catalog.base import NoOptions, Rule, Strict

if TYPE_CHECKING:
    from hub.catalog.models import TableRef

GeometryType = Literal["Point", "MultiPoint", "LineString", "MultiLineString", "MultiPolygon"]
Strategy = Literal["replace", "append", "versioned"]


class GeometrySpec(Strict):
    """A table's geometry: its type, and whether the lossless VN-2000 geographic copy is kept beside WGS 84."""

    type: GeometryType
    vn2000: bool = Field(True, description="Keep geom_vn2000 (EPSG:4756), the lossless inverse of the source grid")


class TimeSpec(Strict):
    """A table's time: the column `datetime=` filters on, its kind, and what it means (domain §6.2: observation
    times are instants; validity periods of price tables and plans are dates)."""

    column: str
    kind: Literal["date", "timestamptz"] = "date"
    role: Literal["validity", "observation"] = "validity"
    end: str | None = Field(None, description="Column closing a validity period (versioned tables: valid_to)")


# Rules every family may use (their findings come from the generic steps: geometry, decoding, keys, privacy).
GENERIC_RULES: dict[str, Rule] = {
    "invalid_geometry": Rule(severity="error", title="geometry is not valid for its type"),
    "empty_geometry": Rule(severity="error", title="no geometry"),
    "duplicate_key": Rule(severity="error", title="the key occurs more than once in the load"),
    "missing_required": Rule(severity="error", title="a required value is missing"),
    "bad_value": Rule(severity="error", title="a value cannot be read as its column type"),
    "encoding_uncertain": Rule(severity="warn", title="text encoding detected with low confidence"),
    "personal_data_in_text": Rule(severity="warn", title="free text held personal data (withheld)"),
    "column_empty": Rule(severity="warn", title="a column the catalog marks important is empty in every row"),
    "outside_admin_unit": Rule(severity="error", params={"tolerance_m": 55},  # ≈ 0.0005°
                               title="the feature lies outside its administrative unit or Vietnam"),
    "axis_order": Rule(severity="error", title="X and Y swapped (northing written as easting)"),
    "datum_suspect": Rule(severity="warn", title="the datum of the source CRS is doubtful"),
}


@dataclass(frozen=True)
class FamilySpec:
    """What a family declares; its heavy pipeline is named by dotted path and imported only for a run."""

    name: str
    title: str
    rules: Mapping[str, Rule] = field(default_factory=dict)
    options: type[Strict] = NoOptions
    formats: frozenset[str] = frozenset()
    geometry: GeometrySpec | None = None
    time: TimeSpec | None = None
    publish: Strategy = "replace"
    pipeline: str = ""  # "module:attribute" of the Pipeline class (ingest.core.family.Pipeline subclass)
    readers: Mapping[str, str] = field(default_factory=dict)  # format -> "module:function" overriding the generic reader
    report_section: str | None = None  # "module:function" contributing a parcel-report section
    samples: str | None = None  # "module:function" (out_dir, scale) -> None: the family's sample files
    demo: tuple[tuple[str, str], ...] = ()  # (dataset id, path under the samples folder) loaded by `make demo`
    key_index: Callable[[TableRef], list[str]] | None = None  # a narrower unique index the id column proves
    # "module:function" (conn, dataset) called inside the publish transaction of every dataset of every family:
    # data a family derives from other families' datasets (zonal statistics over parcels) stays current
    on_publish: str | None = None

    def all_rules(self) -> dict[str, Rule]:
        """Generic rules overridden or extended by the family's own."""
        return {**GENERIC_RULES, **self.rules}
