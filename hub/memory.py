"""The cyclic garbage collector, paused where a burst of allocations holds no garbage cycles."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector for the block (reference counting still frees everything acyclic).

    Collections are triggered by allocation counts, and each rescans the live objects of its generations: a burst
    that allocates 10⁵–10⁶ objects, none of them cyclic garbage (importing the GIS libraries at start-up, parsing a
    chunk's geometries, transforming it), pays for collections that find nothing: ~0.1 s of `hub ingest`'s
    imports, up to a third of a chunk's transform."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()
