"""`/v1/calibrations`: uploads in three formats, persistence across restarts, and tenant isolation."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path
from typing import Any

import msgspec
import pytest
from litestar import Litestar
from litestar.testing import TestClient

from api import service as service_module
from api.app import create_app
from api.service import EstimatorService
from api.settings import Settings
from api.storage import open_store
from calibration.records import bundled_records, records_to_csv
from estimator.model.artifact import default_model
from estimator.model.estimate import Settings as EstimateSettings

CASES = (Path(__file__).resolve().parents[2] / "calibration" / "data" / "cases.jsonl").read_bytes()
KEYS = {"key-a": "firm-a", "key-b": "firm-b"}
A = {"X-API-Key": "key-a"}
B = {"X-API-Key": "key-b"}
NDJSON = {"content-type": "application/x-ndjson"}


def keyed_app(data_dir: Path) -> Litestar:
    return create_app(Settings(data_dir=str(data_dir), api_keys=KEYS))


@pytest.fixture
def keyed(tmp_path: Path) -> Iterator[TestClient[Litestar]]:
    with TestClient(keyed_app(tmp_path)) as client:
        yield client


def test_upload_fits_validates_and_stores(keyed: TestClient[Litestar]) -> None:
    response = keyed.post("/v1/calibrations?name=ours", content=CASES, headers={**A, **NDJSON})
    assert response.status_code == 201, response.text
    got = response.json()
    assert response.headers["location"] == f"/v1/calibrations/{got['id']}"
    assert keyed.get(response.headers["location"], headers=A).json()["id"] == got["id"]
    assert got["n_records"] == 114
    assert {"model", "ratio", "constant"} <= got["diagnostics"].keys()
    assert [c["id"] for c in keyed.get("/v1/calibrations", headers=A).json()["calibrations"]] == [got["id"]]


@pytest.mark.parametrize(
    ("content_type", "body"),
    [
        pytest.param(
            "application/json", json.dumps([json.loads(line) for line in CASES.splitlines()]).encode(), id="json"
        ),
        pytest.param("text/csv", records_to_csv(bundled_records()).encode(), id="csv"),
    ],
)
def test_json_and_csv_uploads_give_the_same_model(keyed: TestClient[Litestar], content_type: str, body: bytes) -> None:
    reference = keyed.post("/v1/calibrations", content=CASES, headers={**A, **NDJSON}).json()["id"]
    response = keyed.post("/v1/calibrations", content=body, headers={**A, "content-type": content_type})
    assert response.status_code == 200, response.text  # the same records: found, not created again
    assert response.json()["id"] == reference


def test_calibrations_survive_a_restart(tmp_path: Path) -> None:
    with TestClient(keyed_app(tmp_path)) as first:
        created = first.post("/v1/calibrations", content=CASES, headers={**A, **NDJSON}).json()["id"]
    with TestClient(keyed_app(tmp_path)) as second:
        assert second.get(f"/v1/calibrations/{created}", headers=A).status_code == 200
        estimate = second.post(
            "/v1/estimates", json={"calibration_id": created, "claimed_economic_loss": 10000}, headers=A
        )
        assert estimate.status_code == 200


def test_calibrations_in_postgresql_survive_a_restart_and_are_shared_by_instances(
    tmp_path: Path, postgres_url: str
) -> None:
    def instance(data_dir: Path) -> Litestar:  # its own data directory: only the database is shared
        return create_app(Settings(data_dir=str(data_dir), api_keys=KEYS, database_url=postgres_url))

    with TestClient(instance(tmp_path / "one")) as one, TestClient(instance(tmp_path / "two")) as two:
        created = one.post("/v1/calibrations?name=ours", content=CASES, headers={**A, **NDJSON})
        assert created.status_code == 201, created.text
        path = created.headers["location"]
        assert two.get(path, headers=A).json()["name"] == "ours"
        assert two.get(path, headers=B).status_code == 404
        assert two.patch(path, json={"name": "renamed"}, headers=A).json()["name"] == "renamed"
        assert one.get(path, headers=A).json()["name"] == "renamed"
        case = {"calibration_id": created.json()["id"], "claimed_economic_loss": 10000}
        assert two.post("/v1/estimates", json=case, headers=A).status_code == 200  # now cached on two
    with TestClient(instance(tmp_path / "three")) as restarted:
        assert restarted.get(path, headers=A).json()["name"] == "renamed"
        estimate = restarted.post(
            "/v1/estimates", json={"calibration_id": created.json()["id"], "claimed_economic_loss": 10000}, headers=A
        )
        assert estimate.status_code == 200, estimate.text
        with TestClient(instance(tmp_path / "four")) as other:
            assert other.post("/v1/estimates", json=case, headers=A).status_code == 200  # cached here too
            assert restarted.delete(path, headers=A).status_code == 204
            assert restarted.get("/v1/calibrations", headers=A).json()["calibrations"] == []
            # Deleted on one instance, its model and records are used by none: not from a cache either.
            for endpoint in ("/v1/estimates", "/v1/precedents", "/v1/estimates/chart"):
                body = case if endpoint != "/v1/precedents" else {"case": case}
                used = other.post(endpoint, json=body, headers=A)
                assert used.status_code == 404, (endpoint, used.text)
    assert not (tmp_path / "one").exists()  # no SQLite file beside the database


def test_an_unreachable_database_is_a_503_and_default_estimates_go_on(tmp_path: Path) -> None:
    url = f"postgresql://firm:s3cret-pw@/estimator?host={tmp_path / 'no-server-here'}"
    with TestClient(create_app(Settings(data_dir=str(tmp_path), api_keys=KEYS, database_url=url))) as client:
        for _ in range(2):  # tried again each time, not remembered as broken
            listed = client.get("/v1/calibrations", headers=A)
            assert listed.status_code == 503, listed.text
            assert listed.headers["content-type"] == "application/problem+json"
            assert listed.json()["type"].endswith("/store-unavailable")
            assert listed.headers["retry-after"] == "5"
            assert "s3cret-pw" not in listed.text
        assert client.post("/v1/estimates", json={"claimed_economic_loss": 10000}).status_code == 200
        assert client.get("/health").status_code == 200


def test_another_key_cannot_see_or_use_a_calibration(keyed: TestClient[Litestar]) -> None:
    body = b"\n".join(CASES.splitlines()[:-5])  # other data than the default calibration's
    created = keyed.post("/v1/calibrations", content=body, headers={**A, **NDJSON}).json()["id"]
    assert keyed.get(f"/v1/calibrations/{created}", headers=B).status_code == 404
    assert keyed.delete(f"/v1/calibrations/{created}", headers=B).status_code == 404
    assert keyed.get("/v1/calibrations", headers=B).json()["calibrations"] == []
    used = keyed.post("/v1/estimates", json={"calibration_id": created}, headers=B)
    assert used.status_code == 404
    assert used.json()["errors"][0]["field"] == "calibration_id"
    assert keyed.get(f"/v1/calibrations/{created}", headers=A).status_code == 200
    # Charts are cached, but only after the calibration is resolved for the caller's own key.
    chart = {"calibration_id": created, "claimed_economic_loss": 10000}
    assert keyed.post("/v1/estimates/chart", json=chart, headers=A).status_code == 200
    assert keyed.post("/v1/estimates/chart", json=chart, headers=B).status_code == 404
    assert keyed.get(f"/v1/calibrations/{created}/reliability", headers=A).status_code == 200
    assert keyed.get(f"/v1/calibrations/{created}/reliability", headers=B).status_code == 404


def test_keys_are_required_for_calibrations_and_checked(keyed: TestClient[Litestar]) -> None:
    assert keyed.post("/v1/calibrations", content=CASES, headers=NDJSON).status_code == 401
    assert keyed.get("/v1/calibrations", headers={"X-API-Key": "stolen"}).status_code == 401
    two = keyed.get("/v1/calibrations", headers=[("X-API-Key", "key-a"), ("X-API-Key", "key-b")])
    assert two.status_code == 401  # two firms' keys: neither is guessed
    assert "send one `X-API-Key` header, not 2" in two.json()["detail"]
    # The default calibration stays public.
    assert keyed.post("/v1/estimates", json={"claimed_economic_loss": 10000}).status_code == 200
    assert keyed.get("/v1/calibrations/default").status_code == 200


def test_a_malformed_upload_names_record_and_field_and_stores_nothing(keyed: TestClient[Litestar]) -> None:
    lines = CASES.splitlines()
    bad = json.loads(lines[3])
    bad["claimed_total"] = -5
    body = b"\n".join([*lines[:3], json.dumps(bad).encode(), *lines[4:]])
    response = keyed.post("/v1/calibrations", content=body, headers={**A, **NDJSON})
    assert response.status_code == 400
    error = response.json()["errors"][0]
    assert (error["index"], error["id"], error["field"]) == (3, bad["id"], "claimed_total")
    assert error["path"] == "$[3].claimed_total"
    assert keyed.get("/v1/calibrations", headers=A).json()["calibrations"] == []


@pytest.mark.parametrize("content_type", ["application/json", "application/x-ndjson"])
def test_a_number_too_big_to_read_is_named_by_record_and_field(keyed: TestClient[Litestar], content_type: str) -> None:
    lines = CASES.splitlines()
    spoilt = lines[3].replace(b'"id"', b'"claimed_expenses": 1e400, "id"', 1)  # a key given twice, too
    records = [*lines[:3], spoilt, *lines[4:]]
    body = b"[" + b",".join(records) + b"]" if content_type == "application/json" else b"\n".join(records)
    response = keyed.post("/v1/calibrations", content=body, headers={**A, "content-type": content_type})
    assert response.status_code == 400, response.text
    error = response.json()["errors"][0]
    assert (error["index"], error["field"], error["path"]) == (3, "claimed_expenses", "$[3].claimed_expenses")
    assert keyed.get("/v1/calibrations", headers=A).json()["calibrations"] == []


@pytest.mark.parametrize(
    ("content_type", "body", "path"),
    [
        ("application/json", b'[{"id": "\xff"}]', "$"),
        ("application/x-ndjson", b'{"id": "ok"}\n{"id": "\xff"}\n', "$[1]"),
    ],
)
def test_an_upload_that_is_not_utf8_is_a_400_and_stores_nothing(
    keyed: TestClient[Litestar], content_type: str, body: bytes, path: str
) -> None:
    response = keyed.post("/v1/calibrations", content=body, headers={**A, "content-type": content_type})
    assert response.status_code == 400, response.text
    assert "byte 0xff, which is not UTF-8" in response.json()["detail"]
    assert response.json()["errors"][0]["path"] == path
    assert keyed.get("/v1/calibrations", headers=A).json()["calibrations"] == []


def test_a_listing_offset_beyond_any_database_integer_is_a_400(keyed: TestClient[Litestar]) -> None:
    response = keyed.get("/v1/calibrations?offset=9223372036854775808", headers=A)
    assert response.status_code == 400
    assert response.json()["errors"][0]["path"] == "query.offset"


def test_too_few_usable_records_is_a_422(keyed: TestClient[Litestar]) -> None:
    response = keyed.post("/v1/calibrations", content=b"\n".join(CASES.splitlines()[:3]), headers={**A, **NDJSON})
    assert response.status_code == 422
    assert response.json()["type"] == "/problems/calibration-failed"


def test_unsupported_media_type_is_a_415(keyed: TestClient[Litestar]) -> None:
    response = keyed.post("/v1/calibrations", content=b"x", headers={**A, "content-type": "text/plain"})
    assert response.status_code == 415


def test_delete_removes_it(keyed: TestClient[Litestar]) -> None:
    body = b"\n".join(CASES.splitlines()[5:])
    created = keyed.post("/v1/calibrations", content=body, headers={**A, **NDJSON}).json()["id"]
    assert keyed.delete(f"/v1/calibrations/{created}", headers=A).status_code == 204
    assert keyed.get(f"/v1/calibrations/{created}", headers=A).status_code == 404


def test_validating_the_default_calibration_holds_up_no_other_calibration_request(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The bundled calibration is validated on first use (about a second); meanwhile the store answers."""
    validating, finish, listed = threading.Event(), threading.Event(), threading.Event()
    validated = object()

    def slow_evaluate(*_args: object, **_kwargs: object) -> object:
        validating.set()
        finish.wait(timeout=10)
        return validated

    monkeypatch.setattr(service_module, "evaluate", slow_evaluate)
    service = EstimatorService(
        store=lambda: open_store(str(tmp_path), None),
        default_model=default_model(),
        settings=EstimateSettings(),
        max_records=1000,
    )
    first_use = threading.Thread(target=service.evaluation_for, args=(None, "default"))
    first_use.start()
    try:
        assert validating.wait(timeout=10)
        lister = threading.Thread(
            target=lambda: (service.list_calibrations("firm-a", limit=10, offset=0), listed.set()), daemon=True
        )
        lister.start()
        assert listed.wait(timeout=5), "listing calibrations waited for the default calibration's validation"
    finally:
        finish.set()
        first_use.join(timeout=10)
        service.close()
    assert service.evaluation_for(None, "default") is validated  # computed once, then kept


