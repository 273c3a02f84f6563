"""FFmpeg and ffprobe, run safely on files people upload: the media pipeline's one entry point.

probe() reads what a media file holds (ffmpeg_probe); video_jobs() and audio_jobs() describe the
renditions made from it, each one FFmpeg invocation (ffmpeg_jobs); run() executes one of them with
progress, a time limit and limits on memory, CPU time and output size (ffmpeg_process), and
removes what it wrote when it fails. Failures are MediaError, with a stable code (CODES).
"""

import math
import os
import re
import shutil
import signal
import time
from collections.abc import Callable

from backstage.media.ffmpeg_jobs import (
    LADDER,
    SEGMENT_SECONDS,
    THUMBNAIL_COUNT,
    Job,
    Output,
    audio_jobs,
    ladder,
    video_jobs,
)
from backstage.media.ffmpeg_probe import (
    CODES,
    DEMUXERS,
    MediaError,
    Probe,
    Stream,
    ffmpeg_binary,
    ffprobe_binary,
    memory_limit_bytes,
    probe,
)
from backstage.media.ffmpeg_process import THREADS, ProcessLimits, ProcessResult, run_limited

__all__ = [
    "CODES",
    "DEMUXERS",
    "LADDER",
    "SEGMENT_SECONDS",
    "THREADS",
    "THUMBNAIL_COUNT",
    "Job",
    "MediaError",
    "Output",
    "Probe",
    "Stream",
    "audio_jobs",
    "default_timeout",
    "ffmpeg_binary",
    "ffprobe_binary",
    "ladder",
    "probe",
    "run",
    "video_jobs",
]


def default_timeout(duration: float | None) -> float:
    """Seconds a job may run: generous for a loaded machine, bounded for a file that hangs FFmpeg."""
    return 300.0 + 20.0 * (duration or 0.0)


class _Progress:
    """Turns FFmpeg's -progress lines into percents: rising, at most two calls a second."""

    def __init__(self, duration: float | None, callback: Callable[[int], None] | None) -> None:
        self.total = duration * 1_000_000 if duration and duration > 0 else None
        self.callback = callback
        self.percent = 0
        self.called_at = -math.inf

    def line(self, line: bytes) -> None:
        key, _, value = line.partition(b"=")
        if self.callback is None or self.total is None or key.strip() != b"out_time_us":
            return
        try:
            microseconds = int(value)
        except ValueError:  # "N/A" until the first frame is out
            return
        percent = min(99, int(microseconds * 100 / self.total))
        now = time.monotonic()
        if percent > self.percent and now - self.called_at >= 0.5:
            self.percent, self.called_at = percent, now
            self.callback(percent)

    def finish(self) -> None:
        if self.callback is not None:
            self.callback(100)


def _remove(job: Job) -> None:
    for path in job.paths:
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path, ignore_errors=True)
        else:
            path.unlink(missing_ok=True)


def _failure_code(result: ProcessResult, errors: str) -> str:
    if result.returncode == -signal.SIGXFSZ or "File too large" in errors:
        return "too_large"
    if result.returncode == -signal.SIGXCPU:
        return "timeout"
    if re.search(r"Cannot allocate memory|malloc of size \d+ failed", errors):
        return "too_large"  # the file needs more memory than MEDIA_MEMORY_LIMIT_MB allows
    if re.search(r"Invalid data found|partial file|corrupt|[Ee]rror while decoding", errors):
        return "corrupt"
    return "ffmpeg_failed"


def run(
    job: Job,
    *,
    duration: float | None,
    on_progress: Callable[[int], None] | None = None,
    timeout: float | None = None,
) -> None:
    """Run one job to its end, reporting its progress in percent (0 to 100, rising, 100 last).

    duration is the source's, in seconds (for the percents and the default time limit). Raises
    MediaError when the job fails, runs out of time (timeout, else default_timeout(duration)) or
    of its limits; its partial outputs are removed then. An exception raised by on_progress stops
    the job the same way, and propagates.
    """
    _remove(job)  # what a previous, interrupted attempt left
    for output in job.outputs:
        output.path.parent.mkdir(parents=True, exist_ok=True)
    limit = timeout if timeout is not None else default_timeout(duration)
    limits = ProcessLimits(
        memory_bytes=memory_limit_bytes(),
        cpu_seconds=math.ceil(limit * (os.cpu_count() or 1)),
        file_bytes=job.max_file_bytes,
    )
    progress = _Progress(duration, on_progress)
    argv = [job.argv[0], "-progress", "pipe:1", *job.argv[1:]]
    try:
        result = run_limited(argv, limits=limits, timeout=limit, on_line=progress.line)
        errors = result.stderr_text()
        if result.timed_out or result.cpu_seconds >= limits.cpu_seconds:
            raise MediaError("timeout", f"stopped after {limit:g} s or {result.cpu_seconds:.0f} s of CPU")
        if result.returncode != 0:
            raise MediaError(_failure_code(result, errors), f"exit status {result.returncode}\n{errors}")
        empty = [str(o.path) for o in job.outputs if not o.path.is_file() or o.path.stat().st_size == 0]
        if empty:
            raise MediaError("ffmpeg_failed", f"nothing written to {', '.join(empty)}\n{errors}")
    except BaseException:
        _remove(job)
        raise
    progress.finish()
