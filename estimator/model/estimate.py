"""Estimates for undecided cases: the award range, expenses, court fees, their split and net recovery.

Every figure about the award comes from one censored log-normal predictive distribution per case
(`CensoredLogNormal`), computed for all cases at once: quantiles, mean, the chance of the floor and
of full support never disagree. The Article 54 route is decided first: where the claimant proves
loss, gains or a royalty, the award follows that figure instead of the statutory model.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from decimal import Decimal

import msgspec
import numpy as np

from estimator.law.article54 import Article54Settings, DamagesEvidence, assess_damages, choose_route
from estimator.law.fees import FeeQuestion, FeeSettings, Outcome, Procedure, court_fees
from estimator.law.statutes import Method, Regime, copyright_regime
from estimator.model.artifact import FittedModel
from estimator.model.case import Case
from estimator.model.distribution import CensoredLogNormal
from estimator.model.features import FloatArray, design_matrix

QUANTILES = (0.10, 0.25, 0.50, 0.75, 0.90)
# Quantile grid for expectations of non-linear functions of the award (fee split, net recovery):
# midpoints of 200 equal-probability slices, accurate to well under 1% of the fee.
_GRID = (np.arange(200) + 0.5) / 200
DEFAULT_LAW_VERSION = "2020"
# A proved amount is a point, not a range; a vanishing spread keeps it on the one code path.
_POINT_SD = 1e-9


class Evidence(msgspec.Struct, frozen=True, kw_only=True):
    """Amounts the claimant can prove, which take the case off the statutory route (art. 54 ¶1)."""

    actual_loss: float | None = None
    illegal_gains: float | None = None
    royalty: float | None = None
    intentional_and_serious: bool = False
    punitive_multiplier: float | None = None


class Question(msgspec.Struct, frozen=True, kw_only=True):
    """One case to estimate, with the procedural facts that drive the fees."""

    case: Case
    evidence: Evidence = Evidence()
    procedure: Procedure = Procedure.ORDINARY
    outcome: Outcome = Outcome.JUDGMENT


class LawApplied(msgspec.Struct, frozen=True, kw_only=True):
    statute: str
    statute_id: str
    version: str
    article: str
    route: str
    route_reason: str
    floor: float
    cap: float
    assumptions: tuple[str, ...]


class AwardRange(msgspec.Struct, frozen=True, kw_only=True):
    mean: float
    p10: float
    p25: float
    p50: float
    p75: float
    p90: float


class EconomicLoss(AwardRange, frozen=True, kw_only=True):
    p_floor: float
    p_full_claim: float


class Expenses(msgspec.Struct, frozen=True, kw_only=True):
    claimed: float | None
    expected_supported: float
    supported_share: float


class FeeShares(msgspec.Struct, frozen=True, kw_only=True):
    plaintiff: float
    defendant: float


class CourtFeeEstimate(msgspec.Struct, frozen=True, kw_only=True):
    amount_in_dispute: float | None
    acceptance_fee: float | None
    fee_due: float | None
    halved: bool
    halving_reason: str | None
    proportional: FeeShares | None
    fitted: FeeShares | None


class NetRecovery(msgspec.Struct, frozen=True, kw_only=True):
    expected: float
    p_negative: float


class ModelInfo(msgspec.Struct, frozen=True, kw_only=True):
    id: str
    schema_version: int
    cases: int
    fitted_cases: int
    data_cutoff: str | None


class Estimate(msgspec.Struct, frozen=True, kw_only=True):
    id: str | None
    law: LawApplied
    economic_loss: EconomicLoss
    expenses: Expenses
    total_award: AwardRange
    court_fees: CourtFeeEstimate
    net_recovery: NetRecovery
    model: ModelInfo


class Settings(msgspec.Struct, frozen=True, kw_only=True):
    fees: FeeSettings = FeeSettings()
    article54: Article54Settings = Article54Settings()


def predictive_log_params(model: FittedModel, x: FloatArray) -> tuple[FloatArray, FloatArray]:
    """Mean and (recalibrated) sd of the log award for each row of a design matrix.

    Var = sigma^2 + x' Sigma x: the spread of courts around the mean plus the uncertainty of the
    coefficients (a predictive interval for one new case, not an interval for the mean).
    """
    beta = np.asarray(model.coefficients)
    cov = np.asarray(model.covariance)
    mu = x @ beta
    parameter_var = np.einsum("ij,jk,ik->i", x, cov, x)
    sd = np.sqrt(model.sigma**2 + np.maximum(parameter_var, 0.0)) * model.interval_scale
    return mu, sd


def estimate_cases(
    model: FittedModel, questions: Sequence[Question], *, settings: Settings | None = None
) -> list[Estimate]:
    """Estimate every question with one vectorised pass through the model."""
    settings = settings or Settings()
    cases = [_with_law_version(q.case) for q in questions]
    regimes = [copyright_regime(c.law_version or DEFAULT_LAW_VERSION) for c in cases]
    routes = [_route(q, regime, settings) for q, regime in zip(questions, regimes, strict=True)]

    mu, sd = predictive_log_params(model, design_matrix(model.features, cases))
    floors = np.empty(len(cases))
    caps = np.empty(len(cases))
    for i, (case, regime, route) in enumerate(zip(cases, regimes, routes, strict=True)):
        floor, cap = _bounds(case, regime)
        floors[i], caps[i] = floor, cap
        if route.amount is not None:
            # A proved route: the award is that figure, capped by the claim (never above it).
            mu[i], sd[i] = math.log(max(min(route.amount, cap), 1e-9)), _POINT_SD
            floors[i] = 0.0
    dist = CensoredLogNormal(mu, sd, floors, caps)

    quantiles = dist.quantile(np.asarray(QUANTILES))
    means = dist.mean()
    p_floor = np.where(floors > 0, dist.p_floor(), 0.0)
    p_cap = dist.p_cap()
    grid = dist.quantile(_GRID)

    estimates = []
    for i, (question, case, regime, route) in enumerate(zip(questions, cases, regimes, routes, strict=True)):
        expenses = _expenses(model, case)
        fees = _fees(question, case, grid[i], expenses.expected_supported, model, settings.fees)
        net = _net_recovery(
            grid[i], float(means[i]), case, expenses.expected_supported, fees, gamma=model.fee_split.gamma
        )
        shift = expenses.expected_supported
        estimates.append(
            Estimate(
                id=case.id,
                law=LawApplied(
                    statute=regime.title,
                    statute_id=regime.id,
                    version=regime.version,
                    article=regime.article,
                    route=route.method.value,
                    route_reason=route.reason,
                    floor=float(floors[i]) if route.amount is None else float(regime.statutory_floor),
                    cap=float(caps[i]),
                    assumptions=_assumptions(question.case, route.amount is None),
                ),
                economic_loss=EconomicLoss(
                    mean=_yuan(means[i]),
                    **_quantile_fields(quantiles[i]),
                    p_floor=_prob(p_floor[i]),
                    p_full_claim=_prob(p_cap[i]) if case.claim is not None else 0.0,
                ),
                expenses=expenses,
                total_award=AwardRange(mean=_yuan(means[i] + shift), **_quantile_fields(quantiles[i] + shift)),
                court_fees=fees,
                net_recovery=net,
                model=ModelInfo(
                    id=model.id,
                    schema_version=model.schema_version,
                    cases=model.n_records,
                    fitted_cases=model.n_fitted,
                    data_cutoff=model.data_cutoff,
                ),
            )
        )
    return estimates


class _Route(msgspec.Struct, frozen=True):
    method: Method
    amount: float | None
    reason: str


def _with_law_version(case: Case) -> Case:
    if case.law_version is None:
        return msgspec.structs.replace(case, law_version=DEFAULT_LAW_VERSION)
    return case


def _route(question: Question, regime: Regime, settings: Settings) -> _Route:
    evidence = question.evidence
    proved = DamagesEvidence(
        actual_loss=_dec(evidence.actual_loss),
        illegal_gains=_dec(evidence.illegal_gains),
        royalty=_dec(evidence.royalty),
        intentional=evidence.intentional_and_serious,
        serious=evidence.intentional_and_serious,
        punitive_multiplier=_dec(evidence.punitive_multiplier),
        claimed_economic_loss=_dec(question.case.claim),
    )
    method, _, reason = choose_route(regime, proved)
    if method is Method.STATUTORY:
        if proved.punitive_multiplier is not None:
            assess_damages(regime, proved, settings=settings.article54)  # raises: no punitive on statutory
        return _Route(method, None, reason + "; the amount is estimated from decided cases")
    assessed = assess_damages(regime, proved, settings=settings.article54)
    assert assessed.economic_loss is not None  # a proved route always has an amount
    return _Route(method, float(assessed.economic_loss), "; ".join(assessed.reasons[:2]))


def _bounds(case: Case, regime: Regime) -> tuple[float, float]:
    cap = float(regime.statutory_cap)
    claim = case.claim
    if claim is not None and claim > 0:
        cap = min(cap, claim)
    return min(float(regime.statutory_floor), cap), cap


def _assumptions(case: Case, statutory: bool) -> tuple[str, ...]:
    out = []
    if case.law_version is None:
        out.append("the infringing act is taken to continue on or after 2021-06-01 (Copyright Law 2020)")
    if case.claim is None:
        out.append("no claimed amount: the award is capped only by the statute, and no fee can be computed")
    if statutory:
        out.append("the award follows the statutory route: loss, gains and royalty are difficult to calculate")
    return tuple(out)


def _expenses(model: FittedModel, case: Case) -> Expenses:
    claimed = case.expenses
    share = model.expenses.share
    return Expenses(
        claimed=claimed,
        expected_supported=_yuan((claimed or 0.0) * share),
        supported_share=round(share, 4),
    )


def _fees(
    question: Question,
    case: Case,
    award_grid: FloatArray,
    supported_expenses: float,
    model: FittedModel,
    settings: FeeSettings,
) -> CourtFeeEstimate:
    disputed = case.amount_in_dispute
    if disputed is None or disputed <= 0:
        return CourtFeeEstimate(
            amount_in_dispute=None,
            acceptance_fee=None,
            fee_due=None,
            halved=False,
            halving_reason=None,
            proportional=None,
            fitted=None,
        )
    fees = court_fees(
        FeeQuestion(claim_amount=Decimal(repr(disputed)), procedure=question.procedure, outcome=question.outcome),
        settings=settings,
    )
    due = float(fees.fee_due)
    ratio = np.clip((award_grid + supported_expenses) / disputed, 0.0, 1.0)
    proportional = due * float(ratio.mean())
    fitted = due * float((ratio**model.fee_split.gamma).mean())
    if question.outcome is Outcome.WITHDRAWAL:
        proportional = fitted = 0.0
    return CourtFeeEstimate(
        amount_in_dispute=disputed,
        acceptance_fee=float(fees.acceptance_fee),
        fee_due=due,
        halved=fees.halving.applied,
        halving_reason=fees.halving.reason,
        proportional=FeeShares(plaintiff=_cents(due - proportional), defendant=_cents(proportional)),
        fitted=FeeShares(plaintiff=_cents(due - fitted), defendant=_cents(fitted)),
    )


def _net_recovery(
    award_grid: FloatArray,
    award_mean: float,
    case: Case,
    supported_expenses: float,
    fees: CourtFeeEstimate,
    *,
    gamma: float,
) -> NetRecovery:
    """Award and supported expenses, less the expenses spent and the plaintiff's share of the fee.

    The fee share follows the fitted split (how courts actually divide it), award by award. The
    expectation uses the distribution's exact mean; the grid is for the fee share and the sign.
    """
    spent = case.expenses or 0.0
    net = award_grid + supported_expenses - spent
    expected = award_mean + supported_expenses - spent
    if fees.fee_due is not None and fees.amount_in_dispute and fees.fitted is not None:
        ratio = np.clip((award_grid + supported_expenses) / fees.amount_in_dispute, 0.0, 1.0)
        net = net - fees.fee_due * (1.0 - ratio**gamma)
        expected -= fees.fitted.plaintiff
    return NetRecovery(expected=_yuan(expected), p_negative=_prob(float((net < 0).mean())))


def _quantile_fields(values: FloatArray) -> dict[str, float]:
    return {f"p{round(q * 100)}": _yuan(v) for q, v in zip(QUANTILES, values, strict=True)}


def _yuan(value: float) -> float:
    """Model amounts are rounded to the yuan once, here: they are estimates, not sums owed."""
    return float(round(float(value)))


def _cents(value: float) -> float:
    return round(float(value), 2)


def _prob(value: float) -> float:
    return round(min(max(float(value), 0.0), 1.0), 4)


def _dec(value: float | None) -> Decimal | None:
    return None if value is None else Decimal(repr(value))
