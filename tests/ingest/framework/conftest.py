"""Fixtures for the framework tests: the probe family registered, its catalog entries in a folder of their own,
and its schema in the test database."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from psycopg import sql

from hub.catalog import families
from hub.catalog.loader import load_all
from hub.db.connect import connect
from ingest.core.family import pipeline_for

BASE = {
    "licence": "CC-BY-4.0",
    "title": {"vi": "Dữ liệu thử", "en": "Probe data"},
    "description": {"vi": "Chỉ dùng trong kiểm thử", "en": "Tests only"},
    "source": {"formats": ["geojson"], "crs": {"epsg": 5897}},
}
ENTRIES = {
    "probe_append": {
        "family": "probe", "geometry": {"type": "Point"},
        "key": ["station", "observed_at"],
        "columns": [
            {"name": "code", "type": "text", "sensitivity": "public", "required": True, "source": ["code"]},
            {"name": "station", "type": "text", "sensitivity": "public", "required": True, "source": ["station"]},
            {"name": "observed_at", "type": "timestamptz", "sensitivity": "public", "required": True,
             "source": ["time"]},
            {"name": "level", "type": "double", "sensitivity": "public", "important": True,
             "source": ["level", "muc"]},
            {"name": "tags", "type": "text", "sensitivity": "public", "source": ["tags"]},
            {"name": "reporter", "type": "text", "sensitivity": "personal", "source": ["reporter"]},
        ],
        "publication": {"collection": "probe_append", "id_column": "code", "scope": ["station"]},
    },
    "probe_versioned": {
        "family": "probe", "geometry": None,
        "time": {"column": "valid_from", "kind": "date", "role": "validity", "end": "valid_to"},
        "key": ["uid"],
        "columns": [
            {"name": "uid", "type": "text", "sensitivity": "public", "required": True, "source": ["uid"]},
            {"name": "province", "type": "text", "sensitivity": "public", "required": True, "source": ["province"]},
            {"name": "code", "type": "text", "sensitivity": "public", "source": ["code"]},
            {"name": "price", "type": "bigint", "sensitivity": "public", "source": ["price"]},
            {"name": "valid_from", "type": "date", "sensitivity": "public", "required": True, "source": ["from"]},
            {"name": "valid_to", "type": "date", "sensitivity": "public"},
        ],
        "publication": {"collection": "probe_versioned", "id_column": "uid", "strategy": "versioned",
                        "scope": ["province"]},
    },
    "probe_tables": {
        "family": "probe", "geometry": None, "time": None, "options": {"split_tags": True},
        "key": ["code"],
        "columns": [
            {"name": "code", "type": "text", "sensitivity": "public", "required": True, "source": ["code"]},
            {"name": "tags", "type": "text", "sensitivity": "public", "source": ["tags"]},
            {"name": "level", "type": "integer", "sensitivity": "public", "source": ["level"]},
        ],
        "publication": {"collection": "probe_tables", "id_column": "code", "strategy": "replace"},
        "tables": [{"name": "tags", "title": {"vi": "Nhãn", "en": "Tags"}, "key": ["code", "tag"],
                    "columns": [{"name": "code", "type": "text", "sensitivity": "public"},
                                {"name": "tag", "type": "text", "sensitivity": "public"}],
                    "publication": {"collection": "probe_tags", "id_column": "tag"}}],
    },
}


@pytest.fixture(scope="module")
def probe_catalog(hub_db, tmp_path_factory):
    """The probe family registered and its entries as the catalog (HUB_CATALOG_DIR); restored afterwards."""
    folder = tmp_path_factory.mktemp("probe-catalog")
    for name, entry in ENTRIES.items():
        (folder / f"{name}.yaml").write_text(yaml.safe_dump({**BASE, "id": name, **entry}, allow_unicode=True),
                                             encoding="utf-8")
    mp = pytest.MonkeyPatch()
    mp.setitem(families.FAMILIES, "probe", "tests.ingest.framework.probe_family:SPEC")
    mp.setenv("HUB_CATALOG_DIR", str(folder))
    mp.setenv("HUB_FAMILIES", "probe=tests.ingest.framework.probe_family:SPEC")  # for subprocesses
    families.spec.cache_clear()
    pipeline_for.cache_clear()
    load_all.cache_clear()
    with connect("admin", hub_db, autocommit=True) as conn:
        conn.execute("CREATE SCHEMA IF NOT EXISTS probe AUTHORIZATION hub_owner")
        conn.execute("GRANT USAGE ON SCHEMA probe TO hub_analyst")
    yield folder
    mp.undo()
    families.spec.cache_clear()
    pipeline_for.cache_clear()
    load_all.cache_clear()


def geojson(path: Path, features: list[dict]) -> Path:
    """A GeoJSON file of (properties, (E, N) in EPSG:5897 or None) features, with the CRS named (not linked)."""
    doc = {"type": "FeatureCollection", "crs": {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::5897"}},
           "features": [{"type": "Feature", "properties": props,
                         "geometry": None if xy is None else {"type": "Point", "coordinates": list(xy)}}
                        for props, xy in features]}
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    return path


def rows(conn, table: str, order: str) -> list[tuple]:
    """All rows of a table (identifiers from the test only)."""
    schema, name = table.split(".")
    return conn.execute(sql.SQL("SELECT * FROM {} ORDER BY {}").format(sql.Identifier(schema, name),
                                                                       sql.SQL(order))).fetchall()
