"""Load the reference seed CSVs (hub/ref/data) into ref.*, recording each file's checksum."""

from __future__ import annotations

import csv
import hashlib
import json
from pathlib import Path

import psycopg
from psycopg import sql

DATA = Path(__file__).resolve().parents[2] / "ref" / "data"
# Load order follows the foreign keys.
FILES = ("code_list", "land_use_code", "land_use_code_map", "admin_version", "admin_unit", "admin_lineage",
         "crs_zone", "datum_op")


def _columns(conn: psycopg.Connection, table: str) -> set[str]:
    """The allowlist of a ref table's columns, read from the catalog."""
    rows = conn.execute("SELECT column_name FROM information_schema.columns WHERE table_schema = 'ref' "
                        "AND table_name = %s", (table,)).fetchall()
    return {r[0] for r in rows}


def apply(conn: psycopg.Connection) -> None:
    """COPY every seed file into its table (header names must be columns of the table)."""
    manifest = json.loads((DATA / "MANIFEST.json").read_text(encoding="utf-8"))
    conn.execute("SET ROLE hub_owner")
    for name in FILES:
        path = DATA / f"{name}.csv"
        raw = path.read_bytes()
        header = next(csv.reader([raw.decode("utf-8").split("\n", 1)[0]]))
        unknown = set(header) - _columns(conn, name)
        if unknown:
            raise ValueError(f"{path.name}: columns {sorted(unknown)} are not in ref.{name}")
        stmt = sql.SQL("COPY {} ({}) FROM STDIN WITH (FORMAT csv, HEADER true)").format(
            sql.Identifier("ref", name), sql.SQL(", ").join(map(sql.Identifier, header)))
        with conn.cursor() as cur, cur.copy(stmt) as copy:
            copy.write(raw)
        rows = conn.execute(sql.SQL("SELECT count(*) FROM {}").format(sql.Identifier("ref", name))).fetchone()[0]
        source = (manifest.get(f"{name}.csv") or manifest.get(name) or {}).get("source")
        conn.execute("INSERT INTO ref.seed (file, rows, sha256, source) VALUES (%s, %s, %s, %s)",
                     (path.name, rows, hashlib.sha256(raw).hexdigest(), source))
    conn.execute("RESET ROLE")
