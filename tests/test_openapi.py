"""The committed OpenAPI document is the one the app serves (regenerate with `make openapi`)."""

from __future__ import annotations

import json
from pathlib import Path

from litestar import Litestar
from litestar.testing import TestClient

from api.__main__ import openapi_document

COMMITTED = Path(__file__).resolve().parents[1] / "openapi" / "openapi.json"


def test_committed_openapi_document_is_current() -> None:
    assert COMMITTED.read_text(encoding="utf-8") == openapi_document(), "stale: run `make openapi`"


def test_served_document_equals_the_committed_one(client: TestClient[Litestar]) -> None:
    assert client.get("/schema/openapi.json").json() == json.loads(COMMITTED.read_text(encoding="utf-8"))
