"""Child processes the bench starts: free loopback ports, process groups that are always stopped,
bounded waits for readiness, and peak memory of a finished child.

Every server is started in a new session (its own process group), so stopping it also stops what
it spawned (`make run` starts Python under make). Every wait here has a deadline.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from bench.report import BenchError

LOOPBACK = "127.0.0.1"
STOP_GRACE_S = 5.0


def free_port() -> int:
    """A TCP port free on loopback now (the kernel picks it; a race with another binder is unlikely)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((LOOPBACK, 0))
        port: int = sock.getsockname()[1]
        return port


def start_group(argv: Sequence[str], *, cwd: Path, env: Mapping[str, str], log: Path) -> subprocess.Popen[bytes]:
    """Start argv in its own process group, output to `log` (a pipe nobody reads would block it)."""
    with log.open("wb") as out:
        return subprocess.Popen(
            list(argv),
            cwd=cwd,
            env=dict(env),
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )


def _signal_group(pgid: int, sig: signal.Signals) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pgid, sig)


def _group_alive(pgid: int) -> bool:
    """Whether a live (non-zombie) process is left in the group; /proc is read, nothing is signalled."""
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            # Fields after the parenthesised command: state, ppid, pgrp, ...
            fields = (entry / "stat").read_text().rpartition(")")[2].split()
        except OSError:
            continue  # the process ended while we looked
        if int(fields[2]) == pgid and fields[0] != "Z":
            return True
    return False


def stop_group(proc: subprocess.Popen[bytes]) -> None:
    """SIGTERM the whole group, wait for all of it (bounded), then SIGKILL what is left; never raises."""
    pgid = proc.pid  # start_new_session made the leader's pid the group id
    _signal_group(pgid, signal.SIGTERM)
    deadline = time.monotonic() + STOP_GRACE_S
    # The leader (make) may exit before its child (the server) has shut down: wait for the group.
    while time.monotonic() < deadline:
        if proc.poll() is not None and not _group_alive(pgid):
            return
        time.sleep(0.05)
    _signal_group(pgid, signal.SIGKILL)
    with contextlib.suppress(subprocess.TimeoutExpired):
        proc.wait(timeout=STOP_GRACE_S)


@contextlib.contextmanager
def running(argv: Sequence[str], *, cwd: Path, env: Mapping[str, str], log: Path) -> Iterator[subprocess.Popen[bytes]]:
    """A process group that is stopped however the block exits."""
    proc = start_group(argv, cwd=cwd, env=env, log=log)
    try:
        yield proc
    finally:
        stop_group(proc)


def wait_until(
    ready: Callable[[], bool], *, timeout: float, interval: float, proc: subprocess.Popen[bytes], log: Path, what: str
) -> float:
    """Poll `ready` every `interval` s until it is true; returns the monotonic time it first was.

    Raises BenchError if the process dies or the deadline passes, with the tail of its log.
    """
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if ready():
            return time.monotonic()
        if proc.poll() is not None:
            raise BenchError(f"{what}: process exited with {proc.returncode} before it was ready\n{log_tail(log)}")
        time.sleep(interval)
    raise BenchError(f"{what}: not ready after {timeout:.0f} s\n{log_tail(log)}")


def log_tail(log: Path, lines: int = 15) -> str:
    try:
        return "\n".join(log.read_text(encoding="utf-8", errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"


@dataclass(frozen=True)
class Finished:
    returncode: int
    seconds: float
    peak_rss_bytes: int


GNU_TIME = Path("/usr/bin/time")
_POLL_S = 0.01


def _vm_hwm_bytes(pid: int) -> int:
    """The process's own RSS high-water mark so far (0 once it is gone)."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    except (OSError, ValueError):
        pass
    return 0


def run_measured(argv: Sequence[str], *, cwd: Path, env: Mapping[str, str], log: Path, timeout: float) -> Finished:
    """Run argv to completion: wall time, and the peak RSS of that program alone.

    Not `wait4`'s or RUSAGE_CHILDREN's ru_maxrss: on Linux a child inherits its parent's high-water
    mark at exec, so a child of this (large) bench process would report the bench's own peak. GNU
    time is a small parent, so the %M it reports is the program's; without it, /proc VmHWM (which
    is per address space, reset at exec) is sampled until the process exits.
    """
    measure_file = log.with_suffix(".rss")
    wrapped = [str(GNU_TIME), "-o", str(measure_file), "-f", "%M", *argv] if GNU_TIME.exists() else list(argv)
    with log.open("wb") as out:
        started = time.perf_counter()
        proc = subprocess.Popen(
            wrapped,
            cwd=cwd,
            env=dict(env),
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    deadline = time.monotonic() + timeout
    sampled = 0
    try:
        while proc.poll() is None:
            if time.monotonic() > deadline:
                raise BenchError(f"`{' '.join(argv)}` still running after {timeout:.0f} s\n{log_tail(log)}")
            if not GNU_TIME.exists():
                sampled = max(sampled, _vm_hwm_bytes(proc.pid))
            time.sleep(_POLL_S)
        elapsed = time.perf_counter() - started
    finally:
        if proc.returncode is None:
            stop_group(proc)
    if GNU_TIME.exists():
        text = measure_file.read_text().strip().splitlines() if measure_file.exists() else []
        # GNU time prints "Command exited with non-zero status N" before the figure when the program fails.
        peak = int(text[-1]) * 1024 if text and text[-1].isdigit() else 0
    else:
        peak = sampled
    return Finished(proc.returncode, elapsed, peak)
