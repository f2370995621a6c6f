"""Chunks between the parent and forked workers through shared memory, not pickles through pipes.

A chunk travels twice: its source records to a worker (an Arrow IPC stream, ~7 MB per 10 MiB of GeoPackage), its
COPY streams back (~15 MB). Pickled and piped, each is copied four times (pickle, pipe, receive, unpickle) in
64 KiB pipe round trips: over a core-second per million parcels, parent and workers together, on a machine whose
cores are all busy. Instead the parent maps one shared anonymous region before the fork and takes a slot of it for
each task: it writes the records into the slot's input half, which the worker reads in place; the worker writes
its streams into the output half, which the parent hands to libpq in place. The slot is given back once the
streams are copied. A task that finds no free slot, or data too big for its half, uses the pipe as before.
"""

from __future__ import annotations

import mmap
import queue
from functools import partial

import pyarrow as pa
import pyarrow.ipc  # noqa: F401  (pa.ipc)

from ingest.core.output import Output

Span = tuple[int, int]  # (offset, length) in the shared region


class Slots:
    """Fixed-size slots of one shared anonymous mapping; created in the parent before the workers are forked."""

    def __init__(self, count: int, in_size: int, out_size: int) -> None:
        """`count` slots, each with an input and an output half (rounded up to whole pages; a page costs memory only
        once written, and is then reused by every later chunk of the slot)."""
        page = mmap.PAGESIZE
        self.in_size, self.out_size = -(-in_size // page) * page, -(-out_size // page) * page
        self.size = self.in_size + self.out_size
        self._free: queue.SimpleQueue[int] = queue.SimpleQueue()
        try:  # MAP_SHARED | MAP_ANONYMOUS: forked children share the pages
            self.mem: mmap.mmap | None = mmap.mmap(-1, count * self.size)
        except (OSError, OverflowError):  # refused (overcommit limits, huge HUB_INGEST_CHUNK_BYTES): pipes only
            self.mem = None
            return
        for slot in range(count):
            self._free.put(slot)

    def take(self) -> int | None:
        """A free slot, or None (never blocks: the task then travels through the pipe)."""
        try:
            return self._free.get_nowait()
        except queue.Empty:
            return None

    def _mem(self) -> mmap.mmap:
        """The shared pages (a slot exists only when they do)."""
        assert self.mem is not None, "no shared memory: slots are None"
        return self.mem

    def give(self, slot: int) -> None:
        """Return a slot (its streams have been copied, or never arrived)."""
        self._free.put(slot)

    def put_records(self, slot: int | None, batch: pa.RecordBatch) -> Span | pa.Buffer:
        """In the parent: the batch as an Arrow IPC stream in the slot's input half, or in a buffer of its own."""
        if slot is not None:
            start = slot * self.size
            sink = pa.FixedSizeBufferWriter(pa.py_buffer(memoryview(self._mem())[start:start + self.in_size]))
            try:
                _write_stream(sink, batch)
                return start, sink.tell()
            except OSError:  # larger than the half: "Write out of bounds"
                pass
        sink = pa.BufferOutputStream()
        _write_stream(sink, batch)
        return sink.getvalue()

    def records(self, data: Span | pa.Buffer) -> pa.RecordBatch:
        """In a worker: the batch `put_records` stored, read in place."""
        if isinstance(data, tuple):
            start, n = data
            data = pa.py_buffer(memoryview(self._mem())[start:start + n])
        return pa.ipc.open_stream(data).read_next_batch()

    def stash(self, out: Output, slot: int | None) -> list[tuple[str, Span]] | None:
        """In a worker: move the output's streams into the slot's output half; their spans, or None if they stay."""
        sizes = {name: len(data) for name, data in out.streams.items()}
        if slot is None or sum(sizes.values()) > self.out_size:
            return None
        pos, spans = slot * self.size + self.in_size, []
        for name, n in sizes.items():
            self._mem()[pos:pos + n] = out.streams[name]
            spans.append((name, (pos, n)))
            pos += n
        out.streams = {}
        return spans

    def unstash(self, out: Output, slot: int | None, spans: list[tuple[str, Span]] | None) -> Output:
        """In the parent: point the output's streams at the slot and make `out.done()` give it back."""
        if slot is None:
            return out
        if spans is None:
            self.give(slot)
            return out
        view = memoryview(self._mem())
        out.streams = {name: view[pos:pos + n] for name, (pos, n) in spans}
        out.on_done = partial(self.give, slot)
        return out


def _write_stream(sink, batch: pa.RecordBatch) -> None:
    """One record batch as an Arrow IPC stream into `sink`."""
    with pa.ipc.new_stream(sink, batch.schema) as writer:
        writer.write_batch(batch)
