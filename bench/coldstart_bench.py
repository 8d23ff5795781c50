"""Section `coldstart`: seconds from `make run` to the first answered estimate.

This is what a newcomer waits for: make, the interpreter, imports, the model load and the server
start, until `POST /v1/estimates` answers 200. The clock starts just before make is spawned and
the endpoint is polled every 20 ms. If make would reinstall the venv (its stamp is older than
pyproject.toml or the constraints), the step is skipped rather than timing, and causing, a pip run.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

import httpx

from bench.config import ROOT, Config
from bench.http_bench import ESTIMATE
from bench.procs import LOOPBACK, free_port, running, wait_until
from bench.report import BenchError, Row, below

SECTION = "coldstart"
POLL_S = 0.02
TIMEOUT_S = 60.0
TARGET_S = 2.0


def _would_reinstall(env: dict[str, str]) -> bool:
    """Whether `make run` would run pip first (dry run: make prints, runs nothing)."""
    try:
        plan = subprocess.run(
            ["make", "-n", "run", "PORT=0"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=30, check=False
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise BenchError(f"`make -n run` failed: {exc}") from exc
    if plan.returncode != 0:
        raise BenchError(f"`make -n run` failed: {plan.stderr.strip()}")
    return "pip install" in plan.stdout


def _answered(client: httpx.Client, url: str) -> bool:
    try:
        response = client.post(url, content=ESTIMATE.body, headers={"content-type": "application/json"})
    except httpx.HTTPError:
        return False  # not listening yet
    if response.status_code != 200:
        raise BenchError(f"POST /v1/estimates answered {response.status_code}: {response.text[:300]}")
    return True


def _one_start(work: Path, index: int) -> float:
    port = free_port()
    url = f"http://{LOOPBACK}:{port}{ESTIMATE.path}"
    env = {**os.environ, "ESTIMATOR_DATA_DIR": str(work / f"data-{index}")}
    log = work / f"make-run-{index}.log"
    # A fresh connection per attempt (no pool reuse), short timeouts: a refused connect returns at once.
    with httpx.Client(
        timeout=httpx.Timeout(5.0, connect=0.5), limits=httpx.Limits(max_keepalive_connections=0)
    ) as client:
        started = time.monotonic()
        with running(["make", "run", f"PORT={port}", f"HOST={LOOPBACK}"], cwd=ROOT, env=env, log=log) as make:
            ready = wait_until(
                lambda: _answered(client, url), timeout=TIMEOUT_S, interval=POLL_S, proc=make, log=log, what="make run"
            )
    return ready - started


def run(config: Config) -> list[Row]:
    env = dict(os.environ)
    name = "make run → first POST /v1/estimates"
    if _would_reinstall(env):
        return [
            Row(SECTION, name, None, "s", below(TARGET_S, "s"), note="skipped: make would reinstall the venv first")
        ]
    with tempfile.TemporaryDirectory(prefix="bench-coldstart-") as tmp:
        times = [_one_start(Path(tmp), i) for i in range(config.coldstart_runs)]
    note = f"median of {len(times)}: " + ", ".join(f"{t:.2f}" for t in times) + " s" if len(times) > 1 else ""
    return [Row(SECTION, name, statistics.median(times), "s", below(TARGET_S, "s"), note=note)]
