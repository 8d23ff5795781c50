"""The one place where exceptions become HTTP: RFC 9457 problem details for every error.

`to_problem` maps each exception class to a status and a problem type; it is tested by a table in
`tests/api/test_errors.py`. Nothing else in the API builds an error response.
"""

from __future__ import annotations

import functools
import logging
import re
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from typing import Any, Literal

from litestar.exceptions import HTTPException, NotAuthorizedException, ValidationException
from litestar.openapi.datastructures import ResponseSpec
from litestar.plugins.problem_details import ProblemDetailsException

from api.types import LABEL_PATTERN, NOT_A_LABEL, Problem
from api.types import Request as RequestBody
from estimator.errors import (
    CalibrationError,
    EstimatorError,
    InvalidInputError,
    ModelNotFittedError,
    OutsideLawError,
    field_named_in,
    json_path,
    literal_choices,
    with_choices,
)
from estimator.jsondecode import TOO_DEEP, not_utf8

log = logging.getLogger("api")

PROBLEM_BASE = "/problems/"
# Every answer, a problem included, depends on `Accept` (its format) and `Accept-Language` (the
# language of its text): a shared cache must key on both.
VARY = "Accept, Accept-Language"
PROBLEM_MEDIA_TYPE = "application/problem+json"

# msgspec reports e.g. "Object contains unknown field `claim_amont`" or "Expected `float` >= 0.0";
# Litestar passes the path separately as `key`.
_UNKNOWN_FIELD = re.compile(r"unknown field `([^`]+)`")
_MISSING_FIELD = re.compile(r"missing required field `([^`]+)`")
_MISSING_PARAMETER = re.compile(r"Missing required (\w+) parameter '([^']+)'")


class NotFoundError(EstimatorError):
    """A named resource (calibration) does not exist for this caller."""

    title = "Not found"
    slug = "not-found"


class ConflictError(EstimatorError):
    title = "Conflict"
    slug = "conflict"


class StoreUnavailableError(EstimatorError):
    """The database that holds calibrations cannot be reached (a 503: try again)."""

    title = "Storage unavailable"
    slug = "store-unavailable"
    retry_after_s = 5  # sent as Retry-After: the PostgreSQL store tries to connect again after as long


class PayloadTooLargeError(EstimatorError):
    title = "Payload too large"
    slug = "payload-too-large"


class UnsupportedMediaTypeError(EstimatorError):
    title = "Unsupported media type"
    slug = "unsupported-media-type"


class NotAcceptableError(EstimatorError):
    title = "Not acceptable"
    slug = "not-acceptable"


# Most specific first: the first class an error is an instance of decides its status.
_DOMAIN_STATUS: list[tuple[type[EstimatorError], int]] = [
    (InvalidInputError, 400),
    (OutsideLawError, 422),
    (CalibrationError, 422),
    (ModelNotFittedError, 503),
    (StoreUnavailableError, 503),
    (NotFoundError, 404),
    (ConflictError, 409),
    (PayloadTooLargeError, 413),
    (UnsupportedMediaTypeError, 415),
    (NotAcceptableError, 406),
]

_HTTP_SLUGS = {
    400: "bad-request",
    401: "unauthorized",
    403: "forbidden",
    404: "not-found",
    405: "method-not-allowed",
    413: "payload-too-large",
    415: "unsupported-media-type",
    429: "too-many-requests",
}


def problem(
    status: int,
    slug: str,
    title: str,
    detail: str,
    errors: list[dict[str, Any]] | None = None,
    *,
    headers: dict[str, str] | None = None,
) -> ProblemDetailsException:
    """A problem-details exception; `headers` carries e.g. the `Allow` of a 405."""
    extra: dict[str, Any] = {"errors": errors} if errors else {}
    headers = {**(headers or {}), "Vary": VARY}
    if status == 401:
        headers["WWW-Authenticate"] = "ApiKey"
    return ProblemDetailsException(
        status_code=status,
        type_=PROBLEM_BASE + slug,
        title=title,
        detail=detail,
        extra=extra,
        headers=headers,
    )


# Request headers a domain error may name: their path is `header.<name>`, like `query.<name>` for a
# query parameter, not a JSON path into the body.
_HEADERS = frozenset({"accept", "content-type", "content-encoding"})


def field_error(field: str | None, message: str) -> dict[str, Any]:
    source, _, name = (field or "").partition(".")
    if source in _PARAMETER_SOURCES and name:  # a query or path parameter, named by `parameters_named`
        return {"path": field, "field": name, "message": message}
    path = f"header.{field}" if field in _HEADERS else json_path(field)
    return {"path": path, "field": field or None, "message": message}


