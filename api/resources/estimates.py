"""`POST /v1/estimates`: one case in, one calibrated estimate out."""

from __future__ import annotations

import difflib
import functools
import re
from contextlib import AbstractContextManager
from typing import Annotated, Literal

import anyio.to_thread
import msgspec
from litestar import Controller, Request, post
from litestar.di import NamedDependency
from litestar.openapi.spec import Example
from litestar.params import Body, QueryParameter, RawBody
from litestar.response import Stream
from msgspec import Meta

from api.errors import (
    AUTH_RESPONSES,
    BATCH_RESPONSES,
    ERROR_RESPONSES,
    fields_renamed,
    parameters_named,
    request_choices,
)
from api.formats import body_format, language_of, wanted_format
from api.openapi import RawBodyDoc
from api.service import EstimatorService, ExplainedEstimate
from api.types import LABEL_PATTERN, ClaimYuan, Date, Yuan, label_problem
from api.types import Request as RequestBody
from estimator.errors import EstimatorError, InvalidInputError, field_named_in, with_choices
from estimator.law.fees import Outcome, Procedure
from estimator.model.case import (
    Case,
    Fame,
    PartyType,
    Remediation,
    Role,
    WorkType,
    check_act_dates,
    check_claim_left,
    check_claim_parts,
    check_intent,
    law_version_of_acts,
)
from estimator.model.compare import Comparison
from estimator.model.estimate import Evidence, Question

CALIBRATION_ID_PATTERN = r"^[A-Za-z0-9_-]+$"
CalibrationId = Annotated[
    str,
    Meta(
        min_length=1,
        max_length=64,
        pattern=CALIBRATION_ID_PATTERN,
        description="A calibration id from `POST /v1/calibrations`, or `default` (the bundled decided cases).",
    ),
]
Count = Annotated[int, Meta(ge=0, le=10**13)]


class EstimateRequest(RequestBody, frozen=True):
    id: Annotated[str, Meta(max_length=200, description="Your reference, echoed back.")] | None = None
    calibration_id: CalibrationId | None = None
    law_version: Annotated[
        Literal["2010", "2020"] | None,
        Meta(description="Copyright Law version; or give `act_start`/`act_end`; default 2020."),
    ] = None
    act_start: Annotated[Date | None, Meta(description="First day of the infringing act.")] = None
    act_end: Annotated[Date | None, Meta(description="Last day, for a continuing act.")] = None
    work_type: WorkType | None = None
    works_count: Annotated[int, Meta(ge=1, le=10**7, description="Number of works infringed.")] | None = None
    plaintiff_type: Literal["individual", "company"] | None = None
    defendant_type: PartyType | None = None
    infringement_role: Annotated[
        Role | None, Meta(description="`contributory`: aiding, e.g. a platform that failed its duty of care.")
    ] = None
    commercial_use: bool | None = None
    fame: Annotated[Fame | None, Meta(description="Fame of the work, where a court would comment on it.")] = None
    intentional: Annotated[bool | None, Meta(description="Wilful or repeated infringement.")] = None
    remediation: Annotated[Remediation | None, Meta(description="When the defendant stopped or removed.")] = None
    duration_days: Count | None = None
    audience: Annotated[Count | None, Meta(description="Views, followers, downloads or copies.")] = None
    claimed_economic_loss: Annotated[ClaimYuan | None, Meta(description="Economic loss claimed.")] = None
    claimed_expenses: Annotated[Yuan | None, Meta(description="Reasonable expenses claimed.")] = None
    claimed_total: Annotated[ClaimYuan | None, Meta(description="Loss and expenses claimed together.")] = None
    notarization_fee: Yuan | None = None
    attorney_fee_claimed: Yuan | None = None
    evidence_fee: Yuan | None = None
    procedure: Literal["ordinary", "simplified", "small_claims"] = "ordinary"
    outcome: Literal["judgment", "mediation", "withdrawal"] = "judgment"
    proved_actual_loss: Annotated[ClaimYuan | None, Meta(description="Actual loss you can prove.")] = None
    proved_illegal_gains: Annotated[ClaimYuan | None, Meta(description="Infringer's gains you can prove.")] = None
    proved_royalty: Annotated[ClaimYuan | None, Meta(description="Amount fixed by reference to a royalty.")] = None
    intentional_and_serious: Annotated[
        bool, Meta(description="Intentional infringement with serious circumstances (for punitive damages).")
    ] = False
    punitive_multiplier: Annotated[float, Meta(ge=1, le=5, description="1-5x, on a proved base only.")] | None = None
    lang: Annotated[
        Literal["en", "zh"] | None,
        Meta(
            description="Language of everything written for a reader (factors, the route's reason, assumptions, "
            "fee halving); default from `Accept-Language`, else English."
        ),
    ] = None

    def __post_init__(self) -> None:
        check_act_dates(self.law_version, self.act_start, self.act_end)
        check_claim_parts(self)
        check_claim_left(self)
        check_intent(self.intentional, self.intentional_and_serious)


