"""`POST /v1/claims/advice`: what to claim, given the facts, the fees and the risk of losing money."""

from __future__ import annotations

from typing import Annotated

from litestar import Controller, Request, post
from litestar.di import NamedDependency
from litestar.openapi.spec import Example
from litestar.params import Body
from msgspec import Meta

from api.errors import AUTH_RESPONSES, ERROR_RESPONSES
from api.formats import language_of
from api.resources.estimates import BLOGGER_FACTS, EstimateRequest, fields_within, question_of
from api.service import EstimatorService
from api.types import ClaimYuan
from api.types import Request as RequestBody
from estimator.language import Language
from estimator.model.advice import ClaimAdvice


class ClaimAdviceRequest(RequestBody, frozen=True):
    case: Annotated[
        EstimateRequest, Meta(description="The facts, as for an estimate; any claimed amount in it is ignored.")
    ]
    assessed_loss: Annotated[
        ClaimYuan | None,
        Meta(
            description="Your own assessment of the economic loss. The model reads it as the claim covariate; "
            "without it the award's range comes from the facts alone (wider, centred on a typical case)."
        ),
    ] = None
    your_claim: Annotated[ClaimYuan | None, Meta(description="A claim you have in mind, added to the grid.")] = None
    points: Annotated[int, Meta(ge=5, le=200, description="Claims in the log-spaced grid.")] = 40


def advice_for(
    data: ClaimAdviceRequest, *, service: EstimatorService, tenant: str | None, lang: Language = "en"
) -> ClaimAdvice:
    """The advice a request asks for (also drawn by `POST /v1/claims/advice/chart`), its assumption in `lang`."""
    return service.advise(
        question_of(data.case),
        tenant=tenant,
        calibration_id=data.case.calibration_id,
        assessed_loss=data.assessed_loss,
        your_claim=data.your_claim,
        points=data.points,
        lang=lang,
    )


ADVICE_EXAMPLES = [
    Example(
        id="ai_picture_blogger",
        summary="A blogger reused my AI picture; I think the loss is about 5,000. Should I claim 5,000,000?",
        value={
            "case": BLOGGER_FACTS,
            "assessed_loss": 5000,
            "your_claim": 5000000,
        },
    ),
    Example(
        id="photo_agency",
        summary="A photo agency, 20 photographs used by a company, 8,000 spent on notarisation and counsel",
        value={
            "case": {
                "law_version": "2020",
                "work_type": "photograph",
                "works_count": 20,
                "plaintiff_type": "company",
                "defendant_type": "company",
                "commercial_use": True,
                "claimed_expenses": 8000,
            },
            "assessed_loss": 60000,
        },
    ),
]


class ClaimAdviceController(Controller):
    path = "/v1/claims/advice"
    tags = ("Claim advice",)

    @post(
        operation_id="adviseClaim",
        summary="Advise how much to claim",
        description=(
            "For a case without a fixed claim, evaluates a log-spaced grid of claims up to the statutory cap: "
            "for each, the award range, the acceptance fee, the expected fee split, expected net recovery and "
            "the chance of winning yet losing money; returns the claim that maximises expected net recovery "
            "and the smallest claim within 5% of it. Assumption (also in the answer): your own assessment of "
            "the loss is the model's claim covariate; the amount asked caps the award and sets the fee, and "
            "asking more does not raise the award."
        ),
        status_code=200,
        responses={**ERROR_RESPONSES, **AUTH_RESPONSES},
    )
    async def advise(
        self,
        request: Request,  # type: ignore[type-arg]  # any Request
        data: Annotated[ClaimAdviceRequest, Body(examples=ADVICE_EXAMPLES)],
        service: NamedDependency[EstimatorService],
        tenant: NamedDependency[str | None],
    ) -> ClaimAdvice:
        with fields_within("case"):
            question_of(data.case)  # the request's own errors before the calibration's
            lang = data.case.lang or language_of(request)
            return await service.within(
                tenant, data.case.calibration_id, lambda: advice_for(data, service=service, tenant=tenant, lang=lang)
            )
