"""Estimates for undecided cases: the award range, expenses, court fees, their split and net recovery.

One vectorised path serves one case or a million: questions become columns (`CaseColumns`), every
figure is computed column-wise in blocks of `BLOCK` rows (numpy, `scipy.special`; fees in exact
integer arithmetic), and only at the end are rows assembled into `Estimate` structs. A single
estimate is a batch of one through the same code.

Every figure about the award comes from one censored log-normal predictive distribution per case,
so quantiles, mean and the chances of the floor and of full support never disagree. The Article 54
route is decided first: a proved loss, gains or royalty replaces the statutory model by that figure.
"""

from __future__ import annotations

import datetime as dt
import math
import os
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal
from typing import Annotated

import msgspec
import numpy as np
import numpy.typing as npt
from msgspec import Meta

from estimator.errors import EstimatorError, InvalidInputError
from estimator.language import Language, article_number_zh, statute_zh
from estimator.law.article54 import (
    Article54Settings,
    DamagesEvidence,
    ExpensesMode,
    assess_damages,
    choose_route,
    reason,
)
from estimator.law.fee_arrays import acceptance_fees
from estimator.law.fees import FeeSettings, Halving, Outcome, Procedure, halving_for
from estimator.law.statutes import Method, Regime, copyright_regime
from estimator.model.artifact import FittedModel
from estimator.model.case import AMOUNT_TOLERANCE, Case, check_intent
from estimator.model.distribution import CensoredLogNormal
from estimator.model.explain import Factor
from estimator.model.features import CaseColumns, FloatArray
from estimator.model.pooling import model_predictive, spread

QUANTILES = (0.10, 0.25, 0.50, 0.75, 0.90)
# Midpoints of 16 equal-probability slices. The grid is in probability space, where the fee share
# and net recovery are smooth: the midpoint rule's error on the expected fee share is of order
# 1/(24·16²) ≈ 2e-4 of the fee, and P(net < 0) is found by interpolating where net crosses zero.
_GRID = (np.arange(16) + 0.5) / 16
BLOCK = 8_192  # rows per block: bounds memory whatever the batch, and feeds the threads below
# Blocks are independent and numpy releases the GIL in its loops, so large batches use threads.
THREADS = min(4, os.cpu_count() or 1)
DEFAULT_LAW_VERSION = "2020"
_POINT_SD = 1e-9  # a proved amount is a point; a vanishing spread keeps it on the one code path
_LAW_BOUNDS = {  # version -> (floor, cap) of statutory damages, from the statute table
    version: (float(copyright_regime(version).statutory_floor), float(copyright_regime(version).statutory_cap))
    for version in ("2001", "2010", "2020")
}


class Evidence(msgspec.Struct, frozen=True, kw_only=True):
    """Amounts the claimant can prove, which take the case off the statutory route (art. 54 ¶1)."""

    actual_loss: float | None = None
    illegal_gains: float | None = None
    royalty: float | None = None
    intentional_and_serious: bool = False
    punitive_multiplier: float | None = None
    # The day whose law governs the act (its last day), when the request dated it: it decides whether
    # the Civil Code's punitive damages reach an act under the 2010 law (`civil_code_punitive_window`).
    act_date: dt.date | None = None

    @property
    def proves_anything(self) -> bool:
        return any(
            v is not None for v in (self.actual_loss, self.illegal_gains, self.royalty, self.punitive_multiplier)
        )


NO_EVIDENCE = Evidence()


class Question(msgspec.Struct, frozen=True, kw_only=True):
    """One case to estimate, with the procedural facts that drive the fees."""

    case: Case
    evidence: Evidence = NO_EVIDENCE
    procedure: Procedure = Procedure.ORDINARY
    outcome: Outcome = Outcome.JUDGMENT


