"""Typed catalog models: one dataset entry drives its tables, validation, privacy, publication and metadata."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import Any, Literal

from pydantic import Field, PrivateAttr, field_validator, model_validator

from hub.catalog.base import IDENT, NoOptions, Rule, Strict, nfc
from hub.catalog.family import GeometrySpec, Strategy, TimeSpec

ColumnType = Literal["text", "integer", "bigint", "numeric", "double", "date", "boolean", "timestamptz", "jsonb"]
Sensitivity = Literal["public", "personal", "restricted"]
Encoding = Literal["auto", "utf-8", "tcvn3", "vni", "cp1258", "latin1"]
SourceFormat = Literal["gpkg", "shp", "tab", "geojson", "dgn", "fgb", "csv", "xlsx", "dxf", "tt10", "tif"]
MAX_IDENTIFIER = 63  # PostgreSQL's identifier length
STAGING_RESERVE = len("__l") + 10 + len("_p")  # what staging names add to a table name (load ids up to 10 digits)


class Bilingual(Strict):
    """A Vietnamese and an English text."""

    vi: str = Field(min_length=1)
    en: str = Field(min_length=1)

    _check_vi = field_validator("vi", "en")(classmethod(lambda cls, v: nfc(v)))


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
    required: bool = Field(False, description="Every loaded row has a value (rows without one are rejected, "
                                              "rule missing_required); a source column must be found for it")
    important: bool = Field(False, description="A load where this column is empty in every row gets the "
                                               "finding column_empty")
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


class Source(Strict):
    """What arrives: formats, text encoding, CRS, schema contract."""

    formats: list[SourceFormat]
    encoding: Encoding = "auto"
    crs: CrsSpec = CrsSpec()
    contract: Literal["evolve", "freeze"] = Field(
        "evolve", description="freeze: an unknown source column fails the run (SCHEMA_VIOLATION)")


class Tiles(Strict):
    """Vector tile settings."""

    min_zoom: int = Field(14, ge=0, le=22)
    max_zoom: int = Field(22, ge=0, le=24)
    max_features: int = Field(20000, ge=100)


DEFAULT_OUTPUT_CRS = [4326, 4756, 3405, 3406, 5897, 5898, 5899, *range(9205, 9219)]


class Publication(Strict):
    """How a table is published as an OGC API collection."""

    enabled: bool = True
    collection: str = Field(pattern=IDENT)
    id_column: str = Field(pattern=IDENT, description="Public column used as the feature id")
    strategy: Strategy | None = Field(None, description="replace | append | versioned (default: the family's)")
    scope: list[str] = Field(default_factory=list, description=(
        "append/versioned: columns whose values delimit what a load replaces or supersedes (e.g. station + "
        "parameter, or the price table's province)"))
    tiles: Tiles | None = None
    output_crs: list[int] = Field(default_factory=lambda: list(DEFAULT_OUTPUT_CRS))


class Table(Strict):
    """A secondary table of a dataset (a source can fill several: samples and their results, price rows and
    their coefficients); shaped like the dataset's primary table."""

    name: str = Field(pattern=r"^[a-z][a-z0-9_]{0,15}$")
    title: Bilingual | None = None
    geometry: GeometrySpec | None = None
    time: TimeSpec | None = None
    key: list[str] = Field(min_length=1)
    columns: list[Column] = Field(min_length=1)
    publication: Publication | None = None


def _check_table(columns: list[Column], key: list[str], publication: Publication | None, time: TimeSpec | None,
                 where: str) -> None:
    """Column names unique; key columns exist and are not personal; the id and time columns are declared."""
    names = [c.name for c in columns]
    dupes = sorted({n for n in names if names.count(n) > 1})
    if dupes:
        raise ValueError(f"{where}duplicate column name(s): {dupes}")
    by_name = {c.name: c for c in columns}
    for k in key:
        if k not in by_name:
            raise ValueError(f"{where}key column '{k}' is not declared in columns")
        if by_name[k].sensitivity == "personal":
            raise ValueError(f"{where}key column '{k}' cannot be personal data")
    if publication is not None:
        idc = by_name.get(publication.id_column)
        if idc is None or idc.sensitivity != "public":
            raise ValueError(f"{where}publication.id_column '{publication.id_column}' must be a public column")
        stray = sorted(set(publication.scope) - set(by_name))
        if stray:
            raise ValueError(f"{where}publication.scope columns {stray} are not declared in columns")
    for col in ([time.column] + ([time.end] if time.end else [])) if time else []:
        c = by_name.get(col)
        assert time is not None
        if c is None or c.type != time.kind:
            raise ValueError(f"{where}time column '{col}' must be a declared {time.kind} column")


