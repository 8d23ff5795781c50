"""`to_problem`, the one exception-to-HTTP mapping, as a table."""

from __future__ import annotations

import logging

import pytest
from litestar.exceptions import MethodNotAllowedException, NotAuthorizedException, NotFoundException

from api.errors import ConflictError, NotFoundError, PayloadTooLargeError, to_problem
from estimator.errors import (
    ConvergenceError,
    DegenerateDataError,
    InvalidInputError,
    ModelNotFittedError,
    OutsideLawError,
)


@pytest.mark.parametrize(
    ("exc", "status", "type_"),
    [
        pytest.param(InvalidInputError("bad", field="x"), 400, "/problems/invalid-input", id="invalid input"),
        pytest.param(OutsideLawError("no", field="x"), 422, "/problems/outside-law", id="outside law"),
        pytest.param(DegenerateDataError("few"), 422, "/problems/calibration-failed", id="degenerate data"),
        pytest.param(ConvergenceError("slow"), 422, "/problems/calibration-failed", id="no convergence"),
        pytest.param(ModelNotFittedError("none"), 503, "/problems/no-model", id="no model"),
        pytest.param(NotFoundError("gone", field="id"), 404, "/problems/not-found", id="domain not found"),
        pytest.param(ConflictError("twice"), 409, "/problems/conflict", id="conflict"),
        pytest.param(PayloadTooLargeError("big"), 413, "/problems/payload-too-large", id="too large"),
        pytest.param(NotFoundException(), 404, "/problems/not-found", id="route not found"),
        pytest.param(MethodNotAllowedException(), 405, "/problems/method-not-allowed", id="method"),
        pytest.param(NotAuthorizedException("key"), 401, "/problems/unauthorized", id="no key"),
        pytest.param(RuntimeError("secret internals"), 500, "/problems/internal-error", id="bug"),
    ],
)
def test_each_exception_maps_to_one_status_and_type(
    exc: Exception, status: int, type_: str, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.CRITICAL):
        problem = to_problem(exc)
    assert (problem.status_code, problem.type_) == (status, type_)


def test_a_bug_reveals_nothing_of_its_internals() -> None:
    logging.getLogger("api").disabled = True
    try:
        problem = to_problem(RuntimeError("secret internals"))
    finally:
        logging.getLogger("api").disabled = False
    assert "secret" not in problem.detail


def test_domain_errors_carry_the_field() -> None:
    problem = to_problem(InvalidInputError("`claim_amount` is bad", field="claim_amount"))
    assert problem.extra == {
        "errors": [{"path": "$.claim_amount", "field": "claim_amount", "message": "`claim_amount` is bad"}]
    }
