"""The application factory: the only place where settings, routes, docs and error handling meet."""

from __future__ import annotations

import logging
from typing import Any

from litestar import Litestar
from litestar.datastructures import ResponseHeader
from litestar.di import Provide
from litestar.openapi import OpenAPIConfig
from litestar.openapi.spec import Components, SecurityScheme
from litestar.plugins.problem_details import ProblemDetailsConfig, ProblemDetailsPlugin
from litestar.types import Message, Send

from api.auth import caller_tenant
from api.checks import check_request
from api.docs import swagger_assets, swagger_plugin
from api.errors import VARY, allowed_methods, to_problem
from api.formats import BomlessRequest
from api.openapi import document_number_limits, name_request_examples
from api.resources.advice import ClaimAdviceController
from api.resources.calibrations import UPLOAD_BODY, CalibrationController
from api.resources.charts import ChartController
from api.resources.estimates import BATCH_BODY, EstimateController
from api.resources.fees import FeeController
from api.resources.health import health, index
from api.resources.interest import InterestController
from api.resources.precedents import PrecedentController
from api.resources.statutes import StatuteController
from api.service import EstimatorService
from api.settings import Settings
from api.storage import check_database_url, open_store
from api.types import Request as RequestBody
from estimator import __version__
from estimator.model.artifact import default_model
from estimator.model.estimate import Settings as EstimateSettings

VARY_DESCRIPTION = "Answers depend on `Accept` (format) and `Accept-Language` (the language of their text)."


log = logging.getLogger("api")

DESCRIPTION = """\
Estimates for Chinese copyright cases: a calibrated range for the award under art. 54 of the
Copyright Law (learned from decided cases, with the legal route it took and why); the court
acceptance fee and other fees under the 2007 Measures on the Payment of Litigation Costs,
exactly, and how courts split them; expected net recovery; late-payment interest; the damages
regimes of the Copyright Law and its neighbours.

Amounts are JSON numbers in yuan. Errors are RFC 9457 problem details (`application/problem+json`)
whose `errors` list names each bad field by its JSON path. Calibrations are private to the API key
(`X-API-Key`) that created them. Not legal advice.
"""


class Service(Litestar):
    """The app, answering HEAD as it would GET, without the body (RFC 9110 §9.3.2: a general-purpose
    server supports HEAD; monitors and load balancers send it), and OPTIONS with every method of the
    path (Litestar's own answer lists only those of the first handler registered on it)."""

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "http" and scope["method"] == "HEAD":
            scope = {**scope, "method": "GET"}
            send = _without_body(send)
        elif scope["type"] == "http" and scope["method"] == "OPTIONS":
            send = self._allowing_all(scope, send)
        await super().__call__(scope, receive, send)

    def _allowing_all(self, scope: Any, send: Send) -> Send:
        async def with_allow(message: Message) -> None:
            handler = scope.get("route_handler")
            route = next((r for r in self.routes if handler in getattr(r, "route_handlers", ())), None)
            if message["type"] == "http.response.start" and route is not None:
                headers = [(k, v) for k, v in message.get("headers", []) if k.lower() != b"allow"]
                allow = ", ".join(allowed_methods(", ".join(route.methods)))
                message = {**message, "headers": [*headers, (b"allow", allow.encode())]}
            await send(message)

        return with_allow


def _without_body(send: Send) -> Send:
    """`send` less the body: the headers (Content-Length among them) are the GET's."""

    async def headers_only(message: Message) -> None:
        if message["type"] == "http.response.body":
            if message.get("more_body", False):
                return
            message = {"type": "http.response.body", "body": b"", "more_body": False}
        await send(message)

    return headers_only


def create_app(settings: Settings | None = None) -> Litestar:
    """Build the app; settings come from the environment only when none are passed."""
    settings = settings or Settings.from_env()
    check_database_url(settings.database_url)  # a URL libpq would misread stops the start, not every request
    app_version = __version__

    service = EstimatorService(
        store=lambda: open_store(settings.data_dir, settings.database_url),
        default_model=default_model(),
        settings=EstimateSettings(fees=settings.fee_settings(), article54=settings.article54_settings()),
        max_records=settings.max_calibration_records,
        max_batch_rows=settings.max_batch_rows,
    )

    def provide_settings() -> Settings:
        return settings

    def provide_service() -> EstimatorService:
        return service

    def provide_version() -> str:
        return app_version

    openapi = OpenAPIConfig(
        title="Copyright damages and court-cost estimator",
        version=app_version,
        description=DESCRIPTION,
        path="/schema",
        render_plugins=[swagger_plugin()],
        components=Components(
            security_schemes={
                "ApiKey": SecurityScheme(
                    type="apiKey",
                    name="X-API-Key",
                    security_scheme_in="header",
                    description="A firm's API key; calibrations are visible only to the key that created them.",
                )
            }
        ),
    )
    app = Service(
        route_handlers=[
            index,
            health,
            EstimateController,
            ClaimAdviceController,
            PrecedentController,
            ChartController,
            CalibrationController,
            FeeController,
            InterestController,
            StatuteController,
            swagger_assets(),
        ],
        dependencies={
            "settings": Provide(provide_settings, sync_to_thread=False),
            "version": Provide(provide_version, sync_to_thread=False),
            "service": Provide(provide_service, sync_to_thread=False),
            "tenant": Provide(caller_tenant, sync_to_thread=False),
        },
        before_request=check_request,
        request_class=BomlessRequest,
        response_headers=[ResponseHeader(name="Vary", value=VARY, description=VARY_DESCRIPTION)],
        on_shutdown=[service.close],
        plugins=[ProblemDetailsPlugin(ProblemDetailsConfig(exception_to_problem_detail_map={Exception: to_problem}))],
        openapi_config=openapi,
        request_max_body_size=settings.max_body_bytes,
        debug=settings.debug,
    )
    name_request_examples(app, {"createCalibration": UPLOAD_BODY, "estimateBatch": BATCH_BODY})
    document_number_limits(app, RequestBody)
    return app