_PARAMETER_SOURCES = frozenset({"query", "path"})


@contextmanager
def fields_renamed(rename: Callable[[str | None], str | None]) -> Iterator[None]:
    """Rename the field of a domain error raised inside, to where the client wrote it.

    The domain names its fields plainly (`calibration_id`, `act_start`); a handler knows whether it
    took them from the query, the path, or a request nested in the body.
    """
    try:
        yield
    except EstimatorError as exc:
        exc.field = rename(exc.field)
        raise


def parameters_named(source: Literal["query", "path"], *names: str) -> AbstractContextManager[None]:
    """Report a domain error about one of `names` at `query.<name>` or `path.<name>`, not in the body."""
    return fields_renamed(lambda field: f"{source}.{field}" if field in names else field)


def allowed_methods(allow: str) -> list[str]:
    """An `Allow` header's methods in order, with HEAD wherever GET is (the app answers HEAD as GET)."""
    methods = {m.strip().upper() for m in allow.split(",") if m.strip()}
    return sorted(methods | {"HEAD"} if "GET" in methods else methods)


def to_problem(exc: Exception) -> ProblemDetailsException:
    """Translate any exception raised while serving a request into a problem-details exception."""
    if isinstance(exc, ProblemDetailsException):
        return exc
    if isinstance(exc, ValidationException):
        errors = [_validation_error(item) for item in _as_list(exc.extra)] or _parameter_errors(str(exc.detail))
        detail = "; ".join(f"{e['path']}: {e['message']}" for e in errors)
        return problem(400, "validation-error", "Invalid request", detail, errors)
    for cls, status in _DOMAIN_STATUS:
        if isinstance(exc, cls):
            issues = getattr(exc, "errors", None)
            field_errors = _issues(issues) if issues else [field_error(exc.field, exc.message)]
            retry = {"Retry-After": str(exc.retry_after_s)} if isinstance(exc, StoreUnavailableError) else None
            return problem(status, exc.slug, exc.title, exc.message, field_errors, headers=retry)
    if isinstance(exc, RecursionError):
        # Litestar decodes a body recursively: JSON nested a thousand deep is bad input, not a bug.
        # One line, no traceback: a client sending such bodies must not be able to flood the log.
        log.warning("request body nested too deeply to decode")
        return problem(400, "bad-request", "Bad request", TOO_DEEP, [field_error(None, TOO_DEEP)])
    if isinstance(exc, UnicodeDecodeError):
        # Litestar decodes a JSON body whole: a string in it holding bytes that are not UTF-8 is bad input.
        message = not_utf8(exc)
        return problem(400, "bad-request", "Bad request", message, [field_error(None, message)])
    if isinstance(exc, NotAuthorizedException):
        return problem(401, "unauthorized", "Unauthorized", str(exc.detail))
    if isinstance(exc, HTTPException):
        slug = _HTTP_SLUGS.get(exc.status_code, "http-error")
        title = slug.replace("-", " ").capitalize()
        detail = str(exc.detail)
        listed = _parameter_errors(detail) if exc.status_code == 400 else None  # e.g. a body that is not JSON
        headers = exc.headers
        if exc.status_code == 405 and headers:  # Litestar says only "Method Not Allowed", without the HEAD we answer
            allow = ", ".join(v for k, v in headers.items() if k.lower() == "allow")
            allowed = allowed_methods(allow)
            headers = {**{k: v for k, v in headers.items() if k.lower() != "allow"}, "Allow": ", ".join(allowed)}
            if detail == "Method Not Allowed" and allowed:
                *others, last = allowed
                detail = f"this path answers {', '.join(others) + ' and ' if others else ''}{last} only"
        if exc.status_code == 413:  # Litestar's body-size limit: say which limit, and what to do
            detail = (
                "the request body is larger than this service accepts (its ESTIMATOR_MAX_BODY_BYTES setting): "
                "split the batch or the upload"
            )
            listed = [field_error(None, detail)]
        return problem(exc.status_code, slug, title, detail, listed, headers=headers)
    # A bug: log it with its traceback, tell the client nothing about internals.
    log.exception("unhandled error while serving a request", exc_info=exc)
    return problem(500, "internal-error", "Internal server error", "An unexpected error occurred; it has been logged.")


