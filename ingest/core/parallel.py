"""Chunks transformed in forked worker processes: the Python steps use both cores while the server parses COPY.

Workers are forked after the run's context (catalog entry, reference data, CRS decisions) is built, so they
inherit it instead of receiving it. The parent streams UTF-8 formats through GDAL's Arrow reader and hands each
record batch over; legacy formats are read by range in the workers. Workers return COPY-ready output. Records and
outputs travel through shared memory (`ingest.core.relay`). Results come back in file order and at most `2 × workers`
chunks are in flight, so memory stays bounded.
"""

from __future__ import annotations

import ctypes
import gc
import multiprocessing
from collections import deque
from collections.abc import Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import replace

from hub.memory import gc_paused
from ingest import sources
from ingest.core.family import Context, FieldMap, Pipeline
from ingest.core.output import Output
from ingest.core.relay import Slots

EDGE_PIECES = 4  # a file's first and last chunks are split this many ways
_CTX: Context | None = None  # set in the parent just before the fork; read by the workers
_PIPE: Pipeline | None = None  # likewise: the family's pipeline
_SLOTS: Slots | None = None  # likewise: the shared memory the workers write their outputs into


def _keep_freed_memory() -> None:
    """Let glibc reuse freed chunk buffers instead of returning them to the kernel after every chunk.

    Each chunk allocates and frees a few buffers of 10–30 MB (COPY streams, serialised batches). Above glibc's
    default mmap threshold every one is a fresh mmap that the kernel must zero-fill page by page, then unmap:
    measured as a quarter of the transform's time. Raising the thresholds keeps that memory in the heap for the
    next chunk; the peak stays bounded by the chunks in flight."""
    try:
        libc = ctypes.CDLL("libc.so.6")
    except OSError:
        return
    libc.mallopt(_M_MMAP_THRESHOLD, 256 << 20)
    libc.mallopt(_M_TRIM_THRESHOLD, 512 << 20)


_M_TRIM_THRESHOLD, _M_MMAP_THRESHOLD = -1, -3  # glibc malloc.h


def _work(slot: int | None, task: tuple) -> tuple[int, Output, list | None]:
    """In a worker: turn one task into a batch (an Arrow record batch read by the parent, or a range of a
    legacy-format file read here), transform it, and put the output's streams in the task's relay slot."""
    src, fmap, kind, *args = task
    assert _SLOTS is not None and _PIPE is not None and _CTX is not None, "set by the pool's initializer"
    with gc_paused():  # reading too: parsing 25k geometries alone is enough allocations to trigger full collections
        if kind == "arrow":
            data, geom_col, start = args
            batch = sources.from_arrow(src, _SLOTS.records(data), geom_col, start)
        else:
            batch = sources.read_range(src, *args)
        out = _PIPE.transform(batch, _CTX, fmap)
    return len(batch), out, _SLOTS.stash(out, slot)


