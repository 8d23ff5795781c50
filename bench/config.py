"""What a bench run is asked to do (sizes, durations, generator), shared by every section.

Full and `--quick` runs differ only in these numbers, so a quick run exercises exactly the code
of a full one.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

ROOT = Path(__file__).resolve().parent.parent  # the project: where `make` and `.venv` live
PYTHON = sys.executable  # the venv's interpreter when run as `.venv/bin/python -m bench`
RESULTS = ROOT / "bench" / "results" / "latest.json"
# A step whose extrapolated time exceeds this is skipped with a note, to keep the run under 10 minutes.
STEP_BUDGET_S = 180.0


@dataclass(frozen=True)
class Config:
    quick: bool
    loadgen: Literal["auto", "wrk", "python"] = "auto"

    # http: fixed concurrency for a fixed time, after a warm-up, for each endpoint.
    @property
    def http_connections(self) -> int:
        return 16

    @property
    def http_warmup_s(self) -> float:
        return 1.0 if self.quick else 2.0

    @property
    def http_duration_s(self) -> float:
        return 3.0 if self.quick else 10.0

    @property
    def core_sizes(self) -> tuple[int, ...]:
        return (10**3, 10**4) if self.quick else (10**4, 10**5, 10**6)

    @property
    def core_repeats(self) -> int:
        return 3

    @property
    def cli_sizes(self) -> tuple[int, int]:
        """(small, large): the RSS ratio compares the two."""
        return (10**3, 10**4) if self.quick else (10**5, 10**6)

    @property
    def fit_sizes(self) -> tuple[int, ...]:
        return (10**2, 10**3) if self.quick else (10**3, 10**4, 10**5)

    @property
    def coldstart_runs(self) -> int:
        return 1 if self.quick else 3
