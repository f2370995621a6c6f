"""`hub ingest`: run a dataset's pipeline over source files and publish atomically."""

from __future__ import annotations

from pathlib import Path

import click

from hub.cli.options import emit_json, info, json_option
from hub.errors import M
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
    """The run summary on stderr, in the user's language."""
    for line in summary_lines(result):
        info(line)


def word(kind: str, value: str) -> str:
    """A status, severity or action word in the user's language (the value itself when the catalogue lacks it)."""
    msgid = f"{kind}.{value}"
    return M.text(msgid) if M.has(msgid) else value


def summary_lines(result: dict) -> list[str]:
    """The run summary in the user's language (HUB_LANG / LANG): counts (published = loaded − excluded), each rule
    with its title and first messages, the query showing all findings, and each file's column mapping."""
    lines = [M.text("ingest.summary", dataset=result["dataset"], status=word("status", result["status"]),
                    load_id=result["load_id"], rows_in=result["rows_in"], loaded=result["rows_loaded"],
                    rejected=result["rows_rejected"])]
    if result.get("rows_excluded"):
        lines.append(M.text("ingest.excluded", excluded=result["rows_excluded"], published=result["rows_published"]))
    for name, t in (result.get("tables") or {}).items():
        lines.append(M.text("ingest.table_line", table=name, rows=t["rows"], loaded=t["loaded"]))
    for f in result.get("files") or []:
        cols = f.get("columns")
        if not cols:
            continue
        crs = M.text("ingest.file_crs", crs=f["crs"], source=f["crs_from"]) if f.get("crs") else ""
        lines.append(M.text("ingest.file_mapping", file=f["file"], crs=crs,
                            mapping=", ".join(f"{s} -> {c}" for s, c in cols["mapped"].items())))
        if cols["unmapped"]:
            lines.append(M.text("ingest.unmapped", fields=", ".join(cols["unmapped"])))
        if cols["empty"]:
            lines.append(M.text("ingest.unfilled", columns=", ".join(cols["empty"])))
    examples = result.get("examples") or {}
    for rule, entry in (result.get("issues_by_rule") or {}).items():
        if isinstance(entry, dict):
            lines.append(M.text("ingest.rule_line", severity=word("severity", entry["severity"]), rule=rule,
                                count=entry["count"], action=word("action", entry["action"]),
                                title=word("rule", rule) if M.has(f"rule.{rule}") else ""))
            lines.extend(f"        {msg}" for msg in examples.get(rule, []))
    if result.get("issues_by_rule") and result.get("load_id"):
        lines.append(M.text("ingest.all_findings", command=(
            'hub db psql -c "SELECT file, row_no, rule, message FROM meta.issue WHERE load_id = '
            f'{result["load_id"]} ORDER BY rule, file, row_no"')))
    if result.get("quarantine") and result.get("rows_rejected"):
        lines.append(M.text("ingest.quarantine", where=result["quarantine"]))
    return lines
