"""Ingest benchmark: the hub's full pipeline vs ogr2ogr (PG_USE_COPY) vs a binary COPY floor, same file, same run.

Usage: `make bench-ingest` (BENCH_PARCELS=1000000 by default; BENCH_PARCELS=200000 for a quick look;
BENCH_ROUNDS=5 interleaved rounds by default, medians reported: single rounds on a shared VM vary by up to 1.4×).
"""

from __future__ import annotations

import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("HUB_DB_NAME", "hub_bench")

from psycopg import sql  # noqa: E402

from hub.db import cluster  # noqa: E402
from hub.db.connect import connect, conninfo, database_name  # noqa: E402
from hub.db.migrate import migrate  # noqa: E402
from hub.samples.bench import generate_bench_gpkg  # noqa: E402
from hub.settings import db_settings, hub_home  # noqa: E402

EPSG = 9210  # VN-2000 TM-3 105°45' (HCMC): inside the EPSG:5194 extent, where the pin matters
# Reading smaps_rollup walks the page tables of every process in the tree (and takes their mmap locks): at 10 Hz
# it cost the measured run ~1 s per 10 s on two cores, so memory is sampled once a second.
SAMPLE_SECONDS = 1.0


def _fresh_database() -> None:
    """A clean benchmark database with the hub's migrations."""
    if db_settings().embedded:
        cluster.up(db_settings())
    with connect("admin", dbname="postgres", autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(database_name())))
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(database_name())))
    migrate()


def _tree_pss_mib(pid: int) -> float:
    """PSS of a process and all its descendants (shared and copy-on-write pages split fairly), in MiB."""
    total, todo = 0, [pid]
    while todo:
        p = todo.pop()
        try:
            with open(f"/proc/{p}/smaps_rollup") as fh:
                total += next(int(line.split()[1]) for line in fh if line.startswith("Pss:"))
            for task in os.listdir(f"/proc/{p}/task"):
                with open(f"/proc/{p}/task/{task}/children") as fh:
                    todo += [int(c) for c in fh.read().split()]
        except (OSError, StopIteration):
            continue
    return total / 1024


def _timed(cmd: list[str], env: dict | None = None, stdout=subprocess.DEVNULL) -> tuple[float, float]:
    """Run a command; (seconds, peak PSS MiB of its whole process tree, sampled every SAMPLE_SECONDS)."""
    t0 = time.monotonic()
    proc = subprocess.Popen(cmd, env={**os.environ, **(env or {})}, stdout=stdout)
    peak = 0.0
    while True:
        peak = max(peak, _tree_pss_mib(proc.pid))
        try:
            proc.wait(timeout=SAMPLE_SECONDS)  # returns the moment the command ends: no polling delay in the time
            break
        except subprocess.TimeoutExpired:
            continue
    secs = time.monotonic() - t0
    if proc.returncode:
        raise SystemExit(f"{cmd[0]} failed with status {proc.returncode}")
    return secs, peak


def _settle() -> None:
    """Start every loader from the same state: dirty buffers written out (the fresh database's migrations, or
    the previous loader's rows, would otherwise be flushed by the checkpointer during the next timed run), and the
    kernel's dirty pages too (the floor's dump file, a dropped database's freed blocks)."""
    with connect("admin", autocommit=True) as conn:
        conn.execute("CHECKPOINT")
    os.sync()


def _warm(path: Path) -> None:
    """Read the source file once so that every loader, the first one too, reads it from the page cache."""
    with open(path, "rb") as fh:
        while fh.read(1 << 24):
            pass


def _copy_floor(n: int) -> float:
    """Seconds to COPY a prepared binary dump of the ogr2ogr table back in (the server-side floor)."""
    with tempfile.TemporaryDirectory() as tmp, connect("admin", autocommit=True) as conn:
        dump = Path(tmp) / "dump.bin"
        with open(dump, "wb") as fh, conn.cursor().copy("COPY public.bench_ogr TO STDOUT (FORMAT binary)") as cp:
            for block in cp:
                fh.write(block)
        conn.execute("DROP TABLE IF EXISTS public.bench_floor")
        conn.execute("CREATE TABLE public.bench_floor (LIKE public.bench_ogr)")
        _settle()
        t0 = time.monotonic()
        with open(dump, "rb") as fh, conn.cursor().copy("COPY public.bench_floor FROM STDIN (FORMAT binary)") as cp:
            while block := fh.read(1 << 20):
                cp.write(block)
        conn.execute("CREATE INDEX ON public.bench_floor USING gist (geom)")
        return time.monotonic() - t0


