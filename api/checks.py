"""Checks every request passes before its handler runs (the app's `before_request` hook).

- A compressed body (`Content-Encoding: gzip`) is refused (415): it is not decompressed.
- A JSON-body endpoint refuses a body declared as another format (415).
- An API endpoint refuses a query parameter it does not declare (400): `?fromat=svg` silently gave
  a PNG, and a misspelt `?limt=5` the first hundred calibrations. The error names the parameter and
  the declared one it probably meant.
"""

from __future__ import annotations

import difflib
import functools
from typing import Any, Literal, NoReturn, get_args, get_origin

from litestar import Request
from litestar.exceptions import ValidationException
from litestar.handlers import BaseRouteHandler
from litestar.params import ParameterKwarg, PathParameter, QueryParameter
from litestar.typing import FieldDefinition

from api.errors import UnsupportedMediaTypeError
from api.formats import MEDIA_FORMATS, header_list
from estimator.errors import with_choices

API_PREFIX = "/v1/"  # the documentation's own routes (Swagger UI, its assets) are left alone


async def check_request(request: Request) -> None:  # type: ignore[type-arg]  # any Request
    # A coroutine although nothing here awaits: Litestar runs a sync hook in a worker thread, and that
    # trip cost more than answering /health itself (tests/api/test_threads.py).
    uncompressed_body_only(request)
    json_body_only(request)
    if request.scope["path"].startswith(API_PREFIX):
        known_query_only(request)


def known_query_only(request: Request) -> None:  # type: ignore[type-arg]  # any Request
    declared = declared_query(request.route_handler)
    unknown = sorted(set(request.query_params) - declared)
    if not unknown:
        # Every parameter we declare takes one value: a second was silently read in place of the first.
        repeated = sorted(name for name in declared if len(request.query_params.getall(name, [])) > 1)
        if repeated:
            _refuse([(name, f"query parameter `{name}` is given more than once; give it once") for name in repeated])
        # A value outside a parameter's list is answered with the list, as in a body (`?format=PNG`).
        choices = query_choices(request.route_handler)
        wrong = [(name, value) for name, value in request.query_params.items() if value not in choices.get(name, value)]
        if wrong:
            _refuse([(n, with_choices(f"Invalid enum value {v!r}", n, choices)) for n, v in wrong])
        return
    in_body = body_fields(request.route_handler)
    errors: list[tuple[str, str]] = []
    for name in unknown:
        close = difflib.get_close_matches(name, sorted(declared), n=1)
        hint = f" (did you mean `{close[0]}`?)" if close else ""
        if name in in_body:
            hint = f" (`{name}` goes in the JSON body)"
        takes = f"; it takes {', '.join(f'`{d}`' for d in sorted(declared))}" if declared else "; it takes none"
        errors.append((name, f"unknown query parameter `{name}`{hint}{takes}"))
    _refuse(errors)


def _refuse(errors: list[tuple[str, str]]) -> NoReturn:
    """A 400 naming each query parameter with what is wrong with it."""
    extra = [{"key": name, "source": "query", "message": message} for name, message in errors]
    raise ValidationException(detail="; ".join(message for _, message in errors), extra=extra)


def uncompressed_body_only(request: Request) -> None:  # type: ignore[type-arg]  # any Request
    """A 415 for a body in a content coding we do not decode (RFC 9110 §15.5.16), rather than its
    compressed bytes reported as malformed JSON or CSV."""
    codings = [c.strip().lower() for c in header_list(request, "content-encoding").split(",") if c.strip()]
    length = request.headers.get("content-length", "0").strip()
    has_body = (not length.isdigit() or int(length) > 0) or "transfer-encoding" in request.headers
    if has_body and any(c != "identity" for c in codings):
        shown = ", ".join(codings)
        raise UnsupportedMediaTypeError(
            f"request bodies are read as sent, not decompressed: `Content-Encoding: {shown}` is not supported; "
            "send the body uncompressed",
            field="content-encoding",
        )


# A JSON-body endpoint reads these as JSON: no type, JSON itself, and what tools send by default
# (`curl -d` says form-urlencoded, some clients plain text). Any other type names a format it is not.
_READ_AS_JSON = frozenset({"", "application/json", "text/plain", "application/x-www-form-urlencoded"})


def json_body_only(request: Request) -> None:  # type: ignore[type-arg]  # any Request
    """A 415 when a JSON-body endpoint is sent a body declared as another format.

    Without it a CSV sent to `POST /v1/estimates` was reported as malformed JSON, which misleads.
    Endpoints that read several formats take a raw `body` and check its type themselves.
    """
    if "data" not in request.route_handler.parsed_fn_signature.parameters:
        return
    media = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media in _READ_AS_JSON or media.endswith("+json"):
        return
    hint = (
        "; CSV and NDJSON are read by `POST /v1/estimates/batch` and `POST /v1/calibrations`"
        if media in MEDIA_FORMATS
        else ""
    )
    raise UnsupportedMediaTypeError(
        f"this endpoint reads a JSON body, not `{media}`: send `application/json`{hint}", field="content-type"
    )


@functools.cache
def body_fields(handler: BaseRouteHandler) -> frozenset[str]:
    """The fields of a handler's JSON body, when it reads one (a msgspec Struct)."""
    data = handler.parsed_fn_signature.parameters.get("data")
    return frozenset(getattr(data.annotation, "__struct_fields__", ()) if data else ())


@functools.cache
def _query_fields(handler: BaseRouteHandler) -> dict[str, FieldDefinition]:
    """The query parameters a handler declares, by the name a client sends."""
    dependencies = handler.resolve_dependencies()
    fields = {}
    for name, field in handler.parsed_fn_signature.parameters.items():
        kwarg = field.kwarg_definition
        if isinstance(kwarg, QueryParameter) or (
            isinstance(kwarg, ParameterKwarg)
            and not isinstance(kwarg, PathParameter)
            and name not in dependencies
            and not (kwarg.header or kwarg.cookie)
        ):
            fields[kwarg.query or name] = field
    return fields


def declared_query(handler: BaseRouteHandler) -> frozenset[str]:
    return frozenset(_query_fields(handler))


@functools.cache
def query_choices(handler: BaseRouteHandler) -> dict[str, tuple[str, ...]]:
    """The values each of a handler's query parameters that takes a list of them allows."""
    return {name: values for name, field in _query_fields(handler).items() if (values := _literals(field.annotation))}


def _literals(annotation: Any) -> tuple[str, ...]:
    """The text values of a `Literal` in `annotation`, however wrapped (`Annotated`, `| None`)."""
    if get_origin(annotation) is Literal:
        return tuple(str(v) for v in get_args(annotation))
    return tuple(v for arg in get_args(annotation) for v in _literals(arg))