def test_the_default_calibration_cannot_be_deleted(keyed: TestClient[Litestar]) -> None:
    response = keyed.delete("/v1/calibrations/default", headers=A)
    assert response.status_code == 405
    assert response.headers["allow"] == "GET, HEAD, OPTIONS"
    assert "bundled" in response.json()["detail"]
    assert keyed.get("/v1/calibrations/default", headers=A).status_code == 200


def test_query_parameter_errors_name_the_parameter(keyed: TestClient[Litestar]) -> None:
    response = keyed.get("/v1/calibrations?limit=-1", headers=A)
    assert response.status_code == 400
    assert response.json()["errors"][0] | {"message": ""} == {"path": "query.limit", "field": "limit", "message": ""}
    missing = keyed.get("/v1/statutes/applicable")
    assert missing.status_code == 400
    assert missing.json()["errors"][0]["path"] == "query.act_start"


def test_a_calibration_can_be_renamed_and_unnamed_and_nothing_else_changes(tmp_path: Path) -> None:
    body = b"\n".join(CASES.splitlines()[3:])
    with TestClient(keyed_app(tmp_path)) as first:
        created = first.post("/v1/calibrations?name=first", content=body, headers={**A, **NDJSON}).json()
        path = f"/v1/calibrations/{created['id']}"
        renamed = first.patch(path, json={"name": "photo cases 2021-2024"}, headers=A)
        assert renamed.status_code == 200, renamed.text
        assert renamed.json() == {**created, "name": "photo cases 2021-2024"}
        # Sending the same records again gives the stored calibration back, under its current name,
        # with 200: nothing was created.
        again = first.post("/v1/calibrations?name=other", content=body, headers={**A, **NDJSON})
        assert again.status_code == 200
        assert again.headers["location"] == path
        assert again.json() == renamed.json()
    with TestClient(keyed_app(tmp_path)) as second:  # the new name was committed
        assert second.get(path, headers=A).json()["name"] == "photo cases 2021-2024"
        listed = second.get("/v1/calibrations", headers=A).json()["calibrations"]
        assert [(c["id"], c["name"]) for c in listed] == [(created["id"], "photo cases 2021-2024")]
        assert second.patch(path, json={"name": None}, headers=A).json()["name"] is None
        assert second.get(path, headers=A).json()["name"] is None


