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
import logging
import os
import sqlite3
import threading
from abc import ABC, abstractmethod
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, Protocol, Self, runtime_checkable

import msgspec

from api.errors import NotFoundError, StoreUnavailableError
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
# How long to wait for a PostgreSQL server to accept a connection before answering 503.
CONNECT_TIMEOUT_S = 5
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
        if isinstance(item.n_records, bool) or not isinstance(item.n_records, int) or item.n_records < 0:
            raise InvalidInputError("n_records must be a non-negative integer", field="n_records")
        _require_name(item.name)
        for field in ("model_json", "diagnostics_json", "records_json"):
            if not isinstance(getattr(item, field), bytes):
                raise InvalidInputError(f"{field} must be bytes", field=field)
        with self._transaction() as connection:
            added = self._insert(connection, item, created_at_us)
            row = self._select(connection, item.tenant, item.id)
        # The row exists: it was inserted above, or it was there already (content-addressed ids
        # make the second save of the same model a no-op that returns what is stored).
        assert row is not None
        return _stored(row), added

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
    Reads run in autocommit; each write is one transaction. A connection the server dropped (a
    restart, a failover) is replaced on the next call; meanwhile calls raise `StoreUnavailableError`.

    The tables are `calibrations` and `calibration_schema`, in the connection's schema (set another
    with `?options=-csearch_path%3Dmyschema` in the URL). Two instances starting at once on a new
    database migrate it once: the migration holds a transaction-scoped advisory lock.
    """

    _PLACEHOLDER = "%s"

    def __init__(self, url: str, *, connect_timeout_s: int = CONNECT_TIMEOUT_S) -> None:
        import psycopg  # here, not at the top: SQLite users never load the driver
        from psycopg.conninfo import conninfo_to_dict

        try:
            where = conninfo_to_dict(url)
        except psycopg.ProgrammingError as exc:
            raise ValueError(f"DATABASE_URL is not a PostgreSQL connection URL: {exc}") from None
        # Shown in logs and errors: never the password.
        self._where = f"{where.get('host') or 'localhost'}:{where.get('port') or 5432}/{where.get('dbname') or ''}"
        self._url = url
        self._connect_timeout_s = connect_timeout_s
        self._lock = threading.Lock()
        self._connection: psycopg.Connection[tuple[Any, ...]] | None = None
        self._closed = False
        try:
            with self._locked() as connection:
                self._migrate(connection)
        except BaseException:
            self.close()  # a refused or failed migration must not leave the connection open
            raise

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
        import psycopg

        with self._lock:
            if self._closed:
                raise RuntimeError(f"{self!r} is closed")
            try:
                if self._connection is None or self._connection.broken or self._connection.closed:
                    self._connection = psycopg.connect(
                        self._url, autocommit=True, connect_timeout=self._connect_timeout_s
                    )
                yield self._connection
            except psycopg.OperationalError as exc:
                # For the operator: libpq's reason (it names the host, never the password), one line.
                log.warning("calibration database %s unavailable: %s", self._where, str(exc).strip().splitlines()[0])
                raise StoreUnavailableError(
                    f"the calibration database ({self._where}) cannot be reached; try again shortly"
                ) from exc

    @contextmanager
    def _transaction(self) -> Iterator[Any]:
        with self._locked() as connection, connection.transaction():
            yield connection

    def _migrate(self, connection: Any) -> None:
        with connection.transaction():
            connection.execute("SELECT pg_advisory_xact_lock(%s)", (_PG_MIGRATION_LOCK,))
            connection.execute("CREATE TABLE IF NOT EXISTS calibration_schema (version INTEGER NOT NULL)")
            row = connection.execute("SELECT version FROM calibration_schema").fetchone()
            version = 0 if row is None else int(row[0])
            for statement in _pending(_PG_MIGRATIONS, version, where=self._where):
                connection.execute(statement)
            if row is None:
                connection.execute("INSERT INTO calibration_schema (version) VALUES (%s)", (SCHEMA_VERSION,))
            elif version != SCHEMA_VERSION:
                connection.execute("UPDATE calibration_schema SET version = %s", (SCHEMA_VERSION,))


def _pending(migrations: tuple[tuple[str, ...], ...], version: int, *, where: str) -> Iterator[str]:
    """The statements that take a database at `version` to `SCHEMA_VERSION`; a newer one is refused."""
    if version > SCHEMA_VERSION:
        raise RuntimeError(
            f"{where} has schema version {version}, newer than this code's {SCHEMA_VERSION};"
            " upgrade the service instead of opening it with an older one"
        )
    for statements in migrations[version:]:
        yield from statements


def open_store(data_dir: str, database_url: str | None) -> CalibrationStore:
    """The store the settings ask for.

    No URL: SQLite at `<data_dir>/calibrations.sqlite3`. `sqlite:///relative.db` and
    `sqlite:////absolute/path.db` name the file (the SQLAlchemy convention). PostgreSQL URLs are
    `postgresql://`, `postgres://` and `postgresql+psycopg://` URLs name a PostgreSQL database.
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
    if database_url.startswith(("postgresql://", "postgres://")):
        return PostgresCalibrationStore(database_url)
    if database_url.startswith("postgresql+"):  # SQLAlchemy's spelling names the driver: libpq takes none
        return PostgresCalibrationStore("postgresql://" + database_url.split("://", 1)[1])
    scheme = database_url.split("://", 1)[0] if "://" in database_url else database_url[:20]
    raise ValueError(f"unsupported DATABASE_URL scheme {scheme!r}: expected sqlite:/// or postgresql://")


def _require_text(value: object, field: str) -> None:
    if not isinstance(value, str) or not value.strip():
        raise InvalidInputError(f"{field} must be a non-empty string", field=field)
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
    if not isinstance(created_at, str):
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
