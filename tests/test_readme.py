"""The README's examples run as they are written."""

from __future__ import annotations

import json
import re
from pathlib import Path

from litestar import Litestar
from litestar.testing import TestClient

README = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")


def test_readme_curl_example_gives_the_figures_shown(client: TestClient[Litestar]) -> None:
    match = re.search(r"curl -s http://127\.0\.0\.1:8000(/v1/\S+) \\\n.*?-d '([^']+)'", README, re.S)
    assert match, "the README lost its curl example"
    path, body = match.groups()
    got = client.post(path, json=json.loads(body)).json()
    assert (got["acceptance_fee"], got["fee_due"]) == (5800.0, 2900.0)
    assert (got["split"]["plaintiff"], got["split"]["defendant"]) == (2803.33, 96.67)
    for shown in ('"fee_due": 2900.0', '"defendant": 96.67', '"plaintiff": 2803.33'):
        assert shown in README
