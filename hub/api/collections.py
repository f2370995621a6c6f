"""Published collections as the API sees them: built from the catalog only (allowlists of names and types)."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache

from hub import i18n
from hub.catalog.family import TimeSpec
from hub.catalog.loader import load_all
from hub.catalog.models import Bilingual, Dataset, Publication, TableRef
from hub.catalog.types import TYPES

# catalog column type -> JSON Schema (OGC API Features Part 5 / queryables)
JSON_TYPES: dict[str, dict] = {name: kind.json for name, kind in TYPES.items()}
GEOMETRY_FORMATS = {"MultiPolygon": "geometry-multipolygon", "MultiLineString": "geometry-multilinestring",
                    "LineString": "geometry-linestring", "Point": "geometry-point", "MultiPoint": "geometry-multipoint"}


@dataclass(frozen=True)
class Collection:
    """One public collection: a published table of a dataset, its view, public columns (name -> catalog type)."""

    id: str
    dataset: Dataset
    table: TableRef = field(hash=False, compare=False)
    schema: str
    view: str
    columns: dict[str, str] = field(hash=False)

    @property
    def publication(self) -> Publication:
        """The table's publication settings."""
        assert self.table.publication is not None
        return self.table.publication

    @property
    def id_column(self) -> str:
        """The public column that is the feature id (served as `id`)."""
        return self.publication.id_column

    @property
    def geometry_type(self) -> str | None:
        """The geometry type, or None for a collection of records without geometry."""
        return self.table.geometry.type if self.table.geometry else None

    @property
    def title(self) -> Bilingual:
        """The collection's title: the dataset's, followed by the secondary table's own (seven rasters' statistics
        tables are told apart in a client's layer list)."""
        tt, ds = self.table_title, self.dataset.title
        if not (self.table.name and tt):
            return ds
        return type(ds)(vi=f"{ds.vi} – {tt.vi}", en=f"{ds.en} – {tt.en}")

    @property
    def table_title(self) -> Bilingual | None:
        """The secondary table's title in the catalog, if any."""
        return next((t.title for t in self.dataset.tables if t.name == self.table.name), None)

    @property
    def time(self) -> TimeSpec | None:
        """The table's time declaration (column, kind, validity end)."""
        return self.table.time

    @property
    def time_column(self) -> str | None:
        """The column `datetime=` applies to, or None."""
        t = self.table.time
        return t.column if t and self.columns.get(t.column) in ("date", "timestamptz") else None

    @property
    def output_epsg(self) -> list[int]:
        """EPSG codes advertised as output / bbox CRS besides CRS84."""
        return list(self.publication.output_crs)

    def column_type(self, name: str) -> str | None:
        """The catalog type of a public property, or None if it is not one (the allowlist)."""
        if name == "id":
            return "text"
        return self.columns.get(name)

    def json_schema(self, name: str) -> dict:
        """JSON Schema of one property: its catalog title in the reader's language (hub.i18n), both titles kept."""
        out = dict(JSON_TYPES[self.column_type(name)])
        title = self.column_title(name)
        if title:
            out["title"] = title.vi if i18n.current().startswith("vi") else title.en
            out["x-title-vi"] = title.vi
            out["x-title-en"] = title.en
        return out

    def column_title(self, name: str) -> Bilingual | None:
        """The catalog title of a public property, if any."""
        return None if name == "id" or name not in self.columns else self.table.column(name).title


def from_table(t: TableRef) -> Collection:
    """The API model of one published table."""
    schema, view = t.view
    cols = {c.name: c.type for c in t.by_sensitivity("public")}
    assert t.publication is not None
    return Collection(t.publication.collection, t.ds, t, schema, view, cols)


def from_dataset(ds: Dataset) -> Collection:
    """The API model of a dataset's primary table."""
    return from_table(ds.primary)


@lru_cache(maxsize=1)
def public_collections() -> dict[str, Collection]:
    """Every collection the catalog publishes (enabled tables only), keyed by collection id."""
    return {t.publication.collection: from_table(t)
            for ds in load_all().values() for t in ds.all_tables if t.published}


def reload_catalog() -> dict[str, Collection]:
    """Re-read the catalog files (after a publish changed them) and return the collections."""
    load_all.cache_clear()
    public_collections.cache_clear()
    return public_collections()