class LawApplied(msgspec.Struct, frozen=True, kw_only=True):
    """The law the estimate applies. `statute`, `article`, `route_reason` and `assumptions` are written
    for a reader, in the estimate's language; `statute_id`, `version` and `route` are stable codes.

    `floor` and `cap` bound the economic-loss award: on the statutory route the statute's floor and
    the lower of its cap and the claim; on a proved route (loss, gains, royalty) no floor, and the
    claim as the cap, or the amount proved when nothing is claimed."""

    statute: str
    statute_id: str
    version: str
    article: str
    route: Annotated[str, Meta(description="`statutory`, `actual_loss`, `illegal_gains` or `royalty`.")]
    route_reason: str
    floor: Annotated[
        float,
        Meta(description="Least award for the economic loss: the statutory floor on the statutory route, else 0."),
    ]
    cap: Annotated[
        float,
        Meta(
            description="Most award for the economic loss: on the statutory route the lower of the statutory cap and "
            "the claim; on a proved route the claim (or the amount proved, when nothing is claimed)."
        ),
    ]
    assumptions: Annotated[tuple[str, ...], Meta(description="What the estimate took for granted.")]


class AwardRange(msgspec.Struct, frozen=True, kw_only=True):
    mean: Annotated[float, Meta(description="Expected award, yuan; p10-p90 are its quantiles (80% range p10-p90).")]
    p10: float
    p25: float
    p50: float
    p75: float
    p90: float


class EconomicLoss(AwardRange, frozen=True, kw_only=True):
    p_floor: Annotated[float, Meta(description="Chance the award is exactly the statutory floor.")]
    p_full_claim: Annotated[float, Meta(description="Chance the whole economic-loss claim is awarded.")]


class Expenses(msgspec.Struct, frozen=True, kw_only=True):
    claimed: Annotated[float | None, Meta(description="Reasonable expenses claimed (stated, or the sum of the items).")]
    expected_supported: Annotated[
        float, Meta(description="Expected expenses awarded on top of the economic loss (0 in `inclusive` mode).")
    ]
    supported_share: Annotated[float, Meta(description="Share of claimed expenses courts support, from the data.")]


class FeeShares(msgspec.Struct, frozen=True, kw_only=True):
    plaintiff: float
    defendant: float


class CourtFeeEstimate(msgspec.Struct, frozen=True, kw_only=True):
    amount_in_dispute: Annotated[float | None, Meta(description="The claim the fee is charged on (loss + expenses).")]
    acceptance_fee: Annotated[float | None, Meta(description="Measures art. 13; null without a claimed amount.")]
    fee_due: Annotated[float | None, Meta(description="The acceptance fee after any halving (arts. 15, 16).")]
    halved: bool
    halving_reason: str | None
    proportional: Annotated[
        FeeShares | None, Meta(description="Expected split in proportion to the award (art. 29 practice).")
    ]
    fitted: Annotated[
        FeeShares | None,
        Meta(description="Expected split as courts in the data actually split it (more on the defendant)."),
    ]


class NetRecovery(msgspec.Struct, frozen=True, kw_only=True):
    expected: Annotated[
        float,
        Meta(
            description="Expected award (economic loss + supported expenses) less the expenses claimed and the "
            "claimant's fitted share of the fee due (all of it on withdrawal), yuan."
        ),
    ]
    p_negative: Annotated[float, Meta(description="Chance that this net recovery is below zero.")]


class ModelInfo(msgspec.Struct, frozen=True, kw_only=True):
    id: str
    schema_version: int
    cases: int
    fitted_cases: int
    data_cutoff: str | None


class Estimate(msgspec.Struct, frozen=True, kw_only=True, omit_defaults=True):
    id: str | None
    law: LawApplied
    economic_loss: EconomicLoss
    expenses: Expenses
    total_award: AwardRange
    court_fees: CourtFeeEstimate
    net_recovery: NetRecovery
    model: ModelInfo
    # The facts that moved the estimate (single estimates; omitted in batches, where it would cost).
    factors: list[Factor] | None = None


class Settings(msgspec.Struct, frozen=True, kw_only=True):
    fees: FeeSettings = FeeSettings()
    article54: Article54Settings = Article54Settings()


# --- the vectorised computation ---------------------------------------------------------------------


class EstimateColumns(msgspec.Struct, kw_only=True):
    """Every figure of every estimate, as arrays of the batch's length."""

    floor: FloatArray
    cap: FloatArray
    quantiles: FloatArray  # (n, 5)
    mean: FloatArray
    p_floor: FloatArray
    p_full_claim: FloatArray
    expected_expenses: FloatArray
    acceptance_fee: FloatArray
    fee_due: FloatArray
    defendant_proportional: FloatArray
    defendant_fitted: FloatArray
    net_expected: FloatArray
    p_negative: FloatArray


