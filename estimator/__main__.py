"""Command line of the estimator: `python -m estimator score INPUT -o OUTPUT [-m MODEL.json]`."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterator
from pathlib import Path

import msgspec

from estimator.cases_io import format_of, read_cases
from estimator.errors import EstimatorError, problem_of
from estimator.model.artifact import FittedModel, default_model, load_model
from estimator.model.case import Case
from estimator.model.estimate import Question, estimate_cases

CHUNK = 4096


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m estimator", description="Estimate awards, fees and net recovery.")
    commands = parser.add_subparsers(dest="command", required=True)
    score = commands.add_parser("score", help="score a file of cases (JSON, JSONL or CSV, by extension)")
    score.add_argument("input", help="cases to score; outcome fields are ignored, so decided cases back-test")
    score.add_argument("-o", "--output", required=True, help="where to write estimates (.jsonl or .json)")
    score.add_argument("-m", "--model", help="a fitted model (default: the bundled model)")
    args = parser.parse_args(argv)
    try:
        model = load_model(args.model) if args.model else default_model()
        written, failed = score_file(model, Path(args.input), Path(args.output))
    except EstimatorError as exc:
        print(f"error: {exc.message}", file=sys.stderr)
        return 2
    except OSError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(f"{written} cases scored, {failed} rows with errors -> {args.output}", file=sys.stderr)
    return 0


def score_file(model: FittedModel, source: Path, target: Path) -> tuple[int, int]:
    """Score every row of `source` into `target`; a bad row becomes an error line, the rest go on."""
    in_format = format_of(source)
    out_format = format_of(target)
    if out_format == "csv":
        raise EstimatorError("CSV output is not supported yet: write .jsonl or .json", field="output")
    encoder = msgspec.json.Encoder()
    written = failed = 0
    with source.open("rb") as stream, target.open("wb") as out:
        out.write(b"[\n" if out_format == "json" else b"")
        first = True
        for chunk in _chunks(read_cases(stream, in_format)):
            for line in _score_chunk(model, chunk):
                if out_format == "json" and not first:
                    out.write(b",\n")
                out.write(encoder.encode(line))
                if out_format == "ndjson":
                    out.write(b"\n")
                first = False
                if "error" in line:
                    failed += 1
                else:
                    written += 1
        out.write(b"\n]\n" if out_format == "json" else b"")
    return written, failed


def _chunks(rows: Iterator[Case | EstimatorError]) -> Iterator[list[Case | EstimatorError]]:
    chunk: list[Case | EstimatorError] = []
    for row in rows:
        chunk.append(row)
        if len(chunk) == CHUNK:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _score_chunk(model: FittedModel, chunk: list[Case | EstimatorError]) -> list[dict[str, object]]:
    good = [(i, row) for i, row in enumerate(chunk) if isinstance(row, Case)]
    results: dict[int, dict[str, object]] = {}
    try:
        estimates = estimate_cases(model, [Question(case=row) for _, row in good])
        for (i, _), estimate in zip(good, estimates, strict=True):
            results[i] = msgspec.to_builtins(estimate)
    except EstimatorError:
        # One bad row spoils a vectorised chunk: score the chunk row by row to find it.
        for i, row in good:
            try:
                results[i] = msgspec.to_builtins(estimate_cases(model, [Question(case=row)])[0])
            except EstimatorError as exc:
                results[i] = {"id": row.id, "error": problem_of(exc)}
    for i, bad in enumerate(chunk):
        if isinstance(bad, EstimatorError):
            results[i] = {"id": None, "error": problem_of(bad)}
    return [results[i] for i in range(len(chunk))]


if __name__ == "__main__":
    raise SystemExit(main())
