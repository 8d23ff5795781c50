"""The calibration store: durable, atomic, thread- and process-safe, and tenant-isolated."""

from __future__ import annotations

import hashlib
import signal
import sqlite3
import subprocess
import sys
import textwrap
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import closing
from pathlib import Path
from typing import Any

import msgspec
import pytest

from api.errors import NotFoundError, StoreUnavailableError
from api.storage import (
    SCHEMA_VERSION,
    CalibrationStore,
    CalibrationSummary,
    PostgresCalibrationStore,
    SQLiteCalibrationStore,
    StoredCalibration,
    open_store,
)
from estimator.errors import InvalidInputError

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
    "a" * 5000,
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
        cls = self.store_class if mixin is None else type(mixin.__name__, (mixin, self.store_class), {})
        return cls(self.where)

    def url(self) -> str | None:
        """What `DATABASE_URL` would be for this database (None: SQLite in the data directory)."""
        return None if self.kind == "sqlite" else self.where


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


def _raw(url: str) -> Any:
    import psycopg

    return psycopg.connect(url, autocommit=True)


def test_postgresql_records_its_schema_version(postgres_url: str) -> None:
    PostgresCalibrationStore(postgres_url).close()
    with _raw(postgres_url) as raw:
        assert raw.execute("SELECT version FROM calibration_schema").fetchall() == [(SCHEMA_VERSION,)]


def test_postgresql_from_a_newer_schema_is_refused(postgres_url: str) -> None:
    PostgresCalibrationStore(postgres_url).close()
    with _raw(postgres_url) as raw:
        raw.execute("UPDATE calibration_schema SET version = %s", (SCHEMA_VERSION + 1,))
    with pytest.raises(RuntimeError, match="newer"):
        PostgresCalibrationStore(postgres_url)


def test_instances_opening_a_new_database_at_once_migrate_it_once(postgres_url: str) -> None:
    instances = 6
    start = threading.Barrier(instances)

    def open_one(_: int) -> None:
        start.wait()
        PostgresCalibrationStore(postgres_url).close()

    with ThreadPoolExecutor(max_workers=instances) as pool:
        list(pool.map(open_one, range(instances)))  # none fails on a table another is creating
    with _raw(postgres_url) as raw:
        assert raw.execute("SELECT version FROM calibration_schema").fetchall() == [(SCHEMA_VERSION,)]


def test_an_unreachable_server_is_unavailable_and_its_password_is_never_shown(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    url = f"postgresql://firm:s3cret-pw@/estimator?host={tmp_path / 'no-server-here'}"
    with pytest.raises(StoreUnavailableError) as raised:
        open_store(str(tmp_path), url)
    assert "s3cret-pw" not in raised.value.message
    assert "cannot be reached" in raised.value.message
    [logged] = [r.getMessage() for r in caplog.records if r.name == "api.storage"]
    assert "no-server-here" in logged  # the operator is told why, in one line
    assert "s3cret-pw" not in logged
    assert "\n" not in logged


def test_a_dropped_connection_is_unavailable_once_then_replaced(postgres_url: str) -> None:
    with PostgresCalibrationStore(postgres_url) as store:
        store.save(calibration(1))
        assert "s3cret" not in repr(store)
        with _raw(postgres_url) as admin:  # as a server restart or a failover would
            admin.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                " WHERE pid <> pg_backend_pid() AND datname = current_database() AND backend_type = 'client backend'"
            )
        with pytest.raises(StoreUnavailableError):
            store.get("firm-a", "sha256-0001")
        assert store.get("firm-a", "sha256-0001") == calibration(1)  # a new connection, without a restart


@pytest.mark.parametrize("url", ["mysql://db/estimator", "sqlite:///", "calibrations.sqlite3"])
def test_open_store_rejects_other_urls(tmp_path: Path, url: str) -> None:
    with pytest.raises(ValueError, match="DATABASE_URL"):
        open_store(str(tmp_path), url)


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