def estimate_columns(
    model: FittedModel,
    cols: CaseColumns,
    *,
    halve: npt.NDArray[np.bool_],
    withdrawn: npt.NDArray[np.bool_],
    proved: FloatArray,
    settings: Settings,
    covariate_claim: FloatArray | None = None,
) -> EstimateColumns:
    """All figures for all rows; `proved` holds the award of a proved route (NaN: statutory)."""
    n = cols.n
    out = {name: np.empty(n) for name in EstimateColumns.__struct_fields__ if name != "quantiles"}
    out["quantiles"] = np.empty((n, len(QUANTILES)))
    pred = model_predictive(model)
    version = cols.codes["law_version"]
    floors_by_code = np.array([_LAW_BOUNDS["2010"][0], _LAW_BOUNDS["2020"][0]])
    caps_by_code = np.array([_LAW_BOUNDS["2010"][1], _LAW_BOUNDS["2020"][1]])
    acceptance, due = acceptance_fees(_zero_nan(cols.disputed), halve=halve, rounding=settings.fees.rounding)
    no_fee = ~(cols.disputed > 0)
    out["acceptance_fee"] = np.where(no_fee, np.nan, acceptance)
    out["fee_due"] = np.where(no_fee, np.nan, due)
    share = model.expenses.share
    supported = np.round(_zero_nan(cols.expenses) * share)
    inclusive = settings.article54.expenses_mode is ExpensesMode.INCLUSIVE
    if inclusive:
        # The statutory figure covers the reasonable expenses ("含合理开支"): none are added on top.
        supported = np.where(np.isnan(proved), 0.0, supported)
    out["expected_expenses"] = supported

    def block(start: int) -> None:
        rows = slice(start, min(start + BLOCK, n))
        x = cols.design_matrix(model.features, rows, covariate_claim=covariate_claim)
        mu = x @ pred.beta
        sd = spread(pred, x)
        claim = cols.claim[rows]
        claimed = claim > 0
        # Statutory damages lie within the statute's bounds and never above the claim: in inclusive mode
        # the figure holds the expenses too ("含合理开支"), so the claim it may reach holds them too.
        ceiling = claim + _zero_nan(cols.expenses[rows]) if inclusive else claim
        cap = np.where(claimed, np.fmin(caps_by_code[version[rows]], ceiling), caps_by_code[version[rows]])
        floor = np.minimum(floors_by_code[version[rows]], cap)
        # A proved loss, gain or royalty (times any punitive multiple) is awarded as assessed, already
        # within the claim: no statutory bound applies to it (art. 54 para. 1), only the claim, and
        # without a claim nothing above the amount itself.
        point = proved[rows]
        is_point = ~np.isnan(point)
        point_cap = np.where(claimed, claim, point)
        cap = np.where(is_point, point_cap, cap)
        floor = np.where(is_point, 0.0, floor)
        mu = np.where(is_point, np.log(np.maximum(np.where(is_point, point, 1.0), 1e-9)), mu)
        sd = np.where(is_point, _POINT_SD, sd)
        dist = CensoredLogNormal(mu, sd, floor, cap)
        out["floor"][rows] = floor
        out["cap"][rows] = cap
        # A proved amount is the award, to the fen: one figure, not a range its vanishing spread and
        # rounding could split in two.
        awarded = np.minimum(point, cap)
        out["quantiles"][rows] = np.where(is_point[:, None], awarded[:, None], dist.quantile(np.asarray(QUANTILES)))
        mean = np.where(is_point, awarded, dist.mean())
        out["mean"][rows] = mean
        # A claim no higher than the statutory floor pins the award to it, and a proved amount is the
        # award: at the floor, or the full claim, with certainty or not at all (the censored law would
        # split a point that sits on a bound between the two sides).
        pinned = (floor > 0) & (floor >= cap)
        full = is_point & claimed & (point >= claim - AMOUNT_TOLERANCE)
        out["p_floor"][rows] = np.where(pinned, 1.0, np.where(floor > 0, dist.p_floor(), 0.0))
        # The whole claim can be awarded only if it is within the statutory cap; above it, the mass
        # at the cap is the cap's, not the claim's.
        within_cap = ceiling <= caps_by_code[version[rows]] + 1e-6  # a fen above is above
        p_cap = np.where(claimed & ~is_point & within_cap, dist.p_cap(), 0.0)
        out["p_full_claim"][rows] = np.where(pinned | full, 1.0, p_cap)
        _fees_and_net(model, cols, rows, dist.quantile(_GRID), mean, out, withdrawn=withdrawn[rows])

    starts = range(0, n, BLOCK)
    if n > BLOCK and THREADS > 1:
        with ThreadPoolExecutor(THREADS) as pool:
            list(pool.map(block, starts))  # each block writes its own rows of `out`
    else:
        for start in starts:
            block(start)
    return EstimateColumns(**out)


