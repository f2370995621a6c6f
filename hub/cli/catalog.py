"""`hub catalog`: list, show and validate the dataset catalog; export its JSON Schema."""

from __future__ import annotations

import json
from pathlib import Path

import click

from hub.catalog.loader import CATALOG_DIR, SCHEMA_FILE, entry_files, json_schema, load_all, load_dataset, load_file
from hub.cli.options import emit_json, json_option
from hub.errors import CatalogError


@click.group()
def catalog() -> None:
    """The dataset catalog: one YAML file per dataset in catalogs/.

    \b
    Each entry declares the dataset's bilingual title and description, licence, source formats,
    encoding and CRS, the mapping of source fields to canonical columns, each column's
    sensitivity (public / personal / restricted), validation rules and publication settings.
    Tables, grants, pipelines, the pygeoapi config and metadata are generated from it.

    \b
    Example:
      hub catalog list
      hub catalog show cadastre_cantho --json
      hub catalog validate catalogs/my_new_dataset.yaml
    """


@catalog.command(name="list")
@json_option
def list_cmd(as_json: bool) -> None:
    """List the datasets. Example: `hub catalog list`"""
    datasets = load_all()
    if as_json:
        emit_json([{"id": d.id, "family": d.family, "collection": d.publication.collection,
                    "title": d.title.model_dump()} for d in datasets.values()])
        return
    for d in datasets.values():
        click.echo(f"{d.id:<28} {d.family:<10} {d.title.vi} / {d.title.en}")


@catalog.command()
@click.argument("dataset_id")
@json_option
def show(dataset_id: str, as_json: bool) -> None:
    """Show one dataset with its template resolved. Example: `hub catalog show cadastre_cantho`"""
    ds = load_dataset(dataset_id)
    if as_json:
        emit_json(ds.model_dump(mode="json"))
        return
    click.echo(f"{ds.id} ({ds.family}) -> collection '{ds.publication.collection}'")
    click.echo(f"  {ds.title.vi}\n  {ds.title.en}\n  licence: {ds.licence}")
    click.echo(f"  source: {', '.join(ds.source.formats)}; encoding {ds.source.encoding}; "
               f"CRS allowed {ds.source.crs.allowed or 'any VN-2000'}")
    click.echo(f"  key: {', '.join(ds.key)}")
    for c in ds.columns:
        src = f" <- {', '.join(c.source)}" if c.source else " (derived)"
        click.echo(f"  {c.sensitivity:<10} {c.name:<20} {c.type:<8}{src}")


@catalog.command()
@click.argument("paths", nargs=-1, type=click.Path(exists=True, dir_okay=False, path_type=Path))
def validate(paths: tuple[Path, ...]) -> None:
    """Validate catalog files (default: all of catalogs/); errors name the file, key and why.

    Example: `hub catalog validate catalogs/cadastre_cantho.yaml`
    """
    files = list(paths) or entry_files(CATALOG_DIR)
    errors = []
    for path in files:
        try:
            ds = load_file(path)
            click.echo(f"ok   {path} ({ds.id})")
        except CatalogError as exc:
            errors.append(exc)
            click.echo(f"FAIL {exc.user_message()}", err=True)
    if not paths:
        load_all.cache_clear()
        load_all()  # cross-entry checks (unique collections)
    if errors:
        raise CatalogError(f"{len(errors)} invalid catalog file(s)")


@catalog.command()
@click.option("--check", is_flag=True, help="Fail if the committed schema differs from the models.")
def schema(check: bool) -> None:
    """Write catalogs/schema/dataset.schema.json from the typed models. Example: `hub catalog schema --check`"""
    text = json.dumps(json_schema(), ensure_ascii=False, indent=2, sort_keys=True) + "\n"
    if check:
        if not SCHEMA_FILE.exists() or SCHEMA_FILE.read_text(encoding="utf-8") != text:
            raise CatalogError("catalogs/schema/dataset.schema.json is stale: run `hub catalog schema`")
        click.echo("schema is up to date")
        return
    SCHEMA_FILE.parent.mkdir(parents=True, exist_ok=True)
    SCHEMA_FILE.write_text(text, encoding="utf-8")
    click.echo(f"wrote {SCHEMA_FILE}")
