"""What runs off the event loop: a plain request's hooks must not cost a trip to a worker thread."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

import pytest
from litestar import Litestar, get
from litestar.concurrency import get_asyncio_executor, set_asyncio_executor
from litestar.testing import TestClient

CASE = {"law_version": "2020", "work_type": "photograph", "works_count": 3, "claimed_economic_loss": 50000}


class CountingExecutor(ThreadPoolExecutor):
    """Litestar's executor for sync callables, counting what it is handed."""

    def __init__(self) -> None:
        super().__init__(max_workers=1)
        self.submitted: list[str] = []

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future[Any]:
        self.submitted.append(getattr(args[0], "__qualname__", repr(args[0])) if args else repr(fn))
        return super().submit(fn, *args, **kwargs)


@pytest.fixture
def counting() -> Iterator[CountingExecutor]:
    before = get_asyncio_executor()
    executor = CountingExecutor()
    set_asyncio_executor(executor)
    try:
        yield executor
    finally:
        set_asyncio_executor(before)
        executor.shutdown()


def test_the_executor_would_see_a_sync_hook(counting: CountingExecutor) -> None:
    # The probe itself: a sync `before_request` is run through Litestar's executor, so it is counted.
    def hook(request: object) -> None:
        return None

    @get("/ping", sync_to_thread=False)
    def ping() -> str:
        return "pong"

    with TestClient(Litestar(route_handlers=[ping], before_request=hook)) as client:
        assert client.get("/ping").text == "pong"
    assert counting.submitted, "a sync before_request hook is expected to go through the executor"


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [("GET", "/health", None), ("POST", "/v1/estimates", CASE), ("POST", "/v1/fees", {"claim_amount": 10000})],
)
def test_plain_requests_stay_on_the_event_loop(
    app: Litestar, counting: CountingExecutor, method: str, path: str, body: dict[str, Any] | None
) -> None:
    # A trip to a worker thread per request (Litestar runs a sync hook in one) costs more than
    # answering /health itself; the hooks are coroutines so that none is taken.
    with TestClient(app) as client:
        answer = client.request(method, path, json=body)
    assert answer.status_code == 200, answer.text
    assert counting.submitted == []