def _fees_and_net(
    model: FittedModel,
    cols: CaseColumns,
    rows: slice,
    grid: FloatArray,
    mean: FloatArray,
    out: dict[str, FloatArray],
    *,
    withdrawn: npt.NDArray[np.bool_],
) -> None:
    """Expected fee shares and net recovery, from the award grid (rows: awards at the grid's probabilities)."""
    supported = out["expected_expenses"][rows]
    disputed = cols.disputed[rows]
    due = _zero_nan(out["fee_due"][rows])
    has_fee = disputed > 0
    split = has_fee & ~withdrawn  # a withdrawing plaintiff bears the whole (halved) fee: no split
    due_split = np.where(split, due, 0.0)
    due_withdrawn = np.where(has_fee & withdrawn, due, 0.0)
    ratio = (grid + supported[:, None]) * (1.0 / np.where(has_fee, disputed, 1.0))[:, None]
    np.clip(ratio, 0.0, 1.0, out=ratio)
    out["defendant_proportional"][rows] = due_split * ratio.mean(axis=1)
    fitted_share = np.power(ratio, model.fee_split.gamma, out=ratio)
    defendant_fitted = due_split * fitted_share.mean(axis=1)
    out["defendant_fitted"][rows] = defendant_fitted
    spent = _zero_nan(cols.expenses[rows])
    # Net recovery rises with the award: award and supported expenses, less the expenses spent and
    # the plaintiff's share of the fee (which falls as the award rises).
    fixed = supported - spent - due_withdrawn - due_split
    net = grid + fixed[:, None] + due_split[:, None] * fitted_share
    out["net_expected"][rows] = mean + fixed + defendant_fitted
    out["p_negative"][rows] = _probability_below_zero(net)


def _probability_below_zero(net: FloatArray) -> FloatArray:
    """P(net < 0) per row, interpolating between grid points where net crosses zero."""
    k = (net < 0).sum(axis=1)  # net is non-decreasing along the grid, so these are the first k
    inside = (k > 0) & (k < net.shape[1])
    lo = np.clip(k - 1, 0, net.shape[1] - 1)
    hi = np.clip(k, 0, net.shape[1] - 1)
    rows = np.arange(net.shape[0])
    net_lo = net[rows, lo]
    net_hi = net[rows, hi]
    step = np.where(net_hi > net_lo, (0 - net_lo) / np.where(net_hi > net_lo, net_hi - net_lo, 1.0), 0.0)
    p = _GRID[lo] + step * (_GRID[hi] - _GRID[lo])
    return np.where(inside, p, np.where(k == 0, 0.0, 1.0))


# --- questions in, estimates out --------------------------------------------------------------------


def estimate_cases(
    model: FittedModel, questions: Sequence[Question], *, settings: Settings | None = None, lang: Language = "en"
) -> list[Estimate]:
    """Estimate every question through the one vectorised path; the first unlawful question raises.

    What it writes for a reader (the route's reason, the assumptions, the fee halving) is in `lang`.
    """
    results = estimate_rows(model, questions, settings=settings, lang=lang)
    for result in results:
        if isinstance(result, EstimatorError):
            raise result
    return results  # type: ignore[return-value]  # no errors, checked just above


