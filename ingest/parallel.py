"""Chunks transformed in forked worker processes: the Python steps use both cores while the server parses COPY.

Workers are forked after the run's context (catalog entry, reference data, CRS decisions) is built, so they
inherit it instead of receiving it; each reads its own range of the file and returns COPY-ready output. Results
come back in file order and at most `2 × workers` chunks are in flight, so memory stays bounded.
"""

from __future__ import annotations

import multiprocessing
from collections import deque
from concurrent.futures import Future, ProcessPoolExecutor
from typing import Iterator

from ingest import cadastre, sources
from ingest.output import Output

_CTX: cadastre.Context | None = None  # set in the parent just before the fork; read by the workers


def _work(task: tuple[sources.SourceFile, int, int, dict]) -> tuple[int, Output]:
    """In a worker: read one range and transform it."""
    src, start, count, fmap = task
    batch = sources.read_range(src, start, count)
    return len(batch), cadastre.transform(batch, _CTX, fmap)


def _inline(ctx: cadastre.Context, src: sources.SourceFile, chunk_rows: int) -> Iterator[tuple[int, Output]]:
    """Files whose size is unknown up front (Famis DGN) are read and transformed in the parent."""
    fmap = None
    for batch in sources.read_batches(src, chunk_rows):
        fmap = fmap or cadastre.field_map(ctx.ds, list(batch.attrs), src.display)
        yield len(batch), cadastre.transform(batch, ctx, fmap)


def transformed(ctx: cadastre.Context, srcs: list[sources.SourceFile], chunk_rows: int,
                workers: int) -> Iterator[tuple[int, Output]]:
    """(rows read, output) per chunk, in file order."""
    if workers <= 1:
        for src in srcs:
            yield from _inline(ctx, src, chunk_rows)
        return
    global _CTX
    _CTX = ctx
    with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork")) as pool:
        pending: deque[Future] = deque()
        for src in srcs:
            if src.features < 0:
                while pending:
                    yield pending.popleft().result()
                yield from _inline(ctx, src, chunk_rows)
                continue
            fmap = cadastre.field_map(ctx.ds, list(src.fields), src.display)
            for start in range(0, src.features, chunk_rows):
                pending.append(pool.submit(_work, (src, start, chunk_rows, fmap)))
                if len(pending) >= 2 * workers:
                    yield pending.popleft().result()
        while pending:
            yield pending.popleft().result()
