"""The service's small cache: made once however many ask at once, and nothing kept after a discard."""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import pytest

from api.service import _Cache

KEY = ("firm-a", "cal-1")


def _slow_maker(
    release: threading.Event, started: threading.Event, calls: list[int], value: object = "drawn"
) -> Callable[[], object]:
    def make() -> object:
        calls.append(1)
        started.set()
        assert release.wait(timeout=10)
        return value

    return make


def test_callers_asking_at_once_share_one_making() -> None:
    cache: _Cache[object] = _Cache(4)
    release, started, calls = threading.Event(), threading.Event(), []
    make = _slow_maker(release, started, calls)
    with ThreadPoolExecutor(max_workers=6) as pool:
        first = pool.submit(cache.get, KEY, make)
        assert started.wait(timeout=10)
        others = [pool.submit(cache.get, KEY, make) for _ in range(5)]
        release.set()
        results = [first.result(timeout=10), *(f.result(timeout=10) for f in others)]
    assert results == ["drawn"] * 6
    assert len(calls) == 1
    assert cache.peek(KEY) == "drawn"


def test_an_error_reaches_every_waiting_caller_and_is_not_kept() -> None:
    cache: _Cache[object] = _Cache(4)
    started, release = threading.Event(), threading.Event()

    def failing() -> object:
        started.set()
        assert release.wait(timeout=10)
        raise ValueError("no such calibration")

    with ThreadPoolExecutor(max_workers=3) as pool:
        first = pool.submit(cache.get, KEY, failing)
        assert started.wait(timeout=10)
        waiting = pool.submit(cache.get, KEY, lambda: "should not be made")
        release.set()
        for future in (first, waiting):
            with pytest.raises(ValueError, match="no such calibration"):
                future.result(timeout=10)
    assert cache.peek(KEY) is None
    assert cache.get(KEY, lambda: "made again") == "made again"  # a failure is retried, not remembered


def test_a_value_made_while_its_key_is_discarded_is_returned_but_not_kept() -> None:
    """A calibration deleted while its model loads must not be served from the cache afterwards."""
    cache: _Cache[object] = _Cache(4)
    release, started, calls = threading.Event(), threading.Event(), []
    with ThreadPoolExecutor(max_workers=1) as pool:
        loading = pool.submit(cache.get, KEY, _slow_maker(release, started, calls, value="model"))
        assert started.wait(timeout=10)
        cache.discard(KEY)
        release.set()
        assert loading.result(timeout=10) == "model"
    assert cache.peek(KEY) is None


def test_least_recently_used_is_evicted_first() -> None:
    cache: _Cache[str] = _Cache(2)
    cache.get(("t", "a"), lambda: "a")
    cache.get(("t", "b"), lambda: "b")
    cache.get(("t", "a"), lambda: "not made")  # a use: b is now the oldest
    cache.get(("t", "c"), lambda: "c")
    assert (cache.peek(("t", "a")), cache.peek(("t", "b")), cache.peek(("t", "c"))) == ("a", None, "c")
