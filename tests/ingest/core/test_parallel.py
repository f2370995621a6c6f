"""Chunking: how many rows a file's chunks hold."""

from __future__ import annotations

from ingest.core.parallel import rows_per_chunk


def test_chunks_are_sized_by_bytes_read_not_rows():
    """Chunk rows follow the file's bytes per feature (heavy parcels: fewer rows), capped, in hundreds."""
    assert rows_per_chunk(1_000_000, 303_000_000, 50_000, 10 << 20) == 34_600   # 5-vertex parcels, 303 B each
    assert rows_per_chunk(1_000_000, 3_030_000_000, 50_000, 10 << 20) == 3_400  # 10× the vertices: 10× fewer rows
    assert rows_per_chunk(1_000_000, 30_000_000, 50_000, 10 << 20) == 50_000    # tiny features: the cap
    assert rows_per_chunk(10, 10_000_000_000, 50_000, 10 << 20) == 100          # never below 100
    assert rows_per_chunk(-1, 5_000, 50_000, 10 << 20) == 50_000                # unknown count (DGN): the cap
