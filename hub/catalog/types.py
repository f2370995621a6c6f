"""One table of column types: for each catalog type its PostgreSQL type, the Arrow type the COPY encoder takes,
its JSON Schema (OGC API Features Part 5 queryables), its CQL2 literal kind and its MVT attribute expression."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ColumnKind:
    """How one catalog column type is stored, encoded, described and filtered."""

    sql: str  # PostgreSQL type of the column
    arrow: str  # pyarrow type of the values handed to the COPY encoder (pa.<arrow>(); "timestamp": µs, UTC)
    json: dict  # JSON Schema of a value
    cql2: str | None  # CQL2 literal kind a filter compares it with (None: not queryable)
    mvt: str | None  # SQL expression template of the vector-tile attribute (None: left out of tiles)


TYPES: dict[str, ColumnKind] = {
    "text": ColumnKind("text", "string", {"type": "string"}, "text", "{}"),
    "integer": ColumnKind("integer", "int32", {"type": "integer"}, "number", "{}"),
    "bigint": ColumnKind("bigint", "int64", {"type": "integer"}, "number", "{}"),
    "numeric": ColumnKind("numeric", "float64", {"type": "number"}, "number", "{}::double precision"),
    "double": ColumnKind("double precision", "float64", {"type": "number"}, "number", "{}"),
    "date": ColumnKind("date", "date32", {"type": "string", "format": "date"}, "date", "{}::text"),
    "boolean": ColumnKind("boolean", "bool_", {"type": "boolean"}, "boolean", "{}"),
    "timestamptz": ColumnKind("timestamptz", "timestamp", {"type": "string", "format": "date-time"}, "timestamp",
                              "{}::text"),
    "jsonb": ColumnKind("jsonb", "string", {"type": "object"}, None, None),
}
# CQL2 literal kind -> the PostgreSQL type a bound value is cast to
CQL2_CAST = {"text": "text", "number": "numeric", "date": "date", "timestamp": "timestamptz", "boolean": "boolean"}
