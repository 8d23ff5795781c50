"""The calibration store: durable, atomic, thread- and process-safe, and tenant-isolated."""

from __future__ import annotations

import contextlib
import hashlib
import signal
import socket
import sqlite3
import subprocess
import sys
import textwrap
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import closing
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, quote, urlencode, urlsplit, urlunsplit

import msgspec
import pytest
from psycopg.conninfo import conninfo_to_dict

from api.app import create_app
from api.errors import NotFoundError, StoreUnavailableError
from api.settings import Settings
from api.storage import (
    _WATCHDOG,
    SCHEMA_VERSION,
    CalibrationStore,
    CalibrationSummary,
    PostgresCalibrationStore,
    SQLiteCalibrationStore,
    StoredCalibration,
    check_database_url,
    open_store,
)
from estimator.errors import InvalidInputError
from tests.postgres import raw, schema_of, with_options

ROOT = Path(__file__).resolve().parents[2]
HOSTILE = [
    "x'; DROP TABLE calibrations;--",
    'Robert"); DROP TABLE calibrations;--',
    "' OR '1'='1",
    "%",
    "_",
    "*",
    "?",
    ":id",
    "$1",
    "\\",
    "../../etc/passwd",
    " leading and trailing ",
    "line\nbreak",
    "著作权/赔偿",
    "🙂" * 50,
    "a" * 255,  # the longest a tenant or id may be (`MAX_KEY_CHARACTERS`)
    "著" * 255,
]


def calibration(
    number: int = 0,
    *,
    tenant: str = "firm-a",
    calibration_id: str | None = None,
    created_at: str | None = None,
    name: str | None = "a calibration",
) -> StoredCalibration:
    records = b'[{"case": %d}]' % number
    return StoredCalibration(
        id=calibration_id if calibration_id is not None else f"sha256-{number:04d}",
        tenant=tenant,
        name=name,
        created_at=created_at if created_at is not None else f"2024-01-01T00:{number // 60:02d}:{number % 60:02d}Z",
        n_records=1,
        model_json=b'{"model": %d, "blob": "%s"}' % (number, b"\xe2\x82\xac" * number),
        diagnostics_json=b'{"aic": %d}' % number,
        records_json=records,
    )


def summary(item: StoredCalibration) -> CalibrationSummary:
    return CalibrationSummary(
        id=item.id, tenant=item.tenant, name=item.name, created_at=item.created_at, n_records=item.n_records
    )


@pytest.fixture
def path(tmp_path: Path) -> Path:
    return tmp_path / "db" / "calibrations.sqlite3"


class Backend:
    """One database of one kind, for a test: `open()` gives a new store (a new connection) on it."""

    def __init__(self, kind: str, where: str) -> None:
        self.kind, self.where = kind, where
        self.store_class: type[SQLiteCalibrationStore | PostgresCalibrationStore] = (
            SQLiteCalibrationStore if kind == "sqlite" else PostgresCalibrationStore
        )

    def open(self, mixin: type | None = None) -> SQLiteCalibrationStore | PostgresCalibrationStore:
        """A store on this database; with `mixin`, one whose methods the mixin overrides."""
        cls = _with(mixin, self.store_class)
        return cls(self.where)

    def url(self) -> str | None:
        """What `DATABASE_URL` would be for this database (None: SQLite in the data directory)."""
        return None if self.kind == "sqlite" else self.where


def _with(mixin: type | None, store_class: type[Any]) -> type[Any]:
    """`store_class`, or with `mixin`, a store whose methods the mixin overrides (its `super()` the store's)."""
    return store_class if mixin is None else type(mixin.__name__, (mixin, store_class), {})


@pytest.fixture(params=["sqlite", "postgres"])
def backend(request: pytest.FixtureRequest, path: Path) -> Backend:
    if request.param == "sqlite":
        return Backend("sqlite", str(path))
    return Backend("postgres", request.getfixturevalue("postgres_url"))


@pytest.fixture
def store(backend: Backend) -> Iterator[CalibrationStore]:
    with backend.open() as opened:
        yield opened


class InjectedCrashError(Exception):
    """Stands for anything that can go wrong between a statement and its commit."""


# -- basic behaviour ------------------------------------------------------------------------------


def test_store_implements_the_protocol_and_creates_its_directory(path: Path, backend: Backend) -> None:
    with backend.open() as store:
        assert isinstance(store, CalibrationStore)
    assert path.is_file() == (backend.kind == "sqlite")


def test_saved_calibration_reads_back_byte_for_byte(store: CalibrationStore) -> None:
    item = calibration(7)
    assert store.save(item) == item
    got = store.get("firm-a", item.id)
    assert got == item
    assert type(got.model_json) is bytes
    assert store.list("firm-a") == [summary(item)]


def test_calibration_without_a_name_round_trips(store: CalibrationStore) -> None:
    item = calibration(1, name=None)
    store.save(item)
    assert store.get("firm-a", item.id).name is None