def estimate_rows(
    model: FittedModel,
    questions: Sequence[Question],
    *,
    settings: Settings | None = None,
    covariate_claim: FloatArray | None = None,
    lang: Language = "en",
) -> list[Estimate | EstimatorError]:
    """Estimate every question; a question the law refuses gets its error in its place."""
    settings = settings or Settings()
    cols = CaseColumns([q.case for q in questions], default_law_version=DEFAULT_LAW_VERSION)
    regimes = _regimes_of(questions, cols)
    proved = np.full(cols.n, np.nan)
    route_of: dict[int, tuple[Method, float | None, str]] = {}
    errors: dict[int, EstimatorError] = {}
    for i, question in enumerate(questions):
        if not question.evidence.proves_anything:
            continue
        try:
            method, amount, why = _route(question, regimes[i], cols.claim[i], settings, lang)
        except EstimatorError as exc:
            errors[i] = exc
            continue
        route_of[i] = (method, amount, why)
        if amount is not None:
            proved[i] = amount
    halvings = [halving_for(q.procedure, q.outcome, lang=lang) for q in questions]
    result = estimate_columns(
        model,
        cols,
        halve=np.array([h.applied for h in halvings], dtype=bool),
        withdrawn=np.array([q.outcome is Outcome.WITHDRAWAL for q in questions], dtype=bool),
        proved=proved,
        settings=settings,
        covariate_claim=covariate_claim,
    )
    estimates: list[Estimate | EstimatorError] = list(
        assemble(
            model,
            cols,
            result,
            regimes=regimes,
            outcomes=[q.outcome for q in questions],
            halvings=halvings,
            route_of=route_of,
            lang=lang,
            inclusive=settings.article54.expenses_mode is ExpensesMode.INCLUSIVE,
        )
    )
    for i, error in errors.items():
        estimates[i] = error
    return estimates


_MODELLED_REGIMES = (copyright_regime("2010"), copyright_regime("2020"))
_REGIME_2001 = copyright_regime("2001")


def _regimes_of(questions: Sequence[Question], cols: CaseColumns) -> list[Regime]:
    """The statute each case is decided under: a record of the 2001 text is modelled as the 2010 one (the
    same damages rules: loss, then gains, then statutory damages up to 500,000) but cited as itself."""
    regimes = [_MODELLED_REGIMES[code] for code in cols.codes["law_version"].tolist()]
    for i, question in enumerate(questions):
        if question.case.law_version == "2001":
            regimes[i] = _REGIME_2001
    return regimes


def _has_royalty_route(regime: Regime) -> bool:
    return any(Method.ROYALTY in group for group in regime.methods)


def _route(
    question: Question, regime: Regime, claim: float, settings: Settings, lang: Language
) -> tuple[Method, float | None, str]:
    """The Article 54 route of a case with proved amounts (a few per batch; Decimal legal rules), and why."""
    evidence = question.evidence
    try:
        check_intent(question.case.intentional, evidence.intentional_and_serious)
    except ValueError as exc:
        raise InvalidInputError(str(exc), field="intentional_and_serious") from None
    proved = DamagesEvidence(
        actual_loss=_dec(evidence.actual_loss),
        illegal_gains=_dec(evidence.illegal_gains),
        royalty=_dec(evidence.royalty),
        intentional=evidence.intentional_and_serious,
        serious=evidence.intentional_and_serious,
        punitive_multiplier=_dec(evidence.punitive_multiplier),
        claimed_economic_loss=None if math.isnan(claim) else _dec(float(claim)),
        act_date=evidence.act_date,
    )
    method, _, why = choose_route(regime, proved, lang=lang)
    if method is Method.STATUTORY:
        assess_damages(regime, proved, settings=settings.article54)  # raises where the law says no
        return method, None, _joined((why, _ESTIMATED[lang]), lang)
    assessed = assess_damages(regime, proved, settings=settings.article54, lang=lang)
    if assessed.economic_loss is None:  # pragma: no cover - a proved route always has an amount
        raise EstimatorError("a proved route gave no amount")
    # Every reason but the last, which is about expenses (stated in the estimate's own fields): the
    # route, any punitive multiple, and the claim capping the amount.
    return method, float(assessed.economic_loss), _joined(assessed.reasons[:-1], lang)


def _joined(clauses: Sequence[str], lang: Language) -> str:
    return ("；" if lang == "zh" else "; ").join(clauses)


