"""Command line of the estimator: `python -m estimator score INPUT -o OUTPUT [-m MODEL] [--workers N] [--lang zh]`."""

from __future__ import annotations

import argparse
import multiprocessing
import os
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO, TextIO

from estimator.batch import CHUNK, Writer, init_worker, score_raw, work
from estimator.cases_io import format_of, raw_chunks
from estimator.errors import EstimatorError, InvalidInputError
from estimator.language import Language
from estimator.model.artifact import FittedModel, default_model, load_model


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m estimator", description="Estimate awards, fees and net recovery.")
    commands = parser.add_subparsers(dest="command", required=True)
    score = commands.add_parser(
        "score",
        help="score a file of cases",
        description="Score cases from JSON, JSON Lines or CSV (by extension) into JSON Lines, JSON or CSV. "
        "Outcome fields are ignored, so a file of decided cases back-tests as it is. A bad row is "
        "written as an `error` in its place; the others are scored.",
    )
    score.add_argument("input", help="cases to score (.jsonl, .ndjson, .json or .csv)")
    score.add_argument("-o", "--output", required=True, help="where to write (.jsonl, .json or .csv: flat columns)")
    score.add_argument("-m", "--model", help="a fitted model (default: the bundled model)")
    score.add_argument("--workers", type=int, default=1, help="processes to score with (0: one per core; default 1)")
    score.add_argument(
        "--lang",
        choices=("en", "zh"),
        default="en",
        help="language of the route's reason, the assumptions and the fee notes (default: en)",
    )
    score.add_argument("--quiet", action="store_true", help="no progress line, even on a terminal")
    args = parser.parse_args(argv)
    workers = os.cpu_count() or 1 if args.workers == 0 else args.workers
    if workers < 1:
        parser.error("--workers must be 0 or more")
    try:
        model_path = args.model
        model = load_model(model_path) if model_path else default_model()
        progress = None if args.quiet or not sys.stderr.isatty() else Progress(sys.stderr, Path(args.input))
        written, failed = score_file(
            Path(args.input),
            Path(args.output),
            model=model,
            model_path=model_path,
            workers=workers,
            progress=progress,
            lang=args.lang,
        )
    except EstimatorError as exc:
        print(f"error: {exc.message}", file=sys.stderr)
        return 2
    except OSError as exc:
        where = f"`{exc.filename}`: " if exc.filename else ""
        print(f"error: {where}{exc.strerror or exc}", file=sys.stderr)  # not "[Errno 2] ..."
        return 2
    print(f"{_count(written, 'case')} scored, {_count(failed, 'row')} with errors -> {args.output}", file=sys.stderr)
    return 0


def _count(n: int, noun: str) -> str:
    return f"{n:,} {noun}" + ("" if n == 1 else "s")


def score_file(
    source: Path,
    target: Path,
    *,
    model: FittedModel,
    model_path: str | None = None,
    workers: int = 1,
    progress: Progress | None = None,
    lang: Language = "en",
) -> tuple[int, int]:
    """Score every row of `source` into `target`, chunk by chunk, in input order.

    The output is written to a temporary file beside `target` and renamed over it only when complete:
    an input that turns out unreadable, or an interrupted run, leaves no half-written output and an
    existing `target` untouched. Writing over the input itself is refused.
    """
    writer = Writer(format_of(target))
    in_format = format_of(source)
    if target.exists() and source.exists() and os.path.samefile(source, target):
        raise InvalidInputError(f"the output `{target}` is the input: write the estimates elsewhere", field="output")
    written = failed = 0
    with source.open("rb") as stream:
        folder = target.resolve().parent
        try:
            partial = tempfile.NamedTemporaryFile(  # noqa: SIM115  # closed below, then renamed or deleted
                "wb", dir=folder, prefix=f".{target.name}.", suffix=".partial", delete=False
            )
        except OSError as exc:  # name the folder asked for, not the temporary file's made-up name
            raise OSError(exc.errno, f"cannot write the output there: {exc.strerror}", str(folder)) from None
        try:
            with partial as out:
                out.write(writer.header())
                for rows_done, errors, encoded in _scored(stream, in_format, writer, model, model_path, workers, lang):
                    out.write(encoded)
                    written += rows_done - errors
                    failed += errors
                    if progress is not None:
                        progress.update(written + failed, stream)
                out.write(writer.footer())
            os.replace(partial.name, target)
        except BaseException:
            Path(partial.name).unlink(missing_ok=True)
            raise
    if progress is not None:
        progress.close()
    return written, failed


def _scored(
    stream: BinaryIO,
    fmt: str,
    writer: Writer,
    model: FittedModel,
    model_path: str | None,
    workers: int,
    lang: Language,
) -> Iterator[tuple[int, int, bytes]]:
    chunks = raw_chunks(stream, fmt, CHUNK)  # type: ignore[arg-type]  # checked by format_of
    if workers == 1:
        for chunk in chunks:
            yield score_raw(model, chunk, writer, lang=lang)
        return
    # Workers parse, score and encode; the main process only reads and writes, in order. Each worker
    # loads the model once. JSON-array output needs to know which chunk is first, so it stays here.
    context = multiprocessing.get_context("spawn")
    with context.Pool(workers, initializer=init_worker, initargs=(model_path, writer.fmt, lang)) as pool:
        for rows, errors, body in pool.imap(work, chunks, chunksize=1):
            yield rows, errors, writer.frame(body)


class Progress:
    """A one-line progress report on a terminal: rows, rate and time left (from bytes read)."""

    def __init__(self, out: TextIO, source: Path) -> None:
        self._out = out
        self._total = max(source.stat().st_size, 1)
        self._start = time.monotonic()
        self._last = 0.0

    def update(self, rows: int, stream: BinaryIO) -> None:
        now = time.monotonic()
        if now - self._last < 0.2:
            return
        self._last = now
        elapsed = max(now - self._start, 1e-9)
        done = min(stream.tell() / self._total, 1.0)
        eta = elapsed * (1 - done) / done if done > 0 else 0.0
        self._out.write(f"\r{rows:,} rows  {rows / elapsed:,.0f}/s  {done:5.1%}  ETA {eta:4.0f}s ")
        self._out.flush()

    def close(self) -> None:
        self._out.write("\n")
        self._out.flush()


if __name__ == "__main__":
    raise SystemExit(main())
