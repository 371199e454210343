"""Garbage collection during bulk jobs (relata.core.collection)."""

from __future__ import annotations

import gc
import weakref

import pytest

from relata.core.collection import collected_per_chunk


class Node:
    """An object that can sit in a reference cycle and be watched through a weak reference."""

    def __init__(self) -> None:
        self.other: Node | None = None


def cycle() -> weakref.ref[Node]:
    a, b = Node(), Node()
    a.other, b.other = b, a
    return weakref.ref(a)


def test_automatic_collection_pauses_and_each_chunk_collects_its_cycles():
    assert gc.isenabled()
    with collected_per_chunk() as collect:
        assert not gc.isenabled()
        assert gc.get_freeze_count() > 0  # what lived before the job is left out of its collections
        garbage = cycle()
        assert garbage() is not None  # a cycle outlives its last reference until collected
        collect()
        assert garbage() is None
    assert gc.isenabled()
    assert gc.get_freeze_count() == 0


def test_nested_jobs_and_errors_leave_collection_as_it_was():
    with pytest.raises(RuntimeError), collected_per_chunk():
        with collected_per_chunk():
            pass
        assert not gc.isenabled()  # the outer job is still running
        raise RuntimeError("the job failed")
    assert gc.isenabled()
    assert gc.get_freeze_count() == 0


def test_a_process_that_had_collection_off_keeps_it_off():
    gc.disable()
    try:
        with collected_per_chunk():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()
