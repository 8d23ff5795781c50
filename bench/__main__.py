"""`python -m bench [--quick] [--only NAME ...]`: run the sections, print one table, write JSON.

Missing a target is a finding, not a failure: the exit code is 0 unless the bench itself could not
measure something (a server that never started, a crashed tool), which is reported as an `error`
row, the remaining sections still running.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import signal
import sys
import time
import traceback
from collections.abc import Callable
from pathlib import Path
from types import FrameType

import numpy as np

from bench import cli_bench, coldstart_bench, core_bench, fit_bench, http_bench
from bench.config import RESULTS, Config
from bench.report import BenchError, Row, render_table, write_json

SECTIONS: dict[str, Callable[[Config], list[Row]]] = {
    "http": http_bench.run,
    "core": core_bench.run,
    "cli": cli_bench.run,
    "fit": fit_bench.run,
    "coldstart": coldstart_bench.run,
}


def _terminate(signum: int, frame: FrameType | None) -> None:
    # SIGTERM becomes SystemExit, so the `finally` blocks stop the servers this run started.
    raise SystemExit(128 + signum)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="tiny sizes and short loads: a smoke run (~30 s)")
    parser.add_argument(
        "--only",
        action="append",
        choices=sorted(SECTIONS),
        metavar="NAME",
        help=f"run only this section (repeatable): {', '.join(SECTIONS)}",
    )
    parser.add_argument(
        "--loadgen",
        choices=("auto", "wrk", "python"),
        default="auto",
        help="HTTP load generator (auto: wrk, installed with apt-get if missing, else Python)",
    )
    parser.add_argument("--output", type=Path, default=RESULTS, help=f"where to write the JSON (default {RESULTS})")
    args = parser.parse_args(argv)
    signal.signal(signal.SIGTERM, _terminate)
    config = Config(quick=args.quick, loadgen=args.loadgen)
    chosen = [name for name in SECTIONS if not args.only or name in args.only]

    started = time.monotonic()
    started_at = dt.datetime.now(dt.UTC)
    # Other work on this 2-core machine skews every figure: record how busy it was.
    load_at_start = os.getloadavg()
    rows: list[Row] = []
    failed = False
    timings: dict[str, float] = {}
    for name in chosen:
        print(f"[bench] {name} ...", file=sys.stderr, flush=True)
        t0 = time.monotonic()
        try:
            rows.extend(SECTIONS[name](config))
        except BenchError as exc:
            failed = True
            rows.append(Row(name, "bench failed", None, note=str(exc).splitlines()[0], forced="error"))
            print(f"[bench] {name} failed: {exc}", file=sys.stderr)
        except Exception as exc:  # a bug in a section must not hide the other sections' results
            failed = True
            rows.append(Row(name, "bench crashed", None, note=f"{type(exc).__name__}: {exc}", forced="error"))
            traceback.print_exc()
        timings[name] = round(time.monotonic() - t0, 2)
        print(f"[bench] {name} done in {timings[name]:.1f} s", file=sys.stderr, flush=True)

    meta = {
        "started": started_at.isoformat(timespec="seconds"),
        "duration_s": round(time.monotonic() - started, 2),
        "section_seconds": timings,
        "quick": config.quick,
        "config": {
            "http_connections": config.http_connections,
            "http_warmup_s": config.http_warmup_s,
            "http_duration_s": config.http_duration_s,
            "core_sizes": config.core_sizes,
            "core_repeats": config.core_repeats,
            "cli_sizes": config.cli_sizes,
            "fit_sizes": config.fit_sizes,
            "coldstart_runs": config.coldstart_runs,
        },
        "sections": chosen,
        "machine": {
            "cpus": os.cpu_count(),
            "platform": platform.platform(),
            "python": platform.python_version(),
            "numpy": np.__version__,
            "load_average_at_start": load_at_start,
            "load_average_at_end": os.getloadavg(),
        },
        "bench_failed": failed,
    }
    path = write_json(args.output, rows, meta)
    if config.quick:
        print("--quick: a smoke run; at these sizes the verdicts say little about the targets\n")
    print(render_table(rows))
    print(f"\n{path}  ({meta['duration_s']:.0f} s)")
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