def fields_within(prefix: str) -> AbstractContextManager[None]:
    """Name the fields of an estimate request nested in a larger body from its root (`case.act_start`)."""
    return fields_renamed(lambda field: within(prefix, field))


def within(prefix: str, field: str | None) -> str | None:
    """`prefix.field` for a field of an estimate request; any other field as it is."""
    if _root_field(field) in EstimateRequest.__struct_fields__:
        return f"{prefix}.{field}"
    return field


def _root_field(field: str | None) -> str:
    """The first name of a field path: `payments` of `payments[0].date`."""
    return re.split(r"[.\[]", field or "", maxsplit=1)[0]


def question_of(data: EstimateRequest) -> Question:
    law_version = data.law_version
    if data.act_start is not None:
        law_version = law_version_of_acts(data.act_start, data.act_end)
    case = Case(
        id=data.id,
        law_version=law_version,
        # A fact of the case only when stated: "ordinary" is also what an unstated procedure means.
        procedure=None if data.procedure == "ordinary" else data.procedure,
        work_type=data.work_type,
        works_count=data.works_count,
        plaintiff_type=data.plaintiff_type,
        defendant_type=data.defendant_type,
        infringement_role=data.infringement_role,
        commercial_use=data.commercial_use,
        fame=data.fame,
        intentional=data.intentional,
        remediation=data.remediation,
        duration_days=data.duration_days,
        audience=data.audience,
        claimed_economic_loss=data.claimed_economic_loss,
        claimed_expenses=data.claimed_expenses,
        claimed_total=data.claimed_total,
        notarization_fee=data.notarization_fee,
        attorney_fee_claimed=data.attorney_fee_claimed,
        evidence_fee=data.evidence_fee,
    )
    evidence = Evidence(
        actual_loss=data.proved_actual_loss,
        illegal_gains=data.proved_illegal_gains,
        royalty=data.proved_royalty,
        intentional_and_serious=data.intentional_and_serious,
        punitive_multiplier=data.punitive_multiplier,
        act_date=data.act_end or data.act_start,
    )
    return Question(case=case, evidence=evidence, procedure=Procedure(data.procedure), outcome=Outcome(data.outcome))


# The Beijing Internet Court's AI-picture case, as a claimant states it (Swagger examples of several endpoints).
BLOGGER_FACTS = {
    "law_version": "2020",
    "work_type": "ai_image",
    "plaintiff_type": "individual",
    "defendant_type": "individual",
    "commercial_use": False,
    "audience": 46000,
}
ESTIMATE_EXAMPLES = [
    Example(
        id="ai_picture_blogger",
        summary="A blogger reuses an AI-generated picture (claim 5,000)",
        description="Like Beijing Internet Court (2023)京0491民初11279号: an individual, non-commercial reuse.",
        value={
            "id": "blogger-ai-picture",
            **BLOGGER_FACTS,
            "claimed_economic_loss": 5000,
        },
    ),
    Example(
        id="ai_platform_famous_character",
        summary="An AI drawing platform generates a famous character (claim 300,000, simplified procedure)",
        description="Like the Guangzhou Internet Court Ultraman case: a platform, a famous work, filtering after suit.",
        value={
            "id": "ai-platform-character",
            "act_start": "2023-06-01",
            "work_type": "character",
            "fame": "high",
            "plaintiff_type": "company",
            "defendant_type": "platform",
            "commercial_use": True,
            "remediation": "after_suit",
            "claimed_total": 300000,
            "notarization_fee": 300,
            "evidence_fee": 1405.7,
            "procedure": "simplified",
        },
    ),
    Example(
        id="photo_agency_20_photographs",
        summary="A photo agency sues a company over 20 photographs (claim 100,000 + 8,000 expenses)",
        value={
            "id": "agency-20-photos",
            "law_version": "2020",
            "work_type": "photograph",
            "works_count": 20,
            "plaintiff_type": "company",
            "defendant_type": "company",
            "commercial_use": True,
            "claimed_economic_loss": 100000,
            "claimed_expenses": 8000,
        },
    ),
    Example(
        id="video_platform_hit_series",
        summary="A video platform streams a hit TV series (claim 2,000,000 + 50,000 expenses)",
        value={
            "id": "platform-hit-series",
            "law_version": "2020",
            "work_type": "film",
            "fame": "high",
            "plaintiff_type": "company",
            "defendant_type": "platform",
            "infringement_role": "direct",
            "commercial_use": True,
            "intentional": True,
            "audience": 10000000,
            "claimed_economic_loss": 2000000,
            "claimed_expenses": 50000,
        },
    ),
    Example(
        id="ai_picture_blogger_zh",
        summary="中文说明：博主使用他人AI生成的图片（主张5,000元）",
        description='The blogger case with `"lang": "zh"`: factors, the route\'s reason, assumptions and fee notes '
        "in Chinese, amounts as a Chinese lawyer writes them (`Accept-Language: zh` does the same).",
        value={
            "id": "blogger-ai-picture-zh",
            **BLOGGER_FACTS,
            "claimed_economic_loss": 5000,
            "procedure": "small_claims",
            "lang": "zh",
        },
    ),
]