def test_renaming_checks_the_key_the_owner_and_the_body(keyed: TestClient[Litestar]) -> None:
    body = b"\n".join(CASES.splitlines()[:-3])
    created = keyed.post("/v1/calibrations?name=ours", content=body, headers={**A, **NDJSON}).json()["id"]
    path = f"/v1/calibrations/{created}"
    assert keyed.patch(path, json={"name": "x"}).status_code == 401
    stolen = keyed.patch(path, json={"name": "theirs"}, headers=B)
    assert stolen.status_code == 404
    assert keyed.patch("/v1/calibrations/missing", json={"name": "x"}, headers=A).status_code == 404
    for bad, field in (
        ({}, "name"),
        ({"name": ""}, "name"),
        ({"name": "x" * 201}, "name"),
        ({"name": 7}, "name"),
        ({"name": "x", "owner": "firm-b"}, "owner"),
    ):
        response = keyed.patch(path, json=bad, headers=A)
        assert response.status_code == 400, (bad, response.text)
        assert response.json()["errors"][0]["field"] == field, (bad, response.text)
    assert keyed.get(path, headers=A).json()["name"] == "ours"  # no bad request changed it
    garbled = keyed.post("/v1/calibrations?name=%FF", content=body, headers={**A, **NDJSON})
    assert garbled.status_code == 400  # not UTF-8: refused, not stored as U+FFFD
    assert garbled.json()["errors"][0]["path"] == "query.name"
    default = keyed.patch("/v1/calibrations/default", json={"name": "mine"}, headers=A)
    assert default.status_code == 405
    assert default.headers["allow"] == "GET, HEAD, OPTIONS"


