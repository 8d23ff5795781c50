"""The predictive law of an award: a log-normal amount clipped to [floor, cap], vectorised over cases."""

from __future__ import annotations

import math

import numpy as np
import numpy.typing as npt
from numpy.typing import NDArray
from scipy.special import log_ndtr, ndtr, ndtri

from estimator.errors import InvalidInputError

FloatArray = NDArray[np.float64]

_LOG_SQRT_2PI = 0.5 * math.log(2.0 * math.pi)
_LN2 = math.log(2.0)


def log_norm_pdf(t: FloatArray) -> FloatArray:
    """log φ(t) of the standard normal density; -inf at ±inf (no 0·inf products downstream)."""
    result: FloatArray = -0.5 * t * t - _LOG_SQRT_2PI
    return result


def log1mexp(x: FloatArray) -> FloatArray:
    """log(1 - exp(x)) for x <= 0, accurate at both ends (Mächler 2012).

    Near 0, `log1p(-exp(x))` loses all digits because exp(x) rounds to 1; far below, `log(-expm1(x))`
    loses them because expm1(x) rounds to -1. Switching at -ln 2 keeps full relative precision.
    """
    with np.errstate(divide="ignore"):  # x == 0 is a zero-width interval: log 0 = -inf is the answer.
        result: FloatArray = np.where(x > -_LN2, np.log(-np.expm1(x)), np.log1p(-np.exp(x)))
    return result


def log_ndtr_diff(a: FloatArray, b: FloatArray) -> FloatArray:
    """log(Φ(b) - Φ(a)) for a <= b elementwise, stable in both tails; a may be -inf and b +inf.

    The naive difference cancels to 0 once both points lie past ~8 SDs on the same side. In the
    upper tail the mass is rewritten as Φ(-a) - Φ(-b), so both forms subtract two small log-CDFs
    whose ratio is what carries the information.
    """
    upper = a > 0.0
    # In the upper tail reflect: Φ(b) - Φ(a) = Φ(-a) - Φ(-b), where -a is the larger argument.
    hi = np.where(upper, -a, b)
    lo = np.where(upper, -b, a)
    log_hi = log_ndtr(hi)
    # Both logs are -inf only for an empty interval at -inf (a = b = -inf): NaN there, then clipped.
    with np.errstate(invalid="ignore"):
        diff = log_ndtr(lo) - log_hi
    result: FloatArray = log_hi + log1mexp(np.minimum(diff, 0.0))
    return result


def _same_vectors(named: dict[str, npt.ArrayLike]) -> bool:
    first = named["mu"]
    return all(
        isinstance(v, np.ndarray) and v.dtype == np.float64 and v.ndim == 1 and v.shape == np.shape(first)
        for v in named.values()
    )


def _as_vector(value: npt.ArrayLike, field: str) -> FloatArray:
    """Coerce one argument to a float vector of at most one dimension, or name it in the error."""
    try:
        array = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise InvalidInputError(f"`{field}` must be numeric", field=field) from exc
    if array.ndim > 1:
        raise InvalidInputError(f"`{field}` must be a scalar or 1-D, got shape {array.shape}", field=field)
    return np.atleast_1d(array)


def _probability(value: npt.ArrayLike, field: str) -> FloatArray:
    """A probability strictly inside (0, 1): the ends have no finite quantile under a log-normal."""
    try:
        q = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise InvalidInputError(f"`{field}` must be numeric", field=field) from exc
    if q.ndim > 1:
        raise InvalidInputError(f"`{field}` must be a scalar or 1-D, got shape {q.shape}", field=field)
    if not np.all((q > 0.0) & (q < 1.0)):  # also rejects NaN
        raise InvalidInputError(f"`{field}` must lie strictly between 0 and 1", field=field)
    return q


