"""`hub runs`: the load ledger."""

from __future__ import annotations

import click

from hub.cli.options import emit_json, json_option
from hub.db.connect import connect


@click.command()
@click.option("--dataset", help="Only this dataset.")
@click.option("--limit", default=20, show_default=True, type=click.IntRange(1, 10_000))
@json_option
def runs(dataset: str | None, limit: int, as_json: bool) -> None:
    """List ingest runs from the ledger, newest first.

    Example: `hub runs --dataset cadastre_cantho --json`
    """
    with connect("etl") as conn:
        rows = conn.execute(
            "SELECT load_id, dataset_id, status, started_at, finished_at, rows_in, rows_loaded, rows_rejected, "
            "version, source_sha256, message FROM meta.load WHERE %(ds)s::text IS NULL OR dataset_id = %(ds)s "
            "ORDER BY load_id DESC LIMIT %(n)s", {"ds": dataset, "n": limit}).fetchall()
    keys = ["load_id", "dataset", "status", "started_at", "finished_at", "rows_in", "rows_loaded", "rows_rejected",
            "version", "source_sha256", "message"]
    items = [dict(zip(keys, r)) for r in rows]
    if as_json:
        emit_json(items)
        return
    for r in items:
        click.echo(f"{r['load_id']:>5} {r['dataset']:<24} {r['status']:<10} {str(r['started_at'])[:19]} "
                   f"in={r['rows_in']} loaded={r['rows_loaded']} rejected={r['rows_rejected']} v{r['version']}")
