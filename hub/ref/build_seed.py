"""Build the reference seed CSVs in hub/ref/data deterministically: `python -m hub.ref.build_seed [--check]`.

Every CSV is UTF-8 (NFC), LF, comma-separated, RFC 4180 quoting, header = ref table columns, rows sorted by their
text fields; booleans are written `true`/`false`, NULL as an empty unquoted field (PostgreSQL COPY csv).
MANIFEST.json records rows, sha256 and source per file. `--check` exits 1 if a committed file differs.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import io
import json
import sys
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from importlib.metadata import version
from pathlib import Path

from hub.ref import admin_units, crs_zones, landuse_codes, landuse_map

DATA_DIR = Path(__file__).resolve().parent / "data"
GENERATED_BY = "python -m hub.ref.build_seed"
_SPEC = "docs vietnam-land-data.md"


@dataclass(frozen=True)
class Table:
    """One seed file: its header, row producer and provenance text."""

    file: str
    header: tuple[str, ...]
    rows: Callable[[], Iterable[tuple]]
    source: Callable[[], str]


def _pkg(name: str) -> str:
    """'name version' of an installed distribution."""
    return f"{name} {version(name)}"


def _admin_source() -> str:
    """Provenance of admin_unit.csv."""
    return (f"{_pkg('vietnamadminunits')} (data/dataset.db admin_units_legacy); "
            f"{_pkg('vietnam-provinces')} (data/nested-divisions.json)")


def _lineage_source() -> str:
    """Provenance of admin_lineage.csv."""
    return (f"{_pkg('vietnamadminunits')} (data/converter_2025.json, data/dataset.db); "
            f"{_pkg('vietnam-provinces')} (new commune codes)")


TABLES = (
    Table("code_list.csv", landuse_codes.CODE_LIST_HEADER, lambda: landuse_codes.CODE_LISTS,
          lambda: f"{_SPEC} §1.5, §10 (hub/ref/landuse_codes.py)"),
    Table("land_use_code.csv", landuse_codes.LAND_USE_HEADER, landuse_codes.land_use_code_rows,
          lambda: f"{_SPEC} §1.5 (hub/ref/landuse_codes.py)"),
    Table("land_use_code_map.csv", landuse_map.MAP_HEADER, landuse_map.land_use_map_rows,
          lambda: f"{_SPEC} §1.5 crosswalk rules (hub/ref/landuse_map.py)"),
    Table("admin_version.csv", admin_units.VERSION_HEADER, lambda: admin_units.VERSIONS,
          lambda: f"{_SPEC} §3.1 (hub/ref/admin_units.py)"),
    Table("admin_unit.csv", admin_units.UNIT_HEADER, admin_units.admin_unit_rows, _admin_source),
    Table("admin_lineage.csv", admin_units.LINEAGE_HEADER, admin_units.admin_lineage_rows, _lineage_source),
    Table("crs_zone.csv", crs_zones.CRS_HEADER, crs_zones.crs_zone_rows,
          lambda: f"{_SPEC} §2.3, TT 973/2001/TT-TCĐC (hub/ref/crs_zones.py)"),
    Table("datum_op.csv", crs_zones.DATUM_HEADER, crs_zones.datum_op_rows,
          lambda: f"{_SPEC} §2.4, EPSG 6960/5194 (hub/ref/crs_zones.py)"),
)


def _cell(value: object) -> str:
    """CSV text of one value: NFC strings, lowercase booleans, '' for None."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return "" if value is None else unicodedata.normalize("NFC", str(value))


def render(header: tuple[str, ...], rows: Iterable[tuple]) -> tuple[bytes, int]:
    """The CSV bytes of a table (header, then rows sorted by their text cells) and its row count."""
    cells = sorted(tuple(_cell(v) for v in row) for row in rows)
    bad = [row for row in cells if len(row) != len(header)]
    dupes = [a for a, b in zip(cells, cells[1:]) if a == b]
    if bad or dupes:
        raise ValueError(f"{header}: rows not matching the header {bad[:3]}, duplicated rows {dupes[:3]}")
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerow(header)
    writer.writerows(cells)
    return buf.getvalue().encode("utf-8"), len(cells)


def build() -> dict[str, bytes]:
    """All seed files (CSVs and MANIFEST.json) as name -> bytes."""
    files, manifest = {}, {}
    for table in TABLES:
        data, count = render(table.header, table.rows())
        files[table.file] = data
        manifest[table.file] = {"rows": count, "sha256": hashlib.sha256(data).hexdigest(),
                                "source": table.source(), "generated_by": GENERATED_BY}
    text = json.dumps(manifest, ensure_ascii=False, indent=2, sort_keys=True) + "\n"
    files["MANIFEST.json"] = text.encode("utf-8")
    return files


def stale_files(files: dict[str, bytes], data_dir: Path = DATA_DIR) -> list[str]:
    """Names of files whose committed bytes differ from `files` (or are missing)."""
    return [name for name, data in files.items()
            if not (data_dir / name).is_file() or (data_dir / name).read_bytes() != data]


def main(argv: list[str] | None = None) -> int:
    """CLI: write the seed files, or with --check report (exit 1) those that are out of date."""
    parser = argparse.ArgumentParser(prog="python -m hub.ref.build_seed", description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="do not write; exit 1 if committed files differ")
    args = parser.parse_args(argv)
    files = build()
    stale = stale_files(files)
    if args.check:
        for name in stale:
            print(f"out of date: hub/ref/data/{name}", file=sys.stderr)
        return 1 if stale else 0
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    for name in stale:
        (DATA_DIR / name).write_bytes(files[name])
        print(f"wrote hub/ref/data/{name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
