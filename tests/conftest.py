"""Shared fixtures: an app built from explicit settings (never the developer's environment)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from litestar import Litestar
from litestar.testing import TestClient

from api.app import create_app
from api.settings import Settings
from tests.postgres import fresh_schema, server_url


@pytest.fixture(scope="session")
def app(tmp_path_factory: pytest.TempPathFactory) -> Litestar:
    return create_app(Settings(data_dir=str(tmp_path_factory.mktemp("data"))))


@pytest.fixture
def client(app: Litestar) -> Iterator[TestClient[Litestar]]:
    with TestClient(app) as test_client:
        yield test_client


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[str]:
    """The base URL of a PostgreSQL server the tests started (see tests/postgres.py), or a skip."""
    yield from server_url()


@pytest.fixture
def postgres_url(postgres_server: str) -> Iterator[str]:
    """A URL whose connections see a schema of this test's own, empty (dropped after the test)."""
    with fresh_schema(postgres_server) as url:
        yield url
