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


def test_optional_numbers_state_the_bounds_the_service_enforces() -> None:
    schemas = json.loads(openapi_document())["components"]["schemas"]

    def number_of(component: str, field: str) -> dict[str, object]:
        return next(m for m in schemas[component]["properties"][field]["oneOf"] if m["type"] != "null")

    assert number_of("FeeRequest", "claim_amount") == {"type": "number", "exclusiveMinimum": 0, "maximum": 1e12}
    assert number_of("FeeRequest", "awarded_amount") == {"type": "number", "minimum": 0, "maximum": 1e12}
    assert number_of("InterestRequest", "days") == {"type": "integer", "minimum": 0, "maximum": 36_600}
    assert number_of("EstimateRequest", "claimed_economic_loss") == {"type": "number", "minimum": 1, "maximum": 1e12}


def test_every_request_body_has_its_own_component_to_carry_its_bounds() -> None:
    from api.app import create_app
    from api.openapi import document_number_limits
    from api.settings import Settings
    from api.types import Request

    app = create_app(Settings(data_dir="/nonexistent-unused"))
    assert document_number_limits(app, Request) == []
