"""Land-use colours completed (TT 08/2024 Phụ lục V / TT 27/2018): rewrite ref.land_use_code.color_hex from the seed
CSV on databases seeded before, and record the file's new checksum."""

from __future__ import annotations

import csv
import hashlib
import io
from pathlib import Path

import psycopg

SEED = Path(__file__).resolve().parents[2] / "ref" / "data" / "land_use_code.csv"


def apply(conn: psycopg.Connection) -> None:
    """One UPDATE per code (bound parameters); the seed ledger row follows the file."""
    raw = SEED.read_bytes()
    rows = [(r["color_hex"] or None, r["code_list"], r["code"])
            for r in csv.DictReader(io.StringIO(raw.decode("utf-8")))]
    conn.execute("SET ROLE hub_owner")
    with conn.cursor() as cur:
        cur.executemany("UPDATE ref.land_use_code SET color_hex = %s WHERE code_list = %s AND code = %s "
                        "AND color_hex IS DISTINCT FROM %s", [(c, cl, code, c) for c, cl, code in rows])
    conn.execute("UPDATE ref.seed SET sha256 = %s WHERE file = %s", (hashlib.sha256(raw).hexdigest(), SEED.name))
    conn.execute("RESET ROLE")
