"""What to claim: expected net recovery, fees and the risk of losing money across a grid of claims.

The modelling assumption, stated in every answer: the claim enters the award model as a covariate
at the claimant's own assessment of the loss, and the amount actually asked caps the award (a court
never awards more than was asked) and sets the acceptance fee and its split. The model's claim
coefficient measures how much bigger *cases* are awarded, not what *asking* more yields; used as a
lever it would advise every claimant to ask for the statutory maximum. Without an assessment the
award's range comes from the facts alone (the model's "no amount claimed" level), which is wider
and centred on a typical case in the data; the answer says so. Each grid claim is scored through
the same path as an estimate. Each claim is taken as kept to judgment; changing it in the course of
the case changes its fee (Measures arts. 21 and 35), which `estimator.law.fees` prices and the answer
points to.
"""

from __future__ import annotations

import msgspec
import numpy as np

from estimator.errors import InvalidInputError
from estimator.language import Language, yuan_text
from estimator.law.statutes import copyright_regime
from estimator.model.artifact import FittedModel
from estimator.model.estimate import DEFAULT_LAW_VERSION, Estimate, Question, Settings, estimate_rows

ASSUMPTION: dict[Language, str] = {
    "en": "The claim enters the award model as a covariate at your own assessment of the loss ({assessment}); the "
    "amount you ask caps the award and sets the court fee and its split, but asking more does not raise the "
    "award: the model's claim coefficient measures how much bigger cases are awarded, not what asking yields. "
    "Each claim is taken as kept to judgment: a claim cut before the end of court investigation has its fee "
    "recomputed and the difference refunded (Measures art. 21), one cut later keeps the fee on the amount filed, "
    "the part cut at your cost (art. 35); POST /v1/fees prices such a change (`changed_claim_amount`).",
    "zh": "诉请金额以您自行评估的损失（{assessment}）作为赔偿模型的协变量；实际主张的金额只限定判赔上限，"
    "并决定诉讼费及其分担，多主张不会提高判赔：模型中诉请金额的系数反映的是案件规模越大判赔越高，而非多主张能多得。"
    "各诉请金额均按坚持至判决计算：法庭调查终结前减少诉请的，按减少后的金额重新计算案件受理费并退还差额"
    "（《诉讼费用交纳办法》第二十一条）；其后减少的，仍按起诉金额计费，减少部分的受理费由您负担（第三十五条）；"
    "变更诉请的费用可通过 POST /v1/fees 的 `changed_claim_amount` 计算。",
}
NO_ASSESSMENT: dict[Language, str] = {
    "en": "not given, so the award's range comes from the facts alone and is centred on a typical case",
    "zh": "未提供，判赔区间仅依案件事实得出，以典型案件为中心",
}
NEAR_BEST = 0.05  # "within 5% of the best expected net recovery"


class ClaimOption(msgspec.Struct, frozen=True, kw_only=True):
    claim: float
    award_p10: float
    award_p50: float
    award_p90: float
    award_mean: float
    p_full_claim: float
    acceptance_fee: float
    fee_due: float
    plaintiff_fee_expected: float
    expected_net_recovery: float
    p_losing_money: float


class ClaimAdvice(msgspec.Struct, frozen=True, kw_only=True):
    best: ClaimOption
    smallest_near_best: ClaimOption
    your_claim: ClaimOption | None
    options: list[ClaimOption]
    statutory_cap: float
    assessed_loss: float | None
    assumption: str
    model_id: str


def advise_claim(
    model: FittedModel,
    question: Question,
    *,
    assessed_loss: float | None = None,
    your_claim: float | None = None,
    points: int = 40,
    settings: Settings | None = None,
    lang: Language = "en",
) -> ClaimAdvice:
    """Evaluate `points` log-spaced claims from the statutory floor to the cap, plus `your_claim`.

    The stated assumption is written in `lang`.
    """
    if not 5 <= points <= 200:
        raise InvalidInputError("`points` must be between 5 and 200", field="points")
    regime = copyright_regime(question.case.law_version or DEFAULT_LAW_VERSION)
    low = max(float(regime.statutory_floor), 500.0)
    cap = float(regime.statutory_cap)
    base = msgspec.structs.replace(question.case, claimed_economic_loss=None, claimed_total=None)
    proved = _proved_award(model, msgspec.structs.replace(question, case=base), settings)
    # A proved amount is bounded by the claim alone, not the statutory cap: the grid reaches it, and
    # holds it (asking exactly what is proved wins it all at the least fee).
    claims = np.unique(np.round(np.geomspace(low, max(cap, proved or 0.0), points)))
    for extra in (your_claim, proved):
        if extra is not None:
            claims = np.unique(np.append(claims, extra))
    questions = [
        msgspec.structs.replace(question, case=msgspec.structs.replace(base, claimed_economic_loss=float(c)))
        for c in claims
    ]
    covariate = np.full(len(claims), np.nan if assessed_loss is None else assessed_loss)
    results = estimate_rows(model, questions, settings=settings, covariate_claim=covariate)
    for result in results:
        if not isinstance(result, Estimate):
            raise result
    options = [_option(float(c), e) for c, e in zip(claims, results, strict=True) if isinstance(e, Estimate)]
    best = max(options, key=lambda o: o.expected_net_recovery)
    threshold = best.expected_net_recovery - NEAR_BEST * abs(best.expected_net_recovery)
    smallest = min((o for o in options if o.expected_net_recovery >= threshold), key=lambda o: o.claim)
    mine = next((o for o in options if your_claim is not None and o.claim == your_claim), None)
    return ClaimAdvice(
        best=best,
        smallest_near_best=smallest,
        your_claim=mine,
        options=options,
        statutory_cap=cap,
        assumption=ASSUMPTION[lang].format(
            assessment=NO_ASSESSMENT[lang] if assessed_loss is None else yuan_text(assessed_loss, lang)
        ),
        assessed_loss=assessed_loss,
        model_id=model.id,
    )


def _proved_award(model: FittedModel, unclaimed: Question, settings: Settings | None) -> float | None:
    """The award a proved loss, gain or royalty gives with nothing claimed; None on the statutory route."""
    if not unclaimed.evidence.proves_anything:
        return None
    (result,) = estimate_rows(model, [unclaimed], settings=settings)
    if not isinstance(result, Estimate):
        raise result
    return None if result.law.route == "statutory" else result.economic_loss.p50


def _option(claim: float, e: Estimate) -> ClaimOption:
    fees = e.court_fees
    return ClaimOption(
        claim=claim,
        award_p10=e.economic_loss.p10,
        award_p50=e.economic_loss.p50,
        award_p90=e.economic_loss.p90,
        award_mean=e.economic_loss.mean,
        p_full_claim=e.economic_loss.p_full_claim,
        acceptance_fee=fees.acceptance_fee or 0.0,
        fee_due=fees.fee_due or 0.0,
        plaintiff_fee_expected=fees.fitted.plaintiff if fees.fitted else 0.0,
        expected_net_recovery=e.net_recovery.expected,
        p_losing_money=e.net_recovery.p_negative,
    )
