"""Published collections as the API sees them: built from the catalog only (allowlists of names and types)."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache

from hub.catalog.loader import load_all
from hub.catalog.models import Dataset

# catalog column type -> JSON Schema (OGC API Features Part 5 / queryables)
JSON_TYPES: dict[str, dict] = {
    "text": {"type": "string"},
    "integer": {"type": "integer"},
    "bigint": {"type": "integer"},
    "numeric": {"type": "number"},
    "double": {"type": "number"},
    "date": {"type": "string", "format": "date"},
    "boolean": {"type": "boolean"},
    "timestamptz": {"type": "string", "format": "date-time"},
    "jsonb": {"type": "object"},
}
GEOMETRY_FORMATS = {"MultiPolygon": "geometry-multipolygon", "MultiLineString": "geometry-multilinestring",
                    "Point": "geometry-point"}
TIME_COLUMNS = ("valid_from",)  # the temporal property `datetime=` filters on, if the collection has it


@dataclass(frozen=True)
class Collection:
    """One public collection: its view, public columns (name -> catalog type) and publication settings."""

    id: str
    dataset: Dataset
    schema: str
    view: str
    columns: dict[str, str] = field(hash=False)

    @property
    def id_column(self) -> str:
        """The public column that is the feature id (served as `id`)."""
        return self.dataset.publication.id_column

    @property
    def time_column(self) -> str | None:
        """The date column `datetime=` applies to, or None."""
        return next((c for c in TIME_COLUMNS if self.columns.get(c) in ("date", "timestamptz")), None)

    @property
    def output_epsg(self) -> list[int]:
        """EPSG codes advertised as output / bbox CRS besides CRS84."""
        return list(self.dataset.publication.output_crs)

    def column_type(self, name: str) -> str | None:
        """The catalog type of a public property, or None if it is not one (the allowlist)."""
        if name == "id":
            return "text"
        return self.columns.get(name)

    def json_schema(self, name: str) -> dict:
        """JSON Schema of one property, with its bilingual title when the catalog has one."""
        out = dict(JSON_TYPES[self.column_type(name)])
        if name != "id":
            col = self.dataset.column(name)
            if col.title:
                out["title"] = col.title.en
                out["x-title-vi"] = col.title.vi
        return out


def from_dataset(ds: Dataset) -> Collection:
    """The API model of one catalog entry."""
    schema, view = ds.view
    cols = {c.name: c.type for c in ds.by_sensitivity("public")}
    return Collection(ds.publication.collection, ds, schema, view, cols)


@lru_cache(maxsize=1)
def public_collections() -> dict[str, Collection]:
    """Every collection the catalog publishes (enabled entries only), keyed by collection id."""
    return {ds.publication.collection: from_dataset(ds)
            for ds in load_all().values() if ds.publication.enabled}


def reload_catalog() -> dict[str, Collection]:
    """Re-read the catalog files (after a publish changed them) and return the collections."""
    load_all.cache_clear()
    public_collections.cache_clear()
    return public_collections()
