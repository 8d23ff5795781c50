"""Persistent, tenant-isolated storage of calibrations (fitted model, diagnostics and source records).

`CalibrationStore` is the interface the API depends on; `SQLiteCalibrationStore` implements it with
the standard library's `sqlite3`, and `open_store` picks the implementation from the settings. A
PostgreSQL implementation (for `DATABASE_URL=postgresql://...`) can follow behind the same Protocol.

Guarantees:

- Every query filters by tenant, and another tenant's calibration is indistinguishable from a
  missing one (same `NotFoundError`, same message), so ids never leak across firms.
- Each `save`, `rename` and `delete` is one transaction: a crash at any point leaves either the whole
  calibration or none of it. The file uses WAL journaling with `synchronous=FULL`, so a committed
  calibration also survives power loss, and several processes (API workers) may share the file.
- Only parameterised SQL: ids and tenants are client-controlled strings and are never spliced in.

Schema evolution: the schema version is SQLite's `PRAGMA user_version` (0 for a new file).
`_MIGRATIONS[i]` takes a database from version `i` to `i + 1`; opening a store applies, in one
transaction, every migration the file has not had yet. The rule: never edit or reorder a released
migration, only append a new one (which bumps `SCHEMA_VERSION`). A file whose version is newer than
this code knows is refused rather than guessed at, since an older worker could corrupt it.
"""

from __future__ import annotations

import builtins
import os
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Protocol, runtime_checkable

import msgspec

from api.errors import NotFoundError
from estimator.errors import InvalidInputError

__all__ = [
    "DEFAULT_LIST_LIMIT",
    "MAX_LIST_LIMIT",
    "SCHEMA_VERSION",
    "SQLITE_FILENAME",
    "CalibrationStore",
    "CalibrationSummary",
    "SQLiteCalibrationStore",
    "StoredCalibration",
    "open_store",
]

SQLITE_FILENAME = "calibrations.sqlite3"
DEFAULT_LIST_LIMIT = 100
MAX_LIST_LIMIT = 1000
# How long a writer waits for another process's write transaction before giving up. Writes are
# single small transactions (the largest is an upload of case records), so seconds are plenty.
BUSY_TIMEOUT_MS = 10_000

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICROSECOND = timedelta(microseconds=1)


class StoredCalibration(msgspec.Struct, frozen=True, kw_only=True):
    """A calibration as persisted: the store treats the three JSON payloads as opaque bytes."""

    id: str  # content hash of the model and its records, given by the caller
    tenant: str  # owner; "public" for the bundled default
    name: str | None
    created_at: str  # ISO 8601 UTC, set by the caller
    n_records: int
    model_json: bytes
    diagnostics_json: bytes
    records_json: bytes  # the uploaded records (JSON array), kept to show precedents


class CalibrationSummary(msgspec.Struct, frozen=True, kw_only=True):
    """A calibration without its payloads, for listings."""

    id: str
    tenant: str
    name: str | None
    created_at: str
    n_records: int


@runtime_checkable
class CalibrationStore(Protocol):
    """Where calibrations live; every method is scoped to one tenant."""

    def save(self, item: StoredCalibration) -> StoredCalibration:
        """Store `item`; if `(item.tenant, item.id)` exists already, return the stored one unchanged."""
        ...

    def add(self, item: StoredCalibration) -> tuple[StoredCalibration, bool]:
        """As `save`, and whether `item` was stored now (False: the stored one was there before)."""
        ...

    def find_records(self, tenant: str, records_json: bytes) -> StoredCalibration | None:
        """The tenant's calibration fitted from exactly these records (the oldest, if several), or None."""
        ...

    def get(self, tenant: str, calibration_id: str) -> StoredCalibration:
        """The tenant's calibration; `NotFoundError` if missing or owned by another tenant."""
        ...

    # `builtins.list`: inside this class body, `list` names the method below.
    def list(
        self, tenant: str, *, limit: int = DEFAULT_LIST_LIMIT, offset: int = 0
    ) -> builtins.list[CalibrationSummary]:
        """The tenant's calibrations, newest first."""
        ...

    def rename(self, tenant: str, calibration_id: str, name: str | None) -> StoredCalibration:
        """Set (or, with None, clear) the name of the tenant's calibration, and return it.

        `NotFoundError` if missing or owned by another tenant. Nothing else about it changes.
        """
        ...

    def delete(self, tenant: str, calibration_id: str) -> None:
        """Remove the tenant's calibration; `NotFoundError` if missing or owned by another tenant."""
        ...

    def close(self) -> None:
        """Release the connection(s); further use raises."""
        ...


