"""The censored normal MAP fitter: recovery on simulated awards, derivatives, priors, guards and failures."""

from __future__ import annotations

import math
import time
from typing import Any

import msgspec
import numpy as np
import pytest
from numpy.typing import NDArray
from scipy import stats
from scipy.optimize import check_grad

from calibration.likelihood import CensoredFit, CensoredNormalPosterior, fit_censored_normal
from estimator.errors import ConvergenceError, InvalidInputError

INF = math.inf
FloatArray = NDArray[np.float64]

TRUE_BETA = np.array([10.0, 0.6, -0.4, 0.3])
TRUE_SIGMA = 0.8
# Floor near the 20% point of z (mean 10, sd ≈ 1.12); caps (log claims) ~ N(11.3, 0.6) right-censor
# ~15%; of the rest ~16% are only known to a half-unit bin, ~10% of all rows.
LOG_FLOOR = 9.06
WEAK: dict[str, Any] = {"prior_mean": 0.0, "prior_sd": 100.0, "log_sigma_prior_mean": 0.0, "log_sigma_prior_sd": 2.0}


def _design(rng: np.random.Generator, n: int, p: int) -> FloatArray:
    return np.column_stack([np.ones(n), rng.normal(size=(n, p - 1))])


def _censor(
    rng: np.random.Generator, x: FloatArray, beta: FloatArray, sigma: float | FloatArray
) -> tuple[FloatArray, FloatArray]:
    """Draw log awards and report them as a court record would: floored, capped at the claim, binned.

    Every mechanism is ignorable (coarsening at random): the floor is fixed, the cap is drawn
    independently of the award, and the bin grid and which rows are binned do not depend on z; so
    the censored likelihood is the right likelihood and the MAP is consistent. `sigma` may be one
    value per row (group-wise spread).
    """
    n = x.shape[0]
    z = x @ beta + sigma * rng.standard_normal(n)
    cap = np.asarray(rng.normal(11.3, 0.6, size=n), dtype=np.float64)
    lower, upper = z.copy(), z.copy()
    left = z <= LOG_FLOOR
    right = ~left & (z >= cap)
    binned = ~left & ~right & (rng.random(n) < 0.16)
    lower[left], upper[left] = -INF, LOG_FLOOR
    lower[right], upper[right] = cap[right], INF
    lower[binned] = np.floor(2.0 * z[binned]) / 2.0
    upper[binned] = lower[binned] + 0.5
    return lower, upper


def _standard_errors(fit: CensoredFit) -> FloatArray:
    return np.sqrt(np.diag(np.asarray(fit.covariance)))


def _theta(fit: CensoredFit) -> FloatArray:
    return np.append(fit.beta, fit.log_sigma)


def _assert_same_mode(first: CensoredFit, second: CensoredFit) -> None:
    # A converged fit has Newton decrement <= 1e-6, i.e. it is within 1e-3 posterior SDs of the
    # exact mode in every coordinate; two fits of the same posterior are then within 2e-3 SDs.
    se = _standard_errors(first)
    np.testing.assert_array_less(np.abs(_theta(first) - _theta(second)), 2e-3 * se)


def _mixed_data(seed: int, n: int = 4_000, p: int = 4) -> tuple[FloatArray, FloatArray, FloatArray]:
    rng = np.random.default_rng(seed)
    x = _design(rng, n, p)
    lower, upper = _censor(rng, x, TRUE_BETA[:p], TRUE_SIGMA)
    return x, lower, upper


# --- (a) recovery ---------------------------------------------------------------------------------


def test_simulated_data_has_the_intended_censoring_mix() -> None:
    _, lower, upper = _mixed_data(1)
    shares = {
        "left": np.mean(np.isinf(lower)),
        "right": np.mean(np.isinf(upper)),
        "interval": np.mean(np.isfinite(lower) & np.isfinite(upper) & (lower < upper)),
    }
    assert shares["left"] == pytest.approx(0.20, abs=0.03)
    assert shares["right"] == pytest.approx(0.15, abs=0.03)
    assert shares["interval"] == pytest.approx(0.10, abs=0.03)


def test_recovers_known_coefficients_and_sigma_within_four_standard_errors() -> None:
    x, lower, upper = _mixed_data(1)
    fit = fit_censored_normal(x, lower, upper, **WEAK)
    assert fit.converged
    se = _standard_errors(fit)
    # 4 SE: a correct estimator fails one coordinate with probability ~6e-5 (5 coordinates: ~3e-4),
    # while ignoring the censoring biases the intercept by many SEs at this sample size.
    z_scores = (_theta(fit) - np.append(TRUE_BETA, math.log(TRUE_SIGMA))) / se
    assert np.all(np.abs(z_scores) < 4.0), z_scores
    assert fit.sigma == pytest.approx(math.exp(fit.log_sigma))
    covariance = np.asarray(fit.covariance)
    assert covariance.shape == (5, 5)
    np.testing.assert_array_equal(covariance, covariance.T)
    assert np.all(np.linalg.eigvalsh(covariance) > 0.0)