def test_saving_the_same_id_twice_returns_the_stored_one_unchanged(store: CalibrationStore) -> None:
    first = calibration(1, name="first")
    assert store.add(first) == (first, True)
    again = msgspec.structs.replace(first, name="second", model_json=b"{}", created_at="2030-01-01T00:00:00Z")
    assert store.save(again) == first
    assert store.add(again) == (first, False)  # and says it was there before
    assert store.get("firm-a", first.id) == first
    assert store.list("firm-a") == [summary(first)]


def test_same_id_under_two_tenants_are_two_calibrations(store: CalibrationStore) -> None:
    mine = calibration(1, tenant="firm-a", name="mine")
    theirs = calibration(1, tenant="firm-b", name="theirs")
    store.save(mine)
    assert store.save(theirs) == theirs
    assert store.get("firm-a", mine.id).name == "mine"
    assert store.get("firm-b", mine.id).name == "theirs"


def test_list_is_newest_first_and_pages_with_limit_and_offset(store: CalibrationStore) -> None:
    items = [calibration(n) for n in (3, 0, 4, 1, 2)]  # saved out of time order on purpose
    for item in items:
        store.save(item)
    newest_first = [f"sha256-{n:04d}" for n in (4, 3, 2, 1, 0)]
    assert [s.id for s in store.list("firm-a")] == newest_first
    assert [s.id for s in store.list("firm-a", limit=2)] == newest_first[:2]
    assert [s.id for s in store.list("firm-a", limit=2, offset=2)] == newest_first[2:4]
    assert [s.id for s in store.list("firm-a", limit=2, offset=4)] == newest_first[4:]
    assert store.list("firm-a", offset=5) == []
    assert store.list("nobody") == []


def test_list_orders_by_instant_not_by_text_and_ties_by_save_order(store: CalibrationStore) -> None:
    # As text, "…00.5Z" sorts before "…00Z" and "+08:00" hides that 08:00 local is midnight UTC.
    stamps = {
        "earliest": "2024-01-01T07:59:00+08:00",
        "middle": "2024-01-01T00:00:00Z",
        "tie-saved-later": "2024-01-01T00:00:00+00:00",
        "latest": "2024-01-01T00:00:00.500000Z",
    }
    for name, stamp in stamps.items():
        store.save(calibration(0, calibration_id=name, created_at=stamp))
    assert [s.id for s in store.list("firm-a")] == ["latest", "tie-saved-later", "middle", "earliest"]
    assert store.get("firm-a", "middle").created_at == "2024-01-01T00:00:00Z"  # stored as given


# -- tenant isolation -----------------------------------------------------------------------------


def test_list_shows_only_the_callers_calibrations(store: CalibrationStore) -> None:
    store.save(calibration(1, tenant="firm-a"))
    store.save(calibration(2, tenant="firm-b"))
    store.save(calibration(3, tenant="public"))
    assert [s.id for s in store.list("firm-a")] == ["sha256-0001"]
    assert [s.id for s in store.list("firm-b")] == ["sha256-0002"]
    assert all(s.tenant == "public" for s in store.list("public"))


def test_another_tenants_calibration_is_not_found_exactly_like_a_missing_one(store: CalibrationStore) -> None:
    item = calibration(1, tenant="firm-a")
    store.save(item)
    with pytest.raises(NotFoundError) as missing:
        store.get("firm-b", "no-such-id")
    with pytest.raises(NotFoundError) as foreign:
        store.get("firm-b", item.id)
    with pytest.raises(NotFoundError) as foreign_delete:
        store.delete("firm-b", item.id)
    assert foreign.value.field == missing.value.field == foreign_delete.value.field == "calibration_id"
    # The same text as for an id that never existed, with only the caller's own input in it.
    assert foreign.value.message == missing.value.message.replace("no-such-id", item.id)
    assert foreign_delete.value.message == foreign.value.message
    assert "firm-a" not in foreign.value.message
    assert store.get("firm-a", item.id) == item  # the failed delete did not touch it


def test_rename_changes_the_name_only_and_only_for_the_owner(store: CalibrationStore) -> None:
    item = calibration(1, tenant="firm-a")
    store.save(item)
    assert store.rename("firm-a", item.id, "new name") == msgspec.structs.replace(item, name="new name")
    assert store.get("firm-a", item.id) == msgspec.structs.replace(item, name="new name")
    assert store.rename("firm-a", item.id, None).name is None
    with pytest.raises(NotFoundError) as foreign:
        store.rename("firm-b", item.id, "taken")
    with pytest.raises(NotFoundError) as missing:
        store.rename("firm-a", "no-such-id", "x")
    assert foreign.value.message == missing.value.message.replace("no-such-id", item.id)
    with pytest.raises(InvalidInputError) as bad:
        store.rename("firm-a", item.id, 7)  # type: ignore[arg-type]  # what an untyped caller might pass
    assert bad.value.field == "name"
    assert store.get("firm-a", item.id).name is None  # neither refused rename touched it


