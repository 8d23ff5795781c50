"""The censored log-normal predictive law against scipy.stats, Monte Carlo and its own consistency."""

from __future__ import annotations

import ast
import math
from pathlib import Path

import numpy as np
import pytest
from scipy import stats

import estimator.model.distribution as distribution_module
from estimator.errors import InvalidInputError
from estimator.model.distribution import CensoredLogNormal, log_ndtr_diff

INF = math.inf
# Quantile levels spanning both tails; kept away from 0/1 where ndtri itself loses digits.
LEVELS = np.array([1e-6, 0.001, 0.01, 0.05, 0.1, 0.25, 0.5, 0.75, 0.9, 0.95, 0.99, 0.999, 1 - 1e-6])


def _award_like(rng: np.random.Generator, n: int) -> CensoredLogNormal:
    """Rows shaped like award predictions: log amounts ~ 8..14, floors around 500, caps from claims."""
    mu = rng.uniform(8.0, 14.0, n)
    sd = rng.uniform(0.2, 2.0, n)
    floor = np.where(rng.random(n) < 0.3, 0.0, rng.uniform(100.0, 2_000.0, n))
    cap = np.where(rng.random(n) < 0.3, INF, np.exp(mu + rng.normal(0.5, 1.0, n)) + floor)
    return CensoredLogNormal(mu, sd, floor, cap)


def test_module_imports_only_what_a_pure_model_may() -> None:
    # The predictive law is evaluated inside the API process: it must not pull in scipy.stats,
    # scipy.optimize or calibration code. Read the import statements rather than trusting review.
    tree = ast.parse(Path(distribution_module.__file__).read_text(encoding="utf-8"))
    imported: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            imported.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            imported.add(node.module or "")
    allowed = {"__future__", "math", "numpy", "numpy.typing", "scipy.special", "msgspec", "estimator.errors"}
    assert imported <= allowed, imported - allowed


def test_quantiles_are_monotone_and_within_floor_and_cap() -> None:
    law = _award_like(np.random.default_rng(11), 2_000)
    q = law.quantile(LEVELS)
    assert q.shape == (2_000, LEVELS.size)
    assert np.all(np.diff(q, axis=1) >= 0.0)
    assert np.all(q >= law.floor[:, None])
    assert np.all(q <= law.cap[:, None])


def test_scalar_quantile_is_one_column_of_the_array_form() -> None:
    law = _award_like(np.random.default_rng(12), 50)
    np.testing.assert_array_equal(law.quantile(0.25), law.quantile(np.array([0.1, 0.25]))[:, 1])
    assert law.quantile(0.25).shape == (50,)


def test_uncensored_law_is_the_plain_log_normal() -> None:
    mu = np.array([-1.0, 0.0, 3.0, 10.0, 12.5])
    sd = np.array([0.1, 1.0, 0.5, 2.0, 3.0])
    law = CensoredLogNormal(mu, sd, 0.0, INF)
    reference = stats.lognorm(s=sd[:, None], scale=np.exp(mu)[:, None])
    np.testing.assert_allclose(law.quantile(LEVELS), reference.ppf(LEVELS[None, :]), rtol=1e-12)
    np.testing.assert_allclose(law.mean(), stats.lognorm(s=sd, scale=np.exp(mu)).mean(), rtol=1e-13)
    points = law.quantile(LEVELS)
    np.testing.assert_allclose(law.cdf(points), reference.cdf(points), rtol=1e-12)
    np.testing.assert_array_equal(law.p_floor(), 0.0)
    np.testing.assert_array_equal(law.p_cap(), 0.0)