def test_naive_fit_ignoring_censoring_would_have_failed_the_recovery_check() -> None:
    # Guards the power of the test above: treating bounds as exact values is far outside 4 SE.
    x, lower, upper = _mixed_data(1)
    fit = fit_censored_normal(x, lower, upper, **WEAK)
    stand_in = np.where(np.isinf(lower), upper, np.where(np.isinf(upper), lower, 0.5 * (lower + upper)))
    naive = np.linalg.lstsq(x, stand_in, rcond=None)[0]
    assert np.max(np.abs(naive - TRUE_BETA) / _standard_errors(fit)[:-1]) > 10.0


@pytest.mark.slow
def test_laplace_standard_errors_match_the_spread_over_refits() -> None:
    refits = 30
    rng = np.random.default_rng(7)
    x = _design(rng, 4_000, 4)  # fixed design: the Laplace covariance is conditional on x
    estimates, laplace_var = [], []
    for _ in range(refits):
        lower, upper = _censor(rng, x, TRUE_BETA, TRUE_SIGMA)
        fit = fit_censored_normal(x, lower, upper, **WEAK)
        estimates.append(_theta(fit))
        laplace_var.append(np.diag(np.asarray(fit.covariance)))
    theta = np.array(estimates)
    empirical_sd = theta.std(axis=0, ddof=1)
    laplace_sd = np.sqrt(np.mean(laplace_var, axis=0))
    # (refits-1)·s²/σ² ~ χ²(refits-1) if the estimates are normal with the Laplace SD; accept the
    # central 99.9% range with a Bonferroni split over the 5 coordinates. For 30 refits that is a
    # ratio s/σ in about [0.6, 1.5]: the Laplace SE is checked to ~±40%, all 30 refits can say.
    alpha = 1e-3 / theta.shape[1]
    dof = refits - 1
    low = math.sqrt(stats.chi2.ppf(alpha / 2, dof) / dof)
    high = math.sqrt(stats.chi2.ppf(1 - alpha / 2, dof) / dof)
    ratio = empirical_sd / laplace_sd
    assert np.all((ratio > low) & (ratio < high)), (ratio, low, high)
    # And the estimator is centred on the truth: the mean of 30 fits within 4 of its own SEs.
    truth = np.append(TRUE_BETA, math.log(TRUE_SIGMA))
    assert np.all(np.abs(theta.mean(axis=0) - truth) < 4.0 * laplace_sd / math.sqrt(refits))


@pytest.mark.slow
def test_ten_thousand_rows_by_twenty_five_columns_fit_well_under_a_second() -> None:
    rng = np.random.default_rng(8)
    x = _design(rng, 10_000, 25)
    beta = np.append(TRUE_BETA, rng.normal(0.0, 0.1, 21))
    lower, upper = _censor(rng, x, beta, TRUE_SIGMA)
    timings = []
    for _ in range(3):  # best of three: the bound is about the code, not a busy machine
        start = time.perf_counter()
        fit_censored_normal(x, lower, upper, **WEAK)
        timings.append(time.perf_counter() - start)
    assert min(timings) < 1.0, timings


# --- (b) derivatives ------------------------------------------------------------------------------


def _posterior_for_derivatives() -> CensoredNormalPosterior:
    x, lower, upper = _mixed_data(3, n=300)
    # A few rows far in the tails, where the censored terms need the stable log-difference.
    lower[:3], upper[:3] = -INF, 2.0  # left-censored ~7 SD below the fitted mean
    lower[3:6], upper[3:6] = 17.0, INF  # right-censored ~7 SD above
    lower[6:9], upper[6:9] = 16.0, 16.5  # an interval entirely in the upper tail
    weights = np.random.default_rng(4).uniform(0.0, 2.0, 300)
    prior = {"prior_mean": [9.0, 0.0, 0.0, 0.0], "prior_sd": [5.0, 1.0, 1.0, 1.0]}
    return CensoredNormalPosterior(
        x, lower, upper, **prior, log_sigma_prior_mean=0.0, log_sigma_prior_sd=1.0, weights=weights
    )


THETAS = [
    pytest.param([10.0, 0.6, -0.4, 0.3, math.log(0.8)], id="truth"),
    pytest.param([9.5, 0.0, 0.1, 0.0, 0.5], id="off"),
    pytest.param([12.0, 1.0, -1.0, 0.5, math.log(0.3)], id="far, small sigma"),
]


@pytest.mark.parametrize("theta", THETAS)
def test_gradient_matches_finite_differences(theta: list[float]) -> None:
    posterior = _posterior_for_derivatives()

    def value(t: FloatArray) -> float:
        return posterior.negative_log_posterior(t)[0]

    def gradient(t: FloatArray) -> FloatArray:
        return posterior.negative_log_posterior(t)[1]

    point = np.array(theta)
    # check_grad uses forward differences with step ~1.5e-8: truncation ~1e-8·|f''| plus rounding
    # ~1e-8·|f| per component, both about 1e-6 of the gradient's size here; a wrong term would be
    # off by O(1) relative. 1e-5 relative leaves a factor-10 margin over the method's own error.
    error = check_grad(value, gradient, point, rng=np.random.default_rng(0))
    assert error <= 1e-5 * np.linalg.norm(gradient(point)), error