_BATCH_ROWS = [
    {"id": "photo-1", "law_version": "2020", "work_type": "photograph", "claimed_economic_loss": 20000},
    {
        "id": "series-1",
        "act_start": "2019-06-01",
        "act_end": "2022-03-31",
        "work_type": "film",
        "fame": "high",
        "claimed_economic_loss": 2000000,
    },
    {"id": "bad-1", "law_version": "2020", "work_type": "painting", "claimed_economic_loss": 5000},
    {
        "id": "licence-1",
        "law_version": "2020",
        "work_type": "photograph",
        "proved_royalty": 8000,
        "claimed_economic_loss": 30000,
        "outcome": "mediation",
    },
]
BATCH_BODY = RawBodyDoc(
    description=(
        "Cases, one per row, with the fields of an estimate request: the facts, the amounts proved, "
        "`intentional_and_serious`, `punitive_multiplier`, `procedure` and `outcome`, and `law_version` or "
        "`act_start`/`act_end` (`calibration_id` and `lang` are query parameters). The outcome "
        "fields of decided cases are ignored, a record's `punitive_multiplier` included, so decided cases "
        "back-test as they are. The format follows `Content-Type`."
    ),
    examples={
        "application/json": [
            Example(
                id="four_cases_json",
                summary="Four cases: one dated by its acts, one with a bad work type, one with a proved royalty "
                "settled by mediation",
                value=_BATCH_ROWS,
            )
        ],
        "application/x-ndjson": [
            Example(
                id="four_cases_ndjson",
                summary="The same four cases as NDJSON",
                value="".join(msgspec.json.encode(row).decode() + "\n" for row in _BATCH_ROWS),
            )
        ],
        "text/csv": [
            Example(
                id="four_cases_csv",
                summary="The same four cases as CSV",
                value="id,law_version,act_start,act_end,work_type,fame,proved_royalty,claimed_economic_loss,outcome\n"
                "photo-1,2020,,,photograph,,,20000,\nseries-1,,2019-06-01,2022-03-31,film,high,,2000000,\n"
                "bad-1,2020,,,painting,,,5000,\nlicence-1,2020,,,photograph,,8000,30000,mediation\n",
            )
        ],
    },
)


