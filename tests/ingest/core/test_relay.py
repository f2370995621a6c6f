"""The shared-memory relay between the parent and forked workers: data arrives intact, slots come back, and
whatever does not fit falls back to the pipe."""

from __future__ import annotations

import multiprocessing
from concurrent.futures import ProcessPoolExecutor

import pyarrow as pa

from ingest.core.output import Output
from ingest.core.relay import Slots

_SHARED: Slots | None = None


def _batch(rows: int) -> pa.RecordBatch:
    """Text and binary columns, like a GeoPackage chunk."""
    return pa.record_batch([pa.array([f"Ấp {i}" for i in range(rows)]), pa.array([bytes([i % 256]) * 40
                                                                                     for i in range(rows)])],
                           names=["DiaChi", "geom"])


def _in_child(slot: int, data) -> tuple[Output, list | None, int]:
    """A forked worker: read the records from shared memory, answer with streams written back into it."""
    rb = _SHARED.records(data)
    out = Output(streams={"core": b"core" * rb.num_rows, "personal": b"", "sensitive": b"s", "issues": b"issues"})
    return out, _SHARED.stash(out, slot), rb.num_rows


def test_records_and_streams_cross_the_fork_through_shared_memory():
    """Records written by the parent are read in place by a forked child; its streams come back as views of the
    slot, equal to what it wrote; done() gives the slot back."""
    global _SHARED
    slots = _SHARED = Slots(2, 64 << 10, 64 << 10)
    rb = _batch(500)
    slot = slots.take()
    data = slots.put_records(slot, rb)
    assert isinstance(data, tuple)  # in shared memory, not a buffer to pickle
    with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("fork")) as pool:
        out, spans, rows = pool.submit(_in_child, slot, data).result()
    assert rows == 500 and spans is not None and out.streams.get("core", b"") == b""  # nothing big went through the pipe
    out = slots.unstash(out, slot, spans)
    assert isinstance(out.streams["core"], memoryview)
    assert bytes(out.streams["core"]) == b"core" * 500 and bytes(out.streams["sensitive"]) == b"s"
    assert bytes(out.streams["issues"]) == b"issues" and bytes(out.streams["personal"]) == b""
    assert slots.take() is not None and slots.take() is None  # one slot left free, the other still held
    out.done()
    assert out.streams["core"] == b"" and slots.take() == slot  # released, and the views dropped


def test_what_does_not_fit_goes_through_the_pipe_and_the_slot_comes_back():
    """Records larger than the input half are serialised on their own; streams larger than the output half stay
    in the Output; either way the slot is returned."""
    slots = Slots(1, 4096, 4096)
    slot = slots.take()
    big = _batch(2000)
    data = slots.put_records(slot, big)
    assert isinstance(data, pa.Buffer) and slots.records(data).equals(big)
    out = Output(streams={"core": b"x" * 10_000})
    assert slots.stash(out, slot) is None and out.streams["core"] == b"x" * 10_000
    assert slots.unstash(out, slot, None) is out and out.on_done is None
    assert slots.take() == slot  # given back at once: nothing of the task lives in the slot any more


def test_a_task_without_a_slot_uses_the_pipe():
    """When every slot is taken, take() answers None at once and the task's data travels as before."""
    slots = Slots(1, 4096, 4096)
    assert slots.take() == 0 and slots.take() is None
    data = slots.put_records(None, _batch(3))
    assert isinstance(data, pa.Buffer) and slots.records(data).num_rows == 3
    out = Output(streams={"core": b"abc"})
    assert slots.stash(out, None) is None and slots.unstash(out, None, None).streams["core"] == b"abc"


def test_a_mapping_the_system_refuses_leaves_every_task_on_the_pipe():
    """Slots too big to map (a huge HUB_INGEST_CHUNK_BYTES, overcommit limits) are no error: no slot is ever
    free, so records and streams take the pipe."""
    slots = Slots(6, 1 << 62, 1 << 62)
    assert slots.mem is None and slots.take() is None
    data = slots.put_records(slots.take(), _batch(5))
    assert isinstance(data, pa.Buffer) and slots.records(data).num_rows == 5
