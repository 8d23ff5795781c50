"""MAP fit and Laplace covariance of a normal linear model on the log scale with censored observations.

The residual spread may differ between groups of rows (`sigma_groups`, e.g. courts of different
levels): row i then has its own σ_{g(i)}, each with its own log σ parameter and the same prior.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

import msgspec
import numpy as np
import numpy.typing as npt
from numpy.typing import NDArray
from scipy.linalg import LinAlgError, cho_factor, cho_solve
from scipy.optimize import minimize

from estimator.errors import ConvergenceError, InvalidInputError
from estimator.model.distribution import log_ndtr_diff, log_norm_pdf

FloatArray = NDArray[np.float64]

_LOG_SQRT_2PI = 0.5 * math.log(2.0 * math.pi)

# Convergence is judged by the Newton decrement g'H⁻¹g of the (unscaled) negative log posterior: it
# is affine-invariant, so it does not depend on how the columns of X are scaled, and its square root
# is the distance to the mode in posterior standard deviations. 1e-6 puts the mode within ~1e-3 SD,
# far below anything the Laplace covariance or a prediction can resolve.
_DECREMENT_TOL = 1e-6
# Gradient-norm stop for the optimiser on the per-observation (scaled) objective. Deliberately tight:
# if rounding stops the trust region first (status 2), the decrement test above decides.
_GTOL = 1e-9
_STATUS_PRECISION_LOSS = 2
# Log-scale width below which an interval is scored as a point (amounts equal to within 1 ppm).
_POINT_WIDTH = 1e-6


class CensoredFit(msgspec.Struct, frozen=True, kw_only=True):
    """Posterior mode of (β, log σ_0, …, log σ_{G-1}) with its Laplace covariance and how the optimiser got there.

    Without `sigma_groups` there is one group (G = 1). `log_sigma`/`sigma` are group 0's values, so
    code written before groups existed reads the same numbers from a one-group fit.
    """

    beta: list[float]
    log_sigma: float  # group 0's log σ (the only one when G = 1)
    sigma: float  # exp(log_sigma)
    covariance: list[list[float]]  # (p+G)x(p+G) Laplace covariance of (beta, log_sigmas)
    log_posterior: float  # log likelihood + log prior at the mode, normalising constants included
    n_iterations: int
    converged: bool  # always True on a returned fit (failures raise); kept so stored fits say so
    message: str
    # log σ_g per group, [log_sigma] when G = 1; every fit fills it. The default exists only so that
    # fits stored before groups existed still decode (as []).
    log_sigmas: list[float] = msgspec.field(default_factory=list)


@dataclass(frozen=True, slots=True)
class _Inputs:
    """Validated, float64 copies of the arguments, prior vectors broadcast to length p."""

    X: FloatArray
    lower: FloatArray
    upper: FloatArray
    weights: FloatArray
    prior_mean: FloatArray
    prior_sd: FloatArray
    log_sigma_prior_mean: float
    log_sigma_prior_sd: float
    sigma_groups: NDArray[np.intp]  # group label per row, 0..n_groups-1 (all 0 without `sigma_groups`)
    n_groups: int


def _float_array(value: npt.ArrayLike, field: str) -> FloatArray:
    try:
        return np.array(value, dtype=np.float64)  # a copy: callers may mutate their arrays later
    except (TypeError, ValueError) as exc:
        raise InvalidInputError(f"`{field}` must be numeric", field=field) from exc


def _prior_vector(value: npt.ArrayLike, p: int, field: str, *, positive: bool) -> FloatArray:
    array = _float_array(value, field)
    if array.ndim > 1 or (array.ndim == 1 and array.shape[0] != p):
        raise InvalidInputError(f"`{field}` must be a scalar or have shape ({p},), got {array.shape}", field=field)
    if not np.all(np.isfinite(array)) or (positive and not np.all(array > 0.0)):
        bound = "finite and > 0" if positive else "finite"
        raise InvalidInputError(f"`{field}` must be {bound}", field=field)
    return np.broadcast_to(array, (p,)).copy()


def _prior_scalar(value: float, field: str, *, positive: bool) -> float:
    try:
        number = float(value)
    except (TypeError, ValueError) as exc:
        raise InvalidInputError(f"`{field}` must be a number", field=field) from exc
    if not math.isfinite(number) or (positive and number <= 0.0):
        bound = "finite and > 0" if positive else "finite"
        raise InvalidInputError(f"`{field}` must be {bound}", field=field)
    return number


def _group_labels(value: npt.ArrayLike | None, weights: FloatArray) -> tuple[NDArray[np.intp], int]:
    """Labels 0..G-1 per row, and G; every group must have a row of positive weight."""
    field = "sigma_groups"
    n = weights.shape[0]
    if value is None:
        return np.zeros(n, dtype=np.intp), 1
    array = np.asarray(value)
    if array.shape != (n,):
        raise InvalidInputError(f"`{field}` must have shape ({n},), got {array.shape}", field=field)
    # True/False are not labels: a boolean array here is far more likely a mask passed by mistake.
    # Integral floats are accepted since labels often arrive as a float column of a table.
    if array.dtype.kind == "f":
        if not np.all(np.isfinite(array) & (array == np.round(array))):
            raise InvalidInputError(f"`{field}` must hold integer group labels 0, 1, 2, ...", field=field)
    elif array.dtype.kind not in "iu":
        raise InvalidInputError(
            f"`{field}` must be an integer array of group labels, got dtype {array.dtype}", field=field
        )
    if np.any(array < 0):
        raise InvalidInputError(f"`{field}` must be >= 0 (labels are 0, 1, ..., G-1)", field=field)
    if np.any(array >= n):
        # n rows cannot fill n + 1 groups; checked before bincount, which would allocate max + 1 slots.
        raise InvalidInputError(
            f"`{field}` labels must run over 0..G-1 with every group used; a label >= {n} (the number of rows) "
            "leaves some group empty",
            field=field,
        )
    labels = array.astype(np.intp)
    n_groups = int(labels.max()) + 1
    # A group without a row of positive weight has a log σ that only its prior speaks for: almost
    # always a labelling mistake (labels not 0..G-1, or a group filtered away), so say so.
    used = np.bincount(labels[weights > 0.0], minlength=n_groups)
    if np.any(used == 0):
        empty = ", ".join(str(g) for g in np.flatnonzero(used == 0)[:10])
        raise InvalidInputError(
            f"`{field}` labels must run over 0..{n_groups - 1} and every group needs a row with positive "
            f"weight; none for group(s) {empty}",
            field=field,
        )
    return labels, n_groups


def _validate(
    X: npt.ArrayLike,  # noqa: N803 - the design matrix keeps its conventional capital name
    lower: npt.ArrayLike,
    upper: npt.ArrayLike,
    *,
    prior_mean: npt.ArrayLike,
    prior_sd: npt.ArrayLike,
    log_sigma_prior_mean: float,
    log_sigma_prior_sd: float,
    weights: npt.ArrayLike | None,
    sigma_groups: npt.ArrayLike | None,
) -> _Inputs:
    """Check every argument before any numerics, naming the first bad one."""
    design = _float_array(X, "X")
    if design.ndim != 2:
        raise InvalidInputError(f"`X` must be 2-D (n, p), got shape {design.shape}", field="X")
    n, p = design.shape
    if n < 1 or p < 1:
        raise InvalidInputError(f"`X` needs at least one row and one column, got {design.shape}", field="X")
    if not np.all(np.isfinite(design)):
        raise InvalidInputError("`X` must be finite (no NaN or inf)", field="X")

    lo = _float_array(lower, "lower")
    hi = _float_array(upper, "upper")
    for name, bound in (("lower", lo), ("upper", hi)):
        if bound.shape != (n,):
            raise InvalidInputError(f"`{name}` must have shape ({n},), got {bound.shape}", field=name)
        if np.any(np.isnan(bound)):
            raise InvalidInputError(f"`{name}` must not be NaN", field=name)
    if np.any(lo == np.inf):
        raise InvalidInputError("`lower` must be < +inf (an award cannot exceed every amount)", field="lower")
    if np.any(hi == -np.inf):
        raise InvalidInputError("`upper` must be > -inf (an award cannot be below every amount)", field="upper")
    if np.any(lo > hi):
        row = int(np.argmax(lo > hi))
        raise InvalidInputError(f"`lower` exceeds `upper` in row {row}", field="lower")
    if np.any(np.isinf(lo) & np.isinf(hi)):
        row = int(np.argmax(np.isinf(lo) & np.isinf(hi)))
        raise InvalidInputError(
            f"`lower` and `upper` are both infinite in row {row}: the row carries no information",
            field="lower",
        )

    if weights is None:
        w = np.ones(n)
    else:
        w = _float_array(weights, "weights")
        if w.shape != (n,):
            raise InvalidInputError(f"`weights` must have shape ({n},), got {w.shape}", field="weights")
        if not np.all(np.isfinite(w) & (w >= 0.0)):
            raise InvalidInputError("`weights` must be finite and >= 0", field="weights")
    labels, n_groups = _group_labels(sigma_groups, w)

    return _Inputs(
        X=design,
        lower=lo,
        upper=hi,
        weights=w,
        prior_mean=_prior_vector(prior_mean, p, "prior_mean", positive=False),
        prior_sd=_prior_vector(prior_sd, p, "prior_sd", positive=True),
        log_sigma_prior_mean=_prior_scalar(log_sigma_prior_mean, "log_sigma_prior_mean", positive=False),
        log_sigma_prior_sd=_prior_scalar(log_sigma_prior_sd, "log_sigma_prior_sd", positive=True),
        sigma_groups=labels,
        n_groups=n_groups,
    )


def _exp(x: float) -> float:
    """exp that saturates to inf instead of raising: the optimiser may probe absurd log σ."""
    return math.exp(x) if x < 700.0 else math.inf


class CensoredNormalPosterior:
    """Negative log posterior of θ = (β, log σ_0, …, log σ_{G-1}), with its analytic gradient and Hessian.

    Observation i has log award z_i ~ N(x_i·β, σ_{g(i)}²) known to lie in [lower_i, upper_i]: a point
    when the two are equal (density term), otherwise the probability of the interval, with -inf /
    +inf bounds giving left / right censoring. Each row's log likelihood is multiplied by its weight.
    The prior is β_j ~ N(prior_mean_j, prior_sd_j²) independently and log σ_g ~ N(m, s²) for every
    group. Without `sigma_groups` every row is in group 0 and θ = (β, log σ).
    """

    def __init__(
        self,
        X: npt.ArrayLike,  # noqa: N803 - the design matrix keeps its conventional capital name
        lower: npt.ArrayLike,
        upper: npt.ArrayLike,
        *,
        prior_mean: npt.ArrayLike,
        prior_sd: npt.ArrayLike,
        log_sigma_prior_mean: float,
        log_sigma_prior_sd: float,
        weights: npt.ArrayLike | None = None,
        sigma_groups: npt.ArrayLike | None = None,
    ) -> None:
        inputs = _validate(
            X,
            lower,
            upper,
            prior_mean=prior_mean,
            prior_sd=prior_sd,
            log_sigma_prior_mean=log_sigma_prior_mean,
            log_sigma_prior_sd=log_sigma_prior_sd,
            weights=weights,
            sigma_groups=sigma_groups,
        )
        self._setup(inputs)

    @classmethod
    def _from_inputs(cls, inputs: _Inputs) -> CensoredNormalPosterior:
        """Build from already-validated inputs (the fitter validates once, then rescales)."""
        posterior = cls.__new__(cls)
        posterior._setup(inputs)
        return posterior

    def _setup(self, inputs: _Inputs) -> None:
        self.n_groups = inputs.n_groups
        self.n_params = inputs.X.shape[1] + inputs.n_groups
        # Rows of weight 0 are dropped outright rather than multiplied by 0: an extreme row could
        # have log likelihood -inf at some θ, and 0·(-inf) is NaN.
        used = inputs.weights > 0.0
        with np.errstate(invalid="ignore"):  # inf - inf in censored rows; those compare False below
            width = inputs.upper - inputs.lower
        # An interval narrower than _POINT_WIDTH is scored as a point at its midpoint, plus log(width):
        # log P = log(width·φ(z_mid)/σ) + O(width²/σ²). The exact interval formula would be no better
        # there: its second derivatives subtract terms of order 1/width², losing every digit.
        exact = used & (width <= _POINT_WIDTH)
        censored = used & ~exact
        labels = inputs.sigma_groups
        # Rows are stored sorted by group (stably: with one group the order is the input's), so that
        # each group's sums over rows are sums over a contiguous slice, with no mask or copy per call.
        rows_exact = _by_group(np.flatnonzero(exact), labels)
        rows_cens = _by_group(np.flatnonzero(censored), labels)
        self._g_exact, self._g_cens = labels[rows_exact], labels[rows_cens]
        self._slices_exact = _group_slices(self._g_exact, self.n_groups)
        self._slices_cens = _group_slices(self._g_cens, self.n_groups)
        # Row subsets are copied once here so that each evaluation is two dense mat-vec products.
        self._X_exact = np.ascontiguousarray(inputs.X[rows_exact])
        width_exact = width[rows_exact]
        self._y_exact = inputs.lower[rows_exact] + 0.5 * width_exact  # lower + upper could overflow
        self._w_exact = inputs.weights[rows_exact]
        narrow = width_exact > 0.0
        self._log_width_total = float(np.sum(self._w_exact[narrow] * np.log(width_exact[narrow])))
        self._X_cens = np.ascontiguousarray(inputs.X[rows_cens])
        self._lo_cens = inputs.lower[rows_cens]
        self._hi_cens = inputs.upper[rows_cens]
        self._w_cens = inputs.weights[rows_cens]
        self.total_weight = float(inputs.weights.sum())
        self._group_weight = _group_sums(inputs.weights, labels, self.n_groups)
        self._inputs = inputs
        self._prior_precision = 1.0 / inputs.prior_sd**2

    def _split(self, theta: npt.ArrayLike) -> tuple[FloatArray, FloatArray]:
        t = np.asarray(theta, dtype=np.float64)
        if t.shape != (self.n_params,):
            raise InvalidInputError(f"`theta` must have shape ({self.n_params},), got {t.shape}", field="theta")
        p = self.n_params - self.n_groups
        return t[:p], t[p:]

    def _censored_terms(
        self, beta: FloatArray, sigma: FloatArray
    ) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray, FloatArray]:
        """Standardised bounds a, b (infinite ones set to 0), log P and φ/P at each bound.

        `sigma` is each censored row's σ_{g(i)}. Setting an infinite bound to 0 is exact in every
        formula below because it only ever appears multiplied by its φ/P, which is exactly 0 there;
        it avoids inf·0 = NaN.
        """
        mu = self._X_cens @ beta
        a = (self._lo_cens - mu) / sigma
        b = (self._hi_cens - mu) / sigma
        log_p = log_ndtr_diff(a, b)
        psi_a = np.exp(log_norm_pdf(a) - log_p)
        psi_b = np.exp(log_norm_pdf(b) - log_p)
        a_f = np.where(np.isfinite(a), a, 0.0)
        b_f = np.where(np.isfinite(b), b, 0.0)
        return a_f, b_f, log_p, psi_a, psi_b

    def _per_group_sum(self, exact: FloatArray, censored: FloatArray) -> FloatArray:
        """Σ over each group's exact rows plus Σ over its censored rows (rows are sorted by group)."""
        return np.array(
            [
                float(np.sum(exact[e0:e1])) + float(np.sum(censored[c0:c1]))
                for (e0, e1), (c0, c1) in zip(self._slices_exact, self._slices_cens, strict=True)
            ]
        )

    def negative_log_posterior(self, theta: npt.ArrayLike) -> tuple[float, FloatArray]:
        """(-log posterior, its gradient) at θ = (β, log σ_g); +inf (never NaN) where it overflows."""
        beta, log_sigma = self._split(theta)
        inp = self._inputs
        # σ per group as Python floats (exp saturating), then one value per row by its label.
        sigma = np.array([_exp(float(v)) for v in log_sigma])
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            # Exact rows: log φ(z) - log σ, z = (y - μ)/σ; d/dμ = z/σ, d/d log σ = z² - 1.
            sigma_e = sigma[self._g_exact]
            z = (self._y_exact - self._X_exact @ beta) / sigma_e
            w_e = self._w_exact
            loglik = (
                float(np.sum(w_e * (-0.5 * z * z - _LOG_SQRT_2PI - log_sigma[self._g_exact]))) + self._log_width_total
            )
            d_mu_exact = w_e * z / sigma_e
            d_ls_exact = w_e * (z * z - 1.0)

            # Censored rows: log(Φ(b) - Φ(a)); d/dμ = (ψ_a - ψ_b)/σ, d/d log σ = aψ_a - bψ_b.
            sigma_c = sigma[self._g_cens]
            a, b, log_p, psi_a, psi_b = self._censored_terms(beta, sigma_c)
            w_c = self._w_cens
            loglik += float(np.sum(w_c * log_p))
            d_mu_cens = w_c * (psi_a - psi_b) / sigma_c
            # d/d log σ_g sums only over group g's rows: σ_g enters no other row's likelihood.
            d_ls = self._per_group_sum(d_ls_exact, w_c * (a * psi_a - b * psi_b))

            d_beta = self._X_exact.T @ d_mu_exact + self._X_cens.T @ d_mu_cens

            dev = beta - inp.prior_mean
            dev_ls = log_sigma - inp.log_sigma_prior_mean
            # Python floats, so that one group gives bit for bit the single-σ value.
            dev_ls_sq = sum(float(d) ** 2 for d in dev_ls)
            logprior = float(
                -0.5 * np.sum(dev**2 * self._prior_precision)
                - np.sum(np.log(inp.prior_sd))
                - 0.5 * dev_ls_sq / inp.log_sigma_prior_sd**2
                - self.n_groups * math.log(inp.log_sigma_prior_sd)
                - self.n_params * _LOG_SQRT_2PI
            )
            d_beta = d_beta - dev * self._prior_precision
            d_ls = d_ls - dev_ls / inp.log_sigma_prior_sd**2

        value = -(loglik + logprior)
        grad = -np.append(d_beta, d_ls)
        if not (math.isfinite(value) and np.all(np.isfinite(grad))):
            # Far from the data a term can underflow/overflow; report "infinitely bad" so that the
            # trust region shrinks instead of comparing NaNs (which would never shrink it).
            return math.inf, np.zeros(self.n_params)
        return value, grad

    def hessian(self, theta: npt.ArrayLike) -> FloatArray:
        """Analytic Hessian of the negative log posterior at θ ((p+G) x (p+G), symmetric).

        Per censored row with ℓ = log(Φ(b) - Φ(a)) and ψ = φ/P at each bound:
        ℓ_aa = aψ_a - ψ_a², ℓ_bb = -bψ_b - ψ_b², ℓ_ab = ψ_aψ_b, ℓ_a = -ψ_a, ℓ_b = ψ_b, and through
        a = (l - μ)/σ, b = (u - μ)/σ (∂/∂μ = -1/σ, ∂/∂log σ = -(·)):
        ℓ_μμ = (ℓ_aa + 2ℓ_ab + ℓ_bb)/σ², ℓ_μs = (aℓ_aa + (a+b)ℓ_ab + bℓ_bb + ℓ_a + ℓ_b)/σ,
        ℓ_ss = a²ℓ_aa + 2abℓ_ab + b²ℓ_bb + aℓ_a + bℓ_b. Exact rows: -1/σ², -2z/σ, -2z².
        With groups, σ is the row's σ_{g(i)}: the (β, log σ_g) block and the (log σ_g, log σ_g) entry
        sum over group g's rows only, and log σ_g, log σ_h (g ≠ h) share no row and have independent
        priors, so their entry is exactly 0.
        """
        beta, log_sigma = self._split(theta)
        inp = self._inputs
        sigma_list = [_exp(float(v)) for v in log_sigma]
        p = beta.shape[0]
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            # Per-group powers taken on Python floats as in the single-σ formulas, then spread to rows.
            sigma = np.array(sigma_list)
            sigma_sq = np.array([s**2 for s in sigma_list])
            neg_precision = np.array([-1.0 / s**2 for s in sigma_list])
            sigma_e = sigma[self._g_exact]
            z = (self._y_exact - self._X_exact @ beta) / sigma_e
            w_e = self._w_exact
            h_mm_e = neg_precision[self._g_exact] * w_e
            h_ms_e = w_e * (-2.0 * z / sigma_e)
            h_ss_e = w_e * (-2.0 * z * z)

            sigma_c = sigma[self._g_cens]
            a, b, _, psi_a, psi_b = self._censored_terms(beta, sigma_c)
            w_c = self._w_cens
            l_aa = a * psi_a - psi_a**2
            l_bb = -b * psi_b - psi_b**2
            l_ab = psi_a * psi_b
            l_a = -psi_a
            l_b = psi_b
            h_mm_c = w_c * (l_aa + 2.0 * l_ab + l_bb) / sigma_sq[self._g_cens]
            h_ms_c = w_c * (a * l_aa + (a + b) * l_ab + b * l_bb + l_a + l_b) / sigma_c
            h_ss_c = a * a * l_aa + 2.0 * a * b * l_ab + b * b * l_bb + a * l_a + b * l_b
            h_ss = self._per_group_sum(h_ss_e, w_c * h_ss_c)

        hess = np.zeros((self.n_params, self.n_params))  # zeros: the log σ_g, log σ_h (g ≠ h) entries
        # X'DX with D the per-row second derivative in μ: O(n p²), the cost of one Newton step.
        hess[:p, :p] = (self._X_exact.T * h_mm_e) @ self._X_exact + (self._X_cens.T * h_mm_c) @ self._X_cens
        for g, ((e0, e1), (c0, c1)) in enumerate(zip(self._slices_exact, self._slices_cens, strict=True)):
            cross = self._X_exact[e0:e1].T @ h_ms_e[e0:e1] + self._X_cens[c0:c1].T @ h_ms_c[c0:c1]
            hess[:p, p + g] = hess[p + g, :p] = cross
        ls = np.arange(p, self.n_params)
        hess[ls, ls] = h_ss
        # BLAS may sum the two triangles of X'DX in different orders; make it exactly symmetric.
        hess = -0.5 * (hess + hess.T)  # and negate: this is the Hessian of the *negative* log posterior
        hess[np.diag_indices(p)] += self._prior_precision
        hess[ls, ls] += 1.0 / inp.log_sigma_prior_sd**2
        return hess

    def starting_point(self) -> FloatArray:
        """A ridge fit to a representative value per row: inside the basin for ordinary data.

        Each row stands in by its exact value, interval midpoint or finite bound; the prior enters
        as ridge rows so that the system is solvable even with p > n or collinear columns. Each
        group's log σ starts at the weighted RMS of its own rows' ridge residuals.
        """
        inp = self._inputs
        used = inp.weights > 0.0
        if used.all():  # the common case: no copy of X
            design, lo, hi, w, labels = inp.X, inp.lower, inp.upper, inp.weights, inp.sigma_groups
        else:
            design, lo, hi, w = inp.X[used], inp.lower[used], inp.upper[used], inp.weights[used]
            labels = inp.sigma_groups[used]
        y0 = np.where(np.isinf(lo), hi, np.where(np.isinf(hi), lo, 0.5 * (lo + hi)))
        gram = (design.T * w) @ design + np.diag(self._prior_precision)
        rhs = design.T @ (w * y0) + self._prior_precision * inp.prior_mean
        beta0 = np.linalg.lstsq(gram, rhs, rcond=None)[0]
        resid = y0 - design @ beta0
        sum_sq = _group_sums(w * resid**2, labels, self.n_groups)
        m, s = inp.log_sigma_prior_mean, inp.log_sigma_prior_sd
        log_sigma0 = []
        for group_sum_sq, group_weight in zip(sum_sq, self._group_weight, strict=True):
            spread = math.sqrt(float(group_sum_sq) / float(group_weight)) if group_weight > 0 else 0.0
            start = math.log(spread) if spread > 0.0 else m
            # Keep the start where the prior on log σ has mass: a perfect fit would otherwise start at σ≈0.
            log_sigma0.append(min(max(start, m - 4.0 * s), m + 4.0 * s))
        return np.append(beta0, log_sigma0)


