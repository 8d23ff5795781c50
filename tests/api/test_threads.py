"""What runs off the event loop: a plain request's hooks must not cost a trip to a worker thread."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from litestar import Litestar, get
from litestar.concurrency import get_asyncio_executor, set_asyncio_executor
from litestar.testing import TestClient

from api.app import create_app
from api.settings import Settings

CASE = {"law_version": "2020", "work_type": "photograph", "works_count": 3, "claimed_economic_loss": 50000}
CALIBRATION_DATA = b"\n".join(
    (Path(__file__).resolve().parents[2] / "calibration" / "data" / "cases.jsonl").read_bytes().splitlines()[:-3]
)
NDJSON = {"content-type": "application/x-ndjson"}


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


STORE_CALLS = ("get", "exists", "find_records", "list", "add", "rename", "delete")


def test_a_stored_calibration_is_never_read_on_the_event_loop(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The store is I/O (a PostgreSQL round trip, 30 s at worst): every read of it runs in a worker
    thread, even when the calibration's cache entry is gone between being read in and being used."""
    app = create_app(Settings(data_dir=str(tmp_path), api_keys={"k": "firm"}))
    service = app.dependencies["service"].dependency()
    key = {"X-API-Key": "k"}
    with TestClient(app) as client:
        upload = client.post("/v1/calibrations", content=CALIBRATION_DATA, headers={**key, **NDJSON})
        calibration_id = upload.json()["id"]
        store = service._store
        on_the_loop: list[str] = []

        def recorded(name: str, call: Callable[..., Any]) -> Callable[..., Any]:
            def record(*args: Any, **kwargs: Any) -> Any:
                with contextlib.suppress(RuntimeError):  # no running loop: a worker thread, as it should be
                    asyncio.get_running_loop()
                    on_the_loop.append(name)
                return call(*args, **kwargs)

            return record

        for name in STORE_CALLS:
            monkeypatch.setattr(store, name, recorded(name, getattr(store, name)))
        ready = service._ready

        def ready_then_evicted(cache_key: tuple[str, str], precedents: bool) -> None:
            ready(cache_key, precedents)
            service._forget(cache_key)  # as a full cache's eviction, or another request's delete, would

        monkeypatch.setattr(service, "_ready", ready_then_evicted)
        case = {**CASE, "calibration_id": calibration_id}
        for path, body in [
            ("/v1/estimates", case),
            ("/v1/estimates/compare", {"base": case, "variations": [{"name": "famous", "changes": {"fame": "high"}}]}),
            ("/v1/claims/advice", {"case": case, "assessed_loss": 5000}),
            ("/v1/precedents", {"case": case}),
            ("/v1/estimates/chart", case),
            ("/v1/estimates/batch", [case]),
        ]:
            answer = client.post(path, json=body, headers=key)
            assert answer.status_code == 200, (path, answer.text)
        assert on_the_loop == []
