"""Settings from the environment: a bad value stops the start with one line naming its variable."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from api.settings import Settings

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(
    ("env", "named"),
    [
        ({"PORT": "eighty"}, "`PORT`"),
        ({"PORT": "-1"}, "`PORT`"),
        ({"ESTIMATOR_PORT": "70000", "PORT": "8000"}, "`ESTIMATOR_PORT`"),  # the one that was read
        ({"ESTIMATOR_PORT": "", "PORT": "eighty"}, "`PORT`"),  # an empty one is not
        ({"ESTIMATOR_MAX_BATCH_ROWS": "-5"}, "`ESTIMATOR_MAX_BATCH_ROWS`"),
        ({"ESTIMATOR_MAX_BODY_BYTES": "0"}, "`ESTIMATOR_MAX_BODY_BYTES`"),
        ({"ESTIMATOR_MAX_CALIBRATION_RECORDS": "many"}, "`ESTIMATOR_MAX_CALIBRATION_RECORDS`"),
    ],
)
def test_a_bad_value_is_refused_naming_the_variable_it_came_from(env: dict[str, str], named: str) -> None:
    with pytest.raises(ValueError, match="bad service setting") as raised:
        Settings.from_env(env)
    assert named in str(raised.value)
    assert "$." not in str(raised.value)


def test_a_firm_name_longer_than_the_store_keeps_stops_the_start() -> None:
    with pytest.raises(ValueError, match="ESTIMATOR_API_KEYS: a firm's name must be 1 to 255 characters"):
        Settings.from_env({"ESTIMATOR_API_KEYS": "k1:" + "f" * 256})
    assert Settings.from_env({"ESTIMATOR_API_KEYS": "k1:" + "f" * 255}).api_keys == {"k1": "f" * 255}


def test_an_empty_variable_counts_as_unset_and_port_0_is_any_free_port() -> None:
    settings = Settings.from_env({"DATABASE_URL": "", "ESTIMATOR_DATABASE_URL": "", "PORT": "0"})
    assert (settings.database_url, settings.port) == (None, 0)  # SQLite in the data directory


def test_the_prefixed_variable_wins_over_the_plain_one() -> None:
    settings = Settings.from_env({"PORT": "8001", "ESTIMATOR_PORT": "8002", "DATABASE_URL": "sqlite:///a.db"})
    assert (settings.port, settings.database_url) == (8002, "sqlite:///a.db")


@pytest.mark.parametrize(
    ("variable", "value", "says"),
    [
        ("ESTIMATOR_MAX_BATCH_ROWS", "-5", "ESTIMATOR_MAX_BATCH_ROWS"),
        ("DATABASE_URL", "postgresql://app:Xy3/Z9s3cret@127.0.0.1:5432/estimator", "percent-encode"),
    ],
)
def test_serve_stops_on_a_bad_setting_with_one_line(tmp_path: Path, variable: str, value: str, says: str) -> None:
    env = {"PATH": "/usr/bin:/bin", "ESTIMATOR_DATA_DIR": str(tmp_path), variable: value}
    done = subprocess.run(
        [sys.executable, "-m", "api", "serve", "--port", "1"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2
    [line] = done.stderr.strip().splitlines()  # no traceback
    assert line.startswith("python -m api serve: ")
    assert says in line
    assert "Z9s3cret" not in line
