"""Property-based run of schemathesis against the app's own OpenAPI document: no input yields a 5xx.

Stateless and bounded (a fixed number of examples per operation, derandomized), so the suite stays
quick and repeatable.
"""

from __future__ import annotations

import json
import tempfile
from typing import Any

import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error

from api.app import create_app
from api.settings import Settings


# Raw-text bodies (NDJSON, CSV uploads) are sent as generated: strings as UTF-8, anything else as JSON.
@schemathesis.serializer("application/x-ndjson", "text/csv")
def _text(ctx: schemathesis.SerializationContext, value: Any) -> bytes:
    return value.encode() if isinstance(value, str) else json.dumps(value).encode()


# A private data directory: generated uploads must never land in the working tree.
schema = schemathesis.openapi.from_asgi(
    "/schema/openapi.json", create_app(Settings(data_dir=tempfile.mkdtemp(prefix="schemathesis-")))
)


@schema.parametrize()
@settings(
    max_examples=60,
    deadline=None,
    derandomize=True,
    suppress_health_check=list(HealthCheck),
)
def test_no_generated_input_produces_a_server_error(case: schemathesis.Case) -> None:
    case.call_and_validate(checks=[not_a_server_error])
