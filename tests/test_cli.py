"""The command lines: fit, evaluate and score, as a user runs them."""

from __future__ import annotations

import csv
import json
import subprocess
import sys
from pathlib import Path

from calibration.observations import observations
from calibration.records import bundled_records, records_to_csv

ROOT = Path(__file__).resolve().parents[1]
CASES = ROOT / "calibration" / "data" / "cases.jsonl"
STATUTORY = len(observations(bundled_records())[0])


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", *args], capture_output=True, text=True, cwd=ROOT, timeout=300)


def test_fit_writes_a_model_that_scores(tmp_path: Path) -> None:
    model = tmp_path / "model.json"
    fitted = run("calibration", "fit", str(CASES), "-o", str(model))
    assert fitted.returncode == 0, fitted.stderr
    assert json.loads(model.read_text())["n_fitted"] == STATUTORY
    out = tmp_path / "scored.jsonl"
    scored = run("estimator", "score", str(CASES), "-o", str(out), "-m", str(model))
    assert scored.returncode == 0, scored.stderr
    lines = [json.loads(line) for line in out.read_text().splitlines()]
    assert [line["id"] for line in lines] == [json.loads(r)["id"] for r in CASES.read_text().splitlines()]


def test_evaluate_prints_the_model_and_both_baselines() -> None:
    result = run("calibration", "evaluate", str(CASES), "--folds", "5", "--json")
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert {"model", "regression_alone", "ratio", "constant"} <= report.keys()
    assert report["n_evaluated"] == STATUTORY
    assert report["seed"] == 20231127


def test_the_claim_rules_weight_is_a_choice_of_the_command_line(tmp_path: Path) -> None:
    model = tmp_path / "model.json"
    fitted = run("calibration", "fit", str(CASES), "-o", str(model), "--claim-rule-weight", "0")
    assert fitted.returncode == 0, fitted.stderr
    assert "claim_rule" not in json.loads(model.read_text())  # the regression alone, as before pooling
    alone = run("calibration", "evaluate", str(CASES), "--folds", "5", "--claim-rule-weight", "0").stdout
    assert "regression alone" not in alone  # nothing pooled: the model is the regression
    for bad in ("1.5", "-0.1", "nan"):
        refused = run("calibration", "fit", str(CASES), "-o", str(model), "--claim-rule-weight", bad)
        assert refused.returncode == 2
        assert "--claim-rule-weight must be between 0 and 1" in refused.stderr


def test_evaluate_draws_other_folds_with_another_seed() -> None:
    reports = [
        json.loads(run("calibration", "evaluate", str(CASES), "--folds", "5", "--json", "--seed", seed).stdout)
        for seed in ("1", "2")
    ]
    assert [r["seed"] for r in reports] == [1, 2]
    assert reports[0]["held_out"] != reports[1]["held_out"]
    text = run("calibration", "evaluate", str(CASES), "--folds", "5", "--seed", "1").stdout
    assert "seed 1" in text


def test_score_reports_bad_rows_and_scores_the_rest(tmp_path: Path) -> None:
    source = tmp_path / "cases.csv"
    source.write_text(
        "id,work_type,claimed_economic_loss,law_version\n"
        "good-1,photograph,20000,2020\n"
        "bad-1,painting,20000,2020\n"
        "good-2,film,500000,2010\n"
        "bad-2,film,-5,2020\n"
    )
    out = tmp_path / "out.jsonl"
    result = run("estimator", "score", str(source), "-o", str(out))
    assert result.returncode == 0, result.stderr
    rows = [json.loads(line) for line in out.read_text().splitlines()]
    assert [("error" in row) for row in rows] == [False, True, False, True]
    assert rows[1]["error"]["errors"][0]["field"] == "[1].work_type"
    assert rows[0]["id"] == "good-1"
    assert rows[0]["economic_loss"]["p50"] > 0


def test_a_missing_file_is_a_clear_error(tmp_path: Path) -> None:
    result = run("calibration", "fit", str(tmp_path / "nope.jsonl"), "-o", str(tmp_path / "m.json"))
    assert result.returncode == 2
    assert "nope.jsonl" in result.stderr


def _cases_file(tmp_path: Path, n: int) -> Path:
    source = tmp_path / "many.jsonl"
    lines = [
        json.dumps({"id": f"c{i}", "law_version": "2020", "work_type": "photograph", "claimed_economic_loss": 1000 + i})
        for i in range(n)
    ]
    source.write_text("\n".join(lines) + "\n")
    return source


def test_workers_keep_input_order_and_give_the_same_numbers(tmp_path: Path) -> None:
    # More rows than one chunk, so that several chunks are scored in parallel and must be reordered.
    source = _cases_file(tmp_path, 20_000)
    one, two = tmp_path / "one.jsonl", tmp_path / "two.jsonl"
    assert run("estimator", "score", str(source), "-o", str(one)).returncode == 0
    result = run("estimator", "score", str(source), "-o", str(two), "--workers", "2")
    assert result.returncode == 0, result.stderr
    assert one.read_bytes() == two.read_bytes()


