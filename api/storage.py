"""Persistent, tenant-isolated storage of calibrations (fitted model, diagnostics and source records).

`CalibrationStore` is the interface the API depends on. Two stores implement it with the same SQL:
`SQLiteCalibrationStore` on one file (the standard library's `sqlite3`; the default), and
`PostgresCalibrationStore` on a PostgreSQL database (psycopg 3), for several API instances behind a
load balancer sharing one store. `open_store` picks one from the settings (`DATABASE_URL`).

Guarantees, of both:

- Every query filters by tenant, and another tenant's calibration is indistinguishable from a
  missing one (same `NotFoundError`, same message), so ids never leak across firms.
- Each `save`, `rename` and `delete` is one transaction: a crash at any point leaves either the whole
  calibration or none of it. A committed calibration survives power loss (SQLite: WAL with
  `synchronous=FULL`; PostgreSQL: its default `synchronous_commit`), and several processes may share
  the store.
- Only parameterised SQL: ids and tenants are client-controlled strings and are never spliced in.
- A database that cannot be reached is a `StoreUnavailableError` (503), tried again on the next call.

Schema evolution: each store records its schema version (SQLite: `PRAGMA user_version`; PostgreSQL:
the `calibration_schema` table; 0 for a new database). `_MIGRATIONS[i]` (and `_PG_MIGRATIONS[i]`, its
PostgreSQL spelling) takes a database from version `i` to `i + 1`; opening a store applies, in one
transaction, every migration the database has not had yet. The rule: never edit or reorder a
released migration, only append a new one to both (which bumps `SCHEMA_VERSION`). A database whose
version is newer than this code knows is refused rather than guessed at, since an older worker
could corrupt it.
"""

from __future__ import annotations

import builtins
import functools
import itertools
import logging
import os
import re
import socket
import sqlite3
import threading
import time
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, Protocol, Self, TypeVar, runtime_checkable
from urllib.parse import parse_qs

import msgspec

from api.errors import ConflictError, NotFoundError, StoreUnavailableError
from estimator.errors import InvalidInputError

__all__ = [
    "DEFAULT_LIST_LIMIT",
    "MAX_LIST_LIMIT",
    "SCHEMA_VERSION",
    "SQLITE_FILENAME",
    "CalibrationStore",
    "CalibrationSummary",
    "PostgresCalibrationStore",
    "SQLiteCalibrationStore",
    "StoredCalibration",
    "open_store",
]

log = logging.getLogger("api.storage")

SQLITE_FILENAME = "calibrations.sqlite3"
DEFAULT_LIST_LIMIT = 100
MAX_LIST_LIMIT = 1000
# How long a writer waits for another process's write transaction before giving up. Writes are
# single small transactions (the largest is an upload of case records), so seconds are plenty.
BUSY_TIMEOUT_MS = 10_000
# PostgreSQL: how long to wait for a server to accept a connection before answering 503; how long
# any one call may take before it is cut (a server or network that stops answering must not hold a
# request, and every call queued behind it, for ever); how long calls fail at once after a failed
# connection rather than each waiting out its own connect timeout; after how long idle a connection
# is checked before use.
CONNECT_TIMEOUT_S = 5
PG_CALL_DEADLINE_S = 30.0
PG_RETRY_AFTER_S = float(StoreUnavailableError.retry_after_s)
PG_IDLE_CHECK_S = 2.0
APPLICATION_NAME = "cn-copyright-estimator"
# Tenants and ids are keys of an index: PostgreSQL refuses an index entry over about 2,700 bytes.
MAX_KEY_CHARACTERS = 255
# Counts beyond any upload (and within a signed 64-bit column).
MAX_RECORDS_COUNT = 2**53
# OFFSET past this is refused: no firm has that many calibrations, and PostgreSQL's OFFSET is a BIGINT.
MAX_OFFSET = 2**62

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

    def exists(self, tenant: str, calibration_id: str) -> bool:
        """Whether the tenant holds that calibration (another instance may have deleted it), without reading it."""
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
# The same migrations in PostgreSQL's words: an identity column for `seq`, BYTEA for the payloads.
_PG_MIGRATIONS: tuple[tuple[str, ...], ...] = (
    # 0 -> 1: the calibrations table.
    (
        """
        CREATE TABLE calibrations (
            seq BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            tenant TEXT NOT NULL,
            id TEXT NOT NULL,
            name TEXT,
            created_at TEXT NOT NULL,
            created_at_us BIGINT NOT NULL,
            n_records BIGINT NOT NULL CHECK (n_records >= 0),
            model_json BYTEA NOT NULL,
            diagnostics_json BYTEA NOT NULL,
            records_json BYTEA NOT NULL,
            UNIQUE (tenant, id)
        )
        """,
        "CREATE INDEX calibrations_by_tenant_time ON calibrations (tenant, created_at_us, seq)",
    ),
)
SCHEMA_VERSION = len(_MIGRATIONS)
assert len(_PG_MIGRATIONS) == SCHEMA_VERSION, "a migration is appended to both stores"
# Any fixed 64-bit number: the advisory lock two instances take to migrate a new database one at a time.
_PG_MIGRATION_LOCK = 0x636E5F636F7079  # "cn_copy"

