"""Section `fit`: seconds to fit the award model from simulated decided cases.

`fit_award_model` is what a calibration upload runs: the regression, then a 5-fold
cross-validation of the interval scale (6 regressions in all), the expenses and fee-split models.
`fit_core` alone is the one regression, so the cost of the cross-validation is visible beside it.
Records are converted and turned into observations before the clock starts.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from functools import partial

import msgspec

from bench.config import STEP_BUDGET_S, Config
from bench.report import Row, below
from bench.synthetic import synthetic_records
from calibration.fit import FitSettings, fit_award_model, fit_core
from calibration.observations import observations
from calibration.records import CaseRecord

SECTION = "fit"
TARGET_SIZE = 10**4
TARGET_S = 1.0
REPEATS = 3
REPEAT_BELOW_S = 2.0  # repeat while the runs so far took less than this in all


def _best(action: Callable[[], object]) -> tuple[float, int]:
    """Shortest of up to `REPEATS` runs (fewer when one run is slow); returns (seconds, runs).

    Quick fits are repeated because the machine may be shared and one run is easily disturbed;
    slow ones are not, to keep the whole bench within its time budget.
    """
    times: list[float] = []
    while len(times) < REPEATS and sum(times) < REPEAT_BELOW_S:
        started = time.perf_counter()
        action()
        times.append(time.perf_counter() - started)
    return min(times), len(times)


def run(config: Config) -> list[Row]:
    rows: list[Row] = []
    settings = FitSettings()
    previous: tuple[int, float] | None = None  # (n, seconds of both fits) for extrapolation
    for n in config.fit_sizes:
        target = below(TARGET_S, "s") if n == TARGET_SIZE else None
        if previous is not None:
            # Fitting is about linear in n (Newton steps on an n × p design): extrapolate linearly.
            expected = previous[1] * n / previous[0]
            if expected > STEP_BUDGET_S:
                note = f"skipped: ~{expected:,.0f} s extrapolated > {STEP_BUDGET_S:.0f} s budget"
                rows.append(Row(SECTION, f"fit_award_model, {n:,} records", None, "s", target, note=note))
                break
        records = msgspec.convert(synthetic_records(n), list[CaseRecord])
        used, excluded = observations(records)
        core, core_runs = _best(partial(fit_core, used, settings=settings))
        full, full_runs = _best(partial(fit_award_model, records, settings=settings))
        previous = (n, core + full)
        rows.append(
            Row(
                SECTION,
                f"fit_award_model, {n:,} records",
                full,
                "s",
                target,
                note=f"1 fit + {settings.scale_folds}-fold CV of the interval scale; "
                f"{len(used):,} used, {len(excluded):,} excluded; best of {full_runs}",
            )
        )
        rows.append(
            Row(SECTION, f"  fit_core alone, {n:,}", core, "s", target, note=f"the one regression; best of {core_runs}")
        )
    return rows