def test_records_that_fit_the_same_model_but_differ_are_two_calibrations(keyed: TestClient[Litestar]) -> None:
    """Case numbers and notes do not move the fit, but the precedents show them: neither upload is dropped."""
    lines = CASES.splitlines()[:20]
    first = keyed.post("/v1/calibrations", content=b"\n".join(lines), headers={**A, **NDJSON})
    noted = [
        json.dumps({**json.loads(line), "note": "renumbered", "id": f"n{i}"}).encode() for i, line in enumerate(lines)
    ]
    second = keyed.post("/v1/calibrations?name=noted", content=b"\n".join(noted), headers={**A, **NDJSON})
    assert (first.status_code, second.status_code) == (201, 201), second.text
    assert first.json()["model"]["id"] == second.json()["model"]["id"]  # one fit...
    assert first.json()["id"] != second.json()["id"]  # ...two calibrations, each with its own records
    case = {"work_type": "photograph", "calibration_id": second.json()["id"]}
    precedents = keyed.post("/v1/precedents", json={"case": case}, headers=A).json()["precedents"]
    assert precedents
    assert all(p["id"].startswith("n") and p["note"] == "renumbered" for p in precedents)
    listed = keyed.get("/v1/calibrations", headers=A).json()["calibrations"]
    assert sorted(c["id"] for c in listed) == sorted([first.json()["id"], second.json()["id"]])


