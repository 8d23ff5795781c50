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
from schemathesis.config import SchemathesisConfig

from api.app import create_app
from api.settings import Settings


# Raw-text bodies (NDJSON, CSV uploads) are sent as generated: strings as UTF-8, anything else as JSON.
@schemathesis.serializer("application/x-ndjson", "text/csv")
def _text(ctx: schemathesis.SerializationContext, value: Any) -> bytes:
    return value.encode() if isinstance(value, str) else json.dumps(value).encode()


# A private data directory: generated uploads must never land in the working tree.
APP = create_app(Settings(data_dir=tempfile.mkdtemp(prefix="schemathesis-")))
schema = schemathesis.openapi.from_asgi("/schema/openapi.json", APP)
# The coverage phase enumerates boundary values of every field whatever `max_examples` says; for the
# chart operations (a rendering each) the fuzzing phase alone is run.
fuzz_only = schemathesis.openapi.from_asgi(
    "/schema/openapi.json", APP, config=SchemathesisConfig.from_dict({"phases": {"coverage": {"enabled": False}}})
)


# Operations that fit a model or score a grid cost a second or more per valid example, and chart
# rendering about as much again: they get fewer examples so the suite stays quick. The chart
# endpoints take exactly the bodies of `estimateAward` and `adviseClaim`, fuzzed fully elsewhere.
EXPENSIVE = ["createCalibration", "adviseClaim"]
CHARTS = ["chartEstimate", "chartClaimAdvice", "chartCalibrationReliability"]


@schema.exclude(operation_id=[*EXPENSIVE, *CHARTS]).parametrize()
@settings(max_examples=60, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))
def test_no_generated_input_produces_a_server_error(case: schemathesis.Case) -> None:
    case.call_and_validate(checks=[not_a_server_error])


@schema.include(operation_id=EXPENSIVE).parametrize()
@settings(max_examples=12, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))
def test_no_generated_input_to_an_expensive_operation_produces_a_server_error(case: schemathesis.Case) -> None:
    case.call_and_validate(checks=[not_a_server_error])


@fuzz_only.include(operation_id=CHARTS).parametrize()
@settings(max_examples=3, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))
def test_no_generated_input_to_a_chart_produces_a_server_error(case: schemathesis.Case) -> None:
    case.call_and_validate(checks=[not_a_server_error])
