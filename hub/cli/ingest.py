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
@json_option
def ingest(dataset_id: str, paths: tuple[Path, ...], crs: str | None, encoding: str | None, dry_run: bool,
           force: bool, valid_from: str | None, as_json: bool) -> None:
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

    result = run_ingest(dataset_id, list(paths), Options(crs, encoding, dry_run, force, valid_from))
    if as_json:
        emit_json(result)
        return
    for line in summary_lines(result):
        info(line)


def word(kind: str, value: str) -> str:
    """A status, severity or action word in the user's language (the value itself when the catalogue lacks it)."""
    msgid = f"{kind}.{value}"
    return M.text(msgid) if M.has(msgid) else value


def summary_lines(result: dict) -> list[str]:
    """The run summary in the user's language (HUB_LANG / LANG): counts, then one line per rule with its title."""
    lines = [M.text("ingest.summary", dataset=result["dataset"], status=word("status", result["status"]),
                    load_id=result["load_id"], rows_in=result["rows_in"], loaded=result["rows_loaded"],
                    rejected=result["rows_rejected"])]
    for rule, entry in (result.get("issues_by_rule") or {}).items():
        if isinstance(entry, dict):
            lines.append(M.text("ingest.rule_line", severity=word("severity", entry["severity"]), rule=rule,
                                count=entry["count"], action=word("action", entry["action"]),
                                title=word("rule", rule) if M.has(f"rule.{rule}") else ""))
    if result.get("quarantine"):
        lines.append(M.text("ingest.quarantine", where=result["quarantine"]))
    return lines
