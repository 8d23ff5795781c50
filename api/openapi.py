"""Finishing touches on the generated OpenAPI document: named request examples for Swagger UI, and
the limits of optional numbers.

Litestar puts `Body(examples=...)` into the schema's anonymous `examples` list; Swagger UI offers a
dropdown of examples only from the media type's named `examples` map. This moves them there, keyed
by each `Example.id`, once, when the app is built. Operations that read the raw body (uploads in
several formats) declare it with a `RawBodyDoc`, documented here per media type. Operations that read
one JSON body also list the 415 that `api.checks.json_body_only` answers to a body of another type.

Litestar drops the bounds of an optional number whose type carries them (`PositiveYuan | None`):
`document_number_limits` copies them from msgspec's own schema of each request body, which is what
validates the request, so the document states the limits the service enforces.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import msgspec
import msgspec.inspect
from litestar import Litestar
from litestar.handlers import HTTPRouteHandler
from litestar.openapi.spec import (
    Example,
    OpenAPIMediaType,
    OpenAPIResponse,
    OpenAPIType,
    Operation,
    Reference,
    RequestBody,
    Schema,
)
from litestar.params import BodyKwarg


class RawBodyDoc(msgspec.Struct, frozen=True, kw_only=True):
    """A request body read as bytes, documented by media type with named examples."""

    description: str
    examples: Mapping[str, Sequence[Example]]


def name_request_examples(app: Litestar, raw_bodies: Mapping[str, RawBodyDoc]) -> None:
    by_operation: dict[str, list[Example]] = {}
    for route in app.routes:
        for handler in getattr(route, "route_handlers", ()):
            if not isinstance(handler, HTTPRouteHandler):
                continue
            data = handler.parsed_fn_signature.parameters.get("data")
            kwarg = data.kwarg_definition if data else None
            if isinstance(kwarg, BodyKwarg) and kwarg.examples and isinstance(handler.operation_id, str):
                by_operation[handler.operation_id] = list(kwarg.examples)
    document = app.openapi_schema
    for path_item in (document.paths or {}).values():
        for operation in (path_item.get, path_item.post, path_item.put, path_item.patch):
            if not isinstance(operation, Operation):
                continue
            raw = raw_bodies.get(operation.operation_id or "")
            if raw is not None:
                operation.request_body = RequestBody(
                    description=raw.description,
                    required=True,
                    content={
                        media: OpenAPIMediaType(schema=Schema(type=_type_of(examples)), examples=_named(examples))
                        for media, examples in raw.examples.items()
                    },
                )
                continue
            if not isinstance(operation.request_body, RequestBody):
                continue
            _document_other_media_types(operation)
            examples = by_operation.get(operation.operation_id or "")
            if not examples:
                continue
            for media in operation.request_body.content.values():
                media.examples = _named(examples)
                if isinstance(media.schema, Schema):
                    media.schema.examples = None


def _document_other_media_types(operation: Operation) -> None:
    """A JSON-body operation's 415, shaped like its 400 (a problem-details body)."""
    responses = operation.responses or {}
    malformed = responses.get("400")
    if "415" in responses or not isinstance(malformed, OpenAPIResponse):
        return
    responses["415"] = OpenAPIResponse(
        description="A body declared as another format than JSON (CSV, NDJSON, XML).", content=malformed.content
    )


def _type_of(examples: Sequence[Example]) -> OpenAPIType:
    return OpenAPIType.STRING if examples and isinstance(examples[0].value, str) else OpenAPIType.ARRAY


def _named(examples: Sequence[Example]) -> dict[str, Example | Reference]:
    return {
        example.id or f"example_{i}": Example(
            summary=example.summary, description=example.description, value=example.value
        )
        for i, example in enumerate(examples)
    }


# msgspec's bound on a number -> the attribute of Litestar's `Schema` that states it.
_LIMITS = {"ge": "minimum", "le": "maximum", "gt": "exclusive_minimum", "lt": "exclusive_maximum"}


def document_number_limits(app: Litestar, bodies: type[msgspec.Struct]) -> list[str]:
    """Give each optional number of every subclass of `bodies` the bounds msgspec enforces on it.

    Returns the subclasses with no component of their own name in the document (a test keeps it
    empty, so that a component Litestar renames cannot lose its bounds unseen).
    """
    components = app.openapi_schema.components.schemas or {}
    missing = []
    pending = list(bodies.__subclasses__())
    while pending:
        struct = pending.pop()
        pending.extend(struct.__subclasses__())
        documented = components.get(struct.__name__)
        if documented is None:
            missing.append(struct.__name__)
            continue
        if not documented.properties:
            continue
        info = msgspec.inspect.type_info(struct)
        assert isinstance(info, msgspec.inspect.StructType)
        for field in info.fields:
            target = documented.properties.get(field.encode_name)
            union = _bare(field.type)
            if not isinstance(union, msgspec.inspect.UnionType) or not isinstance(target, Schema):
                continue
            numbers = [
                t for t in map(_bare, union.types) if isinstance(t, msgspec.inspect.FloatType | msgspec.inspect.IntType)
            ]
            for member in target.one_of or ():
                if numbers and isinstance(member, Schema) and member.type in (OpenAPIType.NUMBER, OpenAPIType.INTEGER):
                    for bound, attribute in _LIMITS.items():
                        value = getattr(numbers[0], bound)
                        if value is not None and getattr(member, attribute) is None:
                            setattr(member, attribute, value)
    return sorted(missing)


def _bare(t: msgspec.inspect.Type) -> msgspec.inspect.Type:
    """A type without the `Metadata` (descriptions) wrapped around it."""
    while isinstance(t, msgspec.inspect.Metadata):
        t = t.type
    return t