class Dataset(Strict):
    """One dataset: the single source of truth for everything the hub does with it."""

    id: str = Field(pattern=r"^[a-z][a-z0-9_]{2,40}$")
    family: str = Field(pattern=IDENT, description="A registered family (hub/catalog/families.py)")
    title: Bilingual
    description: Bilingual
    licence: str = Field(description="SPDX id or URL, e.g. CC-BY-4.0")
    attribution: str | None = None
    keywords: Keywords = Keywords()
    source: Source
    options: dict[str, Any] = Field(default_factory=dict, description="Family-specific settings, validated by the "
                                                                      "family's options model")
    geometry: GeometrySpec | None = Field(None, description="Geometry of the primary table (default: the family's; "
                                                            "null: a table without geometry)")
    time: TimeSpec | None = Field(None, description="Time of the primary table (default: the family's)")
    key: list[str] = Field(min_length=1, description="Columns that identify a row (unique per dataset)")
    columns: list[Column] = Field(min_length=1)
    validation: dict[str, Rule] = Field(default_factory=dict)
    publication: Publication
    tables: list[Table] = Field(default_factory=list, description="Secondary tables filled by the same sources")
    _opts: Strict = PrivateAttr(default_factory=NoOptions)

    @model_validator(mode="before")
    @classmethod
    def _family_defaults(cls, data: Any) -> Any:
        """Geometry and time default to the family's when the entry does not say (null is an explicit answer)."""
        if not isinstance(data, dict) or not isinstance(data.get("family"), str):
            return data
        spec = _spec_or_none(data["family"])
        if spec is None:
            return data
        out = dict(data)
        if "geometry" not in out and spec.geometry is not None:
            out["geometry"] = spec.geometry.model_dump()
        if "time" not in out and spec.time is not None:
            out["time"] = spec.time.model_dump()
        return out

    @model_validator(mode="after")
    def _consistent(self) -> Dataset:
        """Registered family; its options and rules; consistent tables; identifiers within PostgreSQL's length."""
        from hub.catalog.families import FAMILIES, spec

        if self.family not in FAMILIES:
            raise ValueError(f"family '{self.family}' is not registered; known: {', '.join(sorted(FAMILIES))}")
        fam = spec(self.family)
        try:
            self._opts = fam.options.model_validate(self.options)
        except ValueError as exc:
            first = exc.errors()[0] if hasattr(exc, "errors") else {"loc": (), "msg": str(exc)}
            where = ".".join(str(p) for p in first["loc"])
            raise ValueError(f"options.{where}: {first['msg']} (options of family '{self.family}')") from None
        known = fam.all_rules()
        unknown = sorted(set(self.validation) - set(known))
        if unknown:
            raise ValueError(f"validation: unknown rule(s) {unknown} for family '{self.family}'; known: "
                             f"{', '.join(sorted(known))}")
        _check_table(self.columns, self.key, self.publication, self.time, "")
        names = [t.name for t in self.tables]
        if len(set(names)) != len(names):
            raise ValueError(f"duplicate table name(s) in tables: {names}")
        collections = [self.publication.collection] + [t.publication.collection for t in self.tables if t.publication]
        if len(set(collections)) != len(collections):
            raise ValueError(f"collection ids must differ between the tables of a dataset: {collections}")
        for t in self.tables:
            _check_table(t.columns, t.key, t.publication, t.time, f"tables[{t.name}]: ")
        longest = max(len(ref.core_table[1]) for ref in self.all_tables) + STAGING_RESERVE
        if longest > MAX_IDENTIFIER:
            raise ValueError(f"dataset id and table names are too long for PostgreSQL identifiers ({longest} > "
                             f"{MAX_IDENTIFIER} characters once staged); shorten them")
        return self

    @property
    def opts(self) -> Any:
        """The family options, validated (an instance of the family's options model)."""
        return self._opts

    @cached_property
    def primary(self) -> TableRef:
        """The primary table (the entry's top-level columns, key, geometry, time and publication)."""
        return TableRef(self, None, self.columns, self.key, self.geometry, self.time, self.publication)

    @cached_property
    def all_tables(self) -> list[TableRef]:
        """The primary table, then the secondary ones, in declaration order."""
        return [self.primary, *(TableRef(self, t.name, t.columns, t.key, t.geometry, t.time, t.publication)
                                for t in self.tables)]

    def table(self, name: str | None) -> TableRef:
        """A table by name (None: the primary)."""
        for ref in self.all_tables:
            if ref.name == name:
                return ref
        raise KeyError(name)

    @property
    def strategy(self) -> Strategy:
        """The publish strategy: the entry's, else the family's."""
        from hub.catalog.families import spec

        return self.publication.strategy or spec(self.family).publish

    def rule(self, name: str) -> Rule:
        """The configured rule, or the family's (or generic) default."""
        from hub.catalog.families import spec

        return self.validation.get(name) or spec(self.family).all_rules()[name]

    # The primary table's properties, for code that handles one table.
    def column(self, name: str) -> Column:
        """A primary-table column by name."""
        return self.primary.column(name)

    def by_sensitivity(self, *levels: Sensitivity) -> list[Column]:
        """Primary-table columns of the given sensitivity levels, in declaration order."""
        return self.primary.by_sensitivity(*levels)

    @property
    def core_table(self) -> tuple[str, str]:
        """(schema, table) of the primary table's live data."""
        return self.primary.core_table

    @property
    def personal_table(self) -> tuple[str, str]:
        """(schema, table) of the primary table's personal-data side table."""
        return self.primary.personal_table

    @property
    def sensitive_table(self) -> tuple[str, str]:
        """(schema, table) of the primary table's restricted rows."""
        return self.primary.sensitive_table

    @property
    def view(self) -> tuple[str, str]:
        """(schema, view) the API reads for the primary table."""
        return self.primary.view


