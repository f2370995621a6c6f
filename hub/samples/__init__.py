"""Deterministic synthetic sample data of the hub (domain spec §11): cadastre sample set and benchmark GeoPackage."""

from hub.samples.bench import generate_bench_gpkg
from hub.samples.generate import generate

__all__ = ["generate", "generate_bench_gpkg"]