# Each entry is a list of statements, executed one by one inside the migration transaction
# (`executescript` would commit first, breaking the all-or-nothing upgrade).
_MIGRATIONS: tuple[tuple[str, ...], ...] = (
    # 0 -> 1: the calibrations table.
    (
        # `seq` (the rowid) breaks ties between equal timestamps in insertion order; without
        # AUTOINCREMENT a new rowid is still greater than every existing one, which is all we need.
        # `created_at_us` is the instant as UTC microseconds, because ISO strings with different
        # offsets or fractional digits do not sort lexically by time.
        """
        CREATE TABLE calibrations (
            seq INTEGER PRIMARY KEY,
            tenant TEXT NOT NULL,
            id TEXT NOT NULL,
            name TEXT,
            created_at TEXT NOT NULL,
            created_at_us INTEGER NOT NULL,
            n_records INTEGER NOT NULL CHECK (n_records >= 0),
            model_json BLOB NOT NULL,
            diagnostics_json BLOB NOT NULL,
            records_json BLOB NOT NULL,
            UNIQUE (tenant, id)
        )
        """,
        "CREATE INDEX calibrations_by_tenant_time ON calibrations (tenant, created_at_us, seq)",
    ),
)
SCHEMA_VERSION = len(_MIGRATIONS)

_FULL_COLUMNS = "id, tenant, name, created_at, n_records, model_json, diagnostics_json, records_json"
_SUMMARY_COLUMNS = "id, tenant, name, created_at, n_records"


