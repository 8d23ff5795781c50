"""HTTP load at fixed concurrency for a fixed time: `wrk` when available, else a Python generator.

Both endpoints of a comparison must go through the same generator, so the caller picks one with
`choose_generator` and passes it to every `run_load`. wrk (C, epoll) costs the 2-core machine far
less CPU than any Python client, so the server, not the client, is what gets measured; the
Python generator (asyncio, raw keep-alive HTTP/1.1, no client library overhead) is the fallback.
"""

from __future__ import annotations

import asyncio
import contextlib
import math
import os
import re
import shutil
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import numpy as np

from bench.report import BenchError

Generator = Literal["wrk", "python"]
APT_INSTALL_TIMEOUT_S = 120
APT_UPDATE_TIMEOUT_S = 90
MAX_REQUESTS_PER_CONNECTION = 5_000_000  # a count bound on the Python loop, besides its deadline


@dataclass(frozen=True)
class Request:
    method: Literal["GET", "POST"]
    path: str
    body: bytes = b""


@dataclass(frozen=True)
class LoadResult:
    requests: int
    errors: int  # non-200 responses, socket errors and timeouts
    seconds: float
    p50_ms: float
    p99_ms: float

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds > 0 else float("nan")


def _install_wrk() -> str:
    """Install wrk with apt-get (bounded in time); '' on success, else why it failed."""
    if os.geteuid() != 0 or shutil.which("apt-get") is None:
        return "not root or no apt-get"
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    install = ["apt-get", "install", "-y", "-q", "wrk"]
    try:
        done = subprocess.run(install, env=env, capture_output=True, timeout=APT_INSTALL_TIMEOUT_S, check=False)
        if done.returncode != 0:
            # A fresh image has no package lists: refresh them once, then try again.
            subprocess.run(
                ["apt-get", "update", "-q"], env=env, capture_output=True, timeout=APT_UPDATE_TIMEOUT_S, check=False
            )
            done = subprocess.run(install, env=env, capture_output=True, timeout=APT_INSTALL_TIMEOUT_S, check=False)
    except subprocess.TimeoutExpired:
        return "apt-get timed out"
    if done.returncode != 0 or shutil.which("wrk") is None:
        return "apt-get install wrk failed"
    return ""


def choose_generator(preference: Literal["auto", "wrk", "python"], *, may_install: bool) -> tuple[Generator, str]:
    """The generator to use and a note on how it was chosen."""
    if preference == "python":
        return "python", "python generator (asked for)"
    if shutil.which("wrk"):
        return "wrk", "wrk"
    if may_install:
        failure = _install_wrk()
        if not failure:
            return "wrk", "wrk (installed with apt-get)"
    else:
        failure = "not installed (not installing in --quick)"
    if preference == "wrk":
        raise BenchError(f"wrk asked for but unavailable: {failure}")
    return "python", f"python generator (wrk {failure})"


def run_load(
    generator: Generator,
    port: int,
    request: Request,
    *,
    connections: int,
    duration: float,
    warmup: float,
    workdir: Path,
) -> LoadResult:
    """Warm up, then measure `duration` s at `connections` concurrent keep-alive connections."""
    if generator == "wrk":
        if warmup > 0:
            _wrk(port, request, connections=connections, duration=warmup, workdir=workdir)
        return _wrk(port, request, connections=connections, duration=duration, workdir=workdir)
    return asyncio.run(_python_load(port, request, connections=connections, duration=duration, warmup=warmup))


# --- wrk --------------------------------------------------------------------------------------------

_UNIT_MS = {"us": 1e-3, "ms": 1.0, "s": 1e3}


def wrk_seconds(duration: float) -> int:
    """wrk reads `-d` as whole seconds (`-d1.5s` is a usage error): round up, at least one."""
    return max(1, math.ceil(duration))


