"""`GET /health`: liveness, for load balancers and the start-up check."""

from __future__ import annotations

from typing import Literal

from litestar import get
from litestar.di import NamedDependency

from api.types import Response


class Health(Response, frozen=True):
    status: Literal["ok"]
    version: str


@get("/health", operation_id="health", summary="Report that the service is up", tags=["Service"])
async def health(version: NamedDependency[str]) -> Health:
    return Health(status="ok", version=version)
