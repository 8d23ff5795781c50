"""Fitting the award model from decided cases: the statutory-award regression and its sub-models.

`fit_award_model` is a pure function from records to a new `FittedModel`. The regression is a
censored log-normal with a Gaussian prior (documented in `DEFAULT_PRIOR`), fitted by MAP with a
Laplace covariance; its predictive intervals are then widened or narrowed by one factor chosen by
K-fold cross-validation so that held-out 80% ranges cover 80% of awards. Its forecasts are pooled
with what the claim alone predicts of the same awards (`fit_claim_rule`, `estimator.model.pooling`).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import msgspec
import numpy as np
import numpy.typing as npt
from scipy import optimize

from calibration.likelihood import CensoredFit, fit_censored_normal
from calibration.observations import Observation, data_cutoff, observations
from calibration.records import CaseRecord
from estimator.errors import DegenerateDataError
from estimator.model.artifact import ClaimRule, ExpensesModel, FeeSplitModel, FittedModel, Prior, with_id
from estimator.model.distribution import CensoredLogNormal
from estimator.model.features import CaseColumns, FeatureSpec, FloatArray
from estimator.model.pooling import predictive, spread

DEFAULT_PRIOR = Prior(
    intercept_mean=math.log(20_000),
    intercept_sd=3.0,
    log_claim_mean=0.6,
    log_claim_sd=0.3,
    effect_sd=0.8,
    log_sigma_mean=0.0,
    log_sigma_sd=0.5,
    audience_decade_sd=0.2,
    reason=(
        "Intercept: a typical statutory award of about 20,000 yuan, known only within a factor of 20 (sd 3 on "
        "the log scale). Claim elasticity 0.6 ± 0.3: awards rise with the claim but less than in proportion, "
        "as courts grant a smaller share of larger claims. Every other fact: 0 ± 0.8, so that a single fact "
        "is not expected to move an award more than about fivefold either way. The audience is a slope per "
        "tenfold audience, and audiences (reads, followers, views, downloads) span eight or more tenfolds, "
        "so its sd is 0.2 per tenfold: across four tenfolds either side of the median audience it has the "
        "same reach as any other fact. Residual spread sigma about 1 on the log scale (a factor of e), "
        "within a factor of e either way."
    ),
)
MIN_CASES = 8
# Inner cross-validation folds of a small upload hold fewer cases than a fit the user asks for;
# the prior carries them, and the minimum protects only what is returned.
MIN_FOLD_CASES = 3
COVERAGE_TARGET = 0.80
# The claim rule's weight when forecasts are pooled: equal weights, the combination that needs no
# fitting (and, with 83 awards, none that could be trusted). 0 answers by the regression alone.
CLAIM_RULE_WEIGHT = 0.5
_SCALES = np.round(np.arange(0.5, 3.001, 0.01), 2)

# Expenses: Beta prior on the supported share, centred on one half with the weight of 4 records.
EXPENSES_PRIOR_SHARE = 0.5
EXPENSES_PRIOR_WEIGHT = 4.0
# Fee split: defendant share = (award / claim) ** gamma. The prior centre 0.4 reflects that courts
# put far more than the proportional share on the defendant; sd 1 on log gamma lets data move it.
FEE_SPLIT_PRIOR_GAMMA = 0.4
FEE_SPLIT_PRIOR_SD_LOG = 1.0
FEE_SPLIT_NOISE = 0.15


class FitSettings(msgspec.Struct, frozen=True, kw_only=True):
    prior: Prior = DEFAULT_PRIOR
    scale_folds: int = 5
    seed: int = 20231127
    min_cases: int = MIN_CASES
    claim_rule_weight: float = CLAIM_RULE_WEIGHT


class CoreFit(msgspec.Struct, frozen=True, kw_only=True):
    """The regression alone, before interval recalibration."""

    spec: FeatureSpec
    fit: CensoredFit

    @property
    def mode(self) -> FloatArray:
        """(β, log σ) at the posterior mode: a starting point for fits on parts of the same data."""
        return np.append(self.fit.beta, self.fit.log_sigmas or [self.fit.log_sigma])


def fit_award_model(records: Sequence[CaseRecord], *, settings: FitSettings | None = None) -> FittedModel:
    """Fit every part of the model from decided-case records and return it with its content id."""
    settings = settings or FitSettings()
    used, _ = observations(records)
    coded = CaseColumns([o.case for o in used])
    core = fit_core(used, settings=settings, columns=coded)
    scale = interval_scale(used, settings=settings, columns=coded, start=core.mode)
    rule = fit_claim_rule(used, core, columns=coded, weight=settings.claim_rule_weight)
    beta = core.fit.beta
    p = len(beta)
    cov = np.asarray(core.fit.covariance)
    model = FittedModel(
        features=core.spec,
        coefficients=tuple(beta),
        covariance=tuple(tuple(float(v) for v in row[:p]) for row in cov[:p]),
        sigma=core.fit.sigma,
        sigma_sd_log=math.sqrt(max(float(cov[p, p]), 0.0)),
        interval_scale=scale,
        prior=settings.prior,
        expenses=fit_expenses(records),
        fee_split=fit_fee_split(records),
        n_records=len(records),
        n_fitted=len(used),
        data_cutoff=data_cutoff(records),
        log_posterior=core.fit.log_posterior,
        claim_rule=rule,
    )
    return with_id(model)


def fit_core(
    used: Sequence[Observation],
    *,
    settings: FitSettings,
    columns: CaseColumns | None = None,
    start: FloatArray | None = None,
) -> CoreFit:
    """The censored regression on observations; raises on too little or degenerate data.

    `columns`, when given, are `used`'s cases already coded, in the same order (cross-validation
    codes all cases once and takes each fold's rows). `start`: a mode to start from, such as the
    fit on all the data when fitting its folds (`CoreFit.mode`).
    """
    _check_data(used, settings)
    cols = CaseColumns([o.case for o in used]) if columns is None else columns
    claims = cols.claim[cols.claim > 0]
    audience = cols.numeric["audience"]
    audiences = audience[audience > 0]
    spec = FeatureSpec.build(
        log_claim_centre=float(np.median(np.log(claims))) if claims.size else 0.0,
        log_audience_centre=float(np.median(np.log10(audiences))) if audiences.size else 0.0,
    )
    x = cols.design_matrix(spec)
    prior = settings.prior
    mean = np.zeros(spec.width)
    sd = np.full(spec.width, prior.effect_sd)
    mean[0], sd[0] = prior.intercept_mean, prior.intercept_sd
    claim_col = spec.names.index("log_claim")
    mean[claim_col], sd[claim_col] = prior.log_claim_mean, prior.log_claim_sd
    if prior.audience_decade_sd is not None:
        sd[spec.names.index("log_audience")] = prior.audience_decade_sd
    fit = fit_censored_normal(
        x,
        np.array([o.lower for o in used]),
        np.array([o.upper for o in used]),
        prior_mean=mean,
        prior_sd=sd,
        log_sigma_prior_mean=prior.log_sigma_mean,
        log_sigma_prior_sd=prior.log_sigma_sd,
        start=start,
    )
    return CoreFit(spec=spec, fit=fit)


def predict_core(
    core: CoreFit,
    held_out: Sequence[Observation],
    *,
    scale: float = 1.0,
    columns: CaseColumns | None = None,
    rule: ClaimRule | None = None,
) -> CensoredLogNormal:
    """Predictive distributions of held-out observations under a core fit (before or after scaling),
    pooled with `rule` when given, as a fitted model predicts.

    `columns`: `held_out`'s cases already coded, as for `fit_core`.
    """
    x = (CaseColumns([o.case for o in held_out]) if columns is None else columns).design_matrix(core.spec)
    p = x.shape[1]
    pred = predictive(
        core.spec,
        np.asarray(core.fit.beta),
        np.asarray(core.fit.covariance)[:p, :p],
        sigma=core.fit.sigma,
        scale=scale,
        rule=rule,
    )
    floor, cap = np.array([o.floor for o in held_out]), np.array([o.cap for o in held_out])
    return CensoredLogNormal(x @ pred.beta, spread(pred, x), floor, cap)


def fit_claim_rule(
    used: Sequence[Observation], core: CoreFit, *, columns: CaseColumns | None = None, weight: float
) -> ClaimRule | None:
    """What the claim alone predicts of the awards `core` was fitted to (None for weight 0).

    The claim is read as the regression reads it, at the regression's slope; awards are taken at
    their points, as `calibration evaluate`'s baselines take them. Awards of fewer than two claims
    say nothing of how they spread around a claim: the regression then answers alone (None).
    """
    spec = core.spec
    x = (CaseColumns([o.case for o in used]) if columns is None else columns).design_matrix(spec)
    log_award = np.log([o.point for o in used])
    known = x[:, spec.names.index("claim_unknown")] == 0
    slope = core.fit.beta[spec.names.index("log_claim")]
    log_claim = x[known, spec.names.index("log_claim")]
    at_centre = log_award[known] - slope * log_claim
    if not weight or at_centre.size < 2:
        return None
    return ClaimRule(
        weight=weight,
        claim_slope=slope,
        with_claim_mean=float(np.mean(at_centre)),
        with_claim_sd=float(np.std(at_centre, ddof=1)),
        without_claim_mean=float(np.mean(log_award)),
        without_claim_sd=float(np.std(log_award, ddof=1)),
        mean_log_claim=float(np.mean(log_claim)),
    )


def folds_of(n: int, k: int, *, seed: int) -> list[npt.NDArray[np.int64]]:
    """K folds of indices 0..n-1, shuffled with a recorded seed; leave-one-out when k >= n."""
    order = np.random.default_rng(seed).permutation(n)
    k = min(k, n)
    return [order[i::k] for i in range(k)]


def split_fold(n: int, fold: npt.NDArray[np.int64]) -> tuple[npt.NDArray[np.intp], npt.NDArray[np.intp]]:
    """(training rows, held-out rows) of a fold of 0..n-1, each in increasing order."""
    held = np.zeros(n, dtype=bool)
    held[fold] = True
    return np.flatnonzero(~held), np.flatnonzero(held)


def interval_scale(
    used: Sequence[Observation],
    *,
    settings: FitSettings,
    columns: CaseColumns | None = None,
    start: FloatArray | None = None,
) -> float:
    """The smallest factor on the predictive sd whose held-out 80% ranges cover at least 80%.

    `columns` and `start` as for `fit_core`: the folds start from the mode of the fit on all `used`.
    """
    fold_settings = msgspec.structs.replace(settings, min_cases=min(settings.min_cases, MIN_FOLD_CASES))
    predictions: list[CensoredLogNormal] = []
    points: list[float] = []
    coded = CaseColumns([o.case for o in used]) if columns is None else columns
    for fold in folds_of(len(used), settings.scale_folds, seed=settings.seed):
        train_index, test_index = split_fold(len(used), fold)
        train = [used[i] for i in train_index]
        test = [used[i] for i in test_index]
        core = fit_core(train, settings=fold_settings, columns=coded.take(train_index), start=start)
        predictions.append(predict_core(core, test, columns=coded.take(test_index)))
        points.extend(o.point for o in test)
    mu = np.concatenate([d.mu for d in predictions])
    sd = np.concatenate([d.sd for d in predictions])
    floor = np.concatenate([d.floor for d in predictions])
    cap = np.concatenate([d.cap for d in predictions])
    observed = np.asarray(points)
    for scale in _SCALES:
        low, high = CensoredLogNormal(mu, sd * scale, floor, cap).interval(COVERAGE_TARGET)
        if covered(observed, low, high).mean() >= COVERAGE_TARGET:
            return float(scale)
    return float(_SCALES[-1])


def covered(observed: FloatArray, low: FloatArray, high: FloatArray) -> npt.NDArray[np.bool_]:
    """Whether each observed award lies in its range (a relative tolerance for awards at a bound)."""
    tol = 1e-6
    return (observed >= low * (1 - tol)) & (observed <= high * (1 + tol))


def fit_expenses(records: Sequence[CaseRecord]) -> ExpensesModel:
    """The supported share of claimed expenses: observed shares shrunk toward the prior centre."""
    shares = [
        min(r.awarded_expenses / r.claimed_expenses, 1.0)
        for r in records
        if r.claimed_expenses and r.awarded_expenses is not None and r.claimed_expenses > 0
    ]
    n = len(shares)
    share = (math.fsum(shares) + EXPENSES_PRIOR_WEIGHT * EXPENSES_PRIOR_SHARE) / (n + EXPENSES_PRIOR_WEIGHT)
    return ExpensesModel(
        share=share, share_sd=math.sqrt(share * (1 - share) / (n + EXPENSES_PRIOR_WEIGHT + 1)), n_records=n
    )


def fit_fee_split(records: Sequence[CaseRecord]) -> FeeSplitModel:
    """MAP of gamma in defendant share = ratio ** gamma, from records that report both shares."""
    pairs = []
    for r in records:
        claim = r.claimed_total if r.claimed_total is not None else r.claimed_economic_loss
        award = r.awarded_total if r.awarded_total is not None else r.awarded_economic_loss
        if r.fee_plaintiff is None or r.fee_defendant is None or not claim or award is None:
            continue
        charged = r.fee_plaintiff + r.fee_defendant
        if charged <= 0:
            continue
        pairs.append((min(max(award / claim, 1e-6), 1.0), r.fee_defendant / charged))
    ratio = np.array([p[0] for p in pairs])
    share = np.array([p[1] for p in pairs])
    prior_centre = math.log(FEE_SPLIT_PRIOR_GAMMA)

    def objective(log_gamma: float) -> float:
        misfit = ((share - ratio ** math.exp(log_gamma)) / FEE_SPLIT_NOISE) ** 2
        return 0.5 * float(misfit.sum()) + 0.5 * ((log_gamma - prior_centre) / FEE_SPLIT_PRIOR_SD_LOG) ** 2

    best = optimize.minimize_scalar(objective, bounds=(-8.0, 3.0), method="bounded")
    h = 1e-4
    curvature = (objective(best.x + h) - 2 * objective(best.x) + objective(best.x - h)) / h**2
    return FeeSplitModel(
        gamma=math.exp(float(best.x)),
        gamma_sd=math.exp(float(best.x)) / math.sqrt(max(curvature, 1e-12)),
        n_records=len(pairs),
    )


def _check_data(used: Sequence[Observation], settings: FitSettings) -> None:
    if len(used) < settings.min_cases:
        raise DegenerateDataError(
            f"{len(used)} usable statutory awards; at least {settings.min_cases} are needed to fit the model",
            field="records",
        )
    if np.unique(np.round(np.log([o.point for o in used]), 6)).size < 2:
        raise DegenerateDataError(
            "every usable award is the same amount: there is no variation to learn from", field="records"
        )
