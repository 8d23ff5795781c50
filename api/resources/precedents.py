"""`POST /v1/precedents`: the decided cases most similar to a case, as JSON or a draft search report."""

from __future__ import annotations

from typing import Annotated

from litestar import Controller, Request, post
from litestar.di import NamedDependency
from litestar.openapi.spec import Example
from litestar.params import Body
from msgspec import Meta

from api.errors import AUTH_RESPONSES, ERROR_RESPONSES
from api.formats import header_list, language_of
from api.resources.estimates import EstimateRequest, fields_within, question_of
from api.service import EstimatorService
from api.types import Request as RequestBody
from api.types import Response as ResponseBody
from calibration.precedents import DEFAULT_LIMIT, DEFAULT_MAX_DISTANCE, Precedent, method_text, precedent_report
from estimator.model.estimate import Question


class PrecedentRequest(RequestBody, frozen=True):
    case: Annotated[EstimateRequest, Meta(description="The facts, as for an estimate.")]
    max_distance: Annotated[
        float, Meta(gt=0, le=10, description="Similarity cut-off on the model's features (1: about a factor e).")
    ] = DEFAULT_MAX_DISTANCE
    limit: Annotated[int, Meta(ge=1, le=50)] = DEFAULT_LIMIT


class PrecedentList(ResponseBody, frozen=True):
    precedents: list[Precedent]
    max_distance: float
    method: Annotated[str, Meta(description="How similarity is measured; in Chinese with `lang` or `Accept-Language`.")]


async def precedents_for(
    data: PrecedentRequest, *, service: EstimatorService, tenant: str | None
) -> tuple[Question, list[Precedent]]:
    """The case a request describes, and the precedents it asks for (as a list or as a report)."""
    with fields_within("case"):
        question = question_of(data.case)
        found = await service.within(
            tenant,
            data.case.calibration_id,
            lambda: service.precedents(
                question,
                tenant=tenant,
                calibration_id=data.case.calibration_id,
                max_distance=data.max_distance,
                limit=data.limit,
            ),
            precedents=True,
        )
        return question, found


PRECEDENT_EXAMPLES = [
    Example(
        id="ai_platform_famous_character",
        summary="An AI drawing platform and a famous character (like the Guangzhou Ultraman case)",
        value={
            "case": {
                "law_version": "2020",
                "work_type": "character",
                "fame": "high",
                "plaintiff_type": "company",
                "defendant_type": "platform",
                "commercial_use": True,
                "claimed_total": 300000,
            }
        },
    ),
    Example(
        id="ai_written_article",
        summary="An AI-written article copied by a website (like the Shenzhen Dreamwriter case)",
        value={
            "case": {
                "law_version": "2020",
                "work_type": "ai_text",
                "plaintiff_type": "company",
                "defendant_type": "company",
                "commercial_use": True,
                "claimed_economic_loss": 10000,
                "claimed_expenses": 9000,
            },
            "max_distance": 1.5,
        },
    ),
]


class PrecedentController(Controller):
    path = "/v1/precedents"
    tags = ("Precedents",)

    @post(
        operation_id="findPrecedents",
        summary="Find the decided cases most similar to a case",
        description=(
            "Decided cases from the calibration's data (the bundled cases, or your own calibration's) within a "
            "distance cut-off on the award model's features, nearest first: case number, court, year, work type, "
            "claim, award, award/claim ratio and what the court weighed. `POST /v1/precedents/report` gives the "
            "same as a draft similar-case search report."
        ),
        status_code=200,
        responses={**ERROR_RESPONSES, **AUTH_RESPONSES},
    )
    async def find(
        self,
        request: Request,  # type: ignore[type-arg]  # any Request
        data: Annotated[PrecedentRequest, Body(examples=PRECEDENT_EXAMPLES)],
        service: NamedDependency[EstimatorService],
        tenant: NamedDependency[str | None],
    ) -> PrecedentList:
        _, found = await precedents_for(data, service=service, tenant=tenant)
        method = method_text(data.max_distance, data.case.lang or language_of(request))
        return PrecedentList(precedents=found, max_distance=data.max_distance, method=method)

    @post(
        "/report",
        operation_id="reportPrecedents",
        summary="Draft a similar-case search report (类案检索报告) in Markdown",
        description=(
            "The precedents of `POST /v1/precedents` as a Markdown draft for a lawyer to verify: the case, the "
            "method, a table of similar cases and what each court weighed. Chinese by default (it is a Chinese "
            'court document); English with `"lang": "en"` in the case or `Accept-Language: en`.'
        ),
        status_code=200,
        media_type="text/markdown",
        responses={**ERROR_RESPONSES, **AUTH_RESPONSES},
    )
    async def report(
        self,
        request: Request,  # type: ignore[type-arg]  # any Request
        data: Annotated[PrecedentRequest, Body(examples=PRECEDENT_EXAMPLES)],
        service: NamedDependency[EstimatorService],
        tenant: NamedDependency[str | None],
    ) -> str:
        question, found = await precedents_for(data, service=service, tenant=tenant)
        lang = data.case.lang  # unlike elsewhere, no preference at all means Chinese
        if lang is None:
            lang = "en" if header_list(request, "accept-language").strip() and language_of(request) == "en" else "zh"
        return precedent_report(question.case, found, max_distance=data.max_distance, lang=lang)
