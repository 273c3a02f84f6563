"""Benchmark: making a torrent of a large file, against sha1sum reading the same file.

A file of --size bytes (2 GiB by default) is made in a temporary directory and read once
untimed, so that it sits in the page cache for every measurement. Then, --rounds times in turn:

1. ``sha1sum <file>`` (the baseline: one SHA-1 over the whole file, as fast as coreutils goes);
2. ``make_torrent`` on the same file, as the release build calls it: a SHA-1 per piece, the
   piece length chosen from the size, a web seed, the bencoded .torrent and its magnet link.

Both do the same work per byte (read it, SHA-1 it); taking turns lets a change in the machine's
load weigh on both alike. The torrent's first and last pieces are checked against hashlib.
Printed: each run's time and throughput in MB/s (10^6 bytes), the best of each, their ratio
(target >= 0.70), then the same as one JSON line. Exits 1 when the ratio misses the target.

    .venv/bin/python bench/torrent.py [--size 2G] [--rounds 3] [--directory /var/tmp]
"""

import argparse
import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import torf
from harness import print_json_line
from upload import byte_count, make_file

from backstage.releases.torrents import make_torrent

TARGET_RATIO = 0.70
WARM_UP_BLOCK = 16 * 1024 * 1024


def parse_arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", type=byte_count, default=2 * 1024**3, help="file size (default 2G)")
    parser.add_argument("--rounds", type=int, default=3, help="turns of sha1sum and torrent (default 3)")
    parser.add_argument(
        "--directory", type=Path, default=None, help="where the file goes (default: a temporary directory)"
    )
    arguments = parser.parse_args(argv)
    if arguments.size < 1:
        parser.error("--size must be positive")
    if not 1 <= arguments.rounds <= 20:
        parser.error("--rounds must be between 1 and 20")
    return arguments


def warm_up(path: Path) -> None:
    """Read the whole file once, so that both tools read it from the page cache."""
    with path.open("rb", buffering=0) as file:
        while file.read(WARM_UP_BLOCK):
            pass


def timed_sha1sum(path: Path) -> float:
    started = time.perf_counter()
    output = subprocess.run(["sha1sum", str(path)], check=True, capture_output=True, text=True).stdout
    seconds = time.perf_counter() - started
    if len(output.split()[0]) != 40:
        raise SystemExit(f"unexpected sha1sum output: {output!r}")
    return seconds


def timed_torrent(path: Path) -> tuple[float, dict[str, object]]:
    started = time.perf_counter()
    torrent = make_torrent(
        name=path.name, files=[(path, path.name)], web_seed="https://films.example.org/seed/"
    )
    seconds = time.perf_counter() - started
    check_pieces(path, torrent.data, torrent.piece_length)
    return seconds, {
        "piece_length": torrent.piece_length,
        "pieces": torrent.piece_count,
        "torrent_bytes": len(torrent.data),
        "info_hash": torrent.info_hash,
    }


def check_pieces(path: Path, data: bytes, piece_length: int) -> None:
    """The first and the last piece hash of the .torrent, read back with torf, match the file."""
    hashes = torf.Torrent.read_stream(data).hashes
    with path.open("rb") as file:
        for index in {0, len(hashes) - 1}:
            file.seek(index * piece_length)
            if hashlib.sha1(file.read(piece_length)).digest() != hashes[index]:
                raise SystemExit(f"piece {index} of the torrent does not match the file")


def main(argv: list[str] | None = None) -> int:
    arguments = parse_arguments(argv)
    if shutil.which("sha1sum") is None:
        raise SystemExit("sha1sum (coreutils) is needed for the baseline")
    with tempfile.TemporaryDirectory(prefix="backstage-bench-torrent-", dir=arguments.directory) as folder:
        path = Path(folder) / "film.bin"
        free = shutil.disk_usage(folder).free
        if free < arguments.size + 1024**3:
            raise SystemExit(f"{free / 1e9:.1f} GB free in {folder}: not enough for the file")
        make_file(path, arguments.size)
        warm_up(path)
        load_before = os.getloadavg()[0]
        sha1sum_seconds: list[float] = []
        torrent_seconds: list[float] = []
        details: dict[str, object] = {}
        for _round in range(arguments.rounds):
            sha1sum_seconds.append(timed_sha1sum(path))
            seconds, details = timed_torrent(path)
            torrent_seconds.append(seconds)
        load_after = os.getloadavg()[0]

    size = arguments.size
    best_sha1sum = size / min(sha1sum_seconds) / 1e6
    best_torrent = size / min(torrent_seconds) / 1e6
    ratio = best_torrent / best_sha1sum
    print(
        f"Backstage torrent benchmark: a {size / 1024**3:.2f} GiB file from the page cache, "
        f"{details['pieces']} pieces of {int(str(details['piece_length'])) // 1024} KiB; "
        f"{os.cpu_count()} CPUs; load {load_before:.2f} before, {load_after:.2f} after."
    )
    for index, (baseline, ours) in enumerate(zip(sha1sum_seconds, torrent_seconds, strict=True), start=1):
        print(
            f"round {index}: sha1sum {baseline:6.2f} s {size / baseline / 1e6:8.1f} MB/s   "
            f"make_torrent {ours:6.2f} s {size / ours / 1e6:8.1f} MB/s"
        )
    print(f"best: sha1sum {best_sha1sum:.1f} MB/s, make_torrent {best_torrent:.1f} MB/s")
    print(f"make_torrent / sha1sum: x{ratio:.3f} (target >= {TARGET_RATIO})")
    ok = ratio >= TARGET_RATIO
    print()
    print_json_line(
        {
            "benchmark": "torrent",
            "size_bytes": size,
            "cpus": os.cpu_count(),
            "load_average": {"before": round(load_before, 2), "after": round(load_after, 2)},
            "seconds": {
                "sha1sum": [round(value, 3) for value in sha1sum_seconds],
                "make_torrent": [round(value, 3) for value in torrent_seconds],
            },
            "mb_per_second": {"sha1sum": round(best_sha1sum, 1), "make_torrent": round(best_torrent, 1)},
            "ratio": round(ratio, 3),
            "torrent": details,
            "ok": ok,
        }
    )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
