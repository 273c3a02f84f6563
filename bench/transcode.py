"""Benchmark: a video's renditions through run(), against the same FFmpeg commands run by hand.

A test clip (testsrc2 picture and a sine tone, 1080p, 25 fps, H.264/AAC; 60 s unless --seconds says
otherwise) is made once. Then each video job (proxy, HLS ladder, poster, thumbnail strip) is timed
both ways in the same run, the order alternating from one job and round to the next:

- ours: backstage.media.ffmpeg.run(), with -progress parsing, the progress callback, the resource
  limits, the time limit and the checks of the outputs;
- by hand: the job's own argv through subprocess.run(), nothing else.

Then the proxy job twice, one after the other and both at once (as two worker processes would),
through run(). Printed: a table of wall-clock and CPU seconds (of the FFmpeg processes) each way,
the ratios ours / by hand (target: at most 1.10), and the same as one JSON line. Wall-clock
seconds are summed over the rounds and also compared for the best round, which other work on the
machine disturbs least; CPU seconds are disturbed less by it. The machine's load average is printed before and after: other work on
the machine shows in the figures.

    .venv/bin/python bench/transcode.py [--seconds 60] [--rounds 2] [--ffmpeg PATH --ffprobe PATH]
"""

import argparse
import os
import platform
import resource
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from harness import print_json_line

SRC_DIR = Path(__file__).resolve().parent.parent / "src"


def parse_arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=60.0, help="length of the test clip (default 60)")
    parser.add_argument("--rounds", type=int, default=2, help="times each job is timed each way (default 2)")
    parser.add_argument(
        "--ffmpeg", help="the ffmpeg to run (default: as BACKSTAGE_FFMPEG, PATH, then the wheel)"
    )
    parser.add_argument("--ffprobe", help="the ffprobe to run (default: as for --ffmpeg)")
    arguments = parser.parse_args(argv)
    if not 1 <= arguments.seconds <= 3600:
        parser.error("--seconds must be between 1 and 3600")
    if not 1 <= arguments.rounds <= 20:
        parser.error("--rounds must be between 1 and 20")
    return arguments


def make_clip(ffmpeg: str, path: Path, seconds: float) -> float:
    """The test clip: 1080p, 25 fps, H.264 and AAC. Returns the seconds it took."""
    started = time.perf_counter()
    subprocess.run(
        [
            ffmpeg, "-nostdin", "-hide_banner", "-v", "error", "-y",
            "-f", "lavfi", "-i", f"testsrc2=size=1920x1080:rate=25:duration={seconds:g}",
            "-f", "lavfi", "-i", f"sine=frequency=440:sample_rate=48000:duration={seconds:g}",
            "-c:v", "libx264", "-preset", "veryfast", "-crf", "20", "-pix_fmt", "yuv420p",
            "-c:a", "aac", "-b:a", "192k", "-movflags", "+faststart", str(path),
        ],
        check=True,
        timeout=3600,
    )  # fmt: skip
    return time.perf_counter() - started


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def by_hand(job) -> tuple[float, float]:
    """The job's argv, run as a bare subprocess: its wall-clock and CPU seconds."""
    for path in job.paths:
        if path.is_dir():
            shutil.rmtree(path)
        else:
            path.unlink(missing_ok=True)
    for output in job.outputs:
        output.path.parent.mkdir(parents=True, exist_ok=True)
    cpu, started = children_cpu(), time.perf_counter()
    subprocess.run(job.argv, stdin=subprocess.DEVNULL, capture_output=True, check=True)
    return time.perf_counter() - started, children_cpu() - cpu


def ours(ffmpeg, job, duration: float, calls: list[int] | None = None) -> tuple[float, float]:
    """run() with a progress callback, as the worker calls it: its wall-clock and CPU seconds."""
    progress = calls if calls is not None else []
    cpu, started = children_cpu(), time.perf_counter()
    ffmpeg.run(job, duration=duration, on_progress=progress.append)
    return time.perf_counter() - started, children_cpu() - cpu


def parallel(ffmpeg, jobs: list, duration: float) -> float:
    """The jobs at once, each in its own thread (each run() starts its own FFmpeg process)."""
    failures: list[BaseException] = []

    def one(job) -> None:
        try:
            ffmpeg.run(job, duration=duration)
        except BaseException as error:
            failures.append(error)

    threads = [threading.Thread(target=one, args=(job,)) for job in jobs]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if failures:
        raise failures[0]
    return time.perf_counter() - started


def version(binary: str) -> str:
    result = subprocess.run([binary, "-version"], capture_output=True, text=True, check=True)
    return result.stdout.split("\n")[0].split(" Copyright")[0]


