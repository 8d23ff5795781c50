"""A PostgreSQL server for the storage tests, started by the tests themselves.

`ESTIMATOR_TEST_DATABASE_URL` names a server to use instead (it must allow CREATE SCHEMA). Otherwise
`pgserver` (a dev dependency: PostgreSQL's own binaries in a wheel) starts one in a temporary
directory, listening on a Unix socket only, never on a network address; it is stopped when the
session ends. Where neither is available (pgserver has wheels up to CPython 3.12) the PostgreSQL
tests are skipped and say why.

Each test gets a schema of its own, named in the URL's `options` (`search_path`), so tests never
see each other's tables and no database has to be created or dropped.
"""

from __future__ import annotations

import contextlib
import logging
import os
import shutil
import signal
import tempfile
import time
import uuid
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, quote, urlencode, urlsplit, urlunsplit

import pytest

ENVIRONMENT_URL = "ESTIMATOR_TEST_DATABASE_URL"


def server_url() -> Iterator[str]:
    """The base URL of a server to test against, for as long as the generator is open."""
    if url := os.environ.get(ENVIRONMENT_URL):
        yield url
        return
    # pgserver logs each step at INFO, the last from an atexit hook after pytest has closed the
    # stream a handler writes to ("--- Logging error ---" under a green run): its warnings will do.
    logging.getLogger("pgserver").setLevel(logging.WARNING)
    with _quietly():
        try:
            import pgserver  # type: ignore[import-untyped]  # no annotations shipped
        except ImportError:
            pytest.skip(f"no PostgreSQL to test against: install pgserver (CPython <= 3.12) or set {ENVIRONMENT_URL}")
        # Not under pytest's temporary directory: run as root, pgserver runs PostgreSQL as a user of
        # its own and opens every parent of its data directory (and binaries) to others; pytest closes its own
        # directory again at the start of each session (two sessions at once broke initdb).
        _stop_strays()
        directory = Path(tempfile.mkdtemp(prefix=PREFIX))
        owner = directory.with_name(directory.name + ".owner")
        owner.write_text(str(os.getpid()))
        server = pgserver.get_server(directory, cleanup_mode="stop")
    try:
        yield server.get_uri()
    finally:
        with _quietly():
            server.cleanup()
        shutil.rmtree(directory, ignore_errors=True)
        owner.unlink(missing_ok=True)


PREFIX = "estimator-test-pg-"


def _stop_strays() -> None:
    """Stop the servers of test sessions that were killed (their clean-up never ran), and remove them.

    Each server's directory has a `.owner` file beside it naming the test process; a server whose
    owner is gone is sent SIGINT (PostgreSQL's fast shutdown) through its `postmaster.pid`.
    """
    for owner in Path(tempfile.gettempdir()).glob(f"{PREFIX}*.owner"):
        with contextlib.suppress(OSError, ValueError):
            if _alive(int(owner.read_text())):
                continue
            directory = owner.with_name(owner.name.removesuffix(".owner"))
            pid_file = directory / "postmaster.pid"
            if pid_file.exists():
                postmaster = int(pid_file.read_text().split()[0])
                os.kill(postmaster, signal.SIGINT)
                for _ in range(100):  # up to 10 s for it to finish
                    if not _alive(postmaster):
                        break
                    time.sleep(0.1)
            shutil.rmtree(directory, ignore_errors=True)
            owner.unlink()


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # somebody else's process
    return True


@contextmanager
def _quietly() -> Iterator[None]:
    # pgserver asks platformdirs for a runtime directory (on import, too), which warns when
    # XDG_RUNTIME_DIR is unset, as on CI; the suite turns warnings into errors.
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="XDG_RUNTIME_DIR is not set")
        yield


@contextmanager
def fresh_schema(base_url: str) -> Iterator[str]:
    """A URL like `base_url` whose connections see only a new, empty schema, dropped afterwards.

    The URL also names its connections (`application_name`) after the schema, so that a test can
    find them in `pg_stat_activity` without touching anyone else's.
    """
    schema = f"test_{uuid.uuid4().hex[:16]}"
    with raw(base_url) as connection:
        connection.execute(f"CREATE SCHEMA {schema}")  # a name made here, not a client's: safe to splice
    separator = "&" if "?" in base_url else "?"
    try:
        yield f"{base_url}{separator}application_name={schema}&options={quote(f'-csearch_path={schema}')}"
    finally:
        with raw(base_url) as connection:
            connection.execute(f"DROP SCHEMA {schema} CASCADE")


def raw(url: str) -> Any:
    """A plain autocommit connection to `url`, to look at or change a database behind a store's back."""
    import psycopg

    return psycopg.connect(url, autocommit=True)


def schema_of(url: str) -> str:
    """The schema (and connections' name) `fresh_schema` put in `url`."""
    return parse_qs(urlsplit(url).query)["application_name"][0]


def with_options(url: str, *settings: str) -> str:
    """`url` with more server settings (`-cname=value`) in its `options`."""
    parts = urlsplit(url)
    query = parse_qs(parts.query)
    query["options"] = [" ".join([*query.get("options", []), *settings])]
    return urlunsplit(parts._replace(query=urlencode({k: v[0] for k, v in query.items()}, quote_via=quote)))
