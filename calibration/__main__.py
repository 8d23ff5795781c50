"""Command line of calibration: `python -m calibration fit CASES -o MODEL.json` and `... evaluate CASES`."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import msgspec

from calibration.evaluate import Evaluation, Metrics, evaluate
from calibration.fit import CLAIM_RULE_WEIGHT, FitSettings, fit_award_model
from calibration.records import load_records
from estimator.errors import EstimatorError
from estimator.model.artifact import dumps_model


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m calibration", description="Fit and validate the award model.")
    commands = parser.add_subparsers(dest="command", required=True)
    fit = commands.add_parser("fit", help="fit a model from decided cases and write it")
    fit.add_argument("cases", help="decided cases: .jsonl, .json or .csv")
    fit.add_argument("-o", "--output", required=True, help="where to write the fitted model (JSON)")
    _weight_option(fit)
    ev = commands.add_parser("evaluate", help="cross-validate the model against the constant and ratio baselines")
    ev.add_argument("cases", help="decided cases: .jsonl, .json or .csv")
    ev.add_argument("--folds", type=int, default=10, help="K for K-fold (leave-one-out below 30 cases)")
    ev.add_argument(
        "--seed", type=int, default=FitSettings().seed, help="seed of the fold shuffle (default: %(default)s)"
    )
    _weight_option(ev)
    ev.add_argument("--json", action="store_true", help="print the report as JSON")
    args = parser.parse_args(argv)
    if not 0 <= args.claim_rule_weight <= 1:
        parser.error("--claim-rule-weight must be between 0 and 1")
    settings = FitSettings(claim_rule_weight=args.claim_rule_weight)
    try:
        records = load_records(args.cases)
        if args.command == "fit":
            model = fit_award_model(records, settings=settings)
            Path(args.output).write_bytes(dumps_model(model))
            print(
                f"model {model.id}: {model.n_fitted} of {model.n_records} cases fitted -> {args.output}",
                file=sys.stderr,
            )
            return 0
        if args.folds < 2:
            parser.error("--folds must be at least 2")
        report = evaluate(records, folds=args.folds, settings=msgspec.structs.replace(settings, seed=args.seed))
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


def _weight_option(command: argparse.ArgumentParser) -> None:
    command.add_argument(
        "--claim-rule-weight",
        type=float,
        default=CLAIM_RULE_WEIGHT,
        metavar="W",
        help="weight of what the claim alone predicts, pooled with the regression; 0: the regression alone "
        "(default: %(default)s)",
    )


def format_report(report: Evaluation) -> str:
    rows = [("model", report.model)]
    if report.regression_alone is not None:
        rows.append(("regression alone", report.regression_alone))
    rows += [("ratio rule", report.ratio), ("constant", report.constant)]
    lines = [
        f"{report.scheme} cross-validation on {report.n_evaluated} statutory awards "
        f"({report.n_records} records, {len(report.excluded)} not statutory or without award)"
        + ("" if report.seed is None else f"; folds shuffled with seed {report.seed}"),
        "",
        f"{'':16} {'median |log err|':>17} {'50% coverage':>13} {'80% coverage':>13} {'interval score':>15}",
    ]
    lines += [f"{name:16} {_row(m)}" for name, m in rows]
    verdict = "beats" if report.beats_ratio_rule else "does NOT beat"
    lines += ["", f"The model {verdict} the ratio rule on both median error and interval score.", ""]
    return "\n".join(lines)


def _row(m: Metrics) -> str:
    return f"{m.median_abs_log_error:>17.3f} {m.coverage_50:>13.1%} {m.coverage_80:>13.1%} {m.interval_score_80:>15.3f}"


if __name__ == "__main__":
    raise SystemExit(main())
