"""Typed catalog models: one dataset entry drives its tables, validation, privacy, publication and metadata."""

from __future__ import annotations

import unicodedata
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

IDENT = r"^[a-z][a-z0-9_]{0,62}$"
Family = Literal["cadastre", "landprice", "planning", "survey", "envmon"]
ColumnType = Literal["text", "integer", "bigint", "numeric", "double", "date", "boolean", "timestamptz", "jsonb"]
Sensitivity = Literal["public", "personal", "restricted"]
Severity = Literal["info", "warn", "error"]
Encoding = Literal["auto", "utf-8", "tcvn3", "vni", "cp1258", "latin1"]
SourceFormat = Literal["gpkg", "shp", "tab", "geojson", "dgn", "fgb", "csv", "xlsx"]

RULES = (
    "invalid_geometry", "empty_geometry", "topology_overlap", "topology_gap", "duplicate_key", "area_mismatch",
    "unknown_land_use", "legacy_land_use", "land_use_homoglyph", "land_use_normalised", "outside_admin_unit",
    "axis_order", "datum_suspect", "encoding_uncertain", "national_id_mismatch", "personal_data_in_text",
    "sensitive_land_use", "missing_required", "bad_value", "ambiguous_number", "admin_code_unknown",
)


class Strict(BaseModel):
    """Base: unknown keys are errors (a typo in a catalog must not pass silently)."""

    model_config = ConfigDict(extra="forbid", frozen=True)


def _nfc(value: str) -> str:
    """Reject non-NFC text: catalogs are the source of published metadata."""
    if unicodedata.normalize("NFC", value) != value:
        raise ValueError("text must be NFC-normalised Unicode")
    return value


class Bilingual(Strict):
    """A Vietnamese and an English text."""

    vi: str = Field(min_length=1)
    en: str = Field(min_length=1)

    _check_vi = field_validator("vi", "en")(classmethod(lambda cls, v: _nfc(v)))


class Keywords(Strict):
    """Keywords in both languages."""

    vi: list[str] = Field(default_factory=list)
    en: list[str] = Field(default_factory=list)


class Column(Strict):
    """A canonical column: its type, where it comes from, and who may see it."""

    name: str = Field(pattern=IDENT)
    type: ColumnType
    sensitivity: Sensitivity = Field(description="public: published; personal: restricted schema only; "
                                                 "restricted: core table, never published")
    source: list[str] = Field(default_factory=list,
                              description="Source field names, matched case-insensitively; empty = derived")
    required: bool = False
    title: Bilingual | None = None
    description: str | None = None
    search: bool = Field(False, description="Accent-insensitive text search: a trigram index on ACCENTI(column) "
                                            "serves CQL2 `accenti(col) LIKE accenti('%...%')` (public text only)")


class CrsSpec(Strict):
    """How the source CRS is known: from the file, this entry, or --crs; never guessed silently."""

    epsg: int | None = Field(None, description="Declared EPSG code (overrides the file)")
    old_province: str | None = Field(None, pattern=r"^\d{2}$",
                                     description="Pre-2025 province code: picks the TM-3 central meridian")
    allowed: list[int] = Field(default_factory=list, description="EPSG codes accepted from files; empty = any VN-2000")
    from_commune: bool = Field(False, description="Files without a CRS take the TT 973 zone of their commune's "
                                                  "old province (Famis DGN carries no CRS)")


class Source(Strict):
    """What arrives: formats, text encoding, CRS, admin code version, schema contract."""

    formats: list[SourceFormat]
    encoding: Encoding = "auto"
    crs: CrsSpec = CrsSpec()
    admin_version: str = "GSO-2025-06-30"
    land_use_list: str = Field("LANDUSE_TT08_2024", description="Code list published values must belong to")
    contract: Literal["evolve", "freeze"] = Field(
        "evolve", description="freeze: an unknown source column fails the run (SCHEMA_VIOLATION)")


class Rule(Strict):
    """A validation rule's severity and whether it blocks publication."""

    severity: Severity
    blocks_publish: bool = False
    params: dict[str, float | int | str | bool] = Field(default_factory=dict)


class Tiles(Strict):
    """Vector tile settings."""

    min_zoom: int = Field(14, ge=0, le=22)
    max_zoom: int = Field(22, ge=0, le=24)
    max_features: int = Field(20000, ge=100)


