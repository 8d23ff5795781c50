"""Finishing touches on the generated OpenAPI document: named request examples for Swagger UI.

Litestar puts `Body(examples=...)` into the schema's anonymous `examples` list; Swagger UI offers a
dropdown of examples only from the media type's named `examples` map. This moves them there, keyed
by each `Example.id`, once, when the app is built.
"""

from __future__ import annotations

from litestar import Litestar
from litestar.handlers import HTTPRouteHandler
from litestar.openapi.spec import Example, Operation, RequestBody, Schema
from litestar.params import BodyKwarg


def name_request_examples(app: Litestar) -> None:
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
            if not isinstance(operation, Operation) or not isinstance(operation.request_body, RequestBody):
                continue
            examples = by_operation.get(operation.operation_id or "")
            if not examples:
                continue
            for media in operation.request_body.content.values():
                media.examples = {example.id or f"example_{i}": _named(example) for i, example in enumerate(examples)}
                if isinstance(media.schema, Schema):
                    media.schema.examples = None


def _named(example: Example) -> Example:
    return Example(summary=example.summary, description=example.description, value=example.value)