def test_deleted_calibration_is_not_found_and_cannot_be_deleted_again(store: CalibrationStore) -> None:
    keep, drop = calibration(1), calibration(2)
    store.save(keep)
    store.save(drop)
    store.delete("firm-a", drop.id)
    with pytest.raises(NotFoundError):
        store.get("firm-a", drop.id)
    with pytest.raises(NotFoundError):
        store.delete("firm-a", drop.id)
    assert store.list("firm-a") == [summary(keep)]


def test_deleted_id_can_be_saved_again(store: CalibrationStore) -> None:
    item = calibration(1)
    store.save(item)
    store.delete("firm-a", item.id)
    assert store.save(item) == item
    assert store.get("firm-a", item.id) == item


@pytest.mark.parametrize("hostile", HOSTILE)
def test_hostile_ids_and_tenants_are_stored_and_retrieved_verbatim(store: CalibrationStore, hostile: str) -> None:
    bystander = calibration(1, tenant="victim")
    store.save(bystander)
    item = calibration(2, tenant=hostile, calibration_id=hostile, name=hostile)
    assert store.save(item) == item
    assert store.get(hostile, hostile) == item
    assert store.list(hostile) == [summary(item)]
    # Neither a SQL fragment nor a wildcard in the tenant reaches anybody else's rows.
    with pytest.raises(NotFoundError):
        store.get(hostile, bystander.id)
    with pytest.raises(NotFoundError):
        store.get("victim", hostile)
    assert store.list("victim") == [summary(bystander)]
    store.delete(hostile, hostile)
    assert store.list(hostile) == []
    assert store.get("victim", bystander.id) == bystander  # the table is still there


# -- durability and atomicity ---------------------------------------------------------------------


def test_reopening_the_database_keeps_everything(backend: Backend) -> None:
    items = [calibration(n, tenant=tenant) for n in range(5) for tenant in ("firm-a", "firm-b")]
    with backend.open() as first:
        for item in items:
            first.save(item)
        first.delete("firm-b", "sha256-0003")
    with backend.open() as second:
        for item in items:
            if (item.tenant, item.id) == ("firm-b", "sha256-0003"):
                with pytest.raises(NotFoundError):
                    second.get(item.tenant, item.id)
            else:
                assert second.get(item.tenant, item.id) == item
        assert len(second.list("firm-a")) == 5
        assert len(second.list("firm-b")) == 4


def test_two_stores_on_one_database_see_each_others_writes(backend: Backend) -> None:
    # Two connections stand for two API worker processes (or instances) sharing the database.
    with backend.open() as one, backend.open() as two:
        one.save(calibration(1))
        assert two.get("firm-a", "sha256-0001") == calibration(1)
        two.delete("firm-a", "sha256-0001")
        with pytest.raises(NotFoundError):
            one.get("firm-a", "sha256-0001")


def test_file_uses_wal_journal_and_records_its_schema_version(path: Path) -> None:
    SQLiteCalibrationStore(path).close()
    with closing(sqlite3.connect(path)) as raw:
        assert raw.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert raw.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION >= 1


def test_file_from_a_newer_schema_is_refused(path: Path) -> None:
    SQLiteCalibrationStore(path).close()
    with closing(sqlite3.connect(path)) as raw:
        raw.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    with pytest.raises(RuntimeError, match="newer"):
        SQLiteCalibrationStore(path)


class _FailsAfterInsert:
    """Mixed into either store (`Backend.open`): its `super()` is that store's."""

    def _insert(self, connection: Any, item: StoredCalibration, created_at_us: int) -> bool:
        super()._insert(connection, item, created_at_us)
        # The row really is written, inside the open transaction, when the failure strikes.
        count = self._execute(connection, "SELECT count(*) FROM calibrations WHERE id = ?", (item.id,)).fetchone()[0]
        assert count == 1
        raise InjectedCrashError


class _FailsAfterDelete:
    def _delete_row(self, connection: Any, tenant: str, calibration_id: str) -> bool:
        assert super()._delete_row(connection, tenant, calibration_id)
        raise InjectedCrashError


def test_failure_between_insert_and_commit_leaves_the_store_as_before(backend: Backend) -> None:
    before, lost = calibration(1), calibration(2)
    with backend.open() as healthy:
        healthy.save(before)
    with backend.open(_FailsAfterInsert) as failing, backend.open() as other:
        with pytest.raises(InjectedCrashError):
            failing.save(lost)
        for reader in (failing, other):
            with pytest.raises(NotFoundError):
                reader.get("firm-a", lost.id)
            assert reader.list("firm-a") == [summary(before)]
        # The failed save released the write lock: another connection can write straight away.
        assert other.save(lost) == lost