@pytest.mark.parametrize("theta", THETAS)
def test_hessian_matches_central_differences_of_the_gradient(theta: list[float]) -> None:
    posterior = _posterior_for_derivatives()
    point = np.array(theta)
    step = 1e-5
    columns = [
        (posterior.negative_log_posterior(point + step * e)[1] - posterior.negative_log_posterior(point - step * e)[1])
        / (2 * step)
        for e in np.eye(point.size)
    ]
    numeric = np.array(columns).T
    analytic = posterior.hessian(point)
    np.testing.assert_array_equal(analytic, analytic.T)
    # Central differences: truncation ~step²·|f'''| ≈ 1e-10·scale, rounding ~1e-16·|g|/step ≈ 1e-11·scale.
    np.testing.assert_allclose(analytic, numeric, atol=1e-6 * np.max(np.abs(analytic)))


def test_log_posterior_value_matches_scipy_stats_term_by_term() -> None:
    rng = np.random.default_rng(5)
    x = _design(rng, 4, 2)
    lower = np.array([9.5, -INF, 10.2, 9.0])
    upper = np.array([9.5, 9.8, INF, 9.7])
    weights = np.array([1.0, 2.0, 0.5, 1.5])
    beta, log_sigma = np.array([10.0, 0.3]), math.log(0.7)
    posterior = CensoredNormalPosterior(
        x,
        lower,
        upper,
        prior_mean=[9.0, 0.0],
        prior_sd=[3.0, 0.5],
        log_sigma_prior_mean=-0.2,
        log_sigma_prior_sd=0.4,
        weights=weights,
    )
    mu, sigma = x @ beta, math.exp(log_sigma)
    law = stats.norm(mu, sigma)
    terms = [
        law.logpdf(lower)[0],
        law.logcdf(upper)[1],
        law.logsf(lower)[2],
        math.log(law.cdf(upper)[3] - law.cdf(lower)[3]),
    ]
    expected = float(np.dot(weights, terms))
    expected += stats.norm(9.0, 3.0).logpdf(10.0) + stats.norm(0.0, 0.5).logpdf(0.3)
    expected += stats.norm(-0.2, 0.4).logpdf(log_sigma)
    value, _ = posterior.negative_log_posterior(np.append(beta, log_sigma))
    assert -value == pytest.approx(expected, rel=1e-12)


def test_reported_log_posterior_is_the_posterior_density_at_the_mode() -> None:
    x, lower, upper = _mixed_data(6, n=500)
    x[:, 1] *= 1e5  # a column on an amount scale, so the internal rescaling is exercised
    fit = fit_censored_normal(x, lower, upper, **WEAK)
    posterior = CensoredNormalPosterior(x, lower, upper, **WEAK)
    assert fit.log_posterior == pytest.approx(-posterior.negative_log_posterior(_theta(fit))[0], rel=1e-12)


# --- (c) prior versus data ------------------------------------------------------------------------


def test_strong_prior_with_three_observations_stays_at_the_prior_mean() -> None:
    x = np.array([[1.0, -1.0], [1.0, 0.0], [1.0, 1.0]])
    z = np.array([11.0, 12.0, 13.0])  # least squares would say (12, 1)
    fit = fit_censored_normal(
        x, z, z, prior_mean=[8.0, -0.5], prior_sd=0.01, log_sigma_prior_mean=0.0, log_sigma_prior_sd=0.5
    )
    # Prior precision 1e4 against a data precision of at most 3/σ² with σ ≳ e^-1: the posterior
    # moves by under ~0.1% of the gap, i.e. < 0.005 here.
    np.testing.assert_allclose(fit.beta, [8.0, -0.5], atol=0.005)


def test_weak_prior_with_many_observations_follows_the_data() -> None:
    x, lower, upper = _mixed_data(9, n=2_000)
    fit = fit_censored_normal(
        x,
        lower,
        upper,
        prior_mean=[0.0, 5.0, 5.0, 5.0],
        prior_sd=1e3,
        log_sigma_prior_mean=3.0,
        log_sigma_prior_sd=10.0,
    )
    se = _standard_errors(fit)
    truth = np.append(TRUE_BETA, math.log(TRUE_SIGMA))
    assert np.all(np.abs(_theta(fit) - truth) < 4.0 * se)


def test_prior_shrinks_the_estimate_in_between_for_moderate_data() -> None:
    x, lower, upper = _mixed_data(10, n=40)
    weak = fit_censored_normal(x, lower, upper, **WEAK)
    strong = fit_censored_normal(x, lower, upper, **(WEAK | {"prior_mean": 0.0, "prior_sd": 0.1}))
    # Slopes are pulled towards 0 by the tight prior (the intercept ~10 goes furthest).
    assert abs(strong.beta[0]) < abs(weak.beta[0])
    assert np.sum(np.square(strong.beta)) < np.sum(np.square(weak.beta))


# --- (d) exact data is ordinary least squares -----------------------------------------------------