_ESTIMATED: dict[Language, str] = {"en": "the amount is estimated from decided cases", "zh": "赔偿数额依据已决案件估算"}
_NO_PROOF = DamagesEvidence()
_STATUTORY_REASON: dict[tuple[str, Language], str] = {
    (version, lang): _joined((choose_route(copyright_regime(version), _NO_PROOF, lang=lang)[2], _ESTIMATED[lang]), lang)
    for version in ("2001", "2010", "2020")
    for lang in ("en", "zh")
}
# What an estimate takes for granted when the case does not say, in English and Chinese.
_ASSUME_LAW = {
    "en": "the infringing act is taken to continue on or after 2021-06-01 (Copyright Law 2020)",
    "zh": "推定侵权行为持续至2021年6月1日以后（适用2020年修正的著作权法）",
}
_ASSUME_NO_CLAIM = {
    "en": "no claimed amount: the award is capped only by the statute, and no fee can be computed",
    "zh": "未主张具体赔偿数额：判赔仅受法定上限限制，无法计算诉讼费",
}
# A case that ends without judgment has no award: what the figures stand for then.
_ASSUME_MEDIATION = {
    "en": "settled by mediation: the agreed amount is taken to follow the range a judgment would give",
    "zh": "调解结案：推定调解协议的金额与判决可能判赔的区间一致",
}
_ASSUME_WITHDRAWAL = {
    "en": "claim withdrawn: the award range stands for a settlement paid outside court; without one the claimant "
    "recovers nothing and still bears the fee",
    "zh": "撤回起诉：判赔区间代表庭外和解可得的金额；未达成和解的，原告一无所得且仍负担诉讼费",
}
_ASSUME_INCLUSIVE = {lang: reason("inclusive", lang) for lang in ("en", "zh")}
_ASSUME_STATUTORY = {
    "en": "the award follows the statutory route: loss, gains and royalty are difficult to calculate",
    "zh": "按法定赔偿确定判赔：实际损失、违法所得和权利使用费均难以计算",
}
# The 2001 and 2010 texts have no royalty route: a royalty is only a factor within statutory damages.
_ASSUME_STATUTORY_NO_ROYALTY = {
    "en": "the award follows the statutory route: loss and gains are difficult to calculate",
    "zh": "按法定赔偿确定判赔：实际损失和违法所得均难以计算",
}