def _parameter_errors(detail: str) -> list[dict[str, Any]]:
    """The one error of a message Litestar gives without a field list: a missing parameter, or the body."""
    if missing := _MISSING_PARAMETER.search(detail):
        return [{"path": f"{missing.group(1)}.{missing.group(2)}", "field": missing.group(2), "message": detail}]
    return [field_error(None, detail)]


def _as_list(extra: Any) -> list[dict[str, Any]]:
    if isinstance(extra, list):
        return [item for item in extra if isinstance(item, dict)]
    return []


# msgspec's words for a label that does not match `LABEL_PATTERN` (the whole regex), and ours.
_NOT_A_LABEL = f"Expected `str` matching regex {LABEL_PATTERN!r}"


def _validation_error(item: dict[str, Any]) -> dict[str, Any]:
    message = str(item.get("message", "invalid value"))
    if message == _NOT_A_LABEL:
        message = NOT_A_LABEL
    if message == "'data'":  # Litestar's KeyError when there is no body at all
        message = "the request body is empty: send a JSON object"
    key = str(item.get("key") or "")
    # A cross-field rule (`__post_init__`) fails at its struct, the body's root or a nested object
    # (`case`, `base`): its message names the field meant.
    named = field_named_in(message)
    if key == "data":
        key = named or ""
    elif named and key != named and not key.endswith(f".{named}"):
        key = f"{key}.{named}"
    # An unknown or missing field is reported at its parent; name the field itself.
    for pattern in (_UNKNOWN_FIELD, _MISSING_FIELD):
        if (match := pattern.search(message)) and not key.endswith(match.group(1)):
            key = f"{key}.{match.group(1)}" if key else match.group(1)
    message = with_choices(message, key, request_choices())
    source = getattr(item.get("source"), "value", item.get("source"))  # Litestar's ParamType enum
    if source and source != "body":
        return {"path": f"{source}.{key}", "field": key or None, "message": message}
    return field_error(key, message)


@functools.cache
def request_choices() -> dict[str, tuple[str, ...]]:
    """The values allowed in each enumerated field of any request body (built once, when first needed)."""
    bodies: list[type[RequestBody]] = []
    pending = [RequestBody]
    while pending:
        body = pending.pop()
        bodies.append(body)
        pending.extend(body.__subclasses__())
    return literal_choices(bodies)


def _issues(errors: Any) -> list[dict[str, Any]]:
    """Field errors of a domain error that carries several (e.g. a batch of case records)."""
    out = []
    for issue in errors:
        data = issue if isinstance(issue, dict) else {f: getattr(issue, f) for f in issue.__struct_fields__}
        index = data.get("index")
        field = data.get("field")
        path = "$" if index is None else f"$[{index}]"
        if field:
            path += f".{field}"
        out.append(
            {"path": path, "field": field, "message": str(data.get("message", ""))}
            | ({"index": index, "id": data.get("id")} if index is not None else {})
        )
    return out


def _spec(description: str) -> ResponseSpec:
    # No generated examples: they would be random, and the committed document must be stable.
    return ResponseSpec(
        data_container=Problem, description=description, media_type=PROBLEM_MEDIA_TYPE, generate_examples=False
    )


ERROR_RESPONSES: dict[int, ResponseSpec] = {
    400: _spec("Malformed input: the `errors` list names each bad field by its JSON path."),
    422: _spec("Well-formed input outside what the law or the model covers."),
}
BATCH_RESPONSES: dict[int, ResponseSpec] = {
    406: _spec("`Accept` names no format this API writes (JSON, NDJSON, CSV)."),
    413: _spec("More rows than `ESTIMATOR_MAX_BATCH_ROWS` (default 100,000), or a body over the size limit."),
    415: _spec("A body declared in a format the endpoint does not read."),
}
CHART_RESPONSES: dict[int, ResponseSpec] = {
    406: _spec("`Accept` names no image this API draws (`image/png`, `image/svg+xml`) and `format` is not given."),
}
UPLOAD_RESPONSES: dict[int, ResponseSpec] = {
    413: _spec("More records than `ESTIMATOR_MAX_CALIBRATION_RECORDS`, or a body over the size limit."),
    415: _spec("A body that is not JSON, NDJSON or CSV."),
}
# Every endpoint that takes a key can name a calibration of that key's, read from the store.
AUTH_RESPONSES: dict[int, ResponseSpec] = {
    401: _spec("Missing or unknown API key (send it in `X-API-Key`)."),
    503: _spec("The database holding calibrations cannot be reached (`DATABASE_URL`); try again shortly."),
}