def test_failure_between_delete_and_commit_keeps_the_calibration(backend: Backend) -> None:
    item = calibration(1)
    with backend.open(_FailsAfterDelete) as failing:
        failing.save(item)
        with pytest.raises(InjectedCrashError):
            failing.delete("firm-a", item.id)
        assert failing.get("firm-a", item.id) == item
    with backend.open() as reopened:
        assert reopened.get("firm-a", item.id) == item
        reopened.delete("firm-a", item.id)


_WRITER = textwrap.dedent(
    """
    import hashlib, os, sys
    from api.storage import StoredCalibration, open_store

    store = open_store(sys.argv[1], sys.argv[2] or None)
    number = 0
    while True:
        model = os.urandom(50_000 + number % 7 * 9_000)
        diagnostics = os.urandom(500 + number)
        records = os.urandom(150_000 + number % 5 * 20_000)
        digest = hashlib.sha256(model + diagnostics + records).hexdigest()
        store.save(StoredCalibration(
            id=f"cal-{number}", tenant="firm-a",
            name=f"{len(model)}:{len(diagnostics)}:{len(records)}:{digest}",
            created_at="2024-01-01T00:00:00Z", n_records=len(records),
            model_json=model, diagnostics_json=diagnostics, records_json=records,
        ))
        print(number, flush=True)
        number += 1
    """
)


def test_writer_killed_mid_write_leaves_a_sound_database_of_whole_calibrations(backend: Backend, path: Path) -> None:
    backend.open().close()
    command = [sys.executable, "-c", _WRITER, str(path.parent), backend.url() or ""]
    with subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) as writer:
        assert writer.stdout is not None
        confirmed = -1
        while confirmed < 15:  # kill while it is busy writing, well past the first saves
            line = writer.stdout.readline()
            assert line, f"writer died on its own: {writer.stderr.read() if writer.stderr else ''}"
            confirmed = int(line)
        writer.send_signal(signal.SIGKILL)
        writer.wait()
    assert writer.returncode == -signal.SIGKILL

    if backend.kind == "sqlite":
        with closing(sqlite3.connect(path)) as raw:
            assert raw.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
    with backend.open() as reopened:
        listed = reopened.list("firm-a", limit=1000)
        assert len(listed) >= confirmed + 1  # every save the writer saw return is there
        for entry in listed:
            item = reopened.get("firm-a", entry.id)
            model_len, diagnostics_len, records_len, digest = (item.name or "").split(":")
            assert len(item.model_json) == int(model_len)
            assert len(item.diagnostics_json) == int(diagnostics_len)
            assert len(item.records_json) == int(records_len) == item.n_records
            assert hashlib.sha256(item.model_json + item.diagnostics_json + item.records_json).hexdigest() == digest
        assert reopened.save(calibration(1)) == calibration(1)  # and it still takes writes


# -- threads --------------------------------------------------------------------------------------


def test_concurrent_saves_from_eight_threads_all_land(store: CalibrationStore) -> None:
    threads, per_thread = 8, 25
    start = threading.Barrier(threads)

    def work(thread: int) -> None:
        start.wait()
        for n in range(per_thread):
            item = calibration(thread * per_thread + n, tenant=f"firm-{thread % 2}")
            assert store.save(item) == item
            assert store.get(item.tenant, item.id) == item
            store.list(item.tenant, limit=5)

    with ThreadPoolExecutor(max_workers=threads) as pool:
        for future in [pool.submit(work, t) for t in range(threads)]:
            future.result()
    listed = store.list("firm-0", limit=1000) + store.list("firm-1", limit=1000)
    assert len(listed) == threads * per_thread
    assert len({(s.tenant, s.id) for s in listed}) == threads * per_thread


# -- arguments ------------------------------------------------------------------------------------

Call = Callable[[CalibrationStore], object]


