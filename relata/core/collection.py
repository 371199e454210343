"""Python's garbage collection during bulk jobs (the client import).

A chunk of 1,000 imported rows allocates some 100,000 container objects, and the rows'
plans and the clients they write refer to each other (cycles). Python's automatic
collector then runs a full pass over everything the process holds (Django's models,
URL patterns, translations, the job's own state) every few chunks: a quarter of the
import's time, measured by `bench.client_import`.

`collected_per_chunk` pauses automatic collection for the job and collects once per
chunk instead; what was alive when the job started is frozen (`gc.freeze`), so that
collection only looks at what the job itself made: a few milliseconds a chunk.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager

_lock = threading.Lock()
_depth = 0  # jobs inside the context (a threaded worker may run two at once)
_was_enabled = True


def _collect() -> None:
    gc.collect()


@contextmanager
def collected_per_chunk() -> Iterator[Callable[[], None]]:
    """Yield the function to call after each chunk. Automatic collection comes back
    when the last job using this leaves it, as it was."""
    global _depth, _was_enabled
    with _lock:
        if _depth == 0:
            _was_enabled = gc.isenabled()
            gc.disable()
            gc.freeze()
        _depth += 1
    try:
        yield _collect
    finally:
        with _lock:
            _depth -= 1
            if _depth == 0:
                gc.unfreeze()
                if _was_enabled:
                    gc.enable()
