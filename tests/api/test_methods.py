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


@pytest.mark.parametrize(
    ("path", "allow"),
    [
        ("/v1/calibrations", "GET, HEAD, OPTIONS, POST"),
        ("/v1/calibrations/default", "DELETE, GET, HEAD, OPTIONS, PATCH"),
        ("/v1/estimates", "OPTIONS, POST"),
        ("/health", "GET, HEAD, OPTIONS"),
    ],
)
def test_options_lists_every_method_of_the_path(client: Client, path: str, allow: str) -> None:
    """Litestar's answer listed only the first handler's (`OPTIONS, POST` on `/v1/calibrations`)."""
    response = client.options(path)
    assert response.status_code == 204
    assert response.headers["allow"] == allow


@pytest.mark.parametrize(
    ("method", "path", "allow"),
    [
        ("DELETE", "/health", "GET, HEAD, OPTIONS"),
        ("PUT", "/v1/estimates", "OPTIONS, POST"),
        ("HEAD", "/v1/estimates", "OPTIONS, POST"),
        ("PATCH", "/v1/calibrations", "GET, HEAD, OPTIONS, POST"),
    ],
)
def test_a_refused_method_is_told_every_method_the_path_answers(
    client: Client, method: str, path: str, allow: str
) -> None:
    answer = client.request(method, path)
    assert answer.status_code == 405
    assert answer.headers.get_list("allow") == [allow]  # one header, HEAD included where GET is
    assert answer.headers["allow"] == client.options(path).headers["allow"]
    if method != "HEAD":
        listed = allow.rsplit(", ", 1)
        assert answer.json()["detail"] == f"this path answers {' and '.join(listed)} only"