def _spec_or_none(name: str):
    """The family spec, or None when the name is not registered (the after-validator then says so)."""
    from hub.catalog.families import FAMILIES, spec

    return spec(name) if name in FAMILIES else None


@dataclass(frozen=True, eq=False)
class TableRef:
    """One table of a dataset as the pipeline, DDL, publish and API see it (names derived from catalog ids only)."""

    ds: Dataset
    name: str | None  # None: the primary table
    columns: list[Column]
    key: list[str]
    geometry: GeometrySpec | None
    time: TimeSpec | None
    publication: Publication | None

    @property
    def label(self) -> str:
        """The table's name in messages."""
        return self.name or "main"

    @property
    def base(self) -> str:
        """The table's name stem: the dataset id, plus `__name` for a secondary table."""
        return self.ds.id if self.name is None else f"{self.ds.id}__{self.name}"

    @property
    def core_table(self) -> tuple[str, str]:
        """(schema, table) of the live data: the family's schema."""
        return (self.ds.family, self.base)

    @property
    def personal_table(self) -> tuple[str, str]:
        """(schema, table) of the personal-data side table."""
        return ("restricted", f"{self.base}_personal")

    @property
    def sensitive_table(self) -> tuple[str, str]:
        """(schema, table) of rows kept out of the core table (defence/security parcels): same columns."""
        return ("restricted", f"{self.base}_sensitive")

    @property
    def view(self) -> tuple[str, str]:
        """(schema, view) the API reads (tables that are not published have none, but the name is reserved)."""
        coll = self.publication.collection if self.publication else self.base
        return ("pub", coll)

    @property
    def published(self) -> bool:
        """Whether the table has an enabled publication."""
        return self.publication is not None and self.publication.enabled

    def column(self, name: str) -> Column:
        """A column by name."""
        for c in self.columns:
            if c.name == name:
                return c
        raise KeyError(name)

    def by_sensitivity(self, *levels: Sensitivity) -> list[Column]:
        """Columns of the given sensitivity levels, in declaration order."""
        return [c for c in self.columns if c.sensitivity in levels]

    @property
    def key_index(self) -> list[str]:
        """Columns of the unique key index (the family may give a narrower index its id proves unique)."""
        from hub.catalog.families import spec

        hook = spec(self.ds.family).key_index
        return list(hook(self)) if hook is not None else list(self.key)