def test_json_and_csv_outputs_hold_the_same_estimates(tmp_path: Path) -> None:
    source = _cases_file(tmp_path, 50)
    as_json, as_csv = tmp_path / "out.json", tmp_path / "out.csv"
    assert run("estimator", "score", str(source), "-o", str(as_json), "--workers", "2").returncode == 0
    assert run("estimator", "score", str(source), "-o", str(as_csv)).returncode == 0
    estimates = json.loads(as_json.read_text())
    rows = list(csv.DictReader(as_csv.read_text().splitlines()))
    assert [e["id"] for e in estimates] == [r["id"] for r in rows] == [f"c{i}" for i in range(50)]
    assert all(float(r["economic_loss_p50"]) == e["economic_loss"]["p50"] for e, r in zip(estimates, rows, strict=True))
    assert all(float(r["fee_due"]) == e["court_fees"]["fee_due"] for e, r in zip(estimates, rows, strict=True))


def test_no_progress_line_when_stderr_is_not_a_terminal(tmp_path: Path) -> None:
    result = run("estimator", "score", str(_cases_file(tmp_path, 10)), "-o", str(tmp_path / "o.jsonl"))
    assert result.stderr.strip().splitlines() == ["10 cases scored, 0 rows with errors -> " + str(tmp_path / "o.jsonl")]


def test_scoring_over_the_input_is_refused_and_the_input_kept(tmp_path: Path) -> None:
    source = tmp_path / "cases.csv"
    text = "id,claimed_economic_loss\na,5000\n"
    source.write_text(text)
    result = run("estimator", "score", str(source), "-o", str(tmp_path / "." / "cases.csv"))
    assert result.returncode == 2
    assert "is the input" in result.stderr
    assert source.read_text() == text


def test_an_unreadable_input_writes_nothing_and_keeps_an_existing_output(tmp_path: Path) -> None:
    """Unknown columns (a misspelt claim), a body that is not JSON, nesting too deep: a clean error, no file."""
    out = tmp_path / "estimates.jsonl"
    out.write_text("yesterday's estimates\n")
    inputs = {
        "typo.csv": ("id,claimed_economc_loss\na,5000\n", "did you mean `claimed_economic_loss`?"),
        "cut.json": ('[{"id": "a"', "malformed JSON"),
        "deep.json": ("[" * 5000 + "]" * 5000, "nested too deeply"),
    }
    for name, (text, message) in inputs.items():
        (tmp_path / name).write_text(text)
        result = run("estimator", "score", str(tmp_path / name), "-o", str(out))
        assert result.returncode == 2, name
        assert message in result.stderr, result.stderr
        assert "Traceback" not in result.stderr
        assert out.read_text() == "yesterday's estimates\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cut.json", "deep.json", "estimates.jsonl", "typo.csv"]


def test_a_spreadsheets_gbk_export_or_a_missing_file_is_explained(tmp_path: Path) -> None:
    gbk = tmp_path / "gbk.csv"
    gbk.write_bytes("id,work_type,claimed_economic_loss\n摄影,photograph,5000\nplain,photograph,5000\n".encode("gbk"))
    result = run("estimator", "score", str(gbk), "-o", str(tmp_path / "o.jsonl"))
    assert result.returncode == 0
    assert result.stderr.startswith("1 case scored, 1 row with errors")
    first, second = (json.loads(line) for line in (tmp_path / "o.jsonl").read_text().splitlines())
    assert 'is not UTF-8 text (byte 0xc9); save it as UTF-8 (in Excel: "CSV UTF-8")' in first["error"]["detail"]
    assert second["id"] == "plain"
    header = tmp_path / "header.csv"
    header.write_bytes("id,work_type,损失\n".encode("gbk"))
    unreadable = run("estimator", "score", str(header), "-o", str(tmp_path / "h.jsonl"))
    assert unreadable.returncode == 2
    assert "the CSV header cannot be read: it is not UTF-8 text (byte 0xcb)" in unreadable.stderr
    missing = run("estimator", "score", str(tmp_path / "nope.csv"), "-o", str(tmp_path / "o.jsonl"))
    assert missing.returncode == 2
    assert missing.stderr.strip() == f"error: `{tmp_path / 'nope.csv'}`: No such file or directory"