def _by_group(rows: NDArray[np.intp], labels: NDArray[np.intp]) -> NDArray[np.intp]:
    """`rows` reordered by their group label, stably (so one group keeps the input order)."""
    return rows[np.argsort(labels[rows], kind="stable")]


def _group_slices(sorted_labels: NDArray[np.intp], n_groups: int) -> list[tuple[int, int]]:
    """[start, stop) of each group's rows in an array sorted by label (empty where a group has none)."""
    counts = np.bincount(sorted_labels, minlength=n_groups)
    ends = np.cumsum(counts)
    starts = ends - counts
    return [(int(a), int(b)) for a, b in zip(starts, ends, strict=True)]


def _group_sums(values: FloatArray, labels: NDArray[np.intp], n_groups: int) -> FloatArray:
    """Σ of `values` per group label; one group is a plain np.sum, exactly as before groups existed."""
    if n_groups == 1:
        return np.array([np.sum(values)])
    return np.asarray(np.bincount(labels, weights=values, minlength=n_groups), dtype=np.float64)


def fit_censored_normal(
    X: npt.ArrayLike,  # noqa: N803 - the design matrix keeps its conventional capital name
    lower: npt.ArrayLike,
    upper: npt.ArrayLike,
    *,
    prior_mean: npt.ArrayLike,
    prior_sd: npt.ArrayLike,
    log_sigma_prior_mean: float,
    log_sigma_prior_sd: float,
    weights: npt.ArrayLike | None = None,
    sigma_groups: npt.ArrayLike | None = None,
    max_iterations: int = 500,
    start: npt.ArrayLike | None = None,
) -> CensoredFit:
    """MAP estimate of (β, log σ) for censored normal regression, with Laplace covariance.

    `lower`/`upper` are log-scale bounds per row: equal for an exact value, -inf/+inf for left/right
    censoring, both finite for an interval. `sigma_groups` (integer labels 0..G-1, one per row, each
    group with a row of positive weight) gives each group its own residual spread σ_g, each log σ_g
    with the same N(log_sigma_prior_mean, log_sigma_prior_sd²) prior; the parameters are then
    (β, log σ_0, …, log σ_{G-1}). Without it there is one σ. The covariance is the inverse of the *analytic* Hessian
    of the negative log posterior at the mode (`CensoredNormalPosterior.hessian`; the tests check it
    against central differences of the gradient). `start`, (β, log σ_0, …) e.g. from a fit on
    similar data, replaces the ridge starting point: the mode is the same, reached in fewer steps.
    Raises InvalidInputError for bad arguments and ConvergenceError when the optimiser fails or the
    mode's Hessian is not positive definite.
    """
    if isinstance(max_iterations, bool) or not isinstance(max_iterations, int) or max_iterations < 1:
        raise InvalidInputError("`max_iterations` must be an integer >= 1", field="max_iterations")
    inputs = _validate(
        X,
        lower,
        upper,
        prior_mean=prior_mean,
        prior_sd=prior_sd,
        log_sigma_prior_mean=log_sigma_prior_mean,
        log_sigma_prior_sd=log_sigma_prior_sd,
        weights=weights,
        sigma_groups=sigma_groups,
    )
    # Optimise over γ_j = c_j β_j with c_j the RMS of column j, i.e. on unit-scale columns. Amounts in
    # yuan next to 0/1 indicators give Hessians with condition numbers ~1e12, where the trust-region
    # subproblem loses the digits it needs; the rescaling is affine, so the mode and the Laplace
    # covariance are the same, just expressed in better-conditioned coordinates.
    column_scale = np.sqrt(np.mean(inputs.X**2, axis=0))
    column_scale[column_scale == 0.0] = 1.0  # an all-zero column: only the prior speaks, leave it be
    posterior = CensoredNormalPosterior._from_inputs(
        replace(
            inputs,
            X=inputs.X / column_scale,
            prior_mean=inputs.prior_mean * column_scale,
            prior_sd=inputs.prior_sd * column_scale,
        )
    )
    # The optimiser sees the objective per unit of weight so that one gradient tolerance means the
    # same for 10 rows as for 10^5; the decrement test below works on the unscaled objective.
    scale = max(posterior.total_weight, 1.0)

    def fun(theta: FloatArray) -> tuple[float, FloatArray]:
        value, grad = posterior.negative_log_posterior(theta)
        return value / scale, grad / scale

    def hess(theta: FloatArray) -> FloatArray:
        return posterior.hessian(theta) / scale

    p = inputs.X.shape[1]
    # Method: "trust-exact" (a trust-region Newton method with the exact Hessian). The Hessian is
    # needed anyway for the Laplace covariance and costs O(n p²), the same order as a few gradient
    # calls for p ~ 25; with it the iteration converges quadratically in ~10 steps to a mode accurate
    # enough for the Laplace step, which L-BFGS's tolerance-limited approximate curvature does not
    # guarantee. The trust region (unlike a bare Newton step) is safe where the (β, log σ)
    # posterior is not concave, which censored likelihoods allow far from the mode.
    if start is None:
        theta0 = posterior.starting_point()
    else:
        theta0 = _float_array(start, "start")
        if theta0.shape != (posterior.n_params,) or not np.all(np.isfinite(theta0)):
            raise InvalidInputError(
                f"`start` must hold {posterior.n_params} finite numbers (coefficients, then log sigmas)", field="start"
            )
        theta0[:p] *= column_scale  # into the optimiser's unit-scale coordinates
    result = minimize(
        fun,
        theta0,
        jac=True,
        hess=hess,
        method="trust-exact",
        # scipy caps a step at 1000 by default; a start far from the mode (data at odds with the prior)
        # would then crawl. The radius only grows by doubling after good boundary steps, so a large cap
        # costs nothing where the model is trustworthy.
        options={"gtol": _GTOL, "maxiter": max_iterations, "max_trust_radius": 1e8},
    )
    theta = np.asarray(result.x, dtype=np.float64)
    n_iterations = int(result.nit)
    value, grad = posterior.negative_log_posterior(theta)
    if not math.isfinite(value):
        raise ConvergenceError(
            f"optimiser ended where the log posterior is not finite after {n_iterations} iterations: {result.message}"
        )
    hessian = posterior.hessian(theta)
    if not np.all(np.isfinite(hessian)):
        raise ConvergenceError(
            f"Hessian of the negative log posterior is not finite at the final point after "
            f"{n_iterations} iterations (optimiser: {result.message})"
        )
    try:
        factor = cho_factor(hessian, lower=True)
    except LinAlgError as exc:
        at = ", ".join(f"{v:.3g}" for v in theta[p:])
        where = f"log sigma = {at}" if posterior.n_groups == 1 else f"log sigma by group = {at}"
        raise ConvergenceError(
            f"Hessian of the negative log posterior is not positive definite at the final point "
            f"({where}) after {n_iterations} iterations: a saddle, a flat direction, "
            f"or curvature beyond double precision, as when sigma -> 0 on data that the model fits "
            f"exactly (optimiser: {result.message}); no Laplace covariance exists there"
        ) from exc
    decrement = float(grad @ cho_solve(factor, grad))
    near_mode = decrement <= _DECREMENT_TOL
    if result.success and near_mode:
        message = str(result.message)
    elif result.status == _STATUS_PRECISION_LOSS and near_mode:
        # Rounding stopped the trust region before the gradient tolerance, but the Newton decrement
        # shows the point is the mode to well within a posterior SD; that is convergence.
        message = (
            f"converged: Newton decrement {decrement:.1e} <= {_DECREMENT_TOL:g} "
            f"(the trust region stopped at rounding level: {result.message})"
        )
    else:
        raise ConvergenceError(
            f"optimiser did not converge after {n_iterations} iterations (limit {max_iterations}): "
            f"{result.message} Newton decrement {decrement:.3g} (tolerance {_DECREMENT_TOL:g})."
        )

    # Back to β: β = γ / c, so Cov(β, log σ) = D Cov(γ, log σ) D with D = diag(1/c, 1, …, 1).
    back = np.append(1.0 / column_scale, np.ones(posterior.n_groups))
    covariance = cho_solve(factor, np.eye(posterior.n_params)) * np.outer(back, back)
    covariance = 0.5 * (covariance + covariance.T)  # exact symmetry despite rounding in the solve
    # The γ prior density carries an extra -Σ log c_j (its SDs are c_j times larger); remove it so
    # the value is the log posterior density of (β, log σ) as stated.
    log_posterior = -value + float(np.sum(np.log(column_scale)))
    log_sigmas = [float(v) for v in theta[p:]]
    return CensoredFit(
        beta=[float(v) for v in theta[:p] * back[:p]],
        log_sigma=log_sigmas[0],
        sigma=math.exp(log_sigmas[0]),
        covariance=covariance.tolist(),
        log_posterior=log_posterior,
        n_iterations=n_iterations,
        converged=True,
        message=message,
        log_sigmas=log_sigmas,
    )
