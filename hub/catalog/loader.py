"""Read catalog YAML files (with optional templates) into Dataset models; errors name file, key and why."""

from __future__ import annotations

import hashlib
import json
import os
import re
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from hub.catalog.models import IDENT, Dataset
from hub.errors import CatalogError, NotFound
from hub.settings import PROJECT_ROOT

IDENT_RE = re.compile(IDENT)
CATALOG_DIR = PROJECT_ROOT / "catalogs"
TEMPLATE_DIR = CATALOG_DIR / "templates"
SCHEMA_FILE = CATALOG_DIR / "schema" / "dataset.schema.json"


def catalog_dir() -> Path:
    """The folder of dataset entries: HUB_CATALOG_DIR if set (tests, staging catalogs), else catalogs/."""
    return Path(os.environ["HUB_CATALOG_DIR"]) if os.environ.get("HUB_CATALOG_DIR") else CATALOG_DIR


# libyaml's safe loader when PyYAML has it (its wheels do): the pure-Python one spent ~0.2 s of every command's
# start-up reading the catalog.
_SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _read_yaml(path: Path) -> dict[str, Any]:
    """Parse one YAML mapping, with the file named in any error."""
    try:
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=_SAFE_LOADER)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}" if mark else None
        raise CatalogError(f"not valid YAML ({getattr(exc, 'problem', exc)})", file=str(path), key=where) from exc
    except UnicodeDecodeError as exc:
        raise CatalogError("catalog files must be UTF-8", file=str(path)) from exc
    if not isinstance(data, dict):
        raise CatalogError("a catalog entry must be a YAML mapping", file=str(path))
    return data


def _merge_columns(base: list[dict], over: list[dict]) -> list[dict]:
    """Columns merged by name: the entry's keys override the template's; new columns are appended."""
    out = [dict(c) for c in base]
    index = {c.get("name"): i for i, c in enumerate(out)}
    for col in over:
        col = dict(col)
        extra = col.pop("source_add", None)  # names added to the template's aliases instead of replacing them
        i = index.get(col.get("name"))
        if i is None:
            out.append(col)
            i = len(out) - 1
        else:
            out[i] = {**out[i], **col}
        if extra is not None:
            if not isinstance(extra, list) or not all(isinstance(e, str) for e in extra):
                raise CatalogError("source_add must be a list of source field names", key=f"columns[{col.get('name')}]")
            out[i]["source"] = [*out[i].get("source", []), *[e for e in extra if e not in out[i].get("source", [])]]
    return [c for c in out if not c.get("drop")]


def _merge(base: dict, over: dict) -> dict:
    """Deep-merge an entry over its template (mappings merge, lists replace, columns merge by name)."""
    out = dict(base)
    for key, value in over.items():
        if key == "columns" and isinstance(value, list):
            out[key] = _merge_columns(base.get(key, []), value)
        elif isinstance(value, dict) and isinstance(base.get(key), dict):
            out[key] = _merge(base[key], value)
        else:
            out[key] = value
    return out


def _resolve(path: Path, data: dict) -> dict:
    """Apply `template:` if the entry names one."""
    name = data.pop("template", None)
    if name is None:
        return data
    if not isinstance(name, str) or not IDENT_RE.match(name):
        raise CatalogError(f"template name '{name}' is not a plain identifier", file=str(path), key="template")
    local = path.parent / "templates" / f"{name}.yaml"  # an entry's own templates folder first
    tpl = local if local.is_file() else TEMPLATE_DIR / f"{name}.yaml"
    if not tpl.is_file():
        raise CatalogError(f"template '{name}' not found in {TEMPLATE_DIR}", file=str(path), key="template")
    return _merge(_read_yaml(tpl), data)


def _fmt_loc(loc: tuple, data: dict) -> str:
    """A pydantic error location as a dotted key, with column names instead of list indexes."""
    parts: list[str] = []
    node: Any = data
    for item in loc:
        if isinstance(item, int) and isinstance(node, list) and item < len(node):
            node = node[item]
            name = node.get("name") if isinstance(node, dict) else None
            parts.append(f"[{name}]" if name else f"[{item}]")
        else:
            parts.append(str(item))
            node = node.get(item) if isinstance(node, dict) else None
    return ".".join(parts).replace(".[", "[")


def load_file(path: Path) -> Dataset:
    """Load and validate one catalog file."""
    data = _resolve(path, _read_yaml(path))
    try:
        ds = Dataset.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        more = f" (+{len(exc.errors()) - 1} more)" if len(exc.errors()) > 1 else ""
        raise CatalogError(f"{first['msg']}{more}", file=str(path), key=_fmt_loc(first["loc"], data)) from exc
    if ds.id != path.stem:
        raise CatalogError(f"id '{ds.id}' must equal the file name '{path.stem}'", file=str(path), key="id")
    return ds


def entry_files(directory: Path | None = None) -> list[Path]:
    """The dataset entries (templates and schema excluded)."""
    return sorted(p for p in (directory or catalog_dir()).glob("*.yaml") if p.is_file())


def load_all(directory: Path | None = None) -> dict[str, Dataset]:
    """Every dataset in the catalog (default: catalog_dir()), keyed by id; collection ids must be unique."""
    return _load_all(Path(directory or catalog_dir()))


@lru_cache(maxsize=4)
def _load_all(directory: Path) -> dict[str, Dataset]:
    """load_all, cached per folder."""
    out: dict[str, Dataset] = {}
    seen: dict[str, str] = {}
    for path in entry_files(directory):
        ds = load_file(path)
        coll = ds.publication.collection
        if coll in seen:
            raise CatalogError(f"collection '{coll}' is already published by '{seen[coll]}'",
                               file=str(path), key="publication.collection")
        seen[coll] = ds.id
        out[ds.id] = ds
    return out


load_all.cache_clear = _load_all.cache_clear  # type: ignore[attr-defined]  # callers reset the cache after editing entries


def load_dataset(dataset_id: str) -> Dataset:
    """One dataset by id, or NotFound listing what exists."""
    datasets = load_all()
    if dataset_id not in datasets:
        raise NotFound(f"unknown dataset '{dataset_id}'; known: {', '.join(sorted(datasets)) or 'none'}")
    return datasets[dataset_id]


def checksum(ds: Dataset) -> str:
    """sha256 of the resolved entry (family options with their defaults): a changed catalog makes a rerun a new load."""
    doc = {**ds.model_dump(mode="json"), "options": ds.opts.model_dump(mode="json")}
    return hashlib.sha256(json.dumps(doc, sort_keys=True).encode()).hexdigest()


def json_schema() -> dict:
    """The JSON Schema of a catalog entry (committed in catalogs/schema/): the entry's fields, and for each
    registered family the schema of its `options` and its rule names (an if/then per family)."""
    from hub.catalog import families

    schema = Dataset.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "Hub dataset catalog entry"
    schema["properties"]["family"]["enum"] = families.names()
    branches = []
    for name in families.names():
        fam = families.spec(name)
        opts = fam.options.model_json_schema()
        defs = opts.pop("$defs", {})
        schema.setdefault("$defs", {}).update(defs)
        schema["$defs"][f"options_{name}"] = opts
        branches.append({"if": {"properties": {"family": {"const": name}}, "required": ["family"]},
                         "then": {"properties": {
                             "options": {"$ref": f"#/$defs/options_{name}"},
                             "validation": {"propertyNames": {"enum": sorted(fam.all_rules())}}}}})
    schema["allOf"] = branches
    return schema