class CensoredLogNormal:
    """Law of clip(exp(Z), floor, cap) with Z ~ N(mu, sd**2), elementwise over arrays.

    `mu`, `sd`, `floor` and `cap` are scalars or 1-D arrays broadcast to a common shape (n,); one row
    per case. `floor` may be 0 (no floor, ln 0 = -inf) and `cap` may be +inf (no cap). When
    floor == cap the award is that amount with certainty; `p_floor` and `p_cap` then still report
    the split Φ(α), 1 - Φ(β) of which side of the point the uncensored amount fell on.
    """

    __slots__ = ("_alpha", "_beta", "cap", "floor", "mu", "sd")

    mu: FloatArray
    sd: FloatArray
    floor: FloatArray
    cap: FloatArray

    def __init__(self, mu: npt.ArrayLike, sd: npt.ArrayLike, floor: npt.ArrayLike, cap: npt.ArrayLike) -> None:
        named = {"mu": mu, "sd": sd, "floor": floor, "cap": cap}
        if _same_vectors(named):
            # The estimator's own columns: already 1-D float64 of one length; skip the copies.
            m, s, lo, hi = (np.asarray(named[k]) for k in ("mu", "sd", "floor", "cap"))
            self._check_and_set(m, s, lo, hi)
            return
        vectors = {name: _as_vector(value, name) for name, value in named.items()}
        # Plain numpy broadcasting would also accept shapes like (3,) against (1,), which is what we
        # want, but its error would not say which argument is wrong; check sizes by hand instead.
        sizes = {v.size for v in vectors.values() if v.size != 1}
        if len(sizes) > 1:
            n = max(sizes)
            bad = next(name for name, v in vectors.items() if v.size not in (1, n))
            raise InvalidInputError(
                f"`{bad}` has {vectors[bad].size} rows; every argument must have 1 or {n}", field=bad
            )
        n = sizes.pop() if sizes else 1
        m, s, lo, hi = (np.broadcast_to(vectors[k], (n,)).copy() for k in ("mu", "sd", "floor", "cap"))
        self._check_and_set(m, s, lo, hi)

    def _check_and_set(self, m: FloatArray, s: FloatArray, lo: FloatArray, hi: FloatArray) -> None:
        if not np.all(np.isfinite(m)):
            raise InvalidInputError("`mu` must be finite", field="mu")
        if not np.all(np.isfinite(s) & (s > 0.0)):
            raise InvalidInputError("`sd` must be finite and > 0", field="sd")
        if not np.all(np.isfinite(lo) & (lo >= 0.0)):
            raise InvalidInputError("`floor` must be finite and >= 0", field="floor")
        # cap == 0 would make the law a point mass at 0 with ln cap = -inf; no award works that way.
        if not np.all(hi > 0.0):  # also rejects NaN
            raise InvalidInputError("`cap` must be > 0 (use inf for no cap)", field="cap")
        if not np.all(lo <= hi):
            raise InvalidInputError("`cap` must be >= `floor` in every row", field="cap")

        self.mu, self.sd, self.floor, self.cap = m, s, lo, hi
        with np.errstate(divide="ignore"):  # ln 0 = -inf encodes "no floor" exactly.
            self._alpha: FloatArray = (np.log(lo) - m) / s
            self._beta: FloatArray = (np.log(hi) - m) / s

    def __len__(self) -> int:
        return int(self.mu.size)

    def quantile(self, q: npt.ArrayLike) -> FloatArray:
        """q-quantile per row: shape (n,) for scalar q, (n, k) for q of shape (k,).

        Clipping is monotone, so the quantile of the clipped law is the clipped log-normal quantile.
        """
        probs = _probability(q, "q")
        z = ndtri(probs)
        if probs.ndim == 0:
            log_x = self.mu + self.sd * z
            lo, hi = self.floor, self.cap
        else:
            log_x = self.mu[:, None] + self.sd[:, None] * z[None, :]
            lo, hi = self.floor[:, None], self.cap[:, None]
        with np.errstate(over="ignore"):  # exp overflow gives inf, which the cap then clips.
            result: FloatArray = np.clip(np.exp(log_x), lo, hi)
        return result

    def mean(self) -> FloatArray:
        """E[award] in closed form, the censored pieces and the truncated log-normal piece added."""
        at_floor = self.floor * self.p_floor()  # floor = 0 gives 0·0, never 0·inf.
        # cap = inf always has p_cap = 0 exactly; inf·0 would be NaN, so that row's term is set to 0.
        at_cap = np.where(np.isinf(self.cap), 0.0, self.cap) * self.p_cap()
        # exp(mu + sd²/2)·(Φ(β-sd) - Φ(α-sd)) summed in log space: the exponential alone overflows for
        # large sd even when the bracket makes the product small.
        log_middle = self.mu + 0.5 * self.sd**2 + log_ndtr_diff(self._alpha - self.sd, self._beta - self.sd)
        with np.errstate(over="ignore"):
            middle = np.exp(log_middle)
        result: FloatArray = at_floor + at_cap + middle
        return result

    def p_floor(self) -> FloatArray:
        """P(award == floor) = Φ(α); exactly 0 where there is no floor."""
        result: FloatArray = ndtr(self._alpha)
        return result

    def p_cap(self) -> FloatArray:
        """P(award == cap) = 1 - Φ(β), computed as Φ(-β) to keep precision when it is small."""
        result: FloatArray = ndtr(-self._beta)
        return result

    def cdf(self, a: npt.ArrayLike) -> FloatArray:
        """P(award <= a) per row.

        `a` is a scalar (same amount for every row, result (n,)), shape (n,) (one amount per row,
        result (n,)) or shape (n, k) (k amounts per row, result (n, k), e.g. `quantile`'s output).
        """
        try:
            amounts = np.asarray(a, dtype=np.float64)
        except (TypeError, ValueError) as exc:
            raise InvalidInputError("`a` must be numeric", field="a") from exc
        n = len(self)
        if amounts.ndim == 0 or (amounts.ndim == 1 and amounts.shape[0] == n):
            mu, sd, lo, hi = self.mu, self.sd, self.floor, self.cap
            amounts = np.broadcast_to(amounts, (n,))
        elif amounts.ndim == 2 and amounts.shape[0] == n:
            mu, sd, lo, hi = self.mu[:, None], self.sd[:, None], self.floor[:, None], self.cap[:, None]
        else:
            raise InvalidInputError(
                f"`a` must be a scalar, shape ({n},) or ({n}, k); got shape {amounts.shape}", field="a"
            )
        if np.any(np.isnan(amounts)):
            raise InvalidInputError("`a` must not be NaN", field="a")
        with np.errstate(divide="ignore", invalid="ignore"):  # ln of amounts <= 0 is masked below.
            inner = ndtr((np.log(amounts) - mu) / sd)
        # Below the floor nothing is possible; from the cap up everything is. The floor atom is
        # included at a == floor because Φ(α) is exactly that mass.
        result: FloatArray = np.where(amounts < lo, 0.0, np.where(amounts >= hi, 1.0, inner))
        return result

    def interval(self, confidence_level: float) -> tuple[FloatArray, FloatArray]:
        """Equal-tailed central interval holding `confidence_level` of the mass, per row."""
        level_array = _probability(confidence_level, "confidence_level")
        if level_array.ndim != 0:
            raise InvalidInputError("`confidence_level` must be a scalar", field="confidence_level")
        level = float(level_array)
        tail = 0.5 * (1.0 - level)
        return self.quantile(tail), self.quantile(1.0 - tail)
