"""Section `cli`: `python -m estimator score IN -o OUT` end to end, throughput and peak memory.

Each run is a fresh child process, timed from spawn to exit (interpreter start-up and model load
included, as a user sees it), with its own peak RSS (see `procs.run_measured`). Streaming is
checked by the ratio of peak RSS at the large size to the small one: a reader that holds the whole
file grows about tenfold.
A large run whose time, extrapolated from the small one, would exceed the step budget is skipped.
"""

from __future__ import annotations

import os
import re
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from bench.config import PYTHON, ROOT, STEP_BUDGET_S, Config
from bench.procs import Finished, log_tail, run_measured
from bench.report import Row, Target, at_least, at_most
from bench.synthetic import write_csv, write_ndjson

SECTION = "cli"
NDJSON_RATE_TARGET = 200_000.0
RSS_RATIO_TARGET = 1.3
PROBE_ROWS = 20
MIN_TIMEOUT_S = 60.0


@dataclass(frozen=True)
class Pipeline:
    label: str
    suffix_in: str
    suffix_out: str
    write: Callable[[Path, int], Path]
    rate_target: Target | None


PIPELINES = (
    Pipeline("ndjson→jsonl", ".jsonl", ".jsonl", write_ndjson, at_least(NDJSON_RATE_TARGET, "cases/s")),
    Pipeline("csv→csv", ".csv", ".csv", write_csv, None),
)


def _output_rows(path: Path, suffix: str) -> int:
    """Rows written: lines of JSON Lines, lines less the header of CSV (read in blocks, not held)."""
    lines = 0
    with path.open("rb") as stream:
        while block := stream.read(1 << 24):
            lines += block.count(b"\n")
    return lines - 1 if suffix == ".csv" else lines


def _score(pipeline: Pipeline, work: Path, n: int, timeout: float) -> tuple[Finished, str]:
    """Generate n cases, score them, check every row came out; the files are deleted afterwards."""
    source = pipeline.write(work / f"cases-{n}{pipeline.suffix_in}", n)
    target = work / f"estimates-{n}{pipeline.suffix_out}"
    log = work / f"score-{n}{pipeline.suffix_in}.log"
    argv = [PYTHON, "-m", "estimator", "score", str(source), "-o", str(target)]
    try:
        finished = run_measured(argv, cwd=ROOT, env=os.environ, log=log, timeout=timeout)
        problem = ""
        if finished.returncode != 0:
            problem = f"exit {finished.returncode}: {log_tail(log, 3)}"
        elif (rows := _output_rows(target, pipeline.suffix_out)) != n:
            problem = f"{rows:,} rows written for {n:,} cases"
        elif (bad := re.search(r"([\d,]+) rows with errors", log_tail(log))) and int(bad[1].replace(",", "")):
            problem = f"{bad[1]} rows with errors"
        return finished, problem
    finally:
        for path in (source, target):
            path.unlink(missing_ok=True)


def _supported(pipeline: Pipeline, work: Path) -> str:
    """'' when a tiny file scores through this pipeline, else why not (e.g. CSV output not yet supported)."""
    finished, problem = _score(pipeline, work, PROBE_ROWS, MIN_TIMEOUT_S)
    if not problem:
        return ""
    return problem.splitlines()[-1] if finished.returncode != 0 else problem


def run(config: Config) -> list[Row]:
    small, large = config.cli_sizes
    rows: list[Row] = []
    with tempfile.TemporaryDirectory(prefix="bench-cli-") as tmp:
        work = Path(tmp)
        for pipeline in PIPELINES:
            rows.extend(_pipeline_rows(pipeline, work, small, large))
    return rows


def _pipeline_rows(pipeline: Pipeline, work: Path, small: int, large: int) -> list[Row]:
    name = f"score {pipeline.label}"
    if why := _supported(pipeline, work):
        return [Row(SECTION, name, None, note=f"n/a (not supported): {why}")]
    rows: list[Row] = []
    peaks: dict[int, float] = {}
    seconds: dict[int, float] = {}
    for n in (small, large):
        if n == large:
            expected = seconds[small] * large / small
            if expected > STEP_BUDGET_S:
                note = f"skipped: ~{expected:,.0f} s extrapolated > {STEP_BUDGET_S:.0f} s budget"
                rows.append(Row(SECTION, f"{name}, {n:,}", None, "cases/s", pipeline.rate_target, note=note))
                break
            timeout = max(MIN_TIMEOUT_S, 3 * expected)
        else:
            timeout = STEP_BUDGET_S
        finished, problem = _score(pipeline, work, n, timeout)
        seconds[n] = finished.seconds
        peaks[n] = finished.peak_rss_bytes / 2**20
        rows.append(
            Row(
                SECTION,
                f"{name}, {n:,}",
                n / finished.seconds,
                "cases/s",
                pipeline.rate_target,
                note=f"{finished.seconds:,.1f} s wall" + (f"; FAILED: {problem}" if problem else ""),
                forced="fail" if problem else None,
            )
        )
        rows.append(Row(SECTION, f"  peak RSS, {n:,}", peaks[n], "MiB"))
        if problem:
            break
    ratio_name = f"  peak RSS {large:,} / {small:,}"
    ratio_target = at_most(RSS_RATIO_TARGET, "×")
    if len(peaks) == 2:
        ratio = peaks[large] / peaks[small]
        rows.append(Row(SECTION, ratio_name, ratio, "×", ratio_target, note="≈ 1 when the file is streamed"))
    else:
        rows.append(Row(SECTION, ratio_name, None, "×", ratio_target, note=f"no {large:,} run to compare"))
    return rows