def test_mean_and_atoms_match_monte_carlo() -> None:
    rng = np.random.default_rng(2024)
    mu = np.array([9.0, 10.5, 11.0, 7.0, 12.0, 9.0])
    sd = np.array([1.0, 1.5, 0.6, 0.8, 2.5, 1.0])
    floor = np.array([5_000.0, 0.0, 30_000.0, 500.0, 10_000.0, 8_103.0])
    cap = np.array([50_000.0, 100_000.0, INF, 2_000.0, 5e6, 8_103.0])  # last row: floor == cap
    law = CensoredLogNormal(mu, sd, floor, cap)
    draws = 400_000
    sample = np.clip(np.exp(mu + sd * rng.standard_normal((draws, mu.size))), floor, cap)

    # Each check allows 5 Monte Carlo standard errors: a false failure has probability ~6e-7 per
    # comparison, while a wrong formula (e.g. a dropped censoring term) is off by tens of SEs here.
    se_mean = sample.std(axis=0, ddof=1) / math.sqrt(draws)
    assert np.all(np.abs(sample.mean(axis=0) - law.mean()) <= 5.0 * se_mean + 1e-9 * law.mean())

    # The point-mass row is left out here: there every draw equals both floor and cap.
    for p_model, hits in ((law.p_floor()[:-1], sample == floor), (law.p_cap()[:-1], sample == cap)):
        p_hat = hits[:, :-1].mean(axis=0)
        # Binomial SE from the model's p (the estimate's own SE is 0 when p_hat is 0 or 1).
        se = np.sqrt(p_model * (1.0 - p_model) / draws)
        assert np.all(np.abs(p_hat - p_model) <= 5.0 * se + 1e-12)

    # A point mass: every draw equals it, and the two atom probabilities add up to one.
    assert law.mean()[-1] == pytest.approx(8_103.0, rel=1e-12)
    assert law.p_floor()[-1] + law.p_cap()[-1] == pytest.approx(1.0, abs=1e-15)


def test_mass_splits_into_floor_atom_continuous_part_and_cap_atom() -> None:
    law = _award_like(np.random.default_rng(13), 500)
    below_cap = law.cdf(np.nextafter(law.cap, 0.0))
    np.testing.assert_allclose(below_cap + law.p_cap(), 1.0, atol=1e-12)
    np.testing.assert_allclose(law.cdf(law.floor), law.p_floor(), atol=1e-15)
    np.testing.assert_array_equal(law.cdf(np.nextafter(law.floor, -1.0)), 0.0)


def test_cdf_inverts_quantile_where_the_law_is_continuous() -> None:
    law = _award_like(np.random.default_rng(14), 3_000)
    q = law.quantile(LEVELS)
    inside = (q > law.floor[:, None]) & (q < law.cap[:, None])
    assert inside.mean() > 0.5  # the check below must actually cover most of the grid
    levels = np.broadcast_to(LEVELS, q.shape)
    np.testing.assert_allclose(law.cdf(q)[inside], levels[inside], rtol=1e-9, atol=1e-12)
    # Row-wise form: one amount per row.
    median = law.quantile(0.5)
    row_inside = (median > law.floor) & (median < law.cap)
    np.testing.assert_allclose(law.cdf(median)[row_inside], 0.5, rtol=1e-12)


def test_interval_is_the_pair_of_central_quantiles() -> None:
    law = _award_like(np.random.default_rng(15), 100)
    low, high = law.interval(0.8)
    np.testing.assert_array_equal(low, law.quantile(0.1))
    np.testing.assert_array_equal(high, law.quantile(0.9))
    assert np.all(low <= high)


def test_extreme_parameters_stay_finite_and_ordered() -> None:
    # sd = 40 makes exp(mu + sd²/2) overflow; with a finite cap the mean is still finite and <= cap.
    law = CensoredLogNormal([10.0, 10.0, -50.0], [40.0, 40.0, 0.01], [0.0, 1.0, 0.0], [1e6, 1e6, INF])
    mean = law.mean()
    assert np.all(np.isfinite(mean))
    assert np.all(mean <= law.cap)
    assert np.all(mean >= law.floor)
    assert mean[2] == pytest.approx(math.exp(-50.0 + 0.5 * 0.01**2), rel=1e-12)


def test_log_ndtr_diff_is_accurate_in_both_tails() -> None:
    a = np.array([-INF, -1.0, 3.0, 40.0, -41.0, 8.0, -INF, 0.5])
    b = np.array([INF, 1.0, 3.5, 41.0, -40.0, INF, -38.0, 0.5 + 1e-9])
    got = log_ndtr_diff(a, b)
    naive = np.log(stats.norm.cdf(b[:3]) - stats.norm.cdf(a[:3]))
    np.testing.assert_allclose(got[:3], naive, rtol=1e-13)
    # Far tails, where the naive difference is 0: the reflection identity and scipy's log-survival.
    assert got[3] == pytest.approx(got[4], rel=1e-14)
    assert got[5] == pytest.approx(stats.norm.logsf(8.0), rel=1e-14)
    assert got[6] == pytest.approx(stats.norm.logcdf(-38.0), rel=1e-14)
    assert got[3] == pytest.approx(stats.norm.logsf(40.0), rel=1e-4)  # Φ(-41)/Φ(-40) ~ e^-40
    # Narrow interval: width times density.
    assert got[7] == pytest.approx(math.log(1e-9 * stats.norm.pdf(0.5)), rel=1e-6)