def test_an_empty_input_is_an_error_in_every_format_and_no_rows_is_not(tmp_path: Path) -> None:
    out = tmp_path / "o.jsonl"
    for name, text in (("a.json", ""), ("b.jsonl", "\n\n"), ("c.csv", "\ufeff")):
        (tmp_path / name).write_text(text, encoding="utf-8")
        result = run("estimator", "score", str(tmp_path / name), "-o", str(out))
        assert result.returncode == 2, name
        assert result.stderr.startswith("error: the input is empty: send "), result.stderr
        assert not out.exists()
    for name, text in (("d.json", "[]"), ("e.csv", "id,law_version\n,\n")):
        (tmp_path / name).write_text(text)
        result = run("estimator", "score", str(tmp_path / name), "-o", str(out))
        assert result.returncode == 0, result.stderr
        assert result.stderr.startswith("0 cases scored, 0 rows with errors")
        assert out.read_text() == ""


def test_an_output_folder_that_does_not_exist_is_named(tmp_path: Path) -> None:
    result = run("estimator", "score", "examples/cases.csv", "-o", str(tmp_path / "nowhere" / "o.jsonl"))
    assert result.returncode == 2
    assert (
        result.stderr.strip()
        == f"error: `{tmp_path / 'nowhere'}`: cannot write the output there: No such file or directory"
    )


def test_the_example_decided_cases_are_the_bundled_ones_and_evaluate() -> None:
    """README: `examples/decided_cases.csv` is the bundled picture cases in the upload's CSV form."""
    pictures = [r for r in bundled_records() if r.work_type in ("photograph", "ai_image", "fine_art")]
    assert (ROOT / "examples" / "decided_cases.csv").read_text() == records_to_csv(pictures)
    result = run("calibration", "evaluate", "examples/decided_cases.csv")
    assert result.returncode == 0, result.stderr
    assert "leave-one-out cross-validation on 26 statutory awards (27 records" in result.stdout


def test_the_example_cases_in_the_readme_score(tmp_path: Path) -> None:
    out = tmp_path / "estimates.csv"
    result = run("estimator", "score", "examples/cases.csv", "-o", str(out))
    assert result.returncode == 0, result.stderr
    assert result.stderr.strip().endswith(f"4 cases scored, 0 rows with errors -> {out}")
    rows = list(csv.DictReader(out.read_text().splitlines()))
    assert [row["id"] for row in rows] == [
        "blogger-ai-picture",
        "ai-platform-character",
        "agency-20-photos",
        "platform-hit-series",
    ]
    assert all(float(row["economic_loss_p50"]) >= 500 for row in rows)


def test_lang_zh_writes_the_reasons_in_chinese_in_one_process_and_in_workers(tmp_path: Path) -> None:
    source = tmp_path / "cases.jsonl"
    rows = [
        {"id": "statutory", "law_version": "2020", "work_type": "photograph", "claimed_economic_loss": 10_000},
        {"id": "old-law", "law_version": "2010", "work_type": "text", "claimed_economic_loss": 30_000},
    ]
    source.write_text("".join(json.dumps(row) + "\n" for row in rows))
    reasons = {}
    for workers in ("1", "2"):
        out = tmp_path / f"zh-{workers}.jsonl"
        result = run("estimator", "score", str(source), "-o", str(out), "--lang", "zh", "--workers", workers)
        assert result.returncode == 0, result.stderr
        reasons[workers] = [json.loads(line)["law"]["route_reason"] for line in out.read_text().splitlines()]
    assert reasons["1"] == reasons["2"]
    assert ["第五十四条" in reasons["1"][0], "第四十九条" in reasons["1"][1]] == [True, True], reasons["1"]
    english = tmp_path / "en.jsonl"
    assert run("estimator", "score", str(source), "-o", str(english)).returncode == 0
    assert "art. 54" in json.loads(english.read_text().splitlines()[0])["law"]["route_reason"]


def test_an_unknown_language_is_refused_by_name(tmp_path: Path) -> None:
    result = run("estimator", "score", str(CASES), "-o", str(tmp_path / "out.jsonl"), "--lang", "fr")
    assert result.returncode == 2
    assert "--lang" in result.stderr
    assert not (tmp_path / "out.jsonl").exists()


def test_a_byte_order_mark_before_a_json_or_ndjson_file_is_skipped(tmp_path: Path) -> None:
    """The command line reads files itself (no request class strips the mark first)."""
    rows = [{"id": f"c{i}", "law_version": "2020", "claimed_economic_loss": 5000 + i} for i in range(3)]
    texts = {"a.json": json.dumps(rows), "b.jsonl": "".join(json.dumps(r) + "\n" for r in rows)}
    outputs = []
    for name, text in texts.items():
        for marked in (False, True):
            source = tmp_path / (("marked-" if marked else "") + name)
            source.write_bytes((b"\xef\xbb\xbf" if marked else b"") + text.encode())
            out = tmp_path / f"{source.stem}.out.jsonl"
            result = run("estimator", "score", str(source), "-o", str(out))
            assert result.returncode == 0, result.stderr
            outputs.append(out.read_text())
    assert len(set(outputs)) == 1
    assert '"error"' not in outputs[0]