def main(argv: list[str] | None = None) -> int:
    arguments = parse_arguments(argv)
    if arguments.ffmpeg:
        os.environ["BACKSTAGE_FFMPEG"] = arguments.ffmpeg
    if arguments.ffprobe:
        os.environ["BACKSTAGE_FFPROBE"] = arguments.ffprobe
    sys.path.insert(0, str(SRC_DIR))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "backstage.settings")
    import django

    django.setup()
    from backstage.media import ffmpeg

    binary = ffmpeg.ffmpeg_binary()
    with tempfile.TemporaryDirectory(prefix="backstage-bench-transcode-") as scratch:
        folder = Path(scratch)
        clip = folder / "clip.mp4"
        made_in = make_clip(binary, clip, arguments.seconds)
        found = ffmpeg.probe(clip)
        assert found.duration is not None
        load_before = os.getloadavg()[0]
        print(
            f"Backstage transcoding benchmark: {version(binary)}; clip {arguments.seconds:g} s, 1920x1080, "
            f"25 fps, H.264/AAC, {clip.stat().st_size / 1e6:.1f} MB (made in {made_in:.1f} s); "
            f"{arguments.rounds} round(s); {os.cpu_count()} CPUs, {ffmpeg.THREADS} threads a job; "
            f"Python {platform.python_version()}."
        )
        jobs = ffmpeg.video_jobs(clip, folder / "out", found)
        # Job: way: [(wall-clock seconds, CPU seconds) of each round].
        timings: dict[str, dict[str, list[tuple[float, float]]]] = {
            name: {"ours": [], "by_hand": []} for name in jobs
        }
        calls: dict[str, list[int]] = {name: [] for name in jobs}
        turn = 0
        for _round in range(arguments.rounds):
            for name, job in jobs.items():
                order = ("ours", "by_hand") if turn % 2 == 0 else ("by_hand", "ours")
                turn += 1
                for way in order:
                    measured = (
                        ours(ffmpeg, job, found.duration, calls[name]) if way == "ours" else by_hand(job)
                    )
                    timings[name][way].append(measured)
        header = (
            f"{'job':<12} {'ours s':>8} {'hand s':>8} {'ratio':>7} {'best ratio':>11} "
            f"{'ours CPU s':>11} {'hand CPU s':>11} {'CPU ratio':>10} {'progress calls':>15}"
        )
        print(header)
        print("-" * len(header))
        figures: dict[str, dict[str, float]] = {}
        for name, times in timings.items():
            figure = {
                f"{way}_{what}": sum(measured[index] for measured in times[way])
                for way in ("ours", "by_hand")
                for index, what in enumerate(("seconds", "cpu_seconds"))
            }
            figure["best_ours_seconds"] = min(wall for wall, _ in times["ours"])
            figure["best_by_hand_seconds"] = min(wall for wall, _ in times["by_hand"])
            figure["progress_calls"] = len(calls[name])
            figures[name] = figure
            print(
                f"{name:<12} {figure['ours_seconds']:>8.2f} {figure['by_hand_seconds']:>8.2f} "
                f"{figure['ours_seconds'] / figure['by_hand_seconds']:>7.3f} "
                f"{figure['best_ours_seconds'] / figure['best_by_hand_seconds']:>11.3f} "
                f"{figure['ours_cpu_seconds']:>11.2f} {figure['by_hand_cpu_seconds']:>11.2f} "
                f"{figure['ours_cpu_seconds'] / figure['by_hand_cpu_seconds']:>10.3f} {len(calls[name]):>15}"
            )
        total = {key: sum(figure[key] for figure in figures.values()) for key in next(iter(figures.values()))}
        total_ratio = round(total["ours_seconds"] / total["by_hand_seconds"], 3)
        best_ratio = round(total["best_ours_seconds"] / total["best_by_hand_seconds"], 3)
        cpu_ratio = round(total["ours_cpu_seconds"] / total["by_hand_cpu_seconds"], 3)
        print(
            f"{'all':<12} {total['ours_seconds']:>8.2f} {total['by_hand_seconds']:>8.2f} {total_ratio:>7.3f} "
            f"{best_ratio:>11.3f} {total['ours_cpu_seconds']:>11.2f} {total['by_hand_cpu_seconds']:>11.2f} "
            f"{cpu_ratio:>10.3f}"
        )

        proxy = [jobs["proxy"], ffmpeg.video_jobs(clip, folder / "second", found)["proxy"]]
        one_after_the_other = sum(ours(ffmpeg, job, found.duration)[0] for job in proxy)
        at_once = parallel(ffmpeg, proxy, found.duration)
        load_after = os.getloadavg()[0]
        print(
            f"Two proxy jobs: {one_after_the_other:.2f} s one after the other, {at_once:.2f} s at once "
            f"(x{one_after_the_other / at_once:.2f} throughput)."
        )
        print(
            f"run() / by hand, all video jobs: wall-clock x{total_ratio:.3f} summed over {arguments.rounds} "
            f"round(s), x{best_ratio:.3f} best round; CPU x{cpu_ratio:.3f} (target: at most 1.10). "
            f"Machine load (1-minute average): {load_before:.2f} before, {load_after:.2f} after."
        )
        print_json_line(
            {
                "benchmark": "transcode",
                "ffmpeg": version(binary),
                "clip_seconds": arguments.seconds,
                "rounds": arguments.rounds,
                "jobs": {
                    name: {k: round(v, 3) for k, v in figure.items()} for name, figure in figures.items()
                },
                "ratios": {"wall_clock": total_ratio, "best_round": best_ratio, "cpu": cpu_ratio},
                "parallel_proxy": {
                    "sequential_seconds": round(one_after_the_other, 3),
                    "parallel_seconds": round(at_once, 3),
                },
                "cpus": os.cpu_count(),
                "threads_per_job": ffmpeg.THREADS,
                "load_average": {"before": round(load_before, 2), "after": round(load_after, 2)},
                "python": platform.python_version(),
            }
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