def _round(src: Path, n: int) -> tuple[dict[str, tuple[float, float | None]], dict[str, float]]:
    """One round of the three loaders on a fresh database: {loader: (seconds, peak MiB or None)}, and the hub's
    own phase times (seconds inside the run; the rest of its time is interpreter start-up and imports)."""
    _fresh_database()
    _settle()
    with tempfile.TemporaryFile() as summary:
        out = {"hub": _timed([sys.executable, "-m", "hub.cli.main", "ingest", "cadastre_upload", str(src), "--force",
                              "--json"], {"HUB_INGEST_PROGRESS": "false"}, summary)}
        summary.seek(0)
        phases = json.load(summary).get("phases_seconds", {})
    pg = conninfo("admin", tcp=False)
    _settle()
    out["ogr2ogr"] = _timed(["ogr2ogr", "-f", "PostgreSQL", f"PG:{pg}", str(src), "-nln", "public.bench_ogr",
                             "-t_srs", "EPSG:4326", "-lco", "GEOMETRY_NAME=geom", "-nlt", "PROMOTE_TO_MULTI",
                             "-overwrite"], {"PG_USE_COPY": "YES"})
    _settle()
    out["floor"] = (_copy_floor(n), None)
    return out, phases


def main() -> None:
    """Run the three loaders on one file, BENCH_ROUNDS times interleaved (the VM's speed drifts over minutes:
    each round compares loaders measured within a minute of each other); print rows/s, peak memory, ratios."""
    n = int(os.environ.get("BENCH_PARCELS", "1000000"))
    rounds = int(os.environ.get("BENCH_ROUNDS", "5"))
    src = hub_home() / "bench" / f"parcels_{n}_{EPSG}.gpkg"
    if not src.exists():
        src.parent.mkdir(parents=True, exist_ok=True)
        generate_bench_gpkg(src, n, epsg=EPSG)
    _warm(src)
    print(f"# ingest benchmark: {n:,} parcels, GeoPackage EPSG:{EPSG}, {platform.node()}, "
          f"{os.cpu_count()} cores, {time.strftime('%Y-%m-%d %H:%M')}, {rounds} round(s)")
    runs = []
    for r in range(rounds):
        got, phases = _round(src, n)
        runs.append(got)
        print(f"round {r + 1}: hub {got['hub'][0]:.1f} s, ogr2ogr {got['ogr2ogr'][0]:.1f} s, floor "
              f"{got['floor'][0]:.1f} s; hub/ogr2ogr {got['ogr2ogr'][0] / got['hub'][0]:.2f}x, "
              f"hub/floor {got['hub'][0] / got['floor'][0]:.2f}x; hub phases "
              + ", ".join(f"{k} {v:.2f}" for k, v in phases.items()), flush=True)
    med = {k: statistics.median(run[k][0] for run in runs) for k in ("hub", "ogr2ogr", "floor")}
    peak = {k: max((run[k][1] for run in runs if run[k][1] is not None), default=None) for k in med}
    print(f"{'loader (median of rounds)':<30} {'seconds':>8} {'rows/s':>9} {'peak MiB (PSS, process tree)':>9}")
    for key, name in (("hub", "hub ingest (full pipeline)"), ("ogr2ogr", "ogr2ogr PG_USE_COPY"),
                      ("floor", "binary COPY floor + GiST")):
        print(f"{name:<30} {med[key]:>8.1f} {n / med[key]:>9,.0f} {'-' if peak[key] is None else round(peak[key]):>9}")
    per_round = [(run["ogr2ogr"][0] / run["hub"][0], run["hub"][0] / run["floor"][0]) for run in runs]
    print(f"hub / ogr2ogr rows/s ratio: {med['ogr2ogr'] / med['hub']:.2f}x (target >= 1.5x; rounds "
          f"{min(a for a, _ in per_round):.2f}-{max(a for a, _ in per_round):.2f}x)")
    print(f"hub / COPY floor time ratio: {med['hub'] / med['floor']:.2f}x (target <= 3x; rounds "
          f"{min(b for _, b in per_round):.2f}-{max(b for _, b in per_round):.2f}x)")


if __name__ == "__main__":
    main()
