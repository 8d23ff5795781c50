"""Held-out validation of the award model against two baselines, by K-fold or leave-one-out.

The model is judged on awards it has not seen: in each outer fold the whole fitting procedure runs
on the rest (including the choice of the interval scale, by an inner cross-validation), so the
reported coverage is honest. Metrics are on the log scale, where a factor of two is the same error
for a 5,000 and a 5,000,000 award:

- median absolute log error of the median prediction (0.69 = off by a factor of 2 half the time);
- coverage of the 50% and 80% ranges;
- mean interval score of the 80% range (Gneiting and Raftery 2007): width plus 10× any miss.

Baselines: `constant` (empirical quantiles of training awards) and `ratio` (empirical quantiles of
award/claim times the claim; `constant` where the claim is unknown), both held to the case's bounds.
The model is reported as it answers, pooled with its claim rule, and as its regression alone.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import msgspec
import numpy as np

from calibration.fit import (
    MIN_FOLD_CASES,
    FitSettings,
    covered,
    fit_claim_rule,
    fit_core,
    folds_of,
    interval_scale,
    predict_core,
    split_fold,
)
from calibration.observations import Observation, observations
from calibration.records import CaseRecord
from estimator.model.features import CaseColumns, FloatArray

LOO_BELOW = 30  # leave-one-out for sets smaller than this
_INNER_QUANTILES = np.array([0.10, 0.25, 0.50, 0.75, 0.90])
_NAMES = ("p10", "p25", "p50", "p75", "p90")


class Metrics(msgspec.Struct, frozen=True, kw_only=True):
    median_abs_log_error: float
    coverage_50: float
    coverage_80: float
    interval_score_80: float


class HeldOut(msgspec.Struct, frozen=True, kw_only=True):
    """One case's award and the model's prediction for it when it was held out (for reliability charts)."""

    record_id: str
    observed: float
    p10: float
    p25: float
    p50: float
    p75: float
    p90: float


class Evaluation(msgspec.Struct, frozen=True, kw_only=True):
    n_records: int
    n_evaluated: int
    folds: int
    scheme: str
    model: Metrics
    constant: Metrics
    ratio: Metrics
    beats_ratio_rule: bool
    excluded: dict[str, str]
    held_out: list[HeldOut] = msgspec.field(default_factory=list)
    # The seed of the fold shuffle, so that a report can be reproduced (None in reports stored before it).
    seed: int | None = None
    # The regression without the claim rule it is pooled with (None when not pooled, and in reports
    # stored before pooling): what pooling changes.
    regression_alone: Metrics | None = None


def evaluate(records: Sequence[CaseRecord], *, folds: int = 10, settings: FitSettings | None = None) -> Evaluation:
    settings = settings or FitSettings()
    used, excluded = observations(records)
    fit_core(used, settings=settings)  # the whole set must be fittable: the clear error comes first
    settings = msgspec.structs.replace(settings, min_cases=min(settings.min_cases, MIN_FOLD_CASES))
    k = len(used) if len(used) < LOO_BELOW else min(folds, len(used))
    n = len(used)
    names = ("model", "regression", "constant", "ratio")
    quantiles = {name: np.zeros((n, len(_INNER_QUANTILES))) for name in names}
    coded = CaseColumns([o.case for o in used])
    for fold in folds_of(n, k, seed=settings.seed):
        train_index, test_index = split_fold(n, fold)
        train = [used[i] for i in train_index]
        test = [used[i] for i in test_index]
        inner = msgspec.structs.replace(settings, seed=settings.seed + 1)
        train_columns = coded.take(train_index)
        core = fit_core(train, settings=settings, columns=train_columns)
        scale = interval_scale(train, settings=inner, columns=train_columns, start=core.mode)
        rule = fit_claim_rule(train, core, columns=train_columns, weight=settings.claim_rule_weight)
        test_columns = coded.take(test_index)
        dist = predict_core(core, test, scale=scale, columns=test_columns, rule=rule)
        quantiles["model"][test_index] = dist.quantile(_INNER_QUANTILES)
        alone = dist if rule is None else predict_core(core, test, scale=scale, columns=test_columns)
        quantiles["regression"][test_index] = alone.quantile(_INNER_QUANTILES)
        quantiles["constant"][test_index] = _constant(train, test)
        quantiles["ratio"][test_index] = _ratio(train, test)
    observed = np.array([o.point for o in used])
    metrics = {name: _metrics(observed, q) for name, q in quantiles.items()}
    model, ratio = metrics["model"], metrics["ratio"]
    return Evaluation(
        n_records=len(records),
        n_evaluated=n,
        folds=k,
        scheme="leave-one-out" if k == n else f"{k}-fold",
        model=model,
        constant=metrics["constant"],
        ratio=ratio,
        regression_alone=None if settings.claim_rule_weight == 0 else metrics["regression"],
        beats_ratio_rule=(
            model.median_abs_log_error < ratio.median_abs_log_error
            and model.interval_score_80 < ratio.interval_score_80
        ),
        excluded={e.record_id: e.reason for e in excluded},
        seed=settings.seed,
        held_out=[
            HeldOut(
                record_id=o.record_id,
                observed=round(o.point, 2),
                **dict(zip(_NAMES, np.round(q, 2).tolist(), strict=True)),
            )
            for o, q in zip(used, quantiles["model"], strict=True)
        ],
    )


def _bounded(values: FloatArray, test: Sequence[Observation]) -> FloatArray:
    floor = np.array([o.floor for o in test])[:, None]
    cap = np.array([o.cap for o in test])[:, None]
    return np.clip(values, floor, cap)


def _constant(train: Sequence[Observation], test: Sequence[Observation]) -> FloatArray:
    logs = np.log([o.point for o in train])
    row = np.exp(np.quantile(logs, _INNER_QUANTILES))
    return _bounded(np.tile(row, (len(test), 1)), test)


def _ratio(train: Sequence[Observation], test: Sequence[Observation]) -> FloatArray:
    ratios = [math.log(o.point / o.case.claim) for o in train if o.case.claim]
    if not ratios:
        return _constant(train, test)
    ratio_q = np.exp(np.quantile(ratios, _INNER_QUANTILES))
    fallback = _constant(train, test)
    out = np.array([ratio_q * o.case.claim if o.case.claim else fallback[i] for i, o in enumerate(test)], dtype=float)
    return _bounded(out, test)


def _metrics(observed: FloatArray, q: FloatArray) -> Metrics:
    log_obs = np.log(observed)
    median_error = float(np.median(np.abs(np.log(q[:, 2]) - log_obs)))
    low80, high80 = q[:, 0], q[:, 4]
    alpha = 0.2
    lo, hi = np.log(low80), np.log(high80)
    score = (hi - lo) + (2 / alpha) * np.maximum(lo - log_obs, 0) + (2 / alpha) * np.maximum(log_obs - hi, 0)
    return Metrics(
        median_abs_log_error=round(median_error, 4),
        coverage_50=round(float(covered(observed, q[:, 1], q[:, 3]).mean()), 4),
        coverage_80=round(float(covered(observed, low80, high80).mean()), 4),
        interval_score_80=round(float(score.mean()), 4),
    )