def test_one_call_handles_a_hundred_thousand_rows() -> None:
    n = 100_000
    law = _award_like(np.random.default_rng(16), n)
    assert len(law) == n
    quantiles = law.quantile(np.array([0.05, 0.5, 0.95]))
    outputs = (law.mean(), law.p_floor(), law.p_cap(), law.cdf(quantiles[:, 1]), *law.interval(0.9))
    assert quantiles.shape == (n, 3)
    for out in outputs:
        assert out.shape == (n,)
        assert np.all(np.isfinite(out))


def test_scalars_broadcast_against_vectors() -> None:
    law = CensoredLogNormal(10.0, [0.5, 1.0, 2.0], 1_000.0, INF)
    assert len(law) == 3
    np.testing.assert_array_equal(law.mu, 10.0)
    assert law.quantile(0.5) == pytest.approx(np.full(3, math.exp(10.0)), rel=1e-14)


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        pytest.param({"sd": 0.0}, "sd", id="sd zero"),
        pytest.param({"sd": -1.0}, "sd", id="sd negative"),
        pytest.param({"sd": math.nan}, "sd", id="sd nan"),
        pytest.param({"sd": INF}, "sd", id="sd infinite"),
        pytest.param({"mu": math.nan}, "mu", id="mu nan"),
        pytest.param({"mu": INF}, "mu", id="mu infinite"),
        pytest.param({"floor": -1.0}, "floor", id="floor negative"),
        pytest.param({"floor": INF, "cap": INF}, "floor", id="floor infinite"),
        pytest.param({"floor": 10.0, "cap": 5.0}, "cap", id="cap below floor"),
        pytest.param({"floor": 0.0, "cap": 0.0}, "cap", id="cap zero"),
        pytest.param({"cap": math.nan}, "cap", id="cap nan"),
        # The longest argument sets n; the one that disagrees with it is named.
        pytest.param({"mu": [1.0, 2.0, 3.0], "sd": [1.0, 2.0]}, "sd", id="mismatched lengths"),
        pytest.param({"mu": [[1.0, 2.0]]}, "mu", id="two-dimensional"),
        pytest.param({"mu": "ten"}, "mu", id="not numeric"),
    ],
)
def test_bad_arguments_name_the_argument(kwargs: dict[str, object], field: str) -> None:
    arguments: dict[str, object] = {"mu": 10.0, "sd": 1.0, "floor": 500.0, "cap": 1e6} | kwargs
    with pytest.raises(InvalidInputError) as info:
        CensoredLogNormal(**arguments)  # type: ignore[arg-type]
    assert info.value.field == field
    assert f"`{field}`" in info.value.message


@pytest.mark.parametrize("q", [0.0, 1.0, -0.1, 1.5, math.nan, [0.5, 1.0], [[0.5]]])
def test_quantile_levels_outside_the_open_unit_interval_are_rejected(q: object) -> None:
    with pytest.raises(InvalidInputError) as info:
        CensoredLogNormal(10.0, 1.0, 0.0, INF).quantile(q)  # type: ignore[arg-type]
    assert info.value.field == "q"


@pytest.mark.parametrize("level", [0.0, 1.0, math.nan, 95.0])
def test_interval_rejects_a_level_outside_the_open_unit_interval(level: float) -> None:
    with pytest.raises(InvalidInputError) as info:
        CensoredLogNormal(10.0, 1.0, 0.0, INF).interval(level)
    assert info.value.field == "confidence_level"


@pytest.mark.parametrize("amount", [math.nan, [1.0, 2.0, 3.0], [[[1.0]]]])
def test_cdf_rejects_nan_and_shapes_that_do_not_line_up_with_rows(amount: object) -> None:
    law = CensoredLogNormal([10.0, 11.0], 1.0, 0.0, INF)
    with pytest.raises(InvalidInputError) as info:
        law.cdf(amount)  # type: ignore[arg-type]
    assert info.value.field == "a"
