"""`POST /v1/fees`: court fees of a case under the 2007 Measures, exactly."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Literal

from litestar import Controller, post
from litestar import Request as HttpRequest
from litestar.di import NamedDependency
from litestar.openapi.spec import Example
from litestar.params import Body
from msgspec import Meta

from api.errors import ERROR_RESPONSES
from api.formats import language_of
from api.settings import Settings
from api.types import PositiveYuan, Request, Response, RoundingChoice, Share, Yuan
from estimator.law.fees import CaseKind, ClaimChangeStage, CourtFees, FeeQuestion, Outcome, Procedure, court_fees
from estimator.money import to_yuan

ProcedureChoice = Literal["ordinary", "simplified", "small_claims"]
OutcomeChoice = Literal["judgment", "mediation", "withdrawal"]
CaseKindChoice = Literal["property", "ip_without_amount", "payment_order"]
ClaimChangeStageChoice = Literal["before_investigation_end", "after_investigation_end"]
Province = Annotated[str, Meta(min_length=2, max_length=40, pattern=r"^[A-Za-z][A-Za-z -]*$")]


class FeeRequest(Request, frozen=True):
    claim_amount: Annotated[
        PositiveYuan | None,
        Meta(description="The amount claimed (诉讼请求金额): for a copyright case, economic loss plus expenses."),
    ] = None
    case_kind: Annotated[
        CaseKindChoice,
        Meta(
            description="`property` (also an IP case with a disputed amount), `ip_without_amount` "
            "(500-1,000 per case, a provincial figure), or `payment_order` (a third of the property fee)."
        ),
    ] = "property"
    procedure: Annotated[ProcedureChoice, Meta(description="Simplified and small-claims procedure halve the fee.")] = (
        "ordinary"
    )
    outcome: Annotated[OutcomeChoice, Meta(description="Mediation and withdrawal halve the fee (once at most).")] = (
        "judgment"
    )
    province: Annotated[
        Province | None,
        Meta(
            description="Province in pinyin (e.g. `Guangdong`), for the provincial figure of an IP case without amount."
        ),
    ] = None
    awarded_amount: Annotated[
        Yuan | None, Meta(description="The amount awarded, to split the fee due between the parties.")
    ] = None
    counterclaim_amount: Annotated[
        PositiveYuan | None, Meta(description="A counterclaim tried together; its fee is halved.")
    ] = None
    appeal_amount: Annotated[
        PositiveYuan | None, Meta(description="The part of the first-instance judgment appealed against.")
    ] = None
    preservation_amount: Annotated[
        Yuan | None, Meta(description="The amount actually preserved (0: an application without amount).")
    ] = None
    enforcement_amount: Annotated[PositiveYuan | None, Meta(description="The amount to enforce.")] = None
    enforcement_without_amount: Annotated[
        bool,
        Meta(description="An application to enforce with no amount or value to enforce (50-500 a case, art. 14(1))."),
    ] = False
    changed_claim_amount: Annotated[
        PositiveYuan | None,
        Meta(
            description="The claim as increased or reduced in the course of the case (变更后的诉讼请求金额); "
            "`claim_amount` is then the claim as filed, on which the fee was prepaid."
        ),
    ] = None
    claim_change_stage: Annotated[
        ClaimChangeStageChoice | None,
        Meta(
            description="For a reduced claim: made before the end of court investigation (the fee is recomputed "
            "and the difference refunded, art. 21) or after it (the plaintiff bears the fee on the reduced part, "
            "art. 35)."
        ),
    ] = None
    rounding: Annotated[
        RoundingChoice | None,
        Meta(description="Half-up to the fen (`cent`) or the yuan (`yuan`); the service default when omitted."),
    ] = None
    lang: Annotated[
        Literal["en", "zh"] | None,
        Meta(
            description="Language of the halving reason, the split's basis and the claim change's; default from "
            "`Accept-Language`."
        ),
    ] = None


class FeeRange(Response, frozen=True):
    min: float
    max: float


class FeeSplitOut(Response, frozen=True):
    rule: Annotated[str, Meta(description="`loser_pays`, `proportional` or `withdrawing_party_pays`.")]
    basis: Annotated[str, Meta(description="The legal basis, and whether this is a rule or practice.")]
    plaintiff: float
    defendant: float
    defendant_share: Annotated[Share, Meta(description="`defendant` as a share of `fee_due`.")]


class ClaimChangeOut(Response, frozen=True):
    filed: Annotated[float, Meta(description="The claim as filed (`claim_amount`).")]
    changed: Annotated[float, Meta(description="The claim as changed (`changed_claim_amount`).")]
    stage: ClaimChangeStageChoice | None
    charged_on: Annotated[float, Meta(description="The amount the acceptance fee is charged on.")]
    top_up: Annotated[
        float | None,
        Meta(
            description="An increase: what the plaintiff pays when the claim changes, on the fee as prepaid "
            "(halved only under simplified or small-claims procedure; mediation or withdrawal halves the fee at "
            "the close)."
        ),
    ]
    refund: Annotated[
        float | None,
        Meta(description="A reduction before the end of court investigation: what is refunded, as for `top_up`."),
    ]
    borne_by_reducing_party: Annotated[
        float | None,
        Meta(
            description="A reduction after the end of court investigation: the fee on the reduced part, which the "
            "plaintiff bears whatever the outcome (included in `split.plaintiff`)."
        ),
    ]
    basis: Annotated[str, Meta(description="The rule applied and its article.")]


class FeeResponse(Response, frozen=True):
    case_kind: CaseKindChoice
    claim_amount: float | None
    acceptance_fee: Annotated[float, Meta(description="The full acceptance fee (案件受理费) before any halving.")]
    acceptance_fee_range: Annotated[
        FeeRange | None, Meta(description="The statutory range, for an IP case without amount.")
    ]
    halved: bool
    halving_reason: str | None
    halving_grounds: list[str]
    fee_due: Annotated[float, Meta(description="The acceptance fee charged, after halving.")]
    split: Annotated[
        FeeSplitOut | None, Meta(description="Each party's share of `fee_due`, when `awarded_amount` is given.")
    ]
    counterclaim_fee: float | None
    appeal_fee: float | None
    preservation_fee: Annotated[float | None, Meta(description="Borne by the applicant; may be claimed.")]
    enforcement_fee: Annotated[float | None, Meta(description="Borne by the judgment debtor; not prepaid.")]
    enforcement_fee_range: Annotated[
        FeeRange | None, Meta(description="The statutory range, for enforcing without an amount.")
    ]
    rounding: RoundingChoice
    sources: list[str]
    claim_change: Annotated[
        ClaimChangeOut | None,
        Meta(description="What changing the claim did to the fee, when `changed_claim_amount` is given."),
    ] = None


def fee_question(data: FeeRequest) -> FeeQuestion:
    def yuan(value: float | None, field: str) -> Decimal | None:
        return None if value is None else to_yuan(value, field=field)

    return FeeQuestion(
        claim_amount=yuan(data.claim_amount, "claim_amount"),
        case_kind=CaseKind(data.case_kind),
        procedure=Procedure(data.procedure),
        outcome=Outcome(data.outcome),
        province=data.province,
        awarded_amount=yuan(data.awarded_amount, "awarded_amount"),
        counterclaim_amount=yuan(data.counterclaim_amount, "counterclaim_amount"),
        appeal_amount=yuan(data.appeal_amount, "appeal_amount"),
        preservation_amount=yuan(data.preservation_amount, "preservation_amount"),
        enforcement_amount=yuan(data.enforcement_amount, "enforcement_amount"),
        enforcement_without_amount=data.enforcement_without_amount,
        changed_claim_amount=yuan(data.changed_claim_amount, "changed_claim_amount"),
        claim_change_stage=None if data.claim_change_stage is None else ClaimChangeStage(data.claim_change_stage),
    )


def fee_response(fees: CourtFees) -> FeeResponse:
    def num(value: Decimal | None) -> float | None:
        return None if value is None else float(value)

    split, change = fees.split, fees.claim_change
    return FeeResponse(
        case_kind=fees.case_kind.value,
        claim_amount=num(fees.claim_amount),
        acceptance_fee=float(fees.acceptance_fee),
        acceptance_fee_range=(
            None
            if fees.acceptance_fee_range is None
            else FeeRange(min=float(fees.acceptance_fee_range[0]), max=float(fees.acceptance_fee_range[1]))
        ),
        halved=fees.halving.applied,
        halving_reason=fees.halving.reason,
        halving_grounds=list(fees.halving.grounds),
        fee_due=float(fees.fee_due),
        split=None
        if split is None
        else FeeSplitOut(
            rule=split.rule,
            basis=split.basis,
            plaintiff=float(split.plaintiff),
            defendant=float(split.defendant),
            defendant_share=float(split.defendant_share),
        ),
        counterclaim_fee=num(fees.counterclaim_fee),
        appeal_fee=num(fees.appeal_fee),
        preservation_fee=num(fees.preservation_fee),
        enforcement_fee=num(fees.enforcement_fee),
        enforcement_fee_range=None
        if fees.enforcement_fee_range is None
        else FeeRange(min=float(fees.enforcement_fee_range[0]), max=float(fees.enforcement_fee_range[1])),
        rounding=fees.rounding.value,
        sources=list(fees.sources),
        claim_change=None
        if change is None
        else ClaimChangeOut(
            filed=float(change.filed),
            changed=float(change.changed),
            stage=None if change.stage is None else change.stage.value,
            charged_on=float(change.charged_on),
            top_up=num(change.top_up),
            refund=num(change.refund),
            borne_by_reducing_party=num(change.borne_by_reducing_party),
            basis=change.basis,
        ),
    )


FEE_EXAMPLES = [
    Example(
        id="ai_picture_blogger",
        summary="AI picture reposted by a blogger: 5,000 claimed, 500 awarded",
        description="Beijing Internet Court (2023)京0491民初11279号: the flat 50 yuan fee. The default split is "
        "proportional (45 on the plaintiff, who won a tenth of the claim); the court in fact put all 50 on the "
        "defendant, as courts often do in statutory-damages cases (the estimate's `fitted` split learns this).",
        value={"claim_amount": 5000, "awarded_amount": 500},
    ),
    Example(
        id="ultraman_simplified",
        summary="AI platform and a famous character: 300,000 claimed, simplified procedure",
        description="Guangzhou Internet Court Ultraman case: 5,800 halved to 2,900; the proportional split.",
        value={"claim_amount": 300000, "procedure": "simplified", "awarded_amount": 10000},
    ),
    Example(
        id="preservation_and_enforcement",
        summary="A 2,000,000 claim with preservation of 896,000 and enforcement of the award",
        description="Preservation is capped at 5,000; enforcement is borne by the judgment debtor.",
        value={"claim_amount": 2000000, "preservation_amount": 896000, "enforcement_amount": 1200000},
    ),
    Example(
        id="claim_reduced_after_investigation",
        summary="A 300,000 claim cut to 100,000 after the court investigation ended; 50,000 awarded",
        description="Art. 35: the fee stays 5,800 on the claim filed; the 3,500 on the reduced part is the "
        "plaintiff's, and the other 2,300 is split by the award against the reduced claim. Made before the end "
        "of the investigation (`before_investigation_end`), the same cut would refund 3,500 (art. 21).",
        value={
            "claim_amount": 300000,
            "changed_claim_amount": 100000,
            "claim_change_stage": "after_investigation_end",
            "awarded_amount": 50000,
        },
    ),
    Example(
        id="ip_without_amount",
        summary="An IP case without a disputed amount, in Guangdong",
        description="500 to 1,000 per case; Guangdong courts charge 1,000.",
        value={"case_kind": "ip_without_amount", "province": "Guangdong"},
    ),
]


class FeeController(Controller):
    path = "/v1/fees"
    tags = ("Court fees",)

    @post(
        operation_id="computeCourtFees",
        summary="Compute court fees and their split",
        description=(
            "The acceptance fee under art. 13 of the Measures on the Payment of Litigation Costs (2007), "
            "cumulative by bracket, halved at most once (simplified procedure, small claims, mediation, "
            "withdrawal); preservation, enforcement, counterclaim, appeal and payment-order fees; a claim "
            "increased or reduced during the case (arts. 21, 35); and, given the amount awarded, each party's "
            "share of the fee due under the default rule (art. 29: loser pays; proportional for partial wins, "
            "which is practice, not rule). Exact decimal arithmetic with one rounding step."
        ),
        status_code=200,
        responses=ERROR_RESPONSES,
    )
    async def compute(
        self,
        request: HttpRequest,  # type: ignore[type-arg]  # any Request
        data: Annotated[FeeRequest, Body(examples=FEE_EXAMPLES)],
        settings: NamedDependency[Settings],
    ) -> FeeResponse:
        lang = data.lang or language_of(request)
        return fee_response(court_fees(fee_question(data), settings=settings.fee_settings(data.rounding), lang=lang))
