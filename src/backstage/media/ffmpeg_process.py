"""Running a media tool as a child process under limits: time, memory, CPU time, file size.

The child gets no standard input, a minimal environment (no FFREPORT, proxies or other variables
that change what FFmpeg reads or writes), its own process group so that a timeout kills all of it,
no core dumps, and dies with the worker that started it.
"""

import collections
import contextlib
import ctypes
import os
import resource
import selectors
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

# What a tool may print before it is stopped: more than a probe report ever takes.
MAX_STDOUT = 16 * 1024 * 1024
STDERR_TAIL = 64 * 1024
_ENVIRONMENT_KEPT = ("PATH", "LD_LIBRARY_PATH", "TMPDIR")
_PR_SET_PDEATHSIG = 1
# Several transcodes run side by side on one worker: each uses a few cores, not all of them.
THREADS = max(1, min(os.cpu_count() or 1, 4))

_libc = None
if sys.platform.startswith("linux"):
    try:
        _libc = ctypes.CDLL(None, use_errno=True)
    except OSError:  # pragma: no cover - a libc is always there on Linux
        _libc = None


@dataclass(frozen=True)
class ProcessLimits:
    memory_bytes: int  # address space
    cpu_seconds: int  # all threads together
    file_bytes: int  # the largest file the child may write


@dataclass
class ProcessResult:
    returncode: int
    stdout: bytes
    stderr: bytes  # its last STDERR_TAIL bytes
    timed_out: bool = False
    cpu_seconds: float = 0.0  # user and system time of the child, all its threads
    # Stopped for writing more than MAX_STDOUT (when the output is collected).
    overflowed: bool = False

    def stderr_text(self, lines: int = 20) -> str:
        text = self.stderr.decode("utf-8", "replace").strip()
        return "\n".join(text.splitlines()[-lines:])


def _clamped(which: int, value: int) -> tuple[int, int]:
    # A child may lower its limits but never raise them above what this process was given.
    _soft, hard = resource.getrlimit(which)
    if hard != resource.RLIM_INFINITY:
        value = min(value, hard)
    return value, value


def _limiter(limits: ProcessLimits) -> Callable[[], None]:
    memory = _clamped(resource.RLIMIT_AS, limits.memory_bytes)
    files = _clamped(resource.RLIMIT_FSIZE, limits.file_bytes)
    cpu_soft, cpu_hard = _clamped(resource.RLIMIT_CPU, limits.cpu_seconds + 5)
    cpu = (max(1, cpu_soft - 5), cpu_hard)  # SIGXCPU first, then SIGKILL if it is ignored
    no_core = _clamped(resource.RLIMIT_CORE, 0)
    libc = _libc

    def apply() -> None:
        # Runs in the child between fork and exec: as little as possible, nothing that allocates much.
        resource.setrlimit(resource.RLIMIT_AS, memory)
        resource.setrlimit(resource.RLIMIT_FSIZE, files)
        resource.setrlimit(resource.RLIMIT_CPU, cpu)
        resource.setrlimit(resource.RLIMIT_CORE, no_core)
        if libc is not None:
            libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)

    return apply


def child_environment() -> dict[str, str]:
    environment = {name: os.environ[name] for name in _ENVIRONMENT_KEPT if name in os.environ}
    environment["LC_ALL"] = "C"
    return environment


def run_limited(
    argv: Sequence[str],
    *,
    limits: ProcessLimits,
    timeout: float,
    on_line: Callable[[bytes], None] | None = None,
    cwd: Path | None = None,
) -> ProcessResult:
    """Run argv to its end or until the timeout, whichever comes first.

    Its standard output is handed line by line to on_line, or collected (up to MAX_STDOUT) when
    there is none. If on_line raises, the child is killed and the exception propagates.
    """
    process = subprocess.Popen(  # noqa: S603 - argv is built by this package, never by a shell
        list(argv),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=child_environment(),
        cwd=cwd,
        preexec_fn=_limiter(limits),  # only setrlimit and prctl, see _limiter
        start_new_session=True,
    )
    assert process.stdout is not None and process.stderr is not None
    deadline = time.monotonic() + timeout
    stdout = bytearray()
    pending = b""
    stderr: collections.deque[bytes] = collections.deque()
    stderr_size = 0
    timed_out = overflowed = False
    usage: resource.struct_rusage | None = None
    selector = selectors.DefaultSelector()
    selector.register(process.stdout, selectors.EVENT_READ, "stdout")
    selector.register(process.stderr, selectors.EVENT_READ, "stderr")
    try:
        while selector.get_map() and not overflowed:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                timed_out = True
                break
            for key, _events in selector.select(timeout=min(remaining, 1.0)):
                chunk = os.read(key.fd, 65536)
                if not chunk:
                    selector.unregister(key.fileobj)
                    continue
                if key.data == "stderr":
                    stderr.append(chunk)
                    stderr_size += len(chunk)
                    while stderr_size - len(stderr[0]) >= STDERR_TAIL:
                        stderr_size -= len(stderr.popleft())
                elif on_line is None:
                    stdout += chunk
                    overflowed = len(stdout) > MAX_STDOUT
                else:
                    *lines, pending = (pending + chunk).split(b"\n")
                    for line in lines:
                        on_line(line)
        if not timed_out and not overflowed:
            # It closed its output; it may still be writing its files.
            usage = _reap(process, deadline)
            timed_out = usage is None
        if usage is None:
            usage = _kill(process)
    except BaseException:
        _kill(process)
        raise
    finally:
        selector.close()
        process.stdout.close()
        process.stderr.close()
    if pending and on_line is not None:
        on_line(pending)
    assert process.returncode is not None
    return ProcessResult(
        returncode=process.returncode,
        stdout=bytes(stdout),
        stderr=b"".join(stderr)[-STDERR_TAIL:],
        timed_out=timed_out,
        cpu_seconds=usage.ru_utime + usage.ru_stime if usage is not None else 0.0,
        overflowed=overflowed,
    )


def _reap(process: subprocess.Popen[bytes], deadline: float) -> resource.struct_rusage | None:
    """Wait for the child until the deadline; its resource usage, or None if it is still running.

    os.wait4() rather than Popen.wait(): it also gives the CPU time of this child alone, which
    tells a child stopped by its CPU limit (FFmpeg exits on SIGXCPU as on SIGTERM).
    """
    while True:
        pid, status, usage = os.wait4(process.pid, os.WNOHANG)
        if pid:
            process.returncode = os.waitstatus_to_exitcode(status)
            return usage
        if time.monotonic() >= deadline:
            return None
        time.sleep(0.01)


def _kill(process: subprocess.Popen[bytes]) -> resource.struct_rusage | None:
    """Kill the child and whatever it started (its own process group), then reap it."""
    if process.returncode is not None:
        return None  # reaped: its number may belong to another process by now
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
    _pid, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    return usage