def test_all_exact_data_with_a_weak_prior_is_ordinary_least_squares() -> None:
    rng = np.random.default_rng(12)
    n, p = 500, 5
    x = _design(rng, n, p)
    z = x @ np.array([10.0, 0.5, -1.0, 0.2, 0.0]) + 0.8 * rng.standard_normal(n)
    fit = fit_censored_normal(x, z, z, prior_mean=0.0, prior_sd=1e6, log_sigma_prior_mean=0.0, log_sigma_prior_sd=1e3)
    ols, rss, *_ = np.linalg.lstsq(x, z, rcond=None)
    sigma_ml = math.sqrt(float(rss[0]) / n)
    se = _standard_errors(fit)
    # The prior moves β by ~σ²/(n·τ²) ≈ 1e-15 and log σ by ~1e-9; what remains is the optimiser's
    # tolerance, 1e-3 posterior SDs (Newton decrement <= 1e-6).
    np.testing.assert_array_less(np.abs(np.asarray(fit.beta) - ols), 1e-3 * se[:-1])
    assert abs(fit.log_sigma - math.log(sigma_ml)) < 1e-3 * se[-1]
    # Laplace at the OLS point: Cov(β) = σ̂²(x'x)⁻¹ and Var(log σ) = 1/(2n), β and log σ uncorrelated.
    covariance = np.asarray(fit.covariance)
    np.testing.assert_allclose(covariance[:-1, :-1], sigma_ml**2 * np.linalg.inv(x.T @ x), rtol=1e-5)
    assert covariance[-1, -1] == pytest.approx(1.0 / (2 * n), rel=1e-5)
    np.testing.assert_allclose(covariance[-1, :-1], 0.0, atol=1e-5 * math.sqrt(covariance[-1, -1]))


def test_intervals_narrower_than_a_part_per_million_score_as_exact_values() -> None:
    rng = np.random.default_rng(13)
    x = _design(rng, 300, 3)
    z = x @ np.array([10.0, 0.4, -0.2]) + 0.5 * rng.standard_normal(300)
    exact = fit_censored_normal(x, z, z, **WEAK)
    narrow = fit_censored_normal(x, z - 1e-10, z + 1e-10, **WEAK)
    _assert_same_mode(exact, narrow)
    # The interval's probability is density times width: the log posteriors differ by Σ log(width)
    # (widths as stored: 2e-10 up to the rounding of z ± 1e-10 near z ≈ 10).
    widths = (z + 1e-10) - (z - 1e-10)
    gap = narrow.log_posterior - exact.log_posterior
    assert gap == pytest.approx(float(np.sum(np.log(widths))), rel=1e-9)


# --- robustness -----------------------------------------------------------------------------------


def test_all_right_censored_data_is_held_by_the_prior() -> None:
    x, lower, _ = _mixed_data(14, n=500)
    bounds = np.where(np.isinf(lower), LOG_FLOOR, lower)  # every award only known to exceed a bound
    fit = fit_censored_normal(x, bounds, np.full(500, INF), **WEAK)
    assert np.all(np.isfinite(_theta(fit)))
    # "At least the bound" everywhere: the fitted mean is above the bounds' least-squares line.
    assert fit.beta[0] > np.linalg.lstsq(x, bounds, rcond=None)[0][0]


def test_all_interval_censored_data_recovers_the_truth() -> None:
    rng = np.random.default_rng(15)
    x = _design(rng, 2_000, 4)
    z = x @ TRUE_BETA + TRUE_SIGMA * rng.standard_normal(2_000)
    fit = fit_censored_normal(x, np.floor(z), np.floor(z) + 1.0, **WEAK)
    truth = np.append(TRUE_BETA, math.log(TRUE_SIGMA))
    assert np.all(np.abs(_theta(fit) - truth) < 4.0 * _standard_errors(fit))


def test_rows_with_zero_weight_are_ignored_even_when_absurd() -> None:
    x, lower, upper = _mixed_data(16, n=600)
    weights = np.ones(600)
    weights[:100] = 0.0
    junk_lower, junk_upper = lower.copy(), upper.copy()
    junk_lower[:50] = junk_upper[:50] = 700.0  # an award of e^700 yuan
    junk_lower[50:100], junk_upper[50:100] = -INF, -700.0
    with_junk = fit_censored_normal(x, junk_lower, junk_upper, weights=weights, **WEAK)
    without = fit_censored_normal(x[100:], lower[100:], upper[100:], **WEAK)
    _assert_same_mode(without, with_junk)


def test_weight_two_is_the_same_as_a_duplicated_row() -> None:
    x, lower, upper = _mixed_data(17, n=300)
    weights = np.where(np.arange(300) < 100, 2.0, 1.0)
    weighted = fit_censored_normal(x, lower, upper, weights=weights, **WEAK)
    duplicated = fit_censored_normal(
        np.vstack([x, x[:100]]), np.append(lower, lower[:100]), np.append(upper, upper[:100]), **WEAK
    )
    _assert_same_mode(duplicated, weighted)
    assert weighted.log_posterior == pytest.approx(duplicated.log_posterior, rel=1e-9)