def test_a_firms_upload_of_the_bundled_records_is_its_own_calibration(keyed: TestClient[Litestar]) -> None:
    bundled = keyed.get("/v1/calibrations/default").json()
    created = keyed.post("/v1/calibrations?name=ours", content=CASES, headers={**A, **NDJSON}).json()
    assert created["model"]["id"] == bundled["id"] == bundled["model"]["id"]
    assert created["id"] != bundled["id"]
    assert keyed.get(f"/v1/calibrations/{created['id']}", headers=B).status_code == 404


def _stored_by_an_earlier_version(data_dir: Path, body: bytes, name: str, stored_id: str) -> None:
    """Firm A's calibration of `body`, as an earlier version stored it: the same row under `stored_id`."""
    with TestClient(keyed_app(data_dir)) as client:
        made = client.post(f"/v1/calibrations?name={name}", content=body, headers={**A, **NDJSON}).json()
    with closing(open_store(str(data_dir), None)) as store:
        stored = store.get("firm-a", made["id"])
        store.delete("firm-a", made["id"])
        store.save(msgspec.structs.replace(stored, id=stored_id))


def test_a_calibration_stored_under_the_default_models_id_is_its_firms_own(tmp_path: Path) -> None:
    """Before ids covered the records, a firm's upload of the bundled records got the default model's id.
    For that firm the id names its own copy, which it can read under its name, rename and delete."""
    bundled_id = default_model().id
    _stored_by_an_earlier_version(tmp_path, CASES, "ours", bundled_id)
    with TestClient(keyed_app(tmp_path)) as keyed:
        _check_the_firms_copy_of_the_bundled_calibration(keyed, bundled_id)


