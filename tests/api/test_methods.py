"""HTTP methods: HEAD is answered as GET is, without a body."""

from __future__ import annotations

import pytest
from litestar import Litestar
from litestar.testing import TestClient

Client = TestClient[Litestar]


@pytest.mark.parametrize(
    "path",
    ["/health", "/v1/statutes", "/schema/openapi.json", "/v1/calibrations/default", "/schema/assets/swagger-ui.css"],
)
def test_head_answers_as_get_without_the_body(client: Client, path: str) -> None:
    head, get = client.head(path), client.get(path)
    assert head.status_code == get.status_code == 200
    assert head.content == b""
    assert head.headers["content-length"] == str(len(get.content))
    assert head.headers["content-type"] == get.headers["content-type"]


@pytest.mark.parametrize(("path", "status"), [("/v1/estimates", 405), ("/nowhere", 404)])
def test_head_where_get_is_refused_is_refused_alike_without_a_body(client: Client, path: str, status: int) -> None:
    head = client.head(path)
    assert head.status_code == status == client.get(path).status_code
    assert head.content == b""
