"""Command line of calibration: `python -m calibration fit CASES -o MODEL.json` and `... evaluate CASES`."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import msgspec

from calibration.evaluate import Evaluation, Metrics, evaluate
from calibration.fit import FitSettings, fit_award_model
from calibration.records import load_records
from estimator.errors import EstimatorError
from estimator.model.artifact import dumps_model


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m calibration", description="Fit and validate the award model.")
    commands = parser.add_subparsers(dest="command", required=True)
    fit = commands.add_parser("fit", help="fit a model from decided cases and write it")
    fit.add_argument("cases", help="decided cases: .jsonl, .json or .csv")
    fit.add_argument("-o", "--output", required=True, help="where to write the fitted model (JSON)")
    ev = commands.add_parser("evaluate", help="cross-validate the model against the constant and ratio baselines")
    ev.add_argument("cases", help="decided cases: .jsonl, .json or .csv")
    ev.add_argument("--folds", type=int, default=10, help="K for K-fold (leave-one-out below 30 cases)")
    ev.add_argument(
        "--seed", type=int, default=FitSettings().seed, help="seed of the fold shuffle (default: %(default)s)"
    )
    ev.add_argument("--json", action="store_true", help="print the report as JSON")
    args = parser.parse_args(argv)
    try:
        records = load_records(args.cases)
        if args.command == "fit":
            model = fit_award_model(records)
            Path(args.output).write_bytes(dumps_model(model))
            print(
                f"model {model.id}: {model.n_fitted} of {model.n_records} cases fitted -> {args.output}",
                file=sys.stderr,
            )
            return 0
        if args.folds < 2:
            parser.error("--folds must be at least 2")
        report = evaluate(records, folds=args.folds, settings=FitSettings(seed=args.seed))
    except EstimatorError as exc:
        print(f"error: {exc.message}", file=sys.stderr)
        return 2
    except OSError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if args.json:
        sys.stdout.write(msgspec.json.format(msgspec.json.encode(report), indent=2).decode() + "\n")
    else:
        sys.stdout.write(format_report(report))
    return 0


def format_report(report: Evaluation) -> str:
    rows = [("model", report.model), ("ratio rule", report.ratio), ("constant", report.constant)]
    lines = [
        f"{report.scheme} cross-validation on {report.n_evaluated} statutory awards "
        f"({report.n_records} records, {len(report.excluded)} not statutory or without award)"
        + ("" if report.seed is None else f"; folds shuffled with seed {report.seed}"),
        "",
        f"{'':12} {'median |log err|':>17} {'50% coverage':>13} {'80% coverage':>13} {'interval score':>15}",
    ]
    lines += [f"{name:12} {_row(m)}" for name, m in rows]
    verdict = "beats" if report.beats_ratio_rule else "does NOT beat"
    lines += ["", f"The model {verdict} the ratio rule on both median error and interval score.", ""]
    return "\n".join(lines)


def _row(m: Metrics) -> str:
    return f"{m.median_abs_log_error:>17.3f} {m.coverage_50:>13.1%} {m.coverage_80:>13.1%} {m.interval_score_80:>15.3f}"


if __name__ == "__main__":
    raise SystemExit(main())
