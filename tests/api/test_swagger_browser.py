"""Swagger UI in a real headless browser with every host but loopback blocked: it must render.

Needs Debian's `chromium`; where it is not installed the test is skipped (the static check in
`test_docs.py`, that the page loads only assets the app serves, always runs).
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import pytest

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed (apt-get install chromium)")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_swagger_ui_renders_every_operation_offline() -> None:
    port = _free_port()
    env = {**os.environ, "ESTIMATOR_DATA_DIR": tempfile.mkdtemp()}
    server = subprocess.Popen(
        [sys.executable, "-m", "api", "serve", "--port", str(port)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=1).close()
                break
            except OSError:
                if time.monotonic() > deadline:
                    pytest.fail("the server did not start")
                time.sleep(0.1)
        dom = subprocess.run(
            [
                str(CHROMIUM),
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                f"--user-data-dir={tempfile.mkdtemp()}",
                # Every name resolves nowhere but the app's own address: a CDN asset would fail.
                "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
                "--virtual-time-budget=10000",
                "--dump-dom",
                f"http://127.0.0.1:{port}/schema/swagger",
            ],
            capture_output=True,
            text=True,
            timeout=90,
        ).stdout
    finally:
        server.terminate()
        server.wait(timeout=10)
    # Swagger UI builds these blocks in the browser from the served spec and assets.
    assert "swagger-ui" in dom
    for path in ("/v1/estimates", "/v1/estimates/batch", "/v1/calibrations", "/v1/fees", "/v1/interest"):
        assert f'data-path="{path}"' in dom, path