def _wrk(port: int, request: Request, *, connections: int, duration: float, workdir: Path) -> LoadResult:
    argv = ["wrk", "-t1", f"-c{connections}", f"-d{wrk_seconds(duration)}s", "--timeout", "5s", "--latency"]
    if request.method == "POST":
        script = workdir / "post.lua"
        body = request.body.decode()
        if "]]" in body:  # pragma: no cover - our bodies are plain JSON
            raise BenchError("request body cannot be embedded in a Lua long string")
        script.write_text(
            f'wrk.method = "POST"\nwrk.body = [[{body}]]\nwrk.headers["Content-Type"] = "application/json"\n',
            encoding="utf-8",
        )
        argv += ["-s", str(script)]
    argv.append(f"http://127.0.0.1:{port}{request.path}")
    try:
        done = subprocess.run(argv, capture_output=True, text=True, timeout=duration + 30, check=False)
    except subprocess.TimeoutExpired as exc:
        raise BenchError(f"wrk did not finish: {exc}") from exc
    if done.returncode != 0:
        raise BenchError(f"wrk failed ({done.returncode}): {done.stderr.strip() or done.stdout.strip()}")
    return _parse_wrk(done.stdout)


def _parse_wrk(text: str) -> LoadResult:
    total = re.search(r"(\d+) requests in ([\d.]+)(us|ms|s|m)\b", text)
    if total is None:
        raise BenchError(f"cannot read wrk's output:\n{text}")
    seconds = float(total.group(2)) * {"us": 1e-6, "ms": 1e-3, "s": 1.0, "m": 60.0}[total.group(3)]
    percentiles = {
        m.group(1): float(m.group(2)) * _UNIT_MS[m.group(3)]
        for m in re.finditer(r"^\s+(50|99)%\s+([\d.]+)(us|ms|s)\s*$", text, re.MULTILINE)
    }
    errors = 0
    if bad := re.search(r"Non-2xx or 3xx responses: (\d+)", text):
        errors += int(bad.group(1))
    if sock := re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", text):
        errors += sum(int(g) for g in sock.groups())
    return LoadResult(
        requests=int(total.group(1)),
        errors=errors,
        seconds=seconds,
        p50_ms=percentiles.get("50", float("nan")),
        p99_ms=percentiles.get("99", float("nan")),
    )


# --- the Python fallback ------------------------------------------------------------------------------


def _request_bytes(request: Request, port: int) -> bytes:
    head = [f"{request.method} {request.path} HTTP/1.1", f"Host: 127.0.0.1:{port}", "Connection: keep-alive"]
    if request.method == "POST":
        head += ["Content-Type: application/json", f"Content-Length: {len(request.body)}"]
    return ("\r\n".join(head) + "\r\n\r\n").encode() + request.body


async def _connection(
    port: int, payload: bytes, measure_from: float, stop_at: float, latencies: list[float]
) -> tuple[int, int]:
    """One keep-alive connection sending back to back; returns (measured requests, errors)."""
    done = errors = 0
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        for _ in range(MAX_REQUESTS_PER_CONNECTION):
            started = time.perf_counter()
            if started >= stop_at:
                break
            writer.write(payload)
            try:
                head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), timeout=5.0)
                status = int(head[9:12])
                length = re.search(rb"(?i)\r\ncontent-length:\s*(\d+)", head)
                if length is None:  # every response of this app has a length; anything else is an error
                    raise ConnectionError("response without Content-Length")
                await asyncio.wait_for(reader.readexactly(int(length.group(1))), timeout=5.0)
            except (TimeoutError, ConnectionError, asyncio.IncompleteReadError, ValueError):
                errors += 1
                break  # the connection's state is unknown: stop using it
            if started >= measure_from:
                done += 1
                latencies.append(time.perf_counter() - started)
                errors += status != 200
    finally:
        writer.close()
        with contextlib.suppress(ConnectionError):
            await writer.wait_closed()
    return done, errors


async def _python_load(port: int, request: Request, *, connections: int, duration: float, warmup: float) -> LoadResult:
    payload = _request_bytes(request, port)
    measure_from = time.perf_counter() + warmup
    stop_at = measure_from + duration
    latencies: list[float] = []
    results = await asyncio.gather(
        *(_connection(port, payload, measure_from, stop_at, latencies) for _ in range(connections)),
        return_exceptions=True,
    )
    ended = max(time.perf_counter(), stop_at)
    requests = sum(r[0] for r in results if isinstance(r, tuple))
    errors = sum(r[1] if isinstance(r, tuple) else 1 for r in results)
    ms = np.asarray(latencies) * 1e3
    return LoadResult(
        requests=requests,
        errors=errors,
        seconds=ended - measure_from,
        p50_ms=float(np.percentile(ms, 50)) if ms.size else float("nan"),
        p99_ms=float(np.percentile(ms, 99)) if ms.size else float("nan"),
    )