@pytest.mark.parametrize(
    ("call", "field"),
    [
        pytest.param(lambda s: s.get("", "x"), "tenant", id="get: empty tenant"),
        pytest.param(lambda s: s.get("   ", "x"), "tenant", id="get: blank tenant"),
        pytest.param(lambda s: s.get("firm-a", ""), "calibration_id", id="get: empty id"),
        pytest.param(lambda s: s.get("firm-a", "a\x00b"), "calibration_id", id="get: NUL in id"),
        pytest.param(lambda s: s.get("firm-a", "a" * 256), "calibration_id", id="get: id too long"),
        pytest.param(lambda s: s.save(calibration(tenant="t" * 256)), "tenant", id="save: tenant too long"),
        pytest.param(
            lambda s: s.save(calibration(created_at="2024-01-01T00:00:00Z\x00")), "created_at", id="save: NUL"
        ),
        pytest.param(lambda s: s.rename("firm-a", "x", "a\x00b"), "name", id="rename: NUL in name"),
        pytest.param(lambda s: s.delete("", "x"), "tenant", id="delete: empty tenant"),
        pytest.param(lambda s: s.delete("firm-a", ""), "calibration_id", id="delete: empty id"),
        pytest.param(lambda s: s.list(""), "tenant", id="list: empty tenant"),
        pytest.param(lambda s: s.list("firm-a", limit=0), "limit", id="list: limit 0"),
        pytest.param(lambda s: s.list("firm-a", limit=1001), "limit", id="list: limit 1001"),
        pytest.param(lambda s: s.list("firm-a", limit=-5), "limit", id="list: negative limit"),
        pytest.param(lambda s: s.list("firm-a", offset=-1), "offset", id="list: negative offset"),
        pytest.param(lambda s: s.save(calibration(tenant="")), "tenant", id="save: empty tenant"),
        pytest.param(lambda s: s.save(calibration(calibration_id="")), "id", id="save: empty id"),
        pytest.param(lambda s: s.save(calibration(created_at="yesterday")), "created_at", id="save: not a time"),
        pytest.param(
            lambda s: s.save(calibration(created_at="2024-01-01T00:00:00")), "created_at", id="save: no offset"
        ),
        pytest.param(
            lambda s: s.save(msgspec.structs.replace(calibration(), n_records=-1)), "n_records", id="save: n_records"
        ),
        pytest.param(
            lambda s: s.save(msgspec.structs.replace(calibration(), n_records=2**63)), "n_records", id="save: 2**63"
        ),
    ],
)
def test_bad_arguments_raise_invalid_input_naming_the_field(store: CalibrationStore, call: Call, field: str) -> None:
    store.save(calibration(tenant="firm-a", calibration_id="x"))
    with pytest.raises(InvalidInputError) as raised:
        call(store)
    assert raised.value.field == field
    assert [s.id for s in store.list("firm-a")] == ["x"]  # nothing was written or removed


def test_limit_bounds_are_inclusive(store: CalibrationStore) -> None:
    store.save(calibration(1))
    assert len(store.list("firm-a", limit=1)) == len(store.list("firm-a", limit=1000)) == 1


def test_arguments_are_checked_before_the_database(store: CalibrationStore) -> None:
    store.close()
    with pytest.raises(InvalidInputError):
        store.get("", "missing")
    with pytest.raises(RuntimeError, match="closed"):
        store.get("firm-a", "missing")
    store.close()  # closing twice is harmless


# -- open_store -----------------------------------------------------------------------------------


def test_open_store_without_url_uses_sqlite_in_the_data_dir(tmp_path: Path) -> None:
    data_dir = tmp_path / "nested" / "data"
    store = open_store(str(data_dir), None)
    try:
        assert isinstance(store, SQLiteCalibrationStore)
        store.save(calibration(1))
    finally:
        store.close()
    assert (data_dir / "calibrations.sqlite3").is_file()


def test_open_store_with_absolute_sqlite_url_uses_that_file(tmp_path: Path) -> None:
    target = tmp_path / "elsewhere" / "db.sqlite3"
    store = open_store(str(tmp_path / "unused"), f"sqlite:///{target}")
    store.close()
    assert target.is_file()
    assert not (tmp_path / "unused").exists()


