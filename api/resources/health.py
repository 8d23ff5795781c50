"""The service itself: `GET /` (where to start) and `GET /health` (liveness, for load balancers)."""

from __future__ import annotations

from typing import Literal

from litestar import Request, get
from litestar.di import NamedDependency
from litestar.response import Redirect

from api.formats import header_list, preferred
from api.types import Response

SWAGGER_UI = "/schema/swagger"


class Health(Response, frozen=True):
    status: Literal["ok"]
    version: str


class Index(Response, frozen=True):
    service: str
    version: str
    docs: str
    openapi: str
    health: str
    start_with: dict[str, str]


# The endpoints a newcomer tries first, with what each answers.
START_WITH = {
    "POST /v1/estimates": "the award, court fees, fee split and net recovery of one case, with reasons",
    "POST /v1/claims/advice": "what to claim: expected net recovery across claim amounts",
    "POST /v1/estimates/compare": "one case and named variations side by side",
    "POST /v1/fees": "the acceptance fee of a claim, exactly as the 2007 Measures charge it",
    "POST /v1/estimates/batch": "many cases at once, as JSON, NDJSON or CSV",
    "GET /v1/calibrations": "your firm's own calibrations (the bundled one is `GET /v1/calibrations/default`)",
}


@get("/health", operation_id="health", summary="Report that the service is up", tags=["Service"])
async def health(version: NamedDependency[str]) -> Health:
    return Health(status="ok", version=version)


@get(
    "/",
    operation_id="index",
    summary="Where to start: the docs and the main endpoints",
    description="A browser (`Accept: text/html`) is sent on to Swagger UI; anything else gets this index as JSON.",
    tags=["Service"],
)
async def index(request: Request, version: NamedDependency[str]) -> Index | Redirect:  # type: ignore[type-arg]
    wanted = preferred(header_list(request, "accept"))
    if wanted and wanted[0] == "text/html":
        return Redirect(SWAGGER_UI, status_code=307)
    return Index(
        service="Copyright damages and court-cost estimator (PRC Copyright Law art. 54)",
        version=version,
        docs=SWAGGER_UI,
        openapi="/schema/openapi.json",
        health="/health",
        start_with=START_WITH,
    )
