"""`hub ingest`: run a dataset's pipeline over source files and publish atomically."""

from __future__ import annotations

from pathlib import Path

import click

from hub.cli.options import emit_json, info, json_option
from hub.memory import gc_paused


@click.command()
@click.argument("dataset_id")
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@click.option("--crs", help="Source CRS: an EPSG code (5897, EPSG:9209) or a pre-2025 province code (92) "
                            "whose TT 973 TM-3 zone applies. Overrides the file and the catalog.")
@click.option("--encoding", type=click.Choice(["auto", "utf-8", "tcvn3", "vni", "cp1258", "latin1"]),
              help="Text encoding hint (default: the catalog's; detection still runs per value).")
@click.option("--dry-run", is_flag=True, help="Validate and report; publish nothing.")
@click.option("--force", is_flag=True, help="Publish even if the row-drop guard refuses (recorded in the ledger).")
@click.option("--valid-from", help="Validity date of this version (YYYY-MM-DD, default today).")
@click.option("--map", "column_map", multiple=True, metavar="FIELD=COLUMN",
              help="Map a source field to a catalog column for this run (repeatable; recorded in the ledger), "
                   "e.g. --map DTPL=area_m2 --map MDSD=land_use_raw.")
@json_option
def ingest(dataset_id: str, paths: tuple[Path, ...], crs: str | None, encoding: str | None, dry_run: bool,
           force: bool, valid_from: str | None, column_map: tuple[str, ...], as_json: bool) -> None:
    """Ingest source files (or folders) into DATASET_ID and publish them.

    \b
    Steps: extract -> decode text (TCVN3/VNI/UTF-8 per value) -> reproject (pinned EPSG:6960)
    -> validate (rejected rows go to restricted.quarantine with their rule) -> load to staging
    -> publish in one transaction. Every source row is loaded or quarantined; a rerun of the
    same input changes nothing.

    \b
    Example:
      hub ingest cadastre_cantho data/cantho/ --json
      hub ingest cadastre_tuyenquang famis_08077_3.dgn --crs 08 --dry-run
    """
    with gc_paused():  # importing the GIS libraries: ~0.1 s faster without collections (see hub.memory)
        from ingest.core.run import Options, run_ingest

    pairs = []
    for item in column_map:
        field, sep, column = item.partition("=")
        if not sep or not field.strip() or not column.strip():
            raise click.BadParameter(f"'{item}' is not FIELD=COLUMN", param_hint="--map")
        pairs.append((field.strip(), column.strip()))
    result = run_ingest(dataset_id, list(paths), Options(crs, encoding, dry_run, force, valid_from, tuple(pairs)))
    if as_json:
        emit_json(result)
        return
    print_summary(result)


def print_summary(result: dict) -> None:
    """The run summary on stderr: counts (published = loaded − excluded), each rule with its first messages and
    the query showing all of them, and each file's column mapping."""
    info(f"{result['dataset']}: {result['status']} (load {result['load_id']}): {result['rows_in']} rows in, "
         f"{result['rows_loaded']} loaded, {result['rows_rejected']} rejected")
    if result.get("rows_excluded"):
        info(f"  {result['rows_excluded']} loaded rows excluded from public data (defence/security, kept in the "
             f"restricted schema): {result['rows_published']} published")
    for name, t in (result.get("tables") or {}).items():
        info(f"  table {name}: {t['rows']} rows, {t['loaded']} loaded")
    for f in result.get("files") or []:
        cols = f.get("columns")
        if not cols:
            continue
        crs = f" [{f['crs']} from {f['crs_from']}]" if f.get("crs") else ""
        info(f"  {f['file']}{crs}: " + ", ".join(f"{s} -> {c}" for s, c in cols["mapped"].items()))
        if cols["unmapped"]:
            info(f"    source fields no column takes: {', '.join(cols['unmapped'])} (map one with --map FIELD=COLUMN)")
        if cols["empty"]:
            info(f"    important columns no field fills: {', '.join(cols['empty'])}")
    examples = result.get("examples") or {}
    for rule, entry in (result.get("issues_by_rule") or {}).items():
        if isinstance(entry, dict):
            info(f"  {entry['severity']:<5} {rule:<24} {entry['count']:>6}  ({entry['action']})")
            for msg in examples.get(rule, []):
                info(f"        {msg}")
    if result.get("issues_by_rule") and result.get("load_id"):
        info(f"all findings: hub db psql -c \"SELECT file, row_no, rule, message FROM meta.issue WHERE load_id = "
             f"{result['load_id']} ORDER BY rule, file, row_no\"")
    if result.get("quarantine") and result.get("rows_rejected"):
        info(f"quarantine: {result['quarantine']}")
