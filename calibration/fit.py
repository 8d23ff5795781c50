"""Fitting the award model from decided cases: the statutory-award regression and its sub-models.

`fit_award_model` is a pure function from records to a new `FittedModel`. The regression is a
censored log-normal with a Gaussian prior (documented in `DEFAULT_PRIOR`), fitted by MAP with a
Laplace covariance; its predictive intervals are then widened or narrowed by one factor chosen by
K-fold cross-validation so that held-out 80% ranges cover 80% of awards.
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
from estimator.model.artifact import ExpensesModel, FeeSplitModel, FittedModel, Prior, with_id
from estimator.model.distribution import CensoredLogNormal
from estimator.model.features import FeatureSpec, FloatArray, design_matrix

DEFAULT_PRIOR = Prior(
    intercept_mean=math.log(20_000),
    intercept_sd=3.0,
    log_claim_mean=0.6,
    log_claim_sd=0.3,
    effect_sd=0.8,
    log_sigma_mean=0.0,
    log_sigma_sd=0.5,
    reason=(
        "Intercept: a typical statutory award of about 20,000 yuan, known only within a factor of 20 (sd 3 on "
        "the log scale). Claim elasticity 0.6 ± 0.3: awards rise with the claim but less than in proportion, "
        "as courts grant a smaller share of larger claims. Every other fact: 0 ± 0.8, so that a single fact "
        "is not expected to move an award more than about fivefold either way. Residual spread sigma about "
        "1 on the log scale (a factor of e), within a factor of e either way."
    ),
)
MIN_CASES = 8
# Inner cross-validation folds of a small upload hold fewer cases than a fit the user asks for;
# the prior carries them, and the minimum protects only what is returned.
MIN_FOLD_CASES = 3
COVERAGE_TARGET = 0.80
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


class CoreFit(msgspec.Struct, frozen=True, kw_only=True):
    """The regression alone, before interval recalibration."""

    spec: FeatureSpec
    fit: CensoredFit


def fit_award_model(records: Sequence[CaseRecord], *, settings: FitSettings | None = None) -> FittedModel:
    """Fit every part of the model from decided-case records and return it with its content id."""
    settings = settings or FitSettings()
    used, _ = observations(records)
    core = fit_core(used, settings=settings)
    scale = interval_scale(used, settings=settings)
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
    )
    return with_id(model)


def fit_core(used: Sequence[Observation], *, settings: FitSettings) -> CoreFit:
    """The censored regression on observations; raises on too little or degenerate data."""
    _check_data(used, settings)
    claims = [math.log(o.case.claim) for o in used if o.case.claim]
    audiences = [math.log10(o.case.audience) for o in used if o.case.audience]
    spec = FeatureSpec.build(
        log_claim_centre=float(np.median(claims)) if claims else 0.0,
        log_audience_centre=float(np.median(audiences)) if audiences else 0.0,
    )
    x = design_matrix(spec, [o.case for o in used])
    prior = settings.prior
    mean = np.zeros(spec.width)
    sd = np.full(spec.width, prior.effect_sd)
    mean[0], sd[0] = prior.intercept_mean, prior.intercept_sd
    claim_col = spec.names.index("log_claim")
    mean[claim_col], sd[claim_col] = prior.log_claim_mean, prior.log_claim_sd
    fit = fit_censored_normal(
        x,
        np.array([o.lower for o in used]),
        np.array([o.upper for o in used]),
        prior_mean=mean,
        prior_sd=sd,
        log_sigma_prior_mean=prior.log_sigma_mean,
        log_sigma_prior_sd=prior.log_sigma_sd,
    )
    return CoreFit(spec=spec, fit=fit)


def predict_core(core: CoreFit, held_out: Sequence[Observation], *, scale: float = 1.0) -> CensoredLogNormal:
    """Predictive distributions of held-out observations under a core fit (before or after scaling)."""
    x = design_matrix(core.spec, [o.case for o in held_out])
    p = x.shape[1]
    cov = np.asarray(core.fit.covariance)[:p, :p]
    mu = x @ np.asarray(core.fit.beta)
    sd = np.sqrt(core.fit.sigma**2 + np.einsum("ij,jk,ik->i", x, cov, x)) * scale
    return CensoredLogNormal(mu, sd, np.array([o.floor for o in held_out]), np.array([o.cap for o in held_out]))


def folds_of(n: int, k: int, *, seed: int) -> list[npt.NDArray[np.int64]]:
    """K folds of indices 0..n-1, shuffled with a recorded seed; leave-one-out when k >= n."""
    order = np.random.default_rng(seed).permutation(n)
    k = min(k, n)
    return [order[i::k] for i in range(k)]


def interval_scale(used: Sequence[Observation], *, settings: FitSettings) -> float:
    """The smallest factor on the predictive sd whose held-out 80% ranges cover at least 80%."""
    fold_settings = msgspec.structs.replace(settings, min_cases=min(settings.min_cases, MIN_FOLD_CASES))
    predictions: list[CensoredLogNormal] = []
    points: list[float] = []
    for fold in folds_of(len(used), settings.scale_folds, seed=settings.seed):
        held = {int(i) for i in fold}
        train = [o for i, o in enumerate(used) if i not in held]
        test = [o for i, o in enumerate(used) if i in held]
        core = fit_core(train, settings=fold_settings)
        predictions.append(predict_core(core, test))
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
    points = {round(math.log(o.point), 6) for o in used}
    if len(points) < 2:
        raise DegenerateDataError(
            "every usable award is the same amount: there is no variation to learn from", field="records"
        )
