"""The benchmarks still run (a smoke run of the in-process sections; `make bench` measures for real)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

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