def _check_the_firms_copy_of_the_bundled_calibration(keyed: TestClient[Litestar], bundled_id: str) -> None:
    path = f"/v1/calibrations/{bundled_id}"
    assert keyed.get(path, headers=A).json()["name"] == "ours"
    assert keyed.get(path, headers=B).json()["name"] == "bundled decided cases"  # another firm sees the public one
    assert keyed.patch(path, json={"name": "renamed"}, headers=A).json()["name"] == "renamed"
    assert keyed.patch(path, json={"name": "x"}, headers=B).status_code == 405
    assert keyed.delete(path, headers=A).status_code == 204
    assert keyed.get("/v1/calibrations", headers=A).json()["calibrations"] == []
    assert keyed.delete(path, headers=A).status_code == 405  # what is left under that id is the bundled one
    assert keyed.get(path, headers=A).json()["name"] == "bundled decided cases"


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/v1/calibrations/nope"),
        ("DELETE", "/v1/calibrations/nope"),
        ("PATCH", "/v1/calibrations/nope"),
        ("GET", "/v1/calibrations/nope/reliability"),
    ],
)
def test_an_unknown_calibration_in_the_path_is_named_in_the_path(
    keyed: TestClient[Litestar], method: str, path: str
) -> None:
    response = keyed.request(method, path, headers=A, json={"name": "x"} if method == "PATCH" else None)
    assert response.status_code == 404
    assert response.json()["errors"][0] == {
        "path": "path.calibration_id",
        "field": "calibration_id",
        "message": "no calibration 'nope' among your calibrations",
    }


@pytest.mark.parametrize(
    "name",
    [
        "a\u0000b",
        "two\nlines",
        " ",
        "\u200b",
        "\ufeff",
        "\u3000\u00a0",
        "\u202etxt.exe",
        "a\u2066b",
        "a\u0085b",
        "\u200e",
        "\u00ad",
        "\u3164",
        "\u2800",
        "\u034f\ufe0f",
        "\U000e0020",
        "photos\uffff",
    ],
    ids=[
        "NUL",
        "line break",
        "a space",
        "zero-width",
        "BOM",
        "wide spaces",
        "RTL override",
        "bidi isolate",
        "C1",
        "LTR mark",
        "soft hyphen",
        "Hangul filler",
        "blank Braille",
        "combining marks",
        "a tag",
        "an unassigned code point",
    ],
)
def test_a_calibration_name_that_is_no_readable_label_is_refused(keyed: TestClient[Litestar], name: str) -> None:
    created = keyed.post("/v1/calibrations", content=b"\n".join(CASES.splitlines()[5:]), headers={**A, **NDJSON})
    renamed = keyed.patch(f"/v1/calibrations/{created.json()['id']}", json={"name": name}, headers=A)
    assert renamed.status_code == 400
    assert renamed.json()["errors"][0]["path"] == "$.name"
    assert "a label needs" in renamed.json()["errors"][0]["message"]
    uploaded = keyed.post("/v1/calibrations", params={"name": name}, content=b"x", headers={**A, **NDJSON})
    assert uploaded.status_code == 400
    assert uploaded.json()["errors"][0]["path"] == "query.name"


@pytest.mark.parametrize(
    "name", ["照片案件\u3000北京", "famous\u00a0work", "family \U0001f468\u200d\U0001f469\u200d\U0001f467"]
)
def test_a_label_in_any_script_with_any_space_is_a_name(keyed: TestClient[Litestar], name: str) -> None:
    created = keyed.post("/v1/calibrations", content=b"\n".join(CASES.splitlines()[5:]), headers={**A, **NDJSON})
    renamed = keyed.patch(f"/v1/calibrations/{created.json()['id']}", json={"name": name}, headers=A)
    assert renamed.status_code == 200, renamed.text
    assert renamed.json()["name"] == name