def rows_per_chunk(features: int, size: int, max_rows: int, target_bytes: int) -> int:
    """Rows per chunk for a file of `features` features and `size` bytes: about `target_bytes` of it per chunk, at
    most max_rows, a multiple of 100. A 200-vertex parcel weighs as much as forty 5-vertex ones, so rows alone
    would not bound memory; and small features get big chunks (each chunk costs ~15 ms of fixed work)."""
    if features <= 0 or size <= 0:
        return max_rows
    rows = int(target_bytes * features // size)
    return max(100, min(max_rows, rows - rows % 100))


def _tasks(src: sources.SourceFile, fmap: FieldMap, chunk_rows: int) -> Iterator[tuple]:
    """The work items of one file, in file order. An Arrow item's record batch must be serialised before the next
    item is asked for: GDAL's batch memory must not be touched after the reader moves on or closes."""
    if src.fmt in sources.UTF8_FORMATS:
        for rb, geom_col, start in sources.arrow_chunks(src, chunk_rows):
            # The file's first and last chunks go out in quarters: the server starts copying sooner, and less is
            # left to copy once the workers have finished.
            edge = start == 1 or 0 <= src.features < start + rb.num_rows
            step = max(1, -(-rb.num_rows // EDGE_PIECES)) if edge else max(1, rb.num_rows)
            for offset in range(0, rb.num_rows, step):
                yield src, fmap, "arrow", rb.slice(offset, step), geom_col, start + offset
    else:
        for start in range(0, src.features, chunk_rows):
            yield src, fmap, "range", start, chunk_rows


def _inline(ctx: Context, pipe: Pipeline, src: sources.SourceFile, fmaps: dict[str, FieldMap],
            chunk_rows: int) -> Iterator[tuple[int, Output]]:
    """Files read sequentially by their reader (size unknown up front: Famis DGN; row-by-row formats: CSV, XLSX,
    station files) are read and transformed in the parent; their field map comes from the first batch when the
    file's fields were not known before reading."""
    for batch in sources.read_batches(src, chunk_rows, ctx.ds):
        if src.display not in fmaps:
            fmaps[src.display] = pipe.field_map(ctx, replace(src, fields=tuple(batch.attrs)))
        with gc_paused():
            out = pipe.transform(batch, ctx, fmaps[src.display])
        yield len(batch), out


def transformed(ctx: Context, pipe: Pipeline, srcs: list[sources.SourceFile], fmaps: dict[str, FieldMap],
                rows_for: dict[str, int], workers: int, chunk_bytes: int) -> Iterator[tuple[int, Output]]:
    """(rows read, output) per chunk, in file order; `fmaps` gives each file's field map, `rows_for` its chunk
    rows and `chunk_bytes` (HUB_INGEST_CHUNK_BYTES) sizes the shared-memory slots. Call each output's `done()`
    once its streams are copied: in parallel runs they live in shared memory that later chunks reuse."""
    # Everything alive now (modules, catalog, reference data) is left out of garbage collections, here and in the
    # forked workers: a full collection would otherwise walk it all (~0.1 s each, several per million rows), and
    # in a worker touch, hence copy, every page of it.
    gc.freeze()
    try:
        if workers <= 1:
            for src in srcs:
                if sources.sequential(src, ctx.ds):
                    yield from _inline(ctx, pipe, src, fmaps, rows_for[src.display])
                else:
                    for task in _tasks(src, fmaps[src.display], rows_for[src.display]):
                        yield _in_parent(ctx, pipe, task)
        else:
            yield from _pooled(ctx, pipe, srcs, fmaps, rows_for, workers, chunk_bytes)
    finally:
        gc.unfreeze()


def _in_parent(ctx: Context, pipe: Pipeline, task: tuple) -> tuple[int, Output]:
    """One task of a random-access file transformed in this process (single-worker runs)."""
    src, fmap, kind, *args = task
    with gc_paused():
        if kind == "arrow":
            rb, geom_col, start = args
            batch = sources.from_arrow(src, rb, geom_col, start)
        else:
            batch = sources.read_range(src, *args)
        return len(batch), pipe.transform(batch, ctx, fmap)


def _pooled(ctx: Context, pipe: Pipeline, srcs: list[sources.SourceFile], fmaps: dict[str, FieldMap],
            rows_for: dict[str, int], workers: int, chunk_bytes: int) -> Iterator[tuple[int, Output]]:
    """`transformed` with a pool of forked workers."""
    global _CTX, _PIPE, _SLOTS
    # Chunks alive at once: up to 2 × workers submitted, one being copied, one just handed over. A chunk's records
    # take ~0.7× its source bytes as Arrow IPC, its COPY streams ~1.5×: halves of 2× and 4× leave room.
    slots = _SLOTS = Slots(2 * workers + 2, 2 * chunk_bytes, 4 * chunk_bytes)
    _CTX, _PIPE = ctx, pipe
    _keep_freed_memory()  # before the fork: the workers inherit it

    def result(job: tuple[int | None, Future]) -> tuple[int, Output]:
        slot, future = job
        rows, out, spans = future.result()
        return rows, slots.unstash(out, slot, spans)

    try:
        with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork")) as pool:
            pending: deque[tuple[int | None, Future]] = deque()
            for src in srcs:
                if sources.sequential(src, ctx.ds):
                    while pending:
                        yield result(pending.popleft())
                    yield from _inline(ctx, pipe, src, fmaps, rows_for[src.display])
                    continue
                for task in _tasks(src, fmaps[src.display], rows_for[src.display]):
                    slot = slots.take()
                    if task[2] == "arrow":
                        task = (*task[:3], slots.put_records(slot, task[3]), *task[4:])
                    pending.append((slot, pool.submit(_work, slot, task)))
                    if len(pending) >= 2 * workers:
                        yield result(pending.popleft())
            while pending:
                yield result(pending.popleft())
    finally:
        _SLOTS = None  # the mapping itself goes once the last output's views are gone
