"""`hub samples …`: generate the synthetic sample data set and the benchmark GeoPackage."""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import click

from hub.memory import gc_paused


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
@click.option("--family", "families", multiple=True, metavar="NAME",
              help="Only these families' samples (repeatable; default: every registered family).")
def generate_cmd(out_dir: Path, scale: float, seed: int, families: tuple[str, ...]) -> None:
    """Write every family's sample files into OUT_DIR (the cadastre's, with manifest.json, first).

    \b
    Cadastre: SHP with VNI bytes and a lying .cpg, GeoPackages (UTF-8/NFD, wrong KTT,
    mislabeled UTM, unclosed ring), Famis DGN V7 sheets with TCVN3 labels, a MapInfo
    TAB with TCVN3 under '!charset WindowsLatin1', admin polygons, lineage and
    sheet renumbering CSVs. manifest.json lists every deliberately broken record.
    Other families write their own files (each with its list of broken records) under
    OUT_DIR, where `hub samples load` finds them.

    \b
    Example:
      hub samples generate ./samples --scale 1 --seed 2025
      hub samples generate ./samples --family cadastre
    """
    from hub.samples.families import generate_all

    t0 = time.perf_counter()
    results = generate_all(out_dir, scale=scale, seed=seed, only=families,
                           progress=lambda msg: click.echo(f"[samples] {msg}", err=True))
    summary: dict = {"out_dir": str(out_dir), "families": sorted(results)}
    manifest = results.get("cadastre")
    if isinstance(manifest, dict) and "files" in manifest:
        counts = {name: info["rows"] for name, info in manifest["files"].items()}
        for name, rows in counts.items():
            click.echo(f"[samples] {name}: {rows} rows", err=True)
        summary.update(files=len(counts), parcels=manifest["parcels"], broken=len(manifest["broken"]))
    summary["seconds"] = round(time.perf_counter() - t0, 2)
    click.echo(json.dumps(summary, ensure_ascii=False))


@samples.command("load")
@click.argument("samples_dir", type=click.Path(file_okay=False, exists=True, path_type=Path))
@click.option("--family", "families", multiple=True, metavar="NAME",
              help="Only these families' demo datasets (repeatable; default: every registered family).")
def load_cmd(samples_dir: Path, families: tuple[str, ...]) -> None:
    """Ingest every family's demo datasets from SAMPLES_DIR (what `make demo` loads).

    \b
    Each family's spec lists its demo datasets and the sample path each one reads; they are
    loaded in registry order (the cadastre first), each as `hub ingest DATASET PATH` would,
    and an identical rerun is a no-op. Reference boundaries come first:
      hub ref load-boundaries SAMPLES_DIR/admin/communes_old.gpkg SAMPLES_DIR/admin/communes_new.gpkg

    \b
    Example:
      hub samples load ./samples
      hub samples load ./samples --family landprice
    """
    from hub.cli.ingest import print_summary
    from hub.samples.families import demo_plan

    with gc_paused():
        from ingest.core.run import Options, run_ingest

    for dataset_id, path in demo_plan(samples_dir, only=families):
        click.echo(f"[samples] hub ingest {dataset_id} {path}", err=True)
        print_summary(run_ingest(dataset_id, [path], Options()))


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
