"""Scenarios side by side: a base case and named variations, with the differences and their uncertainty.

All scenarios are estimated in one batch. The change in the median award is exp(Δx·β) with an 80%
range from Var(Δx·β) = Δxᵀ Σ Δx, the coefficients' posterior covariance: a difference between two
scenarios of one case is known more precisely than either award, and this says how precisely.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Annotated

import msgspec
from msgspec import Meta

from estimator.errors import EstimatorError
from estimator.language import Language
from estimator.model.artifact import FittedModel
from estimator.model.estimate import DEFAULT_LAW_VERSION, Estimate, Question, Settings, estimate_rows
from estimator.model.explain import Z80, against_the_law
from estimator.model.features import CaseColumns
from estimator.model.pooling import model_predictive


class Difference(msgspec.Struct, frozen=True, kw_only=True):
    median_ratio: Annotated[
        float, Meta(description="The variation's median award over the base's, before the floor and cap.")
    ]
    median_ratio_p10: Annotated[float, Meta(description="10% bound of `median_ratio` (its 80% range with p90).")]
    median_ratio_p90: float
    p50_change: Annotated[
        float, Meta(description="Change of the economic-loss median, yuan, after the floor and cap (not expenses).")
    ]
    mean_change: Annotated[float, Meta(description="Change of the expected economic-loss award, yuan.")]
    fee_due_change: float | None
    expected_net_recovery_change: float
    against_legal_direction: Annotated[
        list[str],
        Meta(
            description="Facts the variation changes whose effect in the data runs against the direction courts "
            "weigh them (as in a factor's `against_legal_direction`): its difference is a pattern of the "
            "decided cases, not what changing that fact would do."
        ),
    ] = msgspec.field(default_factory=list)


class Scenario(msgspec.Struct, frozen=True, kw_only=True):
    name: str
    estimate: Estimate
    difference: Difference | None  # None for the base


class Comparison(msgspec.Struct, frozen=True, kw_only=True):
    scenarios: list[Scenario]


def compare_scenarios(
    model: FittedModel,
    base: Question,
    variations: Sequence[tuple[str, Question]],
    *,
    settings: Settings | None = None,
    lang: Language = "en",
) -> Comparison:
    """The base and each variation estimated (their reasons in `lang`), with each variation's difference.

    A scenario the law refuses raises its error with `scenario` set: 0 for the base, i for variation i - 1.
    """
    questions = [base, *(q for _, q in variations)]
    results = estimate_rows(model, questions, settings=settings, lang=lang)
    for index, result in enumerate(results):
        if isinstance(result, EstimatorError):
            result.scenario = index  # type: ignore[attr-defined]  # 0: the base; i: variation i - 1
            raise result
    estimates: list[Estimate] = results  # type: ignore[assignment]  # no errors, checked just above
    x = CaseColumns([q.case for q in questions], default_law_version=DEFAULT_LAW_VERSION).design_matrix(model.features)
    pooled = model_predictive(model)  # the median's coefficients, pooled with the ratio rule
    beta, cov = pooled.beta, pooled.cov
    scenarios = [Scenario(name="base", estimate=estimates[0], difference=None)]
    first = estimates[0]
    for i, (name, _) in enumerate(variations, start=1):
        delta = x[i] - x[0]
        shift = float(delta @ beta)
        sd = math.sqrt(max(float(delta @ cov @ delta), 0.0))
        e = estimates[i]
        fee_change = None
        if e.court_fees.fee_due is not None and first.court_fees.fee_due is not None:
            fee_change = round(e.court_fees.fee_due - first.court_fees.fee_due, 2)
        scenarios.append(
            Scenario(
                name=name,
                estimate=e,
                difference=Difference(
                    median_ratio=round(math.exp(shift), 3),
                    median_ratio_p10=round(math.exp(shift - Z80 * sd), 3),
                    median_ratio_p90=round(math.exp(shift + Z80 * sd), 3),
                    p50_change=e.economic_loss.p50 - first.economic_loss.p50,
                    mean_change=e.economic_loss.mean - first.economic_loss.mean,
                    fee_due_change=fee_change,
                    expected_net_recovery_change=e.net_recovery.expected - first.net_recovery.expected,
                    against_legal_direction=[
                        name
                        for j, name in enumerate(model.features.names)
                        if delta[j] != 0.0 and against_the_law(name, beta[j], math.sqrt(max(cov[j, j], 0.0)))
                    ],
                ),
            )
        )
    return Comparison(scenarios=scenarios)
