"""The load ledger (meta.load): file listings and checksums, the identical-rerun check, the publish lock, and
closing a run's row. A rerun of the same files, catalog entry and options is recorded as `unchanged`."""

from __future__ import annotations

import hashlib
import json
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

import psycopg
from psycopg import sql

from hub.db.connect import first
from ingest.core.batch import SourceFile
from ingest.core.issues import Issue, Tally

PUBLISHED_LOAD = "SELECT {} FROM meta.published p JOIN meta.load l USING (load_id) WHERE p.dataset_id = %s"


def published_load(conn: psycopg.Connection, dataset_id: str, *columns: str) -> tuple | None:
    """Columns of the load that is published for a dataset (the one query every caller shares), or None."""
    stmt = sql.SQL(PUBLISHED_LOAD).format(sql.SQL(", ").join(sql.Identifier("l", c) for c in columns))
    return conn.execute(stmt, (dataset_id,)).fetchone()


def parts(f: SourceFile) -> list[Path]:
    """A source's files: the file itself, or every sidecar of a multi-file format."""
    return sorted(p for p in f.path.parent.glob(f.path.stem + ".*")) if f.fmt in ("shp", "tab") else [f.path]


def size(f: SourceFile) -> int:
    """A source's size in bytes, sidecars included."""
    return sum(p.stat().st_size for p in parts(f))


def listing(files: list[SourceFile]) -> list[dict]:
    """The ledger's file list before hashing: name, format, features and size in bytes."""
    return [{"file": f.display, "format": f.fmt, "features": f.features, "bytes": size(f),
             **({"layer": f.layer} if f.layer else {})} for f in files]


def digest(files: list[SourceFile]) -> tuple[str, list[str]]:
    """SHA-256 over every file's bytes (and sidecars), in order; and each file's own SHA-256."""
    total, each = hashlib.sha256(), []
    for f in files:
        h = hashlib.sha256()
        for part in parts(f):
            with open(part, "rb") as fh:
                for block in iter(lambda: fh.read(1 << 20), b""):
                    h.update(block)
        total.update(f.display.encode() + (f.layer or "").encode() + h.digest())
        each.append(h.hexdigest())
    return total.hexdigest(), each


def could_repeat(conn: psycopg.Connection, ds_id: str, files: list[dict]) -> bool:
    """Whether the published load read files of these names and sizes: only then can this run repeat it, and
    only then must the checksum be known before any work starts (otherwise it is computed alongside the run)."""
    row = published_load(conn, ds_id, "source_files")
    return row is not None and [(f.get("file"), f.get("bytes")) for f in row[0]] == \
        [(f["file"], f["bytes"]) for f in files]


class Checksum:
    """The sources' SHA-256, computed in a side thread once started, or when first asked for (the run starts
    it where a core is idle: beside the core table's ANALYZE, with the file still in the page cache)."""

    def __init__(self, pool: ThreadPoolExecutor, srcs: list[SourceFile]) -> None:
        """Nothing is read yet."""
        self._pool, self._srcs = pool, srcs
        self._future: Future | None = None

    def start(self) -> None:
        """Begin hashing in the pool's thread (once)."""
        if self._future is None:
            self._future = self._pool.submit(digest, self._srcs)

    def result(self) -> tuple[str, list[str]]:
        """(total, per file) hex digests, waiting for them."""
        self.start()
        assert self._future is not None
        return self._future.result()


def add_to_files(conn: psycopg.Connection, load_id: int, extra: list[dict]) -> None:
    """Add fields to each file of the ledger row's file list (in the run's file order)."""
    files = first(conn.execute("SELECT source_files FROM meta.load WHERE load_id = %s", (load_id,)))
    conn.execute("UPDATE meta.load SET source_files = %s WHERE load_id = %s",
                 (json.dumps([{**f, **e} for f, e in zip(files, extra)]), load_id))


def record_digest(conn: psycopg.Connection, load_id: int, checksum: Checksum | None) -> None:
    """Write a checksum computed alongside the run into the ledger row (total and per file)."""
    if checksum is None:
        return
    total, each = checksum.result()
    add_to_files(conn, load_id, [{"sha256": h} for h in each])
    conn.execute("UPDATE meta.load SET source_sha256 = %s WHERE load_id = %s", (total, load_id))


def lock_key(dataset_id: str) -> int:
    """A stable 63-bit advisory lock key per dataset."""
    return int.from_bytes(hashlib.sha256(f"hub:publish:{dataset_id}".encode()).digest()[:8], "big") >> 1


def issue_rows(load_id: int, ds_id: str, issues: list[Issue]):
    """meta.issue rows of Issue objects (set rules, dataset-level findings)."""
    return ((load_id, ds_id, i.file, i.row_no, i.key, i.field, i.rule, i.severity, i.action, i.message, i.table,
             i.location) for i in issues)


def previous_identical(conn: psycopg.Connection, ds_id: str, src_sha: str, cat_sha: str, options: dict):
    """The published load this run would repeat, if any."""
    return conn.execute(
        "SELECT l.load_id, l.rows_in, l.rows_loaded, l.rows_rejected, l.issues_by_rule, l.version FROM meta.published p "
        "JOIN meta.load l USING (load_id) WHERE p.dataset_id = %s AND l.source_sha256 = %s AND l.catalog_sha256 = %s "
        "AND l.options = %s::jsonb", (ds_id, src_sha, cat_sha, json.dumps(options))).fetchone()


def reference_fingerprint(conn: psycopg.Connection) -> str:
    """A digest of the reference data rules depend on (seed files, loaded boundaries)."""
    return first(conn.execute(
        "SELECT md5((SELECT string_agg(file || sha256, ',' ORDER BY file) FROM ref.seed) || ':' || "
        "coalesce((SELECT string_agg(version_id || code || md5(ST_AsBinary(geom_wgs84)), ',' ORDER BY version_id, code) "
        "FROM ref.admin_unit WHERE geom_wgs84 IS NOT NULL), ''))"))


def finish(conn: psycopg.Connection, load_id: int, status: str, tally: Tally | None = None,
           checksum: Checksum | None = None, **extra) -> None:
    """Close the ledger row (with the checksum, when it was computed alongside the run)."""
    record_digest(conn, load_id, checksum)
    vals = {"status": status, "message": extra.get("message"), "version": extra.get("version"),
            "forced": bool(extra.get("forced"))}
    if tally:
        vals.update(rows_in=tally.rows_in, rows_loaded=tally.loaded, rows_rejected=tally.rejected,
                    rows_flagged=tally.flagged, issues_by_rule=json.dumps(dict(tally.by_rule)))
    assigns = sql.SQL(", ").join(sql.SQL("{} = {}").format(sql.Identifier(k), sql.Placeholder(k)) for k in vals)
    conn.execute(sql.SQL("UPDATE meta.load SET {}, finished_at = clock_timestamp() WHERE load_id = {}").format(
        assigns, sql.Placeholder("load_id")), {**vals, "load_id": load_id})
