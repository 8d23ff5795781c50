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

from litestar import Request
from litestar.exceptions import ValidationException
from litestar.handlers import BaseRouteHandler
from litestar.params import ParameterKwarg, PathParameter, QueryParameter

from api.errors import UnsupportedMediaTypeError
from api.formats import MEDIA_FORMATS, header_list

API_PREFIX = "/v1/"  # the documentation's own routes (Swagger UI, its assets) are left alone


def check_request(request: Request) -> None:  # type: ignore[type-arg]  # any Request
    uncompressed_body_only(request)
    json_body_only(request)
    if request.scope["path"].startswith(API_PREFIX):
        known_query_only(request)


def known_query_only(request: Request) -> None:  # type: ignore[type-arg]  # any Request
    declared = declared_query(request.route_handler)
    unknown = sorted(set(request.query_params) - declared)
    # Every parameter we declare takes one value: a second was silently read in place of the first.
    repeated = sorted(name for name in declared if len(request.query_params.getall(name, [])) > 1)
    if repeated and not unknown:
        errors = [
            {
                "key": name,
                "source": "query",
                "message": f"query parameter `{name}` is given more than once; give it once",
            }
            for name in repeated
        ]
        raise ValidationException(detail="; ".join(e["message"] for e in errors), extra=errors)
    if not unknown:
        return
    in_body = body_fields(request.route_handler)
    errors = []
    for name in unknown:
        close = difflib.get_close_matches(name, sorted(declared), n=1)
        hint = f" (did you mean `{close[0]}`?)" if close else ""
        if name in in_body:
            hint = f" (`{name}` goes in the JSON body)"
        takes = f"; it takes {', '.join(f'`{d}`' for d in sorted(declared))}" if declared else "; it takes none"
        errors.append({"key": name, "source": "query", "message": f"unknown query parameter `{name}`{hint}{takes}"})
    raise ValidationException(detail="; ".join(e["message"] for e in errors), extra=errors)


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
def declared_query(handler: BaseRouteHandler) -> frozenset[str]:
    """The query parameters a handler declares, by the name a client sends."""
    dependencies = handler.resolve_dependencies()
    names = set()
    for name, field in handler.parsed_fn_signature.parameters.items():
        kwarg = field.kwarg_definition
        if isinstance(kwarg, QueryParameter) or (
            isinstance(kwarg, ParameterKwarg)
            and not isinstance(kwarg, PathParameter)
            and name not in dependencies
            and not (kwarg.header or kwarg.cookie)
        ):
            names.add(kwarg.query or name)
    return frozenset(names)