_FULL_COLUMNS = "id, tenant, name, created_at, n_records, model_json, diagnostics_json, records_json"
_SUMMARY_COLUMNS = "id, tenant, name, created_at, n_records"


class _SQLCalibrationStore(ABC):
    """The queries both stores run, written once with sqlite3's `?` placeholders.

    A subclass connects, and provides `_locked` (the connection, used by one thread at a time),
    `_transaction` (the same, inside one all-or-nothing transaction), `close` and `_PLACEHOLDER`
    (what its driver writes for `?`). The connection's `execute(sql, params)` returns a cursor with
    `fetchone`, `fetchall` and `rowcount`, as both sqlite3's and psycopg's do.
    """

    _PLACEHOLDER = "?"

    # -- CalibrationStore -------------------------------------------------------------------------

    def save(self, item: StoredCalibration) -> StoredCalibration:
        return self.add(item)[0]

    def add(self, item: StoredCalibration) -> tuple[StoredCalibration, bool]:
        _require_text(item.tenant, "tenant")
        _require_text(item.id, "id")
        created_at_us = _instant_us(item.created_at)
        count = item.n_records
        if isinstance(count, bool) or not isinstance(count, int) or not 0 <= count <= MAX_RECORDS_COUNT:
            raise InvalidInputError(f"n_records must be an integer from 0 to {MAX_RECORDS_COUNT}", field="n_records")
        _require_name(item.name)
        for field in ("model_json", "diagnostics_json", "records_json"):
            if not isinstance(getattr(item, field), bytes):
                raise InvalidInputError(f"{field} must be bytes", field=field)
        # The row exists after the insert: it was inserted, or it was there already (content-addressed
        # ids make the second save of the same model a no-op that returns what is stored). Unless, in
        # PostgreSQL, another instance deleted that row between the two statements (its transactions
        # read what others committed meanwhile; SQLite's take the whole file): then insert again.
        for _ in range(_ADD_ATTEMPTS):
            with self._transaction() as connection:
                added = self._insert(connection, item, created_at_us)
                row = self._select(connection, item.tenant, item.id)
            if row is not None:
                return _stored(row), added
        raise ConflictError(f"calibration {item.id!r} was deleted as often as it was saved; try again", field="id")

    def exists(self, tenant: str, calibration_id: str) -> bool:
        _require_text(tenant, "tenant")
        _require_text(calibration_id, "calibration_id")
        with self._locked() as connection:
            row = self._execute(
                connection, "SELECT 1 FROM calibrations WHERE tenant = ? AND id = ?", (tenant, calibration_id)
            ).fetchone()
        return row is not None

    def get(self, tenant: str, calibration_id: str) -> StoredCalibration:
        _require_text(tenant, "tenant")
        _require_text(calibration_id, "calibration_id")
        with self._locked() as connection:
            row = self._select(connection, tenant, calibration_id)
        if row is None:
            raise _not_found(calibration_id)
        return _stored(row)

    def find_records(self, tenant: str, records_json: bytes) -> StoredCalibration | None:
        _require_text(tenant, "tenant")
        if not isinstance(records_json, bytes):
            raise InvalidInputError("records_json must be bytes", field="records_json")
        # Compared whole, in SQL, over the tenant's rows only: a firm holds tens of calibrations, not millions.
        with self._locked() as connection:
            row: tuple[object, ...] | None = self._execute(
                connection,
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
        if isinstance(offset, bool) or not isinstance(offset, int) or not 0 <= offset <= MAX_OFFSET:
            raise InvalidInputError(f"offset must be an integer from 0 to {MAX_OFFSET}", field="offset")
        with self._locked() as connection:
            rows = self._execute(
                connection,
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
        _require_name(name)
        with self._transaction() as connection:
            self._execute(
                connection,
                "UPDATE calibrations SET name = ? WHERE tenant = ? AND id = ?",
                (name, tenant, calibration_id),
            )
            row = self._select(connection, tenant, calibration_id)
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

    @abstractmethod
    def close(self) -> None:
        """Release the connection; further use raises."""

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # -- writes (separate methods so the atomicity tests can fail between statement and commit) --

    def _insert(self, connection: Any, item: StoredCalibration, created_at_us: int) -> bool:
        """Insert the row unless its (tenant, id) is taken; whether it was inserted."""
        cursor = self._execute(
            connection,
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
        return bool(cursor.rowcount == 1)

    def _delete_row(self, connection: Any, tenant: str, calibration_id: str) -> bool:
        cursor = self._execute(
            connection, "DELETE FROM calibrations WHERE tenant = ? AND id = ?", (tenant, calibration_id)
        )
        return bool(cursor.rowcount > 0)

    # -- plumbing ---------------------------------------------------------------------------------

    def _select(self, connection: Any, tenant: str, calibration_id: str) -> tuple[object, ...] | None:
        """The tenant's calibration row, every column, or None."""
        row: tuple[object, ...] | None = self._execute(
            connection,
            f"SELECT {_FULL_COLUMNS} FROM calibrations WHERE tenant = ? AND id = ?",
            (tenant, calibration_id),
        ).fetchone()
        return row

    def _execute(self, connection: Any, sql: str, params: tuple[object, ...]) -> Any:
        return connection.execute(sql.replace("?", self._PLACEHOLDER), params)

    @abstractmethod
    def _locked(self) -> AbstractContextManager[Any]:
        """The connection, held by this thread alone until the block ends."""

    @abstractmethod
    def _transaction(self) -> AbstractContextManager[Any]:
        """The connection, as `_locked`, inside one transaction committed at the end of the block."""


class SQLiteCalibrationStore(_SQLCalibrationStore):
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

    def close(self) -> None:
        with self._lock:
            if self._connection is not None:
                self._connection.close()
                self._connection = None

    def __repr__(self) -> str:
        return f"SQLiteCalibrationStore({str(self._path)!r})"

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
            for statement in _pending(_MIGRATIONS, version, where=str(self._path)):
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


class PostgresCalibrationStore(_SQLCalibrationStore):
    """`CalibrationStore` on a PostgreSQL database: several API instances may share it.

    One connection per store, used under `self._lock` as the SQLite store's is: what a process
    asks of the store is a row at a time, and a calibration once read is cached by the service.
    Reads run in autocommit; each write is one transaction.

    Nothing waits for ever, and a database in trouble is a `StoreUnavailableError` (503), its reason
    logged in one line:
    - The first call connects (5 s at most), and creates or upgrades the tables when they are behind.
      After a failed connection, calls fail at once for `retry_after_s` instead of each waiting out
      its own connect timeout.
    - Each call is cut after `deadline_s` (the socket is shut down under it) should the server or the
      network stop answering; the server also ends statements after that long, and lock waits sooner.
    - A connection idle for a while is checked before use, so the first call after a server restart
      or a failover connects again instead of failing; a read that finds its connection dropped all
      the same is sent again on a new one (a write is not: whether it committed is unknown).
    - A read-only server (a standby), a role without the rights it needs, or a database whose
      encoding is not UTF8 is unavailable too.

    The tables are `calibrations` and `calibration_schema`, in the connection's schema (set another
    with `?options=-csearch_path%3Dmyschema` in the URL). Once they exist and are current, the store
    needs no more than SELECT, INSERT, UPDATE and DELETE on them. Two instances starting at once on
    a new database migrate it once: the migration holds a transaction-scoped advisory lock.
    """

    _PLACEHOLDER = "%s"

    def __init__(
        self,
        url: str,
        *,
        connect_timeout_s: int = CONNECT_TIMEOUT_S,
        deadline_s: float = PG_CALL_DEADLINE_S,
        retry_after_s: float = PG_RETRY_AFTER_S,
        idle_check_s: float = PG_IDLE_CHECK_S,
    ) -> None:
        self._url = postgres_url(url)
        where = _conninfo(self._url)
        # Named in pg_stat_activity, for whoever runs the server (unless the URL names it already).
        self._application_name = None if where.get("application_name") else APPLICATION_NAME
        # Shown in logs and `repr` only, never to a client: the server, never the password.
        self._where = f"{where.get('host') or 'localhost'}:{where.get('port') or 5432}/{where.get('dbname') or ''}"
        self._connect_timeout_s = connect_timeout_s
        self._deadline_s = deadline_s
        self._retry_after_s = retry_after_s
        self._idle_check_s = idle_check_s
        self._lock = threading.Lock()
        self._connection: Any = None  # a psycopg.Connection once the first call has connected
        self._last_used = 0.0
        self._down_until = 0.0
        self._closed = False

    def close(self) -> None:
        with self._lock:
            self._closed = True
            if self._connection is not None:
                self._connection.close()
                self._connection = None

    def __repr__(self) -> str:
        return f"PostgresCalibrationStore({self._where!r})"

    @contextmanager
    def _locked(self) -> Iterator[Any]:
        unavailable = _unavailable_errors()
        with self._lock:
            if self._closed:
                raise RuntimeError(f"{self!r} is closed")
            if time.monotonic() < self._down_until:
                raise StoreUnavailableError(_UNAVAILABLE)
            connection: Any = None
            reused, watch = False, _Watch()
            try:
                connection, reused = self._connected()
                with _WATCHDOG.watching(connection, self._deadline_s, watch):
                    yield connection
                self._last_used = time.monotonic()
            except unavailable as exc:
                # For the operator: the reason (libpq names the server, never the password), one line.
                log.warning("calibration database %s unavailable: %s", self._where, _first_line(exc))
                # Dropped unseen (a restart, a failover), not cut for taking too long: a read may go again.
                dropped = reused and not watch.cut and (connection.broken or connection.closed)
                raise (_DroppedError if dropped else StoreUnavailableError)(_UNAVAILABLE) from exc

    # Reads are sent once more, on a new connection, when the one they went out on turns out to have
    # been dropped (a restart or a failover within the idle check's 2 s): a read changes nothing to
    # repeat. Writes are not: whether a dropped one committed is unknown.

    def get(self, tenant: str, calibration_id: str) -> StoredCalibration:
        return _twice(super().get, tenant, calibration_id)

    def exists(self, tenant: str, calibration_id: str) -> bool:
        return _twice(super().exists, tenant, calibration_id)

    def find_records(self, tenant: str, records_json: bytes) -> StoredCalibration | None:
        return _twice(super().find_records, tenant, records_json)

    def list(
        self, tenant: str, *, limit: int = DEFAULT_LIST_LIMIT, offset: int = 0
    ) -> builtins.list[CalibrationSummary]:
        return _twice(super().list, tenant, limit=limit, offset=offset)

    @contextmanager
    def _transaction(self) -> Iterator[Any]:
        with self._locked() as connection, connection.transaction():
            yield connection

    def _connected(self) -> tuple[Any, bool]:
        """The connection, checked if it has been idle, or a new one if it is gone; and whether it was
        used before (a new one that fails is no reason to try again)."""
        import psycopg

        connection = self._connection
        if connection is not None and not connection.broken and not connection.closed:
            if time.monotonic() - self._last_used < self._idle_check_s:
                return connection, True
            try:
                with _WATCHDOG.watching(connection, self._deadline_s):
                    connection.execute("SELECT 1")
                return connection, False  # just checked: a failure now is not a stale connection's
            except psycopg.OperationalError:
                pass  # dropped while idle (a restart, a failover): connect again, now
        if connection is not None:
            connection.close()
        self._connection = None
        try:
            self._connection = self._connect()
        except BaseException:
            self._down_until = time.monotonic() + self._retry_after_s
            raise
        return self._connection, False

    def _connect(self) -> Any:
        import psycopg

        named: dict[str, Any] = {"application_name": self._application_name} if self._application_name else {}
        connection = psycopg.connect(
            self._url,
            **named,
            autocommit=True,
            connect_timeout=self._connect_timeout_s,
            client_encoding="utf8",
            # A peer gone without a word (a partition) is noticed: keepalives while idle, and a
            # limit on data left unacknowledged. Both apply to TCP only, not to a Unix socket.
            keepalives=1,
            keepalives_idle=30,
            keepalives_interval=10,
            keepalives_count=3,
            tcp_user_timeout=int(self._deadline_s * 1000),
        )
        try:
            with _WATCHDOG.watching(connection, self._deadline_s):
                encoding = str((connection.execute("SHOW server_encoding").fetchone() or ("",))[0])
                if encoding.upper().replace("-", "") != "UTF8":
                    raise _MisconfiguredError(
                        f"the database's encoding is {encoding}; calibrations need a UTF8 database"
                        " (CREATE DATABASE ... ENCODING 'UTF8')"
                    )
                connection.execute(f"SET statement_timeout = {int(self._deadline_s * 1000):d}")
                connection.execute(f"SET lock_timeout = {int(self._deadline_s * 1000) // 3:d}")
                self._migrate(connection)
        except BaseException:
            connection.close()
            raise
        return connection

    def _migrate(self, connection: Any) -> None:
        import psycopg

        # The usual case, the tables current: read the version and write nothing (no DDL, no lock,
        # so a role with rights on the rows alone will do).
        try:
            with connection.transaction():
                row = connection.execute("SELECT version FROM calibration_schema").fetchone()
        except psycopg.errors.UndefinedTable:
            row = None
        if row is not None and int(row[0]) >= SCHEMA_VERSION:
            _refuse_newer(int(row[0]), where=self._where)
            return
        with connection.transaction():
            connection.execute("SELECT pg_advisory_xact_lock(%s)", (_PG_MIGRATION_LOCK,))
            try:
                connection.execute("CREATE TABLE IF NOT EXISTS calibration_schema (version INTEGER NOT NULL)")
            except psycopg.errors.InvalidSchemaName:
                raise _MisconfiguredError(
                    "no schema to create the tables in: the schema the URL's search_path names does not exist, or"
                    " the role lacks USAGE on it (CREATE SCHEMA ...; GRANT USAGE ON SCHEMA ... TO ...)"
                ) from None
            row = connection.execute("SELECT version FROM calibration_schema").fetchone()
            version = 0 if row is None else int(row[0])
            for statement in _pending(_PG_MIGRATIONS, version, where=self._where):
                connection.execute(statement)
            if row is None:
                connection.execute("INSERT INTO calibration_schema (version) VALUES (%s)", (SCHEMA_VERSION,))
            elif version != SCHEMA_VERSION:
                connection.execute("UPDATE calibration_schema SET version = %s", (SCHEMA_VERSION,))


_UNAVAILABLE = "the calibration database is unavailable; try again shortly"
_T = TypeVar("_T")


class _DroppedError(StoreUnavailableError):
    """Unavailable because a connection used before had been dropped: a read may be sent again."""


def _twice(read: Callable[..., _T], *args: Any, **kwargs: Any) -> _T:
    try:
        return read(*args, **kwargs)
    except _DroppedError:
        return read(*args, **kwargs)


_ADD_ATTEMPTS = 3


class _MisconfiguredError(Exception):
    """A database this store cannot use as it is set up (its encoding, its schema)."""


@functools.cache
def _unavailable_errors() -> tuple[type[Exception], ...]:
    """What makes the database unavailable: no answer, or one that cannot serve (a standby, a role
    without the rights it needs, a database that cannot hold the text)."""
    import psycopg

    return (
        psycopg.OperationalError,
        psycopg.errors.ReadOnlySqlTransaction,
        psycopg.errors.InsufficientPrivilege,
        _MisconfiguredError,
        SchemaTooNewError,  # to the client, unavailable until the service is upgraded; in the log, why
    )


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


class _Watch:
    """Whether a call was cut by the watchdog (set when the call withdraws)."""

    cut = False


class _Watchdog:
    """One thread, for every PostgreSQL store, that cuts calls running past their deadline.

    A server or network that stops answering would otherwise hold a call, and every call queued
    behind its store's lock, for ever. Cut (its socket shut down under it), the blocked read ends in
    an OperationalError. A call registers on entry and withdraws on exit, both under one condition,
    so a call is either cut while it runs or not at all; a call cut just as it finished has its
    connection closed on withdrawal, so the next call connects again rather than meet a dead socket.
    Starting a thread per call instead cost more than the call itself.
    """

    def __init__(self) -> None:
        self._changed = threading.Condition()
        self._calls: dict[int, tuple[float, Any]] = {}  # token -> (deadline, connection)
        self._cut: set[int] = set()
        self._tokens = itertools.count()
        self._thread: threading.Thread | None = None
        self._pid = 0  # the process that started the thread: a forked worker starts its own

    @contextmanager
    def watching(self, connection: Any, seconds: float, watch: _Watch | None = None) -> Iterator[None]:
        """Cut the block's call if it runs past `seconds`; `watch.cut` says afterwards whether it was."""
        with self._changed:
            token = next(self._tokens)
            self._calls[token] = (time.monotonic() + seconds, connection)
            if self._thread is None or self._pid != os.getpid():
                self._thread = threading.Thread(target=self._run, name="postgres-deadlines", daemon=True)
                self._pid = os.getpid()
                self._thread.start()
            self._changed.notify()
        try:
            yield
        finally:
            with self._changed:
                del self._calls[token]
                was_cut = token in self._cut
                self._cut.discard(token)
            if watch is not None:
                watch.cut = was_cut
            if was_cut:
                connection.close()

    def _run(self) -> None:
        with self._changed:
            while True:
                now = time.monotonic()
                for token, (deadline, connection) in self._calls.items():
                    if deadline <= now and token not in self._cut:
                        self._cut.add(token)
                        _shut(connection)
                pending = [deadline for token, (deadline, _) in self._calls.items() if token not in self._cut]
                self._changed.wait(timeout=max(min(pending) - now, 0.0) if pending else None)


def _shut(connection: Any) -> None:
    try:
        with socket.socket(fileno=os.dup(connection.pgconn.socket)) as sock:
            sock.shutdown(socket.SHUT_RDWR)  # the socket itself, not just this duplicate of it
    except Exception:  # already closed: nothing left to cut
        log.debug("nothing to cut", exc_info=True)


_WATCHDOG = _Watchdog()


def postgres_url(url: str) -> str:
    """`url` as libpq takes it; a ValueError, quoting no part of it, where libpq would fail or misread it.

    SQLAlchemy's `postgresql+driver://` is read as `postgresql://`. A password holding `/` or `@`
    unencoded makes libpq read part of it as the host, port or database, which would then be shown
    in logs; libpq's own parse errors quote the URL. Neither is passed on.
    """
    hint = "percent-encode : / @ ? # % and spaces in the user name and password; join query parameters with &"
    if "://" not in url:
        raise ValueError(f"DATABASE_URL is not a PostgreSQL URL: it must start postgresql:// ({hint})")
    if url.startswith("postgresql+"):
        url = "postgresql://" + url.split("://", 1)[1]
    try:
        parts = _conninfo(url)
    except ValueError:
        raise ValueError(f"DATABASE_URL is not a PostgreSQL URL libpq can read ({hint})") from None
    port = str(parts.get("port") or "")
    misread = not all(p == "" or p.isdigit() for p in port.split(","))  # "" : that host's default port
    # The user's part ends at the first `@`, which must be in the authority: one past a `/` of the
    # password, or a second `@`, would put the password's tail in the host or the database name; one
    # past a `?` would leave a host and database in an option's value (`?sslmode=x@host/db`). An `@` in
    # an option's own value (`?user=me@server`, Azure's form) is the option's.
    rest = url.split("://", 1)[1]
    authority = rest.split("/", 1)[0].split("?", 1)[0].split("#", 1)[0]
    path = rest.split("?", 1)[0].split("#", 1)[0]
    query = rest.split("?", 1)[1] if "?" in rest else ""
    misread |= authority.count("@") > 1 or ("@" in path and "@" not in authority)
    values = [value for listed in parse_qs(query).values() for value in listed]
    misread |= "@" not in authority and any(re.search(r"@[^/]+/", value) for value in values)
    if misread:
        raise ValueError(f"DATABASE_URL is misread: its host, port or database name holds part of another ({hint})")
    return url


def _conninfo(url: str) -> dict[str, Any]:
    import psycopg
    from psycopg.conninfo import conninfo_to_dict

    try:
        return conninfo_to_dict(url)
    except psycopg.ProgrammingError:
        raise ValueError("not a libpq connection string") from None


class SchemaTooNewError(RuntimeError):
    """A database migrated by a newer version of the service: an older one could corrupt it."""


def _pending(migrations: tuple[tuple[str, ...], ...], version: int, *, where: str) -> Iterator[str]:
    """The statements that take a database at `version` to `SCHEMA_VERSION`; a newer one is refused."""
    _refuse_newer(version, where=where)
    for statements in migrations[version:]:
        yield from statements


def _refuse_newer(version: int, *, where: str) -> None:
    if version > SCHEMA_VERSION:
        raise SchemaTooNewError(
            f"{where} has schema version {version}, newer than this code's {SCHEMA_VERSION};"
            " upgrade the service instead of opening it with an older one"
        )


def check_database_url(database_url: str | None) -> None:
    """A ValueError (quoting no part of it) for a `DATABASE_URL` no store can open; nothing is connected."""
    if database_url is None:
        return
    if database_url.startswith(("postgresql://", "postgres://", "postgresql+")):
        postgres_url(database_url)
    elif not database_url.startswith("sqlite:///"):
        # The scheme is named only when it looks like one: without `://` the value may be a bare password.
        scheme = database_url.split("://", 1)[0] if "://" in database_url else ""
        named = f" {scheme!r}" if re.fullmatch(r"[A-Za-z][A-Za-z0-9+.-]{0,30}", scheme) else ""
        raise ValueError(f"unsupported DATABASE_URL scheme{named}: expected sqlite:/// or postgresql://")
    elif database_url == "sqlite:///":
        raise ValueError("DATABASE_URL 'sqlite:///' names no file; use e.g. sqlite:////var/lib/estimator/db.sqlite3")


def open_store(data_dir: str, database_url: str | None) -> CalibrationStore:
    """The store the settings ask for.

    No URL: SQLite at `<data_dir>/calibrations.sqlite3`. `sqlite:///relative.db` and
    `sqlite:////absolute/path.db` name the file (the SQLAlchemy convention). PostgreSQL URLs are
    `postgresql://`, `postgres://` and `postgresql+psycopg://` URLs name a PostgreSQL database.
    """
    check_database_url(database_url)
    if database_url is None:
        return SQLiteCalibrationStore(Path(data_dir) / SQLITE_FILENAME)
    if database_url.startswith("sqlite:///"):
        return SQLiteCalibrationStore(database_url.removeprefix("sqlite:///"))
    return PostgresCalibrationStore(database_url)


def _require_text(value: object, field: str) -> None:
    if not isinstance(value, str) or not value.strip():
        raise InvalidInputError(f"{field} must be a non-empty string", field=field)
    if len(value) > MAX_KEY_CHARACTERS:
        raise InvalidInputError(f"{field} must be at most {MAX_KEY_CHARACTERS} characters", field=field)
    if "\x00" in value:
        # PostgreSQL's text type cannot hold NUL; refusing it here keeps the two stores interchangeable.
        raise InvalidInputError(f"{field} must not contain NUL characters", field=field)


def _require_name(name: object) -> None:
    if name is not None and not isinstance(name, str):
        raise InvalidInputError("name must be a string or null", field="name")
    if name is not None and "\x00" in name:
        raise InvalidInputError("name must not contain NUL characters", field="name")


def _instant_us(created_at: object) -> int:
    """`created_at` as microseconds since the epoch (UTC), the key listings sort by."""
    message = "created_at must be an ISO 8601 timestamp with a UTC offset, e.g. 2024-05-01T12:00:00Z"
    if not isinstance(created_at, str) or "\x00" in created_at:
        raise InvalidInputError(message, field="created_at")
    try:
        instant = datetime.fromisoformat(created_at)
    except ValueError:
        raise InvalidInputError(message, field="created_at") from None
    if instant.tzinfo is None:
        raise InvalidInputError(message, field="created_at")
    return (instant - _EPOCH) // _MICROSECOND


def _not_found(calibration_id: str) -> NotFoundError:
    # The same message whether the id is missing or another tenant's: nothing to probe.
    return NotFoundError(f"no calibration {calibration_id!r} among your calibrations", field="calibration_id")


def _stored(row: tuple[object, ...]) -> StoredCalibration:
    # msgspec.convert checks every column's type, so a damaged row fails loudly instead of
    # flowing on as a calibration with, say, text where model bytes should be.
    fields = ("id", "tenant", "name", "created_at", "n_records", "model_json", "diagnostics_json", "records_json")
    return msgspec.convert(dict(zip(fields, row, strict=True)), StoredCalibration)