class EstimateController(Controller):
    path = "/v1/estimates"
    tags = ("Estimates",)

    @post(
        operation_id="estimateAward",
        summary="Estimate the award, fees and net recovery of a case",
        description=(
            "The Article 54 route (proved loss, gains or royalty, else statutory damages within the statute's "
            "bounds and never above the claim), a calibrated range for the economic-loss award (mean, p10-p90, "
            "chance of the floor and of full support), expected supported expenses, the court fees with their "
            "split (proportional, and as courts actually split), and expected net recovery with the chance of "
            "losing money. Uses the bundled calibration unless `calibration_id` names one of yours."
        ),
        status_code=200,
        responses={**ERROR_RESPONSES, **AUTH_RESPONSES},
    )
    async def estimate(
        self,
        request: Request,  # type: ignore[type-arg]  # any Request
        data: Annotated[EstimateRequest, Body(examples=ESTIMATE_EXAMPLES)],
        service: NamedDependency[EstimatorService],
        tenant: NamedDependency[str | None],
    ) -> ExplainedEstimate:
        lang = data.lang or language_of(request)
        question = question_of(data)  # the request's own errors before the calibration's
        return await service.within(
            tenant,
            data.calibration_id,
            lambda: service.explained_estimate(question, tenant=tenant, calibration_id=data.calibration_id, lang=lang),
            precedents=True,
        )

    @post(
        "/compare",
        operation_id="compareScenarios",
        summary="Compare a case with named variations, side by side",
        description=(
            "A base case and up to 20 named variations (fields to change). Each gets a full estimate, and each "
            "variation the change against the base: the ratio of median awards with its 80% range (from the "
            "coefficients' covariance, so the uncertainty of the difference itself), and the changes in the "
            "award, fee and expected net recovery."
        ),
        status_code=200,
        responses={**ERROR_RESPONSES, **AUTH_RESPONSES},
    )
    async def compare(
        self,
        request: Request,  # type: ignore[type-arg]  # any Request
        data: Annotated[CompareRequest, Body(examples=COMPARE_EXAMPLES)],
        service: NamedDependency[EstimatorService],
        tenant: NamedDependency[str | None],
    ) -> Comparison:
        with fields_within("base"):
            base = question_of(data.base)
        variations = variation_questions(data)  # its errors already name the variation
        lang = data.base.lang or language_of(request)
        try:
            return await service.within(
                tenant,
                data.base.calibration_id,
                lambda: service.compare(
                    base, variations, tenant=tenant, calibration_id=data.base.calibration_id, lang=lang
                ),
            )
        except EstimatorError as exc:  # the calibration's own errors (its 404) are the base's
            scenario = getattr(exc, "scenario", 0)
            if scenario == 0:
                exc.field = within("base", exc.field)
                raise
            raise _in_variation(exc, scenario - 1, data.variations[scenario - 1]) from None

    @post(
        "/batch",
        operation_id="estimateBatch",
        summary="Estimate many cases, streamed back in order",
        description=(
            "A JSON array, NDJSON (`application/x-ndjson`) or CSV (`text/csv`) body of cases; the estimates "
            "come back in input order, each with its row's `id`, in the format `Accept` asks for (default: "
            "the request's; CSV has flat columns such as `economic_loss_p50`). A bad row gets a problem-details "
            "`error` in its place and the others are scored. At most `ESTIMATOR_MAX_BATCH_ROWS` rows "
            "(100,000 by default; 413 beyond). Same figures as `POST /v1/estimates`; the route's reason, the "
            "assumptions and the fee notes in the language of `lang` or `Accept-Language`."
        ),
        status_code=200,
        responses={**ERROR_RESPONSES, **AUTH_RESPONSES, **BATCH_RESPONSES},
    )
    async def batch(
        self,
        request: Request,  # type: ignore[type-arg]  # any Request
        body: RawBody,
        service: NamedDependency[EstimatorService],
        tenant: NamedDependency[str | None],
        calibration_id: Annotated[
            str | None,
            QueryParameter(max_length=64, pattern=CALIBRATION_ID_PATTERN, description="As for single estimates."),
        ] = None,
        lang: Annotated[
            Literal["en", "zh"] | None,
            QueryParameter(description="Language of each row's reasons and notes; default from `Accept-Language`."),
        ] = None,
    ) -> Stream:
        in_format = body_format(request)
        with parameters_named("query", "calibration_id"):  # only the query's calibration: not a CSV column so named
            await service.load(tenant, calibration_id)
        # Counting and cutting the body decodes all of it (a 20 MB JSON array takes seconds): not on the loop.
        media_type, chunks = await anyio.to_thread.run_sync(
            functools.partial(
                service.score_batch,
                body,
                in_format,
                wanted_format(request, default=in_format),
                tenant=tenant,
                calibration_id=calibration_id,
                lang=lang or language_of(request),
            )
        )
        return Stream(chunks, media_type=media_type)


class Variation(RequestBody, frozen=True):
    name: Annotated[
        str,
        Meta(
            min_length=1,
            max_length=80,
            pattern=LABEL_PATTERN,  # readable: a label shown in tables and charts
            description="A label, e.g. `famous work`; each variation's is its own.",
        ),
    ]
    changes: Annotated[
        dict[str, object],
        Meta(description='Fields of the base case to change, e.g. `{"fame": "high"}`; null unsets a fact.'),
    ]

    def __post_init__(self) -> None:
        if problem := label_problem(self.name):
            raise ValueError(f"`name`: {problem}")