def test_reading_a_calibration_in_and_cutting_a_batch_happen_off_the_event_loop(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A large calibration's first use and a large batch's decoding take seconds; on the event loop they
    would stall every other request. Both run in worker threads (anyio's), never on the loop's thread."""
    threads: dict[str, str] = {}
    original_index, original_batch = EstimatorService._precedent_index, EstimatorService.score_batch

    def index(self: EstimatorService, *args: Any, **kwargs: Any) -> Any:
        threads.setdefault("index", threading.current_thread().name)
        return original_index(self, *args, **kwargs)

    def batch(self: EstimatorService, *args: Any, **kwargs: Any) -> Any:
        threads.setdefault("batch", threading.current_thread().name)
        return original_batch(self, *args, **kwargs)

    monkeypatch.setattr(EstimatorService, "_precedent_index", index)
    monkeypatch.setattr(EstimatorService, "score_batch", batch)
    with TestClient(keyed_app(tmp_path)) as client:
        made = client.post("/v1/calibrations", content=CASES, headers={**A, **NDJSON}).json()["id"]
        case = {"law_version": "2020", "claimed_economic_loss": 5000, "calibration_id": made}
        assert client.post("/v1/estimates", json=case, headers=A).status_code == 200
        assert client.post("/v1/estimates/batch", json=[case], headers=A).status_code == 200
    assert threads["index"].startswith("AnyIO worker thread"), threads
    assert threads["batch"].startswith("AnyIO worker thread"), threads


def test_a_record_whose_expenses_use_up_its_total_is_stored_and_its_calibration_used(
    keyed: TestClient[Litestar],
) -> None:
    """An estimate's total must leave something for the loss; a decided record need not (its total then
    says nothing of the loss claimed). Such a record, stored before or now, must not break its calibration."""
    odd = {"id": "expenses-only", "law_version": "2020", "claimed_total": 1000, "claimed_expenses": 1000}
    body = CASES + json.dumps({**odd, "awarded_total": 800}).encode() + b"\n"
    made = keyed.post("/v1/calibrations", content=body, headers={**A, **NDJSON})
    assert made.status_code == 201, made.text
    case = {"law_version": "2020", "claimed_economic_loss": 5000, "calibration_id": made.json()["id"]}
    assert keyed.post("/v1/estimates", json=case, headers=A).status_code == 200
    assert keyed.post("/v1/precedents", json={"case": case}, headers=A).status_code == 200
    compare = {"base": case, "variations": [{"name": "famous", "changes": {"fame": "high"}}]}
    assert keyed.post("/v1/estimates/compare", json=compare, headers=A).status_code == 200
    batch = keyed.post(f"/v1/estimates/batch?calibration_id={case['calibration_id']}", json=[odd], headers=A)
    (row,) = batch.json()
    assert row["error"]["errors"][0]["field"] == "[0].claimed_expenses"  # as a case to estimate: refused by name


def test_records_stored_by_an_earlier_version_are_found_again_not_stored_twice(tmp_path: Path) -> None:
    """A calibration stored by an earlier version has another id (once its model's, a model fitted by
    other code); sending the same records again finds it by its records (200), not a second copy."""
    body = b"\n".join(CASES.splitlines()[:30])
    legacy_id = "0123456789abcdef"
    _stored_by_an_earlier_version(tmp_path, body, "first", legacy_id)
    with TestClient(keyed_app(tmp_path)) as client:
        again = client.post("/v1/calibrations", content=body, headers={**A, **NDJSON})
        assert again.status_code == 200, again.text
        assert (again.json()["id"], again.json()["name"]) == (legacy_id, "first")
        listed = client.get("/v1/calibrations", headers=A).json()["calibrations"]
        assert [c["id"] for c in listed] == [legacy_id]
        assert client.post("/v1/calibrations", content=body, headers={**B, **NDJSON}).status_code == 201  # per firm