def test_a_warm_start_reaches_the_same_mode_in_fewer_steps() -> None:
    x, lower, upper = _mixed_data(3)
    cold = fit_censored_normal(x, lower, upper, **WEAK)
    half = slice(0, x.shape[0] // 2)
    part = fit_censored_normal(x[half], lower[half], upper[half], **WEAK)
    warm = fit_censored_normal(x, lower, upper, **WEAK, start=_theta(part))
    _assert_same_mode(cold, warm)
    assert warm.n_iterations < cold.n_iterations
    far = fit_censored_normal(x, lower, upper, **WEAK, start=[30.0, -9.0, 9.0, 0.0, 3.0])
    _assert_same_mode(cold, far)  # a poor start costs steps, not the answer


def test_column_scale_does_not_change_the_model() -> None:
    x, lower, upper = _mixed_data(18, n=1_000)
    base = fit_censored_normal(x, lower, upper, **WEAK)
    scaled_x = x.copy()
    scaled_x[:, 1] *= 1e6  # yuan instead of millions of yuan, say
    scaled = fit_censored_normal(
        scaled_x, lower, upper, **(WEAK | {"prior_sd": np.array([100.0, 100.0e-6, 100.0, 100.0])})
    )
    back = np.asarray(scaled.beta) * np.array([1.0, 1e6, 1.0, 1.0])
    np.testing.assert_array_less(np.abs(back - base.beta), 2e-3 * _standard_errors(base)[:-1])
    assert scaled.log_sigma == pytest.approx(base.log_sigma, abs=2e-3 * _standard_errors(base)[-1])


def test_extreme_but_legal_values_fit() -> None:
    x, lower, upper = _mixed_data(19, n=500)
    shift = 1e4  # log awards around 10^4: absurd amounts, still a well-posed regression
    fit = fit_censored_normal(x, lower + shift, upper + shift, **(WEAK | {"prior_sd": 1e6}))
    assert fit.beta[0] == pytest.approx(10.0 + shift, abs=4.0 * _standard_errors(fit)[0])


def test_more_columns_than_rows_is_resolved_by_the_prior() -> None:
    # Binned awards, so the likelihood stays bounded even though 12 columns can fit 5 rows exactly
    # (with exact values it would not be: see the noise-free test below).
    rng = np.random.default_rng(20)
    x = _design(rng, 5, 12)
    z = np.floor(rng.normal(10.0, 1.0, 5))
    fit = fit_censored_normal(x, z, z + 1.0, **WEAK)
    assert np.all(np.linalg.eigvalsh(np.asarray(fit.covariance)) > 0.0)


# --- (e) input checks ----------------------------------------------------------------------------


def _valid_arguments() -> dict[str, Any]:
    x = np.column_stack([np.ones(4), np.arange(4.0)])
    return {
        "X": x,
        "lower": np.array([9.0, -INF, 10.0, 9.5]),
        "upper": np.array([9.0, 9.5, INF, 10.5]),
        "prior_mean": 0.0,
        "prior_sd": 10.0,
        "log_sigma_prior_mean": 0.0,
        "log_sigma_prior_sd": 1.0,
    }


def _nan_in_design(args: dict[str, Any]) -> None:
    args["X"][2, 1] = math.nan


def _inf_in_design(args: dict[str, Any]) -> None:
    args["X"][0, 0] = INF


def _lower_above_upper(args: dict[str, Any]) -> None:
    args["lower"][3] = 11.0


def _both_infinite(args: dict[str, Any]) -> None:
    args["lower"][1] = -INF
    args["upper"][1] = INF


def _nan_bound(args: dict[str, Any]) -> None:
    args["upper"][0] = math.nan


BAD_INPUTS = [
    pytest.param(_nan_in_design, "X", id="NaN in X"),
    pytest.param(_inf_in_design, "X", id="inf in X"),
    pytest.param(lambda a: a.update(X=np.ones(4)), "X", id="X one-dimensional"),
    pytest.param(lambda a: a.update(X=np.ones((0, 2))), "X", id="X no rows"),
    pytest.param(_lower_above_upper, "lower", id="lower above upper"),
    pytest.param(_both_infinite, "lower", id="both bounds infinite"),
    pytest.param(_nan_bound, "upper", id="NaN bound"),
    pytest.param(lambda a: a.update(lower=np.zeros(3)), "lower", id="lower wrong length"),
    pytest.param(lambda a: a.update(upper=np.zeros((4, 1))), "upper", id="upper wrong shape"),
    pytest.param(lambda a: a.update(lower=np.full(4, INF), upper=np.full(4, INF)), "lower", id="lower +inf"),
    pytest.param(lambda a: a.update(prior_mean=[0.0, 0.0, 0.0]), "prior_mean", id="prior_mean wrong length"),
    pytest.param(lambda a: a.update(prior_mean=math.nan), "prior_mean", id="prior_mean NaN"),
    pytest.param(lambda a: a.update(prior_sd=0.0), "prior_sd", id="prior_sd zero"),
    pytest.param(lambda a: a.update(prior_sd=[1.0, -1.0]), "prior_sd", id="prior_sd negative"),
    pytest.param(lambda a: a.update(log_sigma_prior_sd=0.0), "log_sigma_prior_sd", id="log sigma sd zero"),
    pytest.param(lambda a: a.update(log_sigma_prior_mean=INF), "log_sigma_prior_mean", id="log sigma mean inf"),
    pytest.param(lambda a: a.update(weights=-np.ones(4)), "weights", id="negative weights"),
    pytest.param(lambda a: a.update(weights=np.ones(5)), "weights", id="weights wrong length"),
    pytest.param(lambda a: a.update(max_iterations=0), "max_iterations", id="max_iterations zero"),
    pytest.param(lambda a: a.update(start=[0.0, 0.0]), "start", id="start too short"),
    pytest.param(lambda a: a.update(start=[0.0, math.nan, 0.0]), "start", id="start NaN"),
]


@pytest.mark.parametrize(("corrupt", "field"), BAD_INPUTS)
def test_bad_inputs_raise_invalid_input_naming_the_argument(corrupt: Any, field: str) -> None:
    arguments = _valid_arguments()
    fit_censored_normal(**arguments)  # the untouched arguments are fine
    corrupt(arguments)
    with pytest.raises(InvalidInputError) as info:
        fit_censored_normal(**arguments)
    assert info.value.field == field
    assert f"`{field}`" in info.value.message


# --- (f) convergence failures ---------------------------------------------------------------------


def test_too_few_iterations_raise_convergence_error_with_the_reason() -> None:
    x, lower, upper = _mixed_data(21, n=500)
    with pytest.raises(ConvergenceError) as info:
        fit_censored_normal(x, lower, upper, **WEAK, max_iterations=1)
    assert "did not converge" in info.value.message
    assert "after 1 iterations" in info.value.message
    assert "Maximum number of iterations" in info.value.message  # the optimiser's own words


def test_noise_free_data_is_not_returned_as_a_fit() -> None:
    # With residuals exactly 0 the likelihood grows without bound as σ -> 0; the log σ prior puts
    # the mode near σ = e^-500, where the curvature overflows double precision. This must raise,
    # not hand back a covariance made of rounding error.
    x = _design(np.random.default_rng(22), 200, 2)
    z = x @ np.array([10.0, 1.0])
    with pytest.raises(ConvergenceError):
        fit_censored_normal(x, z, z, **(WEAK | {"log_sigma_prior_sd": 1.0}))


# --- (g) group-wise residual spread (sigma_groups) ------------------------------------------------

GROUP_SIGMAS = np.array([0.5, 1.5])


def _theta_grouped(fit: CensoredFit) -> FloatArray:
    return np.append(fit.beta, fit.log_sigmas)


def _grouped_data(seed: int, n: int, p: int = 4) -> tuple[FloatArray, FloatArray, FloatArray, NDArray[np.intp]]:
    rng = np.random.default_rng(seed)
    x = _design(rng, n, p)
    groups = rng.integers(0, 2, n)
    lower, upper = _censor(rng, x, TRUE_BETA[:p], GROUP_SIGMAS[groups])
    return x, lower, upper, groups


def test_recovers_coefficients_and_each_group_sigma_within_four_standard_errors() -> None:
    x, lower, upper, groups = _grouped_data(30, 4_000)
    fit = fit_censored_normal(x, lower, upper, **WEAK, sigma_groups=groups)
    assert fit.converged
    assert len(fit.log_sigmas) == 2
    assert fit.log_sigma == fit.log_sigmas[0]
    assert fit.sigma == pytest.approx(math.exp(fit.log_sigmas[0]))
    se = _standard_errors(fit)
    # 4 SE: a correct estimator fails one coordinate with probability ~6e-5 (6 coordinates: ~4e-4).
    truth = np.append(TRUE_BETA, np.log(GROUP_SIGMAS))
    z_scores = (_theta_grouped(fit) - truth) / se
    assert np.all(np.abs(z_scores) < 4.0), z_scores
    covariance = np.asarray(fit.covariance)
    assert covariance.shape == (6, 6)
    np.testing.assert_array_equal(covariance, covariance.T)
    assert np.all(np.linalg.eigvalsh(covariance) > 0.0)
    # Power: one pooled σ sits between the two true spreads, many SEs (of either group) from each.
    pooled = fit_censored_normal(x, lower, upper, **WEAK)
    assert np.all(np.abs(pooled.log_sigma - np.log(GROUP_SIGMAS)) > 10.0 * se[4:])


def test_relabelling_the_groups_permutes_their_sigmas() -> None:
    x, lower, upper, groups = _grouped_data(31, 1_000)
    fit = fit_censored_normal(x, lower, upper, **WEAK, sigma_groups=groups)
    swapped = fit_censored_normal(x, lower, upper, **WEAK, sigma_groups=1 - groups)
    # Same posterior up to the order of the log σ's; rows are summed in another order, so the modes
    # agree to the optimiser's tolerance (1e-3 posterior SD each, 2e-3 SD between two fits).
    se = _standard_errors(fit)
    theta = _theta_grouped(swapped)
    theta[4:] = theta[4:][::-1]
    np.testing.assert_array_less(np.abs(theta - _theta_grouped(fit)), 2e-3 * se)


def _grouped_posterior_for_derivatives() -> CensoredNormalPosterior:
    x, lower, upper = _mixed_data(3, n=300)
    lower[:3], upper[:3] = -INF, 2.0  # tail rows as in the single-σ derivative checks
    lower[3:6], upper[3:6] = 17.0, INF
    lower[6:9], upper[6:9] = 16.0, 16.5
    groups = np.random.default_rng(23).integers(0, 3, 300)
    groups[:9] = [0, 1, 2] * 3  # every group has a row in each tail
    weights = np.random.default_rng(4).uniform(0.0, 2.0, 300)
    prior = {"prior_mean": [9.0, 0.0, 0.0, 0.0], "prior_sd": [5.0, 1.0, 1.0, 1.0]}
    return CensoredNormalPosterior(
        x,
        lower,
        upper,
        **prior,
        log_sigma_prior_mean=0.0,
        log_sigma_prior_sd=1.0,
        weights=weights,
        sigma_groups=groups,
    )


GROUPED_THETAS = [
    pytest.param([10.0, 0.6, -0.4, 0.3, math.log(0.5), math.log(0.8), math.log(1.5)], id="near truth"),
    pytest.param([9.5, 0.0, 0.1, 0.0, 0.5, -0.3, 1.0], id="off"),
    pytest.param([12.0, 1.0, -1.0, 0.5, math.log(0.3), math.log(2.0), math.log(0.2)], id="far, mixed sigmas"),
]


@pytest.mark.parametrize("theta", GROUPED_THETAS)
def test_grouped_gradient_matches_finite_differences(theta: list[float]) -> None:
    posterior = _grouped_posterior_for_derivatives()
    assert posterior.n_params == 7

    def value(t: FloatArray) -> float:
        return posterior.negative_log_posterior(t)[0]

    def gradient(t: FloatArray) -> FloatArray:
        return posterior.negative_log_posterior(t)[1]

    point = np.array(theta)
    # Same budget as the single-σ check: forward differences err by ~1e-6 of the gradient's size.
    error = check_grad(value, gradient, point, rng=np.random.default_rng(0))
    assert error <= 1e-5 * np.linalg.norm(gradient(point)), error


@pytest.mark.parametrize("theta", GROUPED_THETAS)
def test_grouped_hessian_matches_central_differences_of_the_gradient(theta: list[float]) -> None:
    posterior = _grouped_posterior_for_derivatives()
    point = np.array(theta)
    step = 1e-5
    columns = [
        (posterior.negative_log_posterior(point + step * e)[1] - posterior.negative_log_posterior(point - step * e)[1])
        / (2 * step)
        for e in np.eye(point.size)
    ]
    numeric = np.array(columns).T
    analytic = posterior.hessian(point)
    np.testing.assert_array_equal(analytic, analytic.T)
    # Same budget as the single-σ check: truncation ~1e-10 and rounding ~1e-11 of the scale.
    np.testing.assert_allclose(analytic, numeric, atol=1e-6 * np.max(np.abs(analytic)))
    # Different groups' log σ share no row and have independent priors: exactly zero, not just small.
    sigma_block = analytic[4:, 4:]
    np.testing.assert_array_equal(sigma_block - np.diag(np.diag(sigma_block)), 0.0)


def test_grouped_log_posterior_value_matches_scipy_stats_term_by_term() -> None:
    rng = np.random.default_rng(24)
    x = _design(rng, 4, 2)
    lower = np.array([9.5, -INF, 10.2, 9.0])
    upper = np.array([9.5, 9.8, INF, 9.7])
    weights = np.array([1.0, 2.0, 0.5, 1.5])
    groups = np.array([0, 1, 1, 0])
    beta, log_sigmas = np.array([10.0, 0.3]), np.log([0.7, 1.3])
    posterior = CensoredNormalPosterior(
        x,
        lower,
        upper,
        prior_mean=[9.0, 0.0],
        prior_sd=[3.0, 0.5],
        log_sigma_prior_mean=-0.2,
        log_sigma_prior_sd=0.4,
        weights=weights,
        sigma_groups=groups,
    )
    law = stats.norm(x @ beta, np.exp(log_sigmas)[groups])
    terms = [
        law.logpdf(lower)[0],
        law.logcdf(upper)[1],
        law.logsf(lower)[2],
        math.log(law.cdf(upper)[3] - law.cdf(lower)[3]),
    ]
    expected = float(np.dot(weights, terms))
    expected += stats.norm(9.0, 3.0).logpdf(10.0) + stats.norm(0.0, 0.5).logpdf(0.3)
    expected += float(np.sum(stats.norm(-0.2, 0.4).logpdf(log_sigmas)))  # one prior term per group
    value, _ = posterior.negative_log_posterior(np.append(beta, log_sigmas))
    assert -value == pytest.approx(expected, rel=1e-12)


def test_grouped_reported_log_posterior_is_the_posterior_density_at_the_mode() -> None:
    x, lower, upper, groups = _grouped_data(25, 500)
    x[:, 1] *= 1e5  # an amount-scale column, so the internal rescaling is exercised with groups too
    fit = fit_censored_normal(x, lower, upper, **WEAK, sigma_groups=groups)
    posterior = CensoredNormalPosterior(x, lower, upper, **WEAK, sigma_groups=groups)
    assert fit.log_posterior == pytest.approx(-posterior.negative_log_posterior(_theta_grouped(fit))[0], rel=1e-12)


def test_one_group_of_all_zeros_is_the_fit_without_groups() -> None:
    x, lower, upper = _mixed_data(26, n=1_000)
    plain = fit_censored_normal(x, lower, upper, **WEAK)
    zeros = fit_censored_normal(x, lower, upper, **WEAK, sigma_groups=np.zeros(1_000, dtype=int))
    # One group is the same model evaluated by the same arithmetic: equal far beyond the optimiser's
    # tolerance (1e-8 absolute, against SEs of ~1e-2).
    np.testing.assert_allclose(zeros.beta, plain.beta, rtol=0.0, atol=1e-8)
    assert zeros.log_sigma == pytest.approx(plain.log_sigma, rel=0.0, abs=1e-8)
    np.testing.assert_allclose(zeros.covariance, plain.covariance, rtol=0.0, atol=1e-8)
    assert plain.log_sigmas == [plain.log_sigma]
    assert zeros.log_sigmas == [zeros.log_sigma]
    assert np.asarray(plain.covariance).shape == (5, 5)


def test_integral_float_labels_are_accepted_as_integers() -> None:
    x, lower, upper, groups = _grouped_data(27, 300)
    as_int = fit_censored_normal(x, lower, upper, **WEAK, sigma_groups=groups.tolist())
    as_float = fit_censored_normal(x, lower, upper, **WEAK, sigma_groups=groups.astype(float))
    assert as_float == as_int


def test_fits_stored_before_groups_existed_still_decode() -> None:
    x, lower, upper, groups = _grouped_data(28, 200)
    fit = fit_censored_normal(x, lower, upper, **WEAK, sigma_groups=groups)
    assert msgspec.json.decode(msgspec.json.encode(fit), type=CensoredFit) == fit
    legacy = msgspec.to_builtins(fit)
    del legacy["log_sigmas"]
    decoded = msgspec.json.decode(msgspec.json.encode(legacy), type=CensoredFit)
    assert decoded.log_sigmas == []
    assert decoded.log_sigma == fit.log_sigma


BAD_SIGMA_GROUPS = [
    pytest.param([0, 1, 0], None, id="wrong length"),
    pytest.param([[0, 1, 0, 1]], None, id="two-dimensional"),
    pytest.param([0, -1, 0, 1], None, id="negative label"),
    pytest.param([0.0, 0.5, 1.0, 1.0], None, id="float 0.5"),
    pytest.param([0.0, math.nan, 1.0, 1.0], None, id="NaN label"),
    pytest.param([True, False, True, False], None, id="boolean mask"),
    pytest.param(["a", "b", "a", "b"], None, id="strings"),
    pytest.param([0, 2, 0, 2], None, id="label 1 has no rows"),
    pytest.param([0, 1, 0, 10**12], None, id="label beyond the number of rows"),
    pytest.param([0, 0, 1, 1], [1.0, 1.0, 0.0, 0.0], id="group 1 only has zero weights"),
]


@pytest.mark.parametrize(("groups", "weights"), BAD_SIGMA_GROUPS)
def test_bad_sigma_groups_raise_invalid_input_naming_the_argument(groups: Any, weights: Any) -> None:
    arguments = _valid_arguments() | {"weights": weights}
    fit_censored_normal(**arguments, sigma_groups=[0, 1, 0, 1])  # a valid labelling of the same rows
    for build in (fit_censored_normal, CensoredNormalPosterior):
        with pytest.raises(InvalidInputError) as info:
            build(**arguments, sigma_groups=groups)
        assert info.value.field == "sigma_groups"
        assert "`sigma_groups`" in info.value.message


def test_a_group_without_rows_is_named_in_the_message() -> None:
    with pytest.raises(InvalidInputError, match=r"group\(s\) 1$"):
        fit_censored_normal(**_valid_arguments(), sigma_groups=[0, 2, 0, 2])


@pytest.mark.slow
def test_ten_thousand_rows_two_sigma_groups_fit_well_under_a_second() -> None:
    rng = np.random.default_rng(29)
    x = _design(rng, 10_000, 25)
    beta = np.append(TRUE_BETA, rng.normal(0.0, 0.1, 21))
    groups = rng.integers(0, 2, 10_000)
    lower, upper = _censor(rng, x, beta, GROUP_SIGMAS[groups])
    timings = []
    for _ in range(3):  # best of three: the bound is about the code, not a busy machine
        start = time.perf_counter()
        fit_censored_normal(x, lower, upper, **WEAK, sigma_groups=groups)
        timings.append(time.perf_counter() - start)
    assert min(timings) < 1.0, timings
