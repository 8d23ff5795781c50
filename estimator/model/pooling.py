"""The predictive law of an award: the regression pooled with what the claim alone predicts.

Both forecasts are normal on the log scale. The regression: median xβ, spread k·√(σ² + xᵀΣx), with k
the cross-validated interval scale. The claim rule (`ClaimRule`): median from the claim alone, at the
regression's own slope, spread that of the awards around it (without a claim, the awards' own).
Averaging the two forecasts' quantiles, weight w on the rule, gives again a normal: its median is
x·((1 - w)β + wβ_rule), its spread (1 - w)·k·√(σ² + xᵀΣx) + w·s_rule. The median stays linear in the
coefficients: the claim's effect is the regression's, with its uncertainty, and any other fact's is
(1 - w)β_j with uncertainty (1 - w)·sd_j. The rule's coefficients move with the regression's claim
slope (its intercept is the awards' mean less the slope times their mean claim), so the pooled
coefficients are Aβ plus a constant, their covariance AΣAᵀ (`Predictive.cov`), which explanations and
comparisons read as they would a regression's.

Why pool: on 83 decided awards the fitted facts predict the typical case well but are sure of
themselves where courts surprise, and the claim alone knows nothing of the facts. Averaging two
such forecasts is the textbook remedy (with equal weights, which need no fitting); README "The award
model" gives the held-out numbers either way.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from estimator.model.artifact import ClaimRule, FittedModel
from estimator.model.features import FeatureSpec, FloatArray


class Predictive(NamedTuple):
    """What prediction needs of a model, as arrays: median = x @ beta, spread from `spread`."""

    beta: FloatArray
    cov: FloatArray  # of `beta`: the uncertainty of each fact's effect on the median
    spread_cov: FloatArray  # the regression's, times (1 - w)²: its part of the pooled spread
    sigma: float
    scale: float
    added_with_claim: float  # the rule's share of the spread for a case with a claim
    added_without_claim: float
    claim_unknown: int  # the design column that says the claim is not known


def rule_coefficients(spec: FeatureSpec, rule: ClaimRule) -> FloatArray:
    """The claim rule's median as coefficients of the regression's design (the claim column is centred)."""
    beta = np.zeros(spec.width)
    beta[spec.names.index("intercept")] = rule.with_claim_mean
    beta[spec.names.index("log_claim")] = rule.claim_slope
    beta[spec.names.index("claim_unknown")] = rule.without_claim_mean - rule.with_claim_mean
    return beta


def predictive(
    spec: FeatureSpec,
    coefficients: FloatArray,
    covariance: FloatArray,
    *,
    sigma: float,
    scale: float,
    rule: ClaimRule | None,
) -> Predictive:
    """A regression's predictive arrays, pooled with `rule` (None: the regression alone)."""
    unknown = spec.names.index("claim_unknown")
    beta, cov = np.asarray(coefficients, dtype=float), np.asarray(covariance, dtype=float)
    if rule is None:
        return Predictive(beta, cov, cov, sigma, scale, 0.0, 0.0, unknown)
    keep = 1.0 - rule.weight
    # d(pooled β)/dβ: (1 - w) on the diagonal, and through the rule's dependence on the claim slope,
    # w × (1 at the slope, -mean claim at the intercept, +mean claim at "claim unknown").
    jacobian = keep * np.eye(spec.width)
    claim = spec.names.index("log_claim")
    jacobian[claim, claim] += rule.weight
    jacobian[spec.names.index("intercept"), claim] -= rule.weight * rule.mean_log_claim
    jacobian[unknown, claim] += rule.weight * rule.mean_log_claim
    return Predictive(
        beta=keep * beta + rule.weight * rule_coefficients(spec, rule),
        cov=jacobian @ cov @ jacobian.T,
        spread_cov=keep**2 * cov,
        sigma=keep * sigma,
        scale=scale,
        added_with_claim=rule.weight * rule.with_claim_sd,
        added_without_claim=rule.weight * rule.without_claim_sd,
        claim_unknown=unknown,
    )


_CACHE: dict[str, Predictive] = {}


def model_predictive(model: FittedModel) -> Predictive:
    """`predictive` of a fitted model, computed once per model (content ids are unique)."""
    found = _CACHE.get(model.id) if model.id else None
    if found is None:
        found = predictive(
            model.features,
            np.asarray(model.coefficients),
            np.asarray(model.covariance),
            sigma=model.sigma,
            scale=model.interval_scale,
            rule=model.claim_rule,
        )
        if model.id:  # a model built by hand, not yet given its id, is not cached under ""
            if len(_CACHE) > 64:
                _CACHE.clear()
            _CACHE[model.id] = found
    return found


def spread(p: Predictive, x: FloatArray) -> FloatArray:
    """The predictive sd of the log award for each design row."""
    parameter_var = np.maximum(((x @ p.spread_cov) * x).sum(axis=1), 0.0)  # xᵀΣx row by row, through BLAS
    added = np.where(x[:, p.claim_unknown] > 0, p.added_without_claim, p.added_with_claim)
    sd: FloatArray = np.sqrt(p.sigma**2 + parameter_var) * p.scale + added
    return sd
