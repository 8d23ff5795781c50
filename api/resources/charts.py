"""Charts: an estimate's award distribution, claim advice, and a calibration's reliability, as PNG or SVG."""

from __future__ import annotations

from typing import Annotated, Literal

from litestar import Controller, Request, Response, get, post
from litestar.di import NamedDependency
from litestar.params import Body, PathParameter, QueryParameter
from litestar.response import Response as LitestarResponse

from api.charts import MEDIA_TYPES, advice_chart, award_chart, cjk_font, reliability_chart
from api.errors import AUTH_RESPONSES, CHART_RESPONSES, ERROR_RESPONSES, parameters_named
from api.formats import image_format, language_of
from api.resources.advice import ADVICE_EXAMPLES, ClaimAdviceRequest, advice_for
from api.resources.estimates import ESTIMATE_EXAMPLES, EstimateRequest, fields_within, question_of
from api.service import EstimatorService
from estimator.language import Language

ChartFormat = Literal["png", "svg"]
Format = Annotated[ChartFormat | None, QueryParameter(description="`png` or `svg`; default from `Accept`, else png.")]
PathId = Annotated[
    str, PathParameter(max_length=64, pattern=r"^[A-Za-z0-9_-]+$", description="A calibration id, or `default`.")
]


def _image(body: bytes, fmt: ChartFormat, lang: Language) -> Response[bytes]:
    """The chart, with the language its labels are really in: English when Chinese was asked for but
    no CJK font is installed (see `api.charts.cjk_font`)."""
    drawn = lang if lang == "en" or cjk_font() is not None else "en"
    return LitestarResponse(body, media_type=MEDIA_TYPES[fmt], headers={"Content-Language": drawn})


class ChartController(Controller):
    tags = ("Charts",)

    @post(
        "/v1/estimates/chart",
        operation_id="chartEstimate",
        summary="Draw an estimate's award distribution",
        description=(
            "The economic-loss award's predictive distribution with its 10-90% and 25-75% ranges, the median, "
            "the statutory floor and the cap (claim or statute), the chances of exactly the floor or the full "
            "claim, and the expected court fee and the plaintiff's share. PNG or SVG. A first drawing takes a few "
            "hundred milliseconds; the same request drawn again comes from a cache."
        ),
        status_code=200,
        media_type="image/png",
        responses={**ERROR_RESPONSES, **AUTH_RESPONSES, **CHART_RESPONSES},
    )
    async def estimate_chart(
        self,
        request: Request,  # type: ignore[type-arg]  # any Request
        data: Annotated[EstimateRequest, Body(examples=ESTIMATE_EXAMPLES)],
        service: NamedDependency[EstimatorService],
        tenant: NamedDependency[str | None],
        format: Format = None,  # the public query parameter's name
    ) -> Response[bytes]:
        fmt = image_format(request, format)
        lang = data.lang or language_of(request)

        def draw() -> bytes:
            estimate = service.estimate(question_of(data), tenant=tenant, calibration_id=data.calibration_id)
            return award_chart(estimate, fmt=fmt, lang=lang)

        chart = await service.chart(
            "estimate", data, tenant=tenant, calibration_id=data.calibration_id, fmt=fmt, lang=lang, draw=draw
        )
        return _image(chart, fmt, lang)

    @post(
        "/v1/claims/advice/chart",
        operation_id="chartClaimAdvice",
        summary="Draw claim advice: expected net recovery against the claim",
        description="Expected net recovery, the median award and the plaintiff's expected fee across claims; the best "
        "claim, the smallest within 5% of it, your claim and the statutory cap marked; the chance of losing money. "
        "The same request drawn again comes from a cache.",
        status_code=200,
        media_type="image/png",
        responses={**ERROR_RESPONSES, **AUTH_RESPONSES, **CHART_RESPONSES},
    )
    async def advice_chart(
        self,
        request: Request,  # type: ignore[type-arg]  # any Request
        data: Annotated[ClaimAdviceRequest, Body(examples=ADVICE_EXAMPLES)],
        service: NamedDependency[EstimatorService],
        tenant: NamedDependency[str | None],
        format: Format = None,  # the public query parameter's name
    ) -> Response[bytes]:
        fmt = image_format(request, format)
        lang = data.case.lang or language_of(request)

        def draw() -> bytes:
            return advice_chart(advice_for(data, service=service, tenant=tenant), fmt=fmt, lang=lang)

        with fields_within("case"):  # the calibration lookup, and the advice drawn in `draw`
            chart = await service.chart(
                "advice", data, tenant=tenant, calibration_id=data.case.calibration_id, fmt=fmt, lang=lang, draw=draw
            )
        return _image(chart, fmt, lang)

    @get(
        "/v1/calibrations/{calibration_id:str}/reliability",
        operation_id="chartCalibrationReliability",
        summary="Draw a calibration's reliability: held-out ranges against actual awards",
        description="Each held-out case's predicted 80% range against its actual award, and coverage of the 50% "
        "and 80% ranges by decile of the predicted median against the nominal levels. `default` is the bundled "
        "calibration; another key's calibration is a 404.",
        status_code=200,
        media_type="image/png",
        responses={**ERROR_RESPONSES, **AUTH_RESPONSES, **CHART_RESPONSES},
        security=[{}, {"ApiKey": []}],
    )
    async def reliability(
        self,
        request: Request,  # type: ignore[type-arg]  # any Request
        calibration_id: PathId,
        service: NamedDependency[EstimatorService],
        tenant: NamedDependency[str | None],
        format: Format = None,  # the public query parameter's name
    ) -> Response[bytes]:
        fmt = image_format(request, format)
        lang = language_of(request)

        def draw() -> bytes:
            # The bundled calibration's validation is computed on first use (seconds), here in the thread.
            return reliability_chart(service.evaluation_for(tenant, calibration_id), fmt=fmt, lang=lang)

        with parameters_named("path", "calibration_id"):
            chart = await service.chart(
                "reliability", None, tenant=tenant, calibration_id=calibration_id, fmt=fmt, lang=lang, draw=draw
            )
        return _image(chart, fmt, lang)
