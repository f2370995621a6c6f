"""`hub ref`: reference data that land offices supply themselves (commune boundaries)."""

from __future__ import annotations

from pathlib import Path

import click

from hub.cli.options import emit_json, info, json_option


@click.group()
def ref() -> None:
    """Reference data beyond what migrations load.

    Example: `hub ref load-boundaries admin/communes_old.gpkg admin/communes_new.gpkg`
    """


@ref.command(name="load-boundaries")
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@json_option
def load_boundaries_cmd(paths: tuple[Path, ...], as_json: bool) -> None:
    """Attach commune polygons (columns code, level, version_id) to ref.admin_unit.

    Boundaries enable the outside_admin_unit check and the spatial assignment of parcels of split communes.
    Example: `hub ref load-boundaries communes_old.gpkg communes_new.gpkg`
    """
    from ingest.reference.boundaries import load_boundaries

    result = load_boundaries(list(paths))
    if as_json:
        emit_json(result)
        return
    info(f"matched {result['matched']} admin units; unmatched: {len(result['unmatched'])}")
