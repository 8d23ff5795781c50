"""Section `core`: throughput of the vectorised estimate core, beside a memory-bandwidth floor.

Only `estimate_columns` is timed: the `Case` objects and `CaseColumns` are built beforehand, and
the result is not assembled into structs. The floor is what numpy needs to stream the same bytes
(one `np.add` pass over each array the core reads or writes), so "× memory-bound floor" says how far
the core is from being limited by memory rather than by arithmetic and Python overhead.
"""

from __future__ import annotations

import gc
import time
from collections.abc import Callable
from functools import partial

import msgspec
import numpy as np
import numpy.typing as npt

from bench.config import Config
from bench.report import Row, at_least
from bench.synthetic import case_chunks
from estimator.model import estimate as estimate_module
from estimator.model.artifact import default_model
from estimator.model.case import Case
from estimator.model.estimate import EstimateColumns, Settings, estimate_columns
from estimator.model.features import CaseColumns

SECTION = "core"
TARGET_SIZE = 10**6
TARGET_RATE = 1_000_000.0


def build_columns(n: int) -> CaseColumns:
    """n synthetic cases as columns, converted chunk by chunk so the dicts never all live at once."""
    cases: list[Case] = []
    for chunk in case_chunks(n):
        cases.extend(msgspec.convert(chunk, list[Case]))
    return CaseColumns(cases, default_law_version="2020")


def best_of(repeats: int, action: Callable[[], object]) -> tuple[float, object]:
    """The shortest wall time of `repeats` runs (the least disturbed by other load), and a result."""
    best = float("inf")
    result: object = None
    for _ in range(repeats):
        gc.collect()  # garbage from the previous run must not be collected inside this one
        started = time.perf_counter()
        result = action()
        best = min(best, time.perf_counter() - started)
    return best, result


def touched_arrays(cols: CaseColumns, result: EstimateColumns) -> list[npt.NDArray[np.float64]]:
    """The n-long float arrays the core reads (claim, amount in dispute) and writes (every output)."""
    outputs = [getattr(result, name) for name in EstimateColumns.__struct_fields__]
    return [cols.claim, cols.disputed, *outputs]


def bandwidth_floor(arrays: list[npt.NDArray[np.float64]], repeats: int) -> float:
    """Seconds for one `np.add(a, a, out=c)` pass over each array: a read and a write of its bytes."""
    scratch = np.ones(max(a.size for a in arrays))  # written once first, so page faults are not timed

    def passes() -> None:
        for a in arrays:
            flat = a.reshape(-1)
            np.add(flat, flat, out=scratch[: flat.size])

    seconds, _ = best_of(repeats, passes)
    return seconds


def run(config: Config) -> list[Row]:
    model = default_model()
    settings = Settings()
    rows: list[Row] = []
    for n in config.core_sizes:
        cols = build_columns(n)
        halve = withdrawn = np.zeros(n, dtype=bool)
        proved = np.full(n, np.nan)

        core = partial(
            estimate_columns, model, cols, halve=halve, withdrawn=withdrawn, proved=proved, settings=settings
        )
        seconds, result = best_of(config.core_repeats, core)
        assert isinstance(result, EstimateColumns)
        arrays = touched_arrays(cols, result)
        floor = bandwidth_floor(arrays, config.core_repeats)
        columns = sum(a.size for a in arrays) // n
        rows.append(
            Row(
                SECTION,
                f"estimate_columns, {n:,} cases",
                n / seconds,
                "cases/s",
                at_least(TARGET_RATE, "cases/s") if n == TARGET_SIZE else None,
                note=f"best of {config.core_repeats}: {seconds * 1e3:,.1f} ms; {estimate_module.THREADS} threads",
            )
        )
        rows.append(
            Row(
                SECTION,
                f"  × memory-bound floor, {n:,}",
                seconds / floor,
                "×",
                note=f"floor {floor * 1e3:,.2f} ms: np.add over {len(arrays)} arrays ({columns} float64 columns, "
                f"{sum(a.nbytes for a in arrays) / 2**20:,.0f} MiB)",
            )
        )
        del cols, result, arrays
    return rows