class CompareRequest(RequestBody, frozen=True):
    base: EstimateRequest
    variations: Annotated[list[Variation], Meta(min_length=1, max_length=20)]


def variation_questions(data: CompareRequest) -> list[tuple[str, Question]]:
    """Each variation as the base case with its changes, validated like any estimate request."""
    base = msgspec.to_builtins(data.base)
    out = []
    seen: set[str] = {"base"}  # the base is a scenario named "base"
    for i, variation in enumerate(data.variations):
        name = variation.name.strip()  # readable already (`Variation`): " a" and "a" are one name
        if name in seen:
            raise InvalidInputError(
                f"variation `{variation.name}`: another scenario has this name; give each its own",
                field=f"variations[{i}].name",
            )
        seen.add(name)
        fixed = sorted(_SHARED_BY_ALL.intersection(variation.changes))
        if fixed:  # one calibration and one language for the whole comparison: the base's
            raise InvalidInputError(
                f"variation `{variation.name}`: `{fixed[0]}` is the base's for every scenario; set it in `base`",
                field=f"variations[{i}].changes.{fixed[0]}",
            )
        try:
            # Not strict, like a body: numeric strings ("5000") and whole floats (1.0) are numbers here too.
            changed = msgspec.convert({**base, **variation.changes}, EstimateRequest, strict=False)
        except msgspec.ValidationError as exc:
            message, _, path = str(exc).partition(" - at `$.")
            if not path and (unknown := _UNKNOWN_CHANGE.search(message)):
                # msgspec reports an unknown field at its parent: name it, and the field probably meant.
                path = unknown.group(1)
                close = difflib.get_close_matches(path, EstimateRequest.__struct_fields__, n=1)
                message += f" (did you mean `{close[0]}`?)" if close else ""
            elif not path and (named := field_named_in(message)) in EstimateRequest.__struct_fields__:
                path = str(named)  # a cross-field rule of the changed case: the field its message names
            field = f"variations[{i}].changes" + (f".{path.rstrip('`')}" if path else "")
            message = with_choices(message, field, request_choices())
            raise InvalidInputError(f"variation `{variation.name}`: {message}", field=field) from exc
        try:
            out.append((variation.name, question_of(changed)))
        except EstimatorError as exc:
            raise _in_variation(exc, i, variation) from None
    return out


_SHARED_BY_ALL = frozenset({"calibration_id", "lang"})
_UNKNOWN_CHANGE = re.compile(r"unknown field `(.+)`$")  # to the last backtick: a name may hold one


def _in_variation(exc: EstimatorError, i: int, variation: Variation) -> EstimatorError:
    """Name a variation's fact where the client wrote it: in its `changes`, or else in the base."""
    changed = _root_field(exc.field) in variation.changes
    exc.field = within(f"variations[{i}].changes" if changed else "base", exc.field)
    exc.message = f"variation `{variation.name}`: {exc.message}"
    return exc


COMPARE_EXAMPLES = [
    Example(
        id="ai_platform_what_if",
        summary="An AI platform and a character: what if the work were famous, removed after notice, or not notarised?",
        value={
            "base": {
                "law_version": "2020",
                "work_type": "character",
                "plaintiff_type": "company",
                "defendant_type": "platform",
                "commercial_use": True,
                "claimed_total": 300000,
                "notarization_fee": 300,
            },
            "variations": [
                {"name": "famous work", "changes": {"fame": "high"}},
                {"name": "removed after notice", "changes": {"remediation": "after_notice"}},
                # 0, not null: null would mean "not stated", and OpenAPI examples drop nulls anyway.
                {"name": "no notarisation", "changes": {"notarization_fee": 0}},
            ],
        },
    ),
    Example(
        id="photos_count",
        summary="A photo agency: 5 photographs against 20, and a direct against a contributory defendant",
        value={
            "base": {
                "law_version": "2020",
                "work_type": "photograph",
                "works_count": 5,
                "claimed_economic_loss": 25000,
            },
            "variations": [
                {"name": "20 photographs", "changes": {"works_count": 20, "claimed_economic_loss": 100000}},
                {
                    "name": "contributory platform",
                    "changes": {"defendant_type": "platform", "infringement_role": "contributory"},
                },
            ],
        },
    ),
]