class SQLiteCalibrationStore:
    """`CalibrationStore` on one SQLite file, shared safely by threads and processes.

    Concurrency design: one connection per store, opened with `check_same_thread=False` and used
    only under `self._lock`. Chosen over a connection per thread (`threading.local`) because:
    `close()` can then close every connection the store opened, deterministically (a thread-local
    connection belongs to a pool thread and cannot be closed from the thread that calls `close()`,
    so it would leak file handles until garbage collection); and SQLite admits one writer at a time
    anyway, so per-thread connections would only parallelise reads, which are small here (payloads
    are read one calibration at a time). Processes coordinate through SQLite's own file locks (WAL
    plus a busy timeout), which this choice does not affect.
    """

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self._path = Path(path)
        self._path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        # isolation_level=None: the module's implicit transactions are off, so every transaction
        # is an explicit BEGIN IMMEDIATE ... COMMIT below and nothing commits behind our back.
        connection = sqlite3.connect(
            self._path,
            timeout=BUSY_TIMEOUT_MS / 1000,
            isolation_level=None,
            check_same_thread=False,
        )
        try:
            connection.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS:d}")
            # WAL: readers (other workers) do not block the writer nor see half a transaction.
            connection.execute("PRAGMA journal_mode = WAL")
            # FULL: in WAL mode NORMAL may lose the last commits on power loss; a saved
            # calibration was acknowledged to the client, so it must be durable.
            connection.execute("PRAGMA synchronous = FULL")
            self._migrate(connection)
        except BaseException:
            connection.close()
            raise
        self._connection: sqlite3.Connection | None = connection

    # -- CalibrationStore -------------------------------------------------------------------------

    def save(self, item: StoredCalibration) -> StoredCalibration:
        return self.add(item)[0]

    def add(self, item: StoredCalibration) -> tuple[StoredCalibration, bool]:
        _require_text(item.tenant, "tenant")
        _require_text(item.id, "id")
        created_at_us = _instant_us(item.created_at)
        if isinstance(item.n_records, bool) or not isinstance(item.n_records, int) or item.n_records < 0:
            raise InvalidInputError("n_records must be a non-negative integer", field="n_records")
        if item.name is not None and not isinstance(item.name, str):
            raise InvalidInputError("name must be a string or null", field="name")
        for field in ("model_json", "diagnostics_json", "records_json"):
            if not isinstance(getattr(item, field), bytes):
                raise InvalidInputError(f"{field} must be bytes", field=field)
        with self._transaction() as connection:
            added = self._insert(connection, item, created_at_us)
            row = _select(connection, item.tenant, item.id)
        # The row exists: it was inserted above, or it was there already (content-addressed ids
        # make the second save of the same model a no-op that returns what is stored).
        assert row is not None
        return _stored(row), added

    def get(self, tenant: str, calibration_id: str) -> StoredCalibration:
        _require_text(tenant, "tenant")
        _require_text(calibration_id, "calibration_id")
        with self._locked() as connection:
            row = _select(connection, tenant, calibration_id)
        if row is None:
            raise _not_found(calibration_id)
        return _stored(row)

    def find_records(self, tenant: str, records_json: bytes) -> StoredCalibration | None:
        _require_text(tenant, "tenant")
        if not isinstance(records_json, bytes):
            raise InvalidInputError("records_json must be bytes", field="records_json")
        # Compared whole, in SQL, over the tenant's rows only: a firm holds tens of calibrations, not millions.
        with self._locked() as connection:
            row: tuple[object, ...] | None = connection.execute(
                f"SELECT {_FULL_COLUMNS} FROM calibrations WHERE tenant = ? AND records_json = ?"
                " ORDER BY created_at_us, seq LIMIT 1",
                (tenant, records_json),
            ).fetchone()
        return None if row is None else _stored(row)

    def list(
        self, tenant: str, *, limit: int = DEFAULT_LIST_LIMIT, offset: int = 0
    ) -> builtins.list[CalibrationSummary]:
        _require_text(tenant, "tenant")
        if isinstance(limit, bool) or not isinstance(limit, int) or not 1 <= limit <= MAX_LIST_LIMIT:
            raise InvalidInputError(f"limit must be an integer from 1 to {MAX_LIST_LIMIT}", field="limit")
        if isinstance(offset, bool) or not isinstance(offset, int) or offset < 0:
            raise InvalidInputError("offset must be a non-negative integer", field="offset")
        with self._locked() as connection:
            rows = connection.execute(
                f"SELECT {_SUMMARY_COLUMNS} FROM calibrations WHERE tenant = ?"
                " ORDER BY created_at_us DESC, seq DESC LIMIT ? OFFSET ?",
                (tenant, limit, offset),
            ).fetchall()
        return [
            CalibrationSummary(id=row[0], tenant=row[1], name=row[2], created_at=row[3], n_records=row[4])
            for row in rows
        ]

    def rename(self, tenant: str, calibration_id: str, name: str | None) -> StoredCalibration:
        _require_text(tenant, "tenant")
        _require_text(calibration_id, "calibration_id")
        if name is not None and not isinstance(name, str):
            raise InvalidInputError("name must be a string or null", field="name")
        with self._transaction() as connection:
            connection.execute(
                "UPDATE calibrations SET name = ? WHERE tenant = ? AND id = ?", (name, tenant, calibration_id)
            )
            row = _select(connection, tenant, calibration_id)
        if row is None:
            raise _not_found(calibration_id)
        return _stored(row)

    def delete(self, tenant: str, calibration_id: str) -> None:
        _require_text(tenant, "tenant")
        _require_text(calibration_id, "calibration_id")
        with self._transaction() as connection:
            deleted = self._delete_row(connection, tenant, calibration_id)
            if not deleted:
                raise _not_found(calibration_id)

    def close(self) -> None:
        with self._lock:
            if self._connection is not None:
                self._connection.close()
                self._connection = None

    def __enter__(self) -> SQLiteCalibrationStore:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"SQLiteCalibrationStore({str(self._path)!r})"

    # -- writes (separate methods so the atomicity tests can fail between statement and commit) --

    def _insert(self, connection: sqlite3.Connection, item: StoredCalibration, created_at_us: int) -> bool:
        """Insert the row unless its (tenant, id) is taken; whether it was inserted."""
        cursor = connection.execute(
            "INSERT INTO calibrations"
            " (tenant, id, name, created_at, created_at_us, n_records, model_json, diagnostics_json, records_json)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"
            " ON CONFLICT (tenant, id) DO NOTHING",
            (
                item.tenant,
                item.id,
                item.name,
                item.created_at,
                created_at_us,
                item.n_records,
                item.model_json,
                item.diagnostics_json,
                item.records_json,
            ),
        )
        return cursor.rowcount == 1

    def _delete_row(self, connection: sqlite3.Connection, tenant: str, calibration_id: str) -> bool:
        cursor = connection.execute("DELETE FROM calibrations WHERE tenant = ? AND id = ?", (tenant, calibration_id))
        return cursor.rowcount > 0

    # -- plumbing ---------------------------------------------------------------------------------

    @contextmanager
    def _locked(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            if self._connection is None:
                raise RuntimeError(f"{self!r} is closed")
            yield self._connection

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        with self._locked() as connection, _immediate(connection):
            yield connection

    def _migrate(self, connection: sqlite3.Connection) -> None:
        # The version is read inside the write transaction, so two workers opening a new file at
        # once cannot both run the same migration: the second waits, then sees it done.
        with _immediate(connection):
            version = int(connection.execute("PRAGMA user_version").fetchone()[0])
            if version > SCHEMA_VERSION:
                raise RuntimeError(
                    f"{self._path} has schema version {version}, newer than this code's {SCHEMA_VERSION};"
                    " upgrade the service instead of opening it with an older one"
                )
            for statements in _MIGRATIONS[version:]:
                for statement in statements:
                    connection.execute(statement)
            if version != SCHEMA_VERSION:
                # user_version is in the database header, so it commits or rolls back with the rest.
                connection.execute(f"PRAGMA user_version = {SCHEMA_VERSION:d}")


@contextmanager
def _immediate(connection: sqlite3.Connection) -> Iterator[None]:
    """One all-or-nothing write transaction.

    IMMEDIATE takes the write lock up front: a deferred transaction that reads first and writes
    later can fail with SQLITE_BUSY at the upgrade, which the busy timeout does not retry.
    """
    connection.execute("BEGIN IMMEDIATE")
    try:
        yield
        connection.execute("COMMIT")
    except BaseException:
        # Also when COMMIT itself fails (disk full): never leave the shared connection mid-transaction.
        if connection.in_transaction:
            connection.execute("ROLLBACK")
        raise


def open_store(data_dir: str, database_url: str | None) -> CalibrationStore:
    """The store the settings ask for.

    No URL: SQLite at `<data_dir>/calibrations.sqlite3`. `sqlite:///relative.db` and
    `sqlite:////absolute/path.db` name the file (the SQLAlchemy convention). PostgreSQL URLs are
    recognised but not supported yet.
    """
    if database_url is None:
        return SQLiteCalibrationStore(Path(data_dir) / SQLITE_FILENAME)
    if database_url.startswith("sqlite:///"):
        path = database_url.removeprefix("sqlite:///")
        if not path:
            raise ValueError(
                "DATABASE_URL 'sqlite:///' names no file; use e.g. sqlite:////var/lib/estimator/db.sqlite3"
            )
        return SQLiteCalibrationStore(path)
    if database_url.startswith(("postgresql://", "postgres://", "postgresql+")):
        raise NotImplementedError(
            "PostgreSQL support is not available yet: unset DATABASE_URL to use SQLite in the data"
            " directory, or set it to a sqlite:/// URL"
        )
    scheme = database_url.split("://", 1)[0] if "://" in database_url else database_url[:20]
    raise ValueError(f"unsupported DATABASE_URL scheme {scheme!r}: expected sqlite:/// or postgresql://")


def _require_text(value: object, field: str) -> None:
    if not isinstance(value, str) or not value.strip():
        raise InvalidInputError(f"{field} must be a non-empty string", field=field)
    if "\x00" in value:
        # PostgreSQL's text type cannot hold NUL; refusing it here keeps the two stores interchangeable.
        raise InvalidInputError(f"{field} must not contain NUL characters", field=field)


def _instant_us(created_at: object) -> int:
    """`created_at` as microseconds since the epoch (UTC), the key listings sort by."""
    message = "created_at must be an ISO 8601 timestamp with a UTC offset, e.g. 2024-05-01T12:00:00Z"
    if not isinstance(created_at, str):
        raise InvalidInputError(message, field="created_at")
    try:
        instant = datetime.fromisoformat(created_at)
    except ValueError:
        raise InvalidInputError(message, field="created_at") from None
    if instant.tzinfo is None:
        raise InvalidInputError(message, field="created_at")
    return (instant - _EPOCH) // _MICROSECOND


def _select(connection: sqlite3.Connection, tenant: str, calibration_id: str) -> tuple[object, ...] | None:
    """The tenant's calibration row, every column, or None."""
    row: tuple[object, ...] | None = connection.execute(
        f"SELECT {_FULL_COLUMNS} FROM calibrations WHERE tenant = ? AND id = ?", (tenant, calibration_id)
    ).fetchone()
    return row


def _not_found(calibration_id: str) -> NotFoundError:
    # The same message whether the id is missing or another tenant's: nothing to probe.
    return NotFoundError(f"no calibration {calibration_id!r} among your calibrations", field="calibration_id")


def _stored(row: tuple[object, ...]) -> StoredCalibration:
    # msgspec.convert checks every column's type, so a damaged row fails loudly instead of
    # flowing on as a calibration with, say, text where model bytes should be.
    fields = ("id", "tenant", "name", "created_at", "n_records", "model_json", "diagnostics_json", "records_json")
    return msgspec.convert(dict(zip(fields, row, strict=True)), StoredCalibration)