def test_open_store_with_relative_sqlite_url_is_relative_to_the_working_dir(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    open_store("unused", "sqlite:///rel/db.sqlite3").close()
    assert (tmp_path / "rel" / "db.sqlite3").is_file()


@pytest.mark.parametrize("scheme", ["postgresql://", "postgres://", "postgresql+psycopg://"])
def test_open_store_with_a_postgresql_url_uses_that_database(tmp_path: Path, postgres_url: str, scheme: str) -> None:
    url = scheme + postgres_url.split("://", 1)[1]
    with closing(open_store(str(tmp_path), url)) as store, PostgresCalibrationStore(postgres_url) as other:
        assert isinstance(store, PostgresCalibrationStore)
        store.save(calibration(1))
        assert other.get("firm-a", "sha256-0001") == calibration(1)
    assert list(tmp_path.iterdir()) == []  # nothing written beside it


# -- PostgreSQL -----------------------------------------------------------------------------------


def _opened(url: str, mixin: type | None = None, **options: Any) -> PostgresCalibrationStore:
    """A PostgreSQL store on `url` that has connected (a store connects on its first call)."""
    cls = _with(mixin, PostgresCalibrationStore)
    store = cls(url, **options)
    store.list("firm-a")
    return store


def test_postgresql_records_its_schema_version(postgres_url: str) -> None:
    _opened(postgres_url).close()
    with raw(postgres_url) as admin:
        assert admin.execute("SELECT version FROM calibration_schema").fetchall() == [(SCHEMA_VERSION,)]


def test_postgresql_from_a_newer_schema_is_refused(postgres_url: str, caplog: pytest.LogCaptureFixture) -> None:
    _opened(postgres_url).close()
    with raw(postgres_url) as admin:
        admin.execute("UPDATE calibration_schema SET version = %s", (SCHEMA_VERSION + 1,))
    with PostgresCalibrationStore(postgres_url, retry_after_s=0.0) as store:
        for _ in range(2):  # alike each time: unavailable to the client, the reason in the log
            with pytest.raises(StoreUnavailableError):
                store.list("firm-a")
    logged = [r.getMessage() for r in caplog.records if r.name == "api.storage"]
    assert len(logged) == 2
    assert all("newer than this code's" in line for line in logged)


def test_instances_opening_a_new_database_at_once_migrate_it_once(postgres_url: str) -> None:
    instances = 6
    start = threading.Barrier(instances)

    def open_one(_: int) -> None:
        start.wait()
        _opened(postgres_url).close()

    with ThreadPoolExecutor(max_workers=instances) as pool:
        list(pool.map(open_one, range(instances)))  # none fails on a table another is creating
    with raw(postgres_url) as admin:
        assert admin.execute("SELECT version FROM calibration_schema").fetchall() == [(SCHEMA_VERSION,)]


def test_an_unreachable_server_is_unavailable_and_its_password_is_never_shown(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    url = f"postgresql://firm:s3cret-pw@/estimator?host={tmp_path / 'no-server-here'}"
    store = open_store(str(tmp_path), url)  # nothing is connected before the first call
    with pytest.raises(StoreUnavailableError) as raised:
        store.list("firm-a")
    assert raised.value.message == "the calibration database is unavailable; try again shortly"
    [logged] = [r.getMessage() for r in caplog.records if r.name == "api.storage"]
    assert "no-server-here" in logged  # the operator is told where and why, in one line
    assert "s3cret-pw" not in logged + repr(store)
    assert "\n" not in logged


@pytest.mark.parametrize(
    "url",
    [
        "postgresql://app:Xy3/Z9s3cret@127.0.0.1:5432/estimator",  # a `/` in the password
        "postgresql://app:p@Z9s3cret@127.0.0.1/estimator",  # an `@`
        "postgresql://app:Z9s3cret%zz@127.0.0.1/estimator",  # a `%` not encoding anything
        "postgresql://app:Z9s3cret@[::1/estimator",  # libpq's error would quote it all
        "postgresql://app:1234/Z9s3cret?sslmode=x@127.0.0.1/estimator",  # the tail would become an option
        "postgresql+psycopg",  # no `://` at all
    ],
)
def test_a_url_libpq_would_misread_is_refused_without_quoting_it(tmp_path: Path, url: str) -> None:
    with pytest.raises(ValueError, match="percent-encode") as raised:
        open_store(str(tmp_path), url)
    assert "Z9s3cret" not in str(raised.value)
    with pytest.raises(ValueError, match="percent-encode") as at_start:
        create_app(Settings(data_dir=str(tmp_path), database_url=url))
    assert "Z9s3cret" not in str(at_start.value)


def test_after_a_failed_connection_calls_fail_at_once_for_a_while(monkeypatch: pytest.MonkeyPatch) -> None:
    import psycopg

    attempts: list[str] = []

    def refused(*_: object, **__: object) -> None:
        attempts.append("connect")
        raise psycopg.OperationalError("connection refused")

    monkeypatch.setattr(psycopg, "connect", refused)
    for retry_after_s, expected in ((60.0, 1), (0.0, 4)):
        attempts.clear()
        with PostgresCalibrationStore("postgresql://app@db.invalid/estimator", retry_after_s=retry_after_s) as store:
            for _ in range(4):  # as queued requests: they do not each wait out a connect timeout
                with pytest.raises(StoreUnavailableError):
                    store.get("firm-a", "x")
        assert len(attempts) == expected


def _backends(url: str) -> str:
    # The store's connections, and no one else's (this admin connection bears the same name).
    return f"application_name = '{schema_of(url)}' AND pid <> pg_backend_pid()"


def test_a_connection_dropped_while_idle_is_replaced_before_use(postgres_url: str) -> None:
    with _opened(postgres_url, idle_check_s=0.0) as store:  # checked before every call
        store.save(calibration(1))
        _drop(postgres_url)
        assert store.rename("firm-a", "sha256-0001", "x").name == "x"  # even a write: connected again first


def _drop(url: str) -> None:
    with raw(url) as admin:  # as a server restart or a failover would, the store none the wiser
        admin.execute(f"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE {_backends(url)}")


def test_a_read_on_a_connection_dropped_unseen_is_sent_again(postgres_url: str) -> None:
    with _opened(postgres_url, idle_check_s=3600.0) as store:  # never checked: the drop is found by using it
        store.save(calibration(1))
        for read in (
            lambda: store.get("firm-a", "sha256-0001") == calibration(1),
            lambda: store.exists("firm-a", "sha256-0001"),
            lambda: store.list("firm-a") == [summary(calibration(1))],
            lambda: store.find_records("firm-a", calibration(1).records_json) == calibration(1),
        ):
            _drop(postgres_url)
            assert read()  # no 503: sent again on a new connection


def test_a_write_on_a_connection_dropped_unseen_is_unavailable_once(postgres_url: str) -> None:
    with _opened(postgres_url, idle_check_s=3600.0) as store:
        store.save(calibration(1))
        _drop(postgres_url)
        with pytest.raises(StoreUnavailableError):  # whether it committed is unknown: not repeated
            store.rename("firm-a", "sha256-0001", "renamed")
        assert store.rename("firm-a", "sha256-0001", "renamed").name == "renamed"  # connected again


class _Proxy:
    """TCP on loopback in front of the test server, which stops passing anything on when frozen."""

    def __init__(self, base_url: str) -> None:
        parts = conninfo_to_dict(base_url)
        host, port = str(parts.get("host") or "localhost"), int(parts.get("port") or 5432)
        self.upstream = (
            (socket.AF_UNIX, f"{host}/.s.PGSQL.{port}") if host.startswith("/") else (socket.AF_INET, (host, port))
        )
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.frozen = threading.Event()
        self.sockets: list[socket.socket] = [self.listener]
        threading.Thread(target=self._accept, daemon=True).start()

    def close(self) -> None:
        for sock in self.sockets:
            sock.close()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            server = socket.socket(self.upstream[0])
            self.sockets += [client, server]
            server.connect(self.upstream[1])
            for source, sink in ((client, server), (server, client)):
                threading.Thread(target=self._pump, args=(source, sink), daemon=True).start()

    def _pump(self, source: socket.socket, sink: socket.socket) -> None:
        with contextlib.suppress(OSError):
            while data := source.recv(65536):
                while self.frozen.is_set():
                    time.sleep(0.02)
                sink.sendall(data)

    def url(self, postgres_url: str) -> str:
        parts = urlsplit(postgres_url)
        query = {k: v[0] for k, v in parse_qs(parts.query).items() if k != "host"}
        netloc = f"{parts.username or ''}@127.0.0.1:{self.port}"
        return urlunsplit(parts._replace(netloc=netloc, query=urlencode(query, quote_via=quote)))


def test_a_server_that_stops_answering_is_cut_off_not_waited_for(
    postgres_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    proxy = _Proxy(postgres_url)
    with _opened(proxy.url(postgres_url), deadline_s=1.0, retry_after_s=0.0, idle_check_s=3600.0) as store:
        store.save(calibration(1))
        proxy.frozen.set()  # the network or the server hangs, with the connection open
        with pytest.raises(StoreUnavailableError):
            store.get("firm-a", "sha256-0001")  # cut after the deadline rather than waiting for ever
        # Cut for taking too long, the read is not sent again (as one whose connection was dropped is):
        # that would wait out a connect timeout and perhaps another deadline.
        assert len([r for r in caplog.records if r.name == "api.storage"]) == 1
        proxy.frozen.clear()
        assert store.get("firm-a", "sha256-0001") == calibration(1)
    proxy.close()


class _DeletedMeanwhile:
    """Another instance deletes the row between this store's insert (which found it) and its read."""

    url = ""

    def _insert(self, connection: Any, item: StoredCalibration, created_at_us: int) -> bool:
        added = super()._insert(connection, item, created_at_us)
        if not added and self.url:
            with raw(self.url) as other:
                other.execute("DELETE FROM calibrations WHERE tenant = %s AND id = %s", (item.tenant, item.id))
            self.url = ""  # once
        return added


def test_saving_while_another_instance_deletes_the_same_calibration_stores_it(postgres_url: str) -> None:
    item = calibration(1)
    with _opened(postgres_url, _DeletedMeanwhile) as store:
        store.save(item)
        store.url = postgres_url
        assert store.add(item) == (item, True)  # stored again, not an assertion error
        assert store.get("firm-a", item.id) == item


def test_a_role_with_rights_on_the_rows_alone_uses_a_current_database(postgres_url: str) -> None:
    schema = schema_of(postgres_url)
    role = f"app_{schema}"
    _opened(postgres_url).close()  # created and migrated by its owner
    with raw(postgres_url) as admin:
        admin.execute(f"CREATE ROLE {role} LOGIN")
        admin.execute(f"GRANT USAGE ON SCHEMA {schema} TO {role}")
        admin.execute(f"GRANT SELECT, INSERT, UPDATE, DELETE ON calibrations, calibration_schema TO {role}")
    as_app = postgres_url.replace("postgresql://postgres:", f"postgresql://{role}:", 1)
    try:
        with _opened(as_app) as store:
            assert store.save(calibration(1)) == calibration(1)
            store.delete("firm-a", "sha256-0001")
        with raw(postgres_url) as admin:
            admin.execute(f"REVOKE ALL ON calibrations, calibration_schema FROM {role}")
        with PostgresCalibrationStore(as_app) as store, pytest.raises(StoreUnavailableError):
            store.list("firm-a")  # a role without the rights it needs: unavailable, said in the log
    finally:
        with raw(postgres_url) as admin:
            admin.execute(f"DROP OWNED BY {role}")
            admin.execute(f"DROP ROLE {role}")


def test_a_schema_that_does_not_exist_is_said_in_the_log(postgres_url: str, caplog: pytest.LogCaptureFixture) -> None:
    missing = with_options(postgres_url, "-csearch_path=no_such_schema")  # the later setting wins
    with PostgresCalibrationStore(missing) as store, pytest.raises(StoreUnavailableError):
        store.list("firm-a")
    [logged] = [r.getMessage() for r in caplog.records if r.name == "api.storage"]
    assert "CREATE SCHEMA" in logged


def test_a_read_only_server_is_unavailable_for_writes_and_serves_reads(postgres_url: str) -> None:
    with _opened(postgres_url) as store:
        store.save(calibration(1))
    standby = with_options(postgres_url, "-cdefault_transaction_read_only=on")  # as a standby answers
    with PostgresCalibrationStore(standby) as store:
        assert store.get("firm-a", "sha256-0001") == calibration(1)
        with pytest.raises(StoreUnavailableError):
            store.save(calibration(2))
        with pytest.raises(StoreUnavailableError):
            store.delete("firm-a", "sha256-0001")
        assert store.get("firm-a", "sha256-0001") == calibration(1)


def test_a_database_that_is_not_utf8_is_refused(postgres_server: str, caplog: pytest.LogCaptureFixture) -> None:
    name = f"ascii_{uuid.uuid4().hex[:12]}"
    with raw(postgres_server) as admin:
        admin.execute(f"CREATE DATABASE {name} ENCODING 'SQL_ASCII' LC_COLLATE 'C' LC_CTYPE 'C' TEMPLATE template0")
    url = urlunsplit(urlsplit(postgres_server)._replace(path=f"/{name}"))
    try:
        with PostgresCalibrationStore(url) as store, pytest.raises(StoreUnavailableError):
            store.save(calibration(1, name="著作权"))
        assert any("SQL_ASCII" in r.getMessage() for r in caplog.records if r.name == "api.storage")
    finally:
        with raw(postgres_server) as admin:
            admin.execute(f"DROP DATABASE {name} WITH (FORCE)")


@pytest.mark.parametrize(
    "url",
    [
        "postgresql:///estimator?host=/var/run/postgresql",
        "postgresql://app:pw@[::1]:5432/estimator",
        "postgresql://app:pw@h1,h2:5433/estimator",  # a host without a port takes the default
        "postgresql://app:pw%2F%40@h1:5432,h2/estimator",
        "postgresql://srv.example.azure.com/estimator?user=me@srv&sslmode=require",  # `@` in an option's value
        "postgresql:///estimator?host=/var/run/postgresql&user=svc@corp",
    ],
)
def test_urls_libpq_reads_as_written_are_accepted(url: str) -> None:
    check_database_url(url)


@pytest.mark.parametrize(
    "url", ["mysql://db/estimator", "sqlite:///", "calibrations.sqlite3", "admin:Z9s3cret@db/x", "password=Z9s3cret"]
)
def test_open_store_rejects_other_urls_quoting_no_secret(tmp_path: Path, url: str) -> None:
    with pytest.raises(ValueError, match="DATABASE_URL") as raised:
        open_store(str(tmp_path), url)
    assert "Z9s3cret" not in str(raised.value)


class _Connection:
    """As much of a psycopg connection as the watchdog touches: a socket, and `close`."""

    def __init__(self) -> None:
        self.ours, self.theirs = socket.socketpair()
        self.pgconn = self
        self.socket = self.ours.fileno()
        self.closed = False

    def close(self) -> None:
        self.closed = True


@pytest.mark.parametrize(("takes_s", "cut"), [(0.0, False), (0.5, True)])
def test_the_watchdog_cuts_a_call_past_its_deadline_and_only_that_call(takes_s: float, cut: bool) -> None:
    connection = _Connection()
    with _WATCHDOG.watching(connection, 0.1):
        time.sleep(takes_s)  # a server that does not answer, or one that does
    # Cut: its socket is shut (a blocked read would end) and the connection is closed on the way out,
    # so the next call connects again instead of meeting a dead socket, even had the call finished.
    assert connection.closed is cut
    connection.theirs.settimeout(0.01)
    if cut:
        assert connection.theirs.recv(1) == b""
    else:
        with pytest.raises(TimeoutError):
            connection.theirs.recv(1)
    connection.ours.close()
    connection.theirs.close()


def test_a_calibration_is_found_by_its_records_within_its_tenant(store: CalibrationStore) -> None:
    first = calibration(1, created_at="2024-01-01T00:00:00+00:00")
    later = calibration(1, calibration_id="other-id", created_at="2025-01-01T00:00:00+00:00")
    theirs = calibration(1, tenant="firm-b")
    for item in (later, first, theirs):
        store.save(item)
    assert store.find_records("firm-a", first.records_json) == first  # the oldest of two
    assert store.find_records("firm-b", first.records_json) == theirs
    assert store.find_records("firm-a", calibration(2).records_json) is None
    assert store.find_records("firm-c", first.records_json) is None
