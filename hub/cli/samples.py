"""`hub samples …`: generate the synthetic sample data set and the benchmark GeoPackage."""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import click


@click.group("samples")
def samples() -> None:
    """Synthetic, deterministic sample data (domain spec §11).

    \b
    Examples:
      hub samples generate ./data/samples
      hub samples generate /tmp/samples --scale 0.2 --seed 7
      hub samples bench /tmp/bench.gpkg --parcels 1000000 --epsg 9210
    """


@samples.command("generate")
@click.argument("out_dir", type=click.Path(file_okay=False, path_type=Path))
@click.option("--scale", type=click.FloatRange(min=0.01, max=50.0), default=1.0, show_default=True,
              help="Multiplies the parcels per sheet (1.0 ≈ 5,000 Cần Thơ + 3,000 Tuyên Quang parcels).")
@click.option("--seed", type=int, default=2025, show_default=True, help="Random seed; same seed ⇒ same bytes.")
def generate_cmd(out_dir: Path, scale: float, seed: int) -> None:
    """Write the cadastre sample set (Cần Thơ + Tuyên Quang) and manifest.json into OUT_DIR.

    \b
    Files: SHP with VNI bytes and a lying .cpg, GeoPackages (UTF-8/NFD, wrong KTT,
    mislabeled UTM, unclosed ring), Famis DGN V7 sheets with TCVN3 labels, a MapInfo
    TAB with TCVN3 under '!charset WindowsLatin1', admin polygons, lineage and
    sheet renumbering CSVs. manifest.json lists every deliberately broken record.

    \b
    Example:
      hub samples generate ./samples --scale 1 --seed 2025
    """
    from hub.samples import generate

    t0 = time.perf_counter()
    manifest = generate(out_dir, scale=scale, seed=seed,
                        progress=lambda msg: click.echo(f"[samples] {msg}", err=True))
    counts = {name: info["rows"] for name, info in manifest["files"].items()}
    for name, rows in counts.items():
        click.echo(f"[samples] {name}: {rows} rows", err=True)
    click.echo(json.dumps({"out_dir": str(out_dir), "files": len(counts), "parcels": manifest["parcels"],
                           "broken": len(manifest["broken"]),
                           "seconds": round(time.perf_counter() - t0, 2)}, ensure_ascii=False))


@samples.command("bench")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--parcels", "n_parcels", type=click.IntRange(min=1, max=5_000_000), required=True,
              help="Number of parcels to write (≈ 50k per chunk, memory stays flat).")
@click.option("--epsg", type=int, default=9210, show_default=True, help="VN-2000 TM-3/UTM zone of the grid.")
@click.option("--seed", type=int, default=7, show_default=True)
def bench_cmd(path: Path, n_parcels: int, epsg: int, seed: int) -> None:
    """Write a large clean GeoPackage of N parcels to PATH for performance tests.

    \b
    Example:
      hub samples bench /tmp/bench_1m.gpkg --parcels 1000000 --epsg 9210
    """
    from hub.samples import generate_bench_gpkg

    t0 = time.perf_counter()
    with click.progressbar(length=n_parcels, label="parcels", file=sys.stderr) as bar:
        try:
            generate_bench_gpkg(path, n_parcels, epsg=epsg, seed=seed, progress=bar.update)
        except ValueError as exc:
            raise click.BadParameter(str(exc)) from exc
    click.echo(json.dumps({"path": str(path), "parcels": n_parcels, "epsg": epsg,
                           "seconds": round(time.perf_counter() - t0, 2)}))
