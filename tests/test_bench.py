"""The benchmarks still run (a smoke run of the in-process sections; `make bench` measures for real)."""

from __future__ import annotations

import itertools
import json
import subprocess
import sys
from pathlib import Path

from bench.loadgen import wrk_seconds

ROOT = Path(__file__).resolve().parents[1]


def test_bench_quick_core_and_fit_sections_run_and_report(tmp_path: Path) -> None:
    # A fresh output path: a results file left by an earlier run must not make this pass.
    output = tmp_path / "results.json"
    result = subprocess.run(
        [sys.executable, "-m", "bench", "--quick", "--only", "core", "--only", "fit", "--output", str(output)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    report = json.loads(output.read_text())
    text = json.dumps(report)
    assert "estimate_columns" in text
    assert "fit_award_model" in text


def test_each_explain_endpoint_is_compared_with_the_plain_estimates_either_side() -> None:
    from bench.http_bench import ESTIMATE, EXPLAIN_REQUESTS, _explain_rows, _interleaved
    from bench.loadgen import LoadResult

    sequence = _interleaved()
    assert sequence[::2] == [ESTIMATE] * (len(EXPLAIN_REQUESTS) + 1)
    assert sequence[1::2] == list(EXPLAIN_REQUESTS.values())
    # The plain estimate slows from 10 to 30 ms over the run; each endpoint takes 20 ms.
    plains = [10.0 + 20.0 * i / len(EXPLAIN_REQUESTS) for i in range(len(EXPLAIN_REQUESTS) + 1)]
    runs = []
    for i, plain in enumerate(plains):
        runs.append(LoadResult(requests=100, errors=0, seconds=1.0, p50_ms=plain, p99_ms=plain))
        if i < len(EXPLAIN_REQUESTS):
            runs.append(LoadResult(requests=100, errors=0, seconds=1.0, p50_ms=20.0, p99_ms=20.0))
    rows = _explain_rows(runs)
    expected = [20.0 / ((a + b) / 2) for a, b in itertools.pairwise(plains)]
    assert [row.value for row in rows] == expected
    failing = [*runs[:2], LoadResult(requests=100, errors=3, seconds=1.0, p50_ms=10.0, p99_ms=10.0), *runs[3:]]
    assert _explain_rows(failing)[0].forced == "fail"  # an error in a bracketing estimate run fails the row


def test_wrk_is_given_whole_seconds() -> None:
    # A half-length paired run of the quick bench is 1.5 s, which wrk refuses as a usage error.
    assert [wrk_seconds(d) for d in (0.2, 1.0, 1.5, 10.0)] == [1, 1, 2, 10]