def assemble(
    model: FittedModel,
    cols: CaseColumns,
    result: EstimateColumns,
    *,
    regimes: Sequence[Regime],
    outcomes: Sequence[Outcome],
    halvings: Sequence[Halving],
    route_of: dict[int, tuple[Method, float | None, str]],
    lang: Language = "en",
    inclusive: bool = False,
) -> list[Estimate]:
    """Rows of the columns as `Estimate` structs; model amounts are rounded to the yuan here, once.

    A row without an entry in `route_of` takes the statutory route, and says so in `lang`.
    """
    info = ModelInfo(
        id=model.id,
        schema_version=model.schema_version,
        cases=model.n_records,
        fitted_cases=model.n_fitted,
        data_cutoff=model.data_cutoff,
    )
    share = round(model.expenses.share, 4)
    proved = np.zeros(cols.n, dtype=bool)
    proved[[i for i, (_, amount, _) in route_of.items() if amount is not None]] = True
    q = _award_amounts(result.quantiles, result.cap[:, None], proved[:, None]).tolist()
    mean = _award_amounts(result.mean, result.cap, proved).tolist()
    expenses = result.expected_expenses.tolist()
    p_floor = np.round(result.p_floor, 4).tolist()
    p_full = np.round(result.p_full_claim, 4).tolist()
    floor, cap = result.floor.tolist(), result.cap.tolist()
    acceptance, due = result.acceptance_fee.tolist(), result.fee_due.tolist()
    d_prop = np.round(result.defendant_proportional, 2).tolist()
    d_fit = np.round(result.defendant_fitted, 2).tolist()
    net = _amounts(result.net_expected, proved).tolist()
    p_neg = np.round(result.p_negative, 4).tolist()
    claimed_expenses = cols.expenses.tolist()
    disputed = cols.disputed.tolist()
    claim_known = (cols.claim > 0).tolist()
    law_given = cols.law_given.tolist()
    assume_law, assume_no_claim, assume_inclusive = _ASSUME_LAW[lang], _ASSUME_NO_CLAIM[lang], _ASSUME_INCLUSIVE[lang]
    assume_statutory = {
        regime.id: (_ASSUME_STATUTORY if _has_royalty_route(regime) else _ASSUME_STATUTORY_NO_ROYALTY)[lang]
        for regime in (_REGIME_2001, *_MODELLED_REGIMES)
    }
    assume_outcome = {Outcome.MEDIATION: _ASSUME_MEDIATION[lang], Outcome.WITHDRAWAL: _ASSUME_WITHDRAWAL[lang]}
    estimates = []
    for i in range(cols.n):
        regime = regimes[i]
        method, amount, why = route_of.get(i, (Method.STATUTORY, None, _STATUTORY_REASON[regime.version, lang]))
        statutory = amount is None
        # Appended one by one: this loop runs once per row of a batch, and most rows add one or two.
        assumed = []
        if not law_given[i]:
            assumed.append(assume_law)
        if not claim_known[i]:
            assumed.append(assume_no_claim)
        if statutory:
            assumed.append(assume_statutory[regime.id])
            if inclusive:
                assumed.append(assume_inclusive)
        if outcomes[i] is not Outcome.JUDGMENT:
            assumed.append(assume_outcome[outcomes[i]])
        assumptions = tuple(assumed)
        qi = q[i]
        shift = expenses[i]
        has_fee = not math.isnan(due[i])
        halving = halvings[i]
        estimates.append(
            Estimate(
                id=cols.ids[i],
                law=LawApplied(
                    statute=statute_zh(regime.title_zh) if lang == "zh" else regime.title,
                    statute_id=regime.id,
                    version=regime.version,
                    article=article_number_zh(regime.article) if lang == "zh" else regime.article,
                    route=method.value,
                    route_reason=why,
                    floor=floor[i],
                    cap=cap[i],
                    assumptions=assumptions,
                ),
                economic_loss=EconomicLoss(
                    mean=mean[i],
                    p10=qi[0],
                    p25=qi[1],
                    p50=qi[2],
                    p75=qi[3],
                    p90=qi[4],
                    p_floor=p_floor[i],
                    p_full_claim=p_full[i],
                ),
                expenses=Expenses(
                    claimed=None if math.isnan(claimed_expenses[i]) else claimed_expenses[i],
                    expected_supported=shift,
                    supported_share=share,
                ),
                total_award=AwardRange(
                    mean=mean[i] + shift,
                    p10=qi[0] + shift,
                    p25=qi[1] + shift,
                    p50=qi[2] + shift,
                    p75=qi[3] + shift,
                    p90=qi[4] + shift,
                ),
                court_fees=CourtFeeEstimate(
                    amount_in_dispute=disputed[i] if has_fee else None,
                    acceptance_fee=acceptance[i] if has_fee else None,
                    fee_due=due[i] if has_fee else None,
                    halved=halving.applied and has_fee,
                    halving_reason=halving.reason if has_fee else None,
                    proportional=FeeShares(plaintiff=round(due[i] - d_prop[i], 2), defendant=d_prop[i])
                    if has_fee
                    else None,
                    fitted=FeeShares(plaintiff=round(due[i] - d_fit[i], 2), defendant=d_fit[i]) if has_fee else None,
                ),
                net_recovery=NetRecovery(expected=net[i], p_negative=p_neg[i]),
                model=info,
            )
        )
    return estimates


def _award_amounts(amounts: FloatArray, cap: FloatArray, proved: npt.NDArray[np.bool_]) -> FloatArray:
    """Awards as reported (`_amounts`), an estimated one never above its cap: a claim of 1,001.50 is
    awarded at most 1,001.50, not 1,002."""
    return np.where(proved, _amounts(amounts, proved), np.minimum(_amounts(amounts, proved), cap))


def _amounts(amounts: FloatArray, proved: npt.NDArray[np.bool_]) -> FloatArray:
    """Model amounts to the yuan, half away from zero (四舍五入); where a proved amount decides them, to
    the fen, as it was assessed. (+ 0.0: a small negative amount rounds to 0, not -0.)"""
    whole = np.sign(amounts) * np.floor(np.abs(amounts) + 0.5)
    rounded: FloatArray = np.where(proved, np.round(amounts, 2), whole) + 0.0
    return rounded


def _zero_nan(values: FloatArray) -> FloatArray:
    """NaN (unknown) as 0; cheaper than `np.nan_to_num`, which also maps infinities."""
    return np.where(np.isnan(values), 0.0, values)


def _dec(value: float | None) -> Decimal | None:
    return None if value is None else Decimal(repr(value))