class Publication(Strict):
    """How the dataset is published as an OGC API collection."""

    enabled: bool = True
    collection: str = Field(pattern=IDENT)
    id_column: str = Field("parcel_key", pattern=IDENT, description="Public column used as the feature id")
    id_encodes: list[str] = Field(default_factory=list, description=(
        "Key columns the id column encodes injectively (parcel_key = commune.sheet.parcel): one unique index on the "
        "id plus the other key columns then checks the key and serves id lookups"))
    exclude_sensitive_land_use: bool = Field(True, description="Keep CQP/CAN/CQA parcels in the restricted schema, "
                                                               "out of the core table and the public view")
    tiles: Tiles | None = Tiles()
    output_crs: list[int] = Field(default_factory=lambda: [4326, 4756, 3405, 3406, 5897, 5898, 5899,
                                                          *range(9205, 9219)])


class Dataset(Strict):
    """One dataset: the single source of truth for everything the hub does with it."""

    id: str = Field(pattern=r"^[a-z][a-z0-9_]{2,40}$")
    family: Family
    title: Bilingual
    description: Bilingual
    licence: str = Field(description="SPDX id or URL, e.g. CC-BY-4.0")
    attribution: str | None = None
    keywords: Keywords = Keywords()
    source: Source
    geometry_type: Literal["MultiPolygon", "MultiLineString", "Point"] = "MultiPolygon"
    key: list[str] = Field(min_length=1, description="Columns that identify a row (unique per dataset)")
    columns: list[Column] = Field(min_length=1)
    validation: dict[str, Rule] = Field(default_factory=dict)
    publication: Publication

    @field_validator("validation")
    @classmethod
    def _known_rules(cls, v: dict[str, Rule]) -> dict[str, Rule]:
        """Only rules the pipelines implement."""
        unknown = sorted(set(v) - set(RULES))
        if unknown:
            raise ValueError(f"unknown rule(s) {unknown}; known: {', '.join(RULES)}")
        return v

    @model_validator(mode="after")
    def _consistent(self) -> Dataset:
        """Column names unique; key columns exist and are not personal."""
        names = [c.name for c in self.columns]
        dupes = sorted({n for n in names if names.count(n) > 1})
        if dupes:
            raise ValueError(f"duplicate column name(s): {dupes}")
        by_name = {c.name: c for c in self.columns}
        for k in self.key:
            if k not in by_name:
                raise ValueError(f"key column '{k}' is not declared in columns")
            if by_name[k].sensitivity == "personal":
                raise ValueError(f"key column '{k}' cannot be personal data")
        idc = by_name.get(self.publication.id_column)
        if idc is None or idc.sensitivity != "public":
            raise ValueError(f"publication.id_column '{self.publication.id_column}' must be a public column")
        stray = sorted(set(self.publication.id_encodes) - set(self.key))
        if stray:
            raise ValueError(f"publication.id_encodes {stray} are not key columns {self.key}")
        return self

    @property
    def key_index(self) -> list[str]:
        """Columns of the unique key index: the id plus the key columns it does not encode, or the key itself."""
        if not self.publication.id_encodes:
            return list(self.key)
        return [self.publication.id_column, *[k for k in self.key if k not in self.publication.id_encodes]]

    def column(self, name: str) -> Column:
        """A column by name."""
        for c in self.columns:
            if c.name == name:
                return c
        raise KeyError(name)

    def by_sensitivity(self, *levels: Sensitivity) -> list[Column]:
        """Columns of the given sensitivity levels, in declaration order."""
        return [c for c in self.columns if c.sensitivity in levels]

    def rule(self, name: str) -> Rule:
        """The configured rule, or its family default."""
        from hub.catalog.defaults import DEFAULT_RULES

        return self.validation.get(name) or DEFAULT_RULES[name]

    @property
    def core_table(self) -> tuple[str, str]:
        """(schema, table) of the live core data."""
        return (self.family, self.id)

    @property
    def personal_table(self) -> tuple[str, str]:
        """(schema, table) of the personal-data side table."""
        return ("restricted", f"{self.id}_personal")

    @property
    def sensitive_table(self) -> tuple[str, str]:
        """(schema, table) of defence/security rows: same columns as the core table, restricted schema."""
        return ("restricted", f"{self.id}_sensitive")

    @property
    def view(self) -> tuple[str, str]:
        """(schema, view) the API reads."""
        return ("pub", self.publication.collection)
