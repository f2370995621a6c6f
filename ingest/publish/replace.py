"""The `replace` strategy: the staged tables take the place of the published ones in one transaction.

Guard: an empty source, or one with far fewer rows than the published version, is refused unless forced."""

from __future__ import annotations

import psycopg

from hub.catalog.models import Dataset
from hub.errors import PublishRefused
from ingest.core.stage import StagingTables
from ingest.publish.common import Stats, all_pairs, begin, drop_old, move, published_rows, record, view_and_grants


def guard(conn: psycopg.Connection, ds: Dataset, staging: StagingTables, rows: int, force: bool, max_drop: float,
          why_empty: str | None = None) -> str | None:
    """Refuse an empty source or a big drop against the published version unless forced; returns the note.

    `why_empty` names what rejected every row: publishing nothing would not help then, so it is said instead of
    suggesting --force."""
    prev = published_rows(conn, ds)
    if rows == 0:
        if why_empty and not force:
            raise PublishRefused(f"the source has no loadable rows: {why_empty}; nothing was published")
        why = "the source has no loadable rows"
    elif prev and rows < prev * (1 - max_drop):
        why = (f"the source has {rows} loadable rows, {100 * (1 - rows / prev):.0f} % fewer than the published "
               f"{prev} (limit {100 * max_drop:.0f} %)")
    else:
        return None
    if not force:
        raise PublishRefused(f"{why}; nothing was published (rerun with --force to publish anyway)")
    return f"forced: {why}"


def publish(conn: psycopg.Connection, ds: Dataset, load_id: int, staging: StagingTables,
            stats: dict[str | None, Stats]) -> int:
    """Atomic publish inside the caller's transaction; returns the new version number."""
    begin(conn)
    pairs = all_pairs(staging)
    for src, dst in pairs:
        move(conn, src, dst)
    for staged in staging.tables:
        view_and_grants(conn, staged.table)
    for _, dst in pairs:
        drop_old(conn, dst)
    version = record(conn, ds, load_id, stats)
    conn.execute("RESET ROLE")
    return version
