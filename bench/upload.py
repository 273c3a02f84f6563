"""Benchmark: one large resumable (tus) upload through gunicorn, against dd copying the same file.

A file of --size bytes (2 GiB by default) is made in a temporary directory, then:

1. ``dd if=<file> of=<copy> bs=1M conv=fsync`` copies it on the same disk (the baseline);
2. a client in this process uploads it to ``/uploads/`` over the loopback interface, as a
   personal API token's owner: one POST, then PATCHes of --patch-size bytes, each body sent
   from the file with sendfile(); the server streams each body to the partial file and flushes
   it to disk before answering, as dd's ``conv=fsync`` does once at its end;
3. dd runs again, so that a change in the machine's load shows.

gunicorn serves the product as ``backstage run`` does (2 workers x 4 threads, gthread). The
upload is checked byte for byte against the file afterwards. Printed: the throughput of dd and
of the upload in MB/s (10^6 bytes), their ratio (against the faster dd run), and the peak
resident memory (VmHWM) of each gunicorn worker, then the same as one JSON line.

    .venv/bin/python bench/upload.py [--size 2G] [--patch-size 256M]
    DATABASE_URL=postgres://user:password@127.0.0.1:5432/backstage .venv/bin/python bench/upload.py

With a PostgreSQL DATABASE_URL, the benchmark creates its own database beside the one named
(``backstage_bench_upload`` unless --bench-database says otherwise) and drops it at the end.
"""

import argparse
import http.client
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit

from harness import (
    Server,
    benchmark_database,
    database_vendor,
    print_json_line,
    run_backstage,
    server_environment,
)

BARE_PATH = "/bench/bare/"
TARGET_RATIO = 0.70
TARGET_PEAK_MB = 150
_UNITS = {"": 1, "K": 1024, "M": 1024**2, "G": 1024**3}


def byte_count(text: str) -> int:
    """``2G``, ``256M``, ``1500000``: binary multiples."""
    match = re.fullmatch(r"\s*(\d+)\s*([KMG]?)(?:i?B)?\s*", text, re.IGNORECASE)
    if match is None:
        raise argparse.ArgumentTypeError(f"not a size: {text!r} (try 2G, 512M or a number of bytes)")
    return int(match.group(1)) * _UNITS[match.group(2).upper()]


def parse_arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", type=byte_count, default=2 * 1024**3, help="file size (default 2G)")
    parser.add_argument(
        "--patch-size", type=byte_count, default=256 * 1024**2, help="bytes per PATCH request (default 256M)"
    )
    parser.add_argument("--workers", type=int, default=2, help="gunicorn worker processes (default 2)")
    parser.add_argument("--threads", type=int, default=4, help="threads per gunicorn worker (default 4)")
    parser.add_argument(
        "--database-url",
        default=os.environ.get("DATABASE_URL") or None,
        help="PostgreSQL server to run on (default: DATABASE_URL, else SQLite in a temporary directory)",
    )
    parser.add_argument(
        "--bench-database", default="backstage_bench_upload", help="PostgreSQL database to create"
    )
    parser.add_argument(
        "--directory", type=Path, default=None, help="where the files go (default: a temporary directory)"
    )
    arguments = parser.parse_args(argv)
    if arguments.size < 1 or arguments.patch_size < 1:
        parser.error("--size and --patch-size must be positive")
    return arguments


# --- The file and the baseline ------------------------------------------------------------------


def make_file(path: Path, size: int) -> None:
    """Bytes that differ from block to block (no file system or cache can shortcut them), on disk."""
    pool = os.urandom(16 * 1024 * 1024)
    with path.open("wb") as target:
        written = 0
        while written < size:
            block = (written // len(pool)).to_bytes(8, "big") + pool[8:]
            written += target.write(block[: size - written])
        target.flush()
        os.fsync(target.fileno())


def timed_dd(source: Path, copy: Path) -> float:
    """Seconds dd takes to copy the file and flush the copy to disk."""
    os.sync()
    started = time.perf_counter()
    subprocess.run(["dd", f"if={source}", f"of={copy}", "bs=1M", "conv=fsync", "status=none"], check=True)
    seconds = time.perf_counter() - started
    if copy.stat().st_size != source.stat().st_size:
        raise SystemExit("dd did not copy the whole file")
    copy.unlink()
    return seconds


# --- The client ---------------------------------------------------------------------------------


def prepare_database(env: dict[str, str]) -> None:
    """Migrate, then set Django up in this process; no page is rendered, so static files are not needed."""
    run_backstage(env, "migrate", "--noinput")
    run_backstage(env, "createcachetable")
    os.environ.update(env)
    import django

    django.setup()


def create_account() -> str:
    """A member and their personal API token, made in the benchmark's database."""
    from django.db import connections

    from backstage.accounts.models import User
    from backstage.accounts.services import create_api_token

    try:
        user = User.objects.create_user(username="uploader", email="uploader@example.org", password=None)
        _token, clear = create_api_token(actor=user, name="benchmark")
        return clear
    finally:
        connections.close_all()


def tus_upload(port: int, token: str, source: Path, patch_size: int) -> tuple[float, str, int]:
    """Upload the file with the tus protocol; the seconds it took, its address and the PATCH count."""
    size = source.stat().st_size
    headers = {"Tus-Resumable": "1.0.0", "Authorization": f"Bearer {token}"}
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
    patches = 0
    os.sync()
    started = time.perf_counter()
    connection.request(
        "POST",
        "/uploads/",
        headers={**headers, "Upload-Length": str(size), "Upload-Metadata": "filename YmVuY2guYmlu"},
    )
    created = connection.getresponse()
    created.read()
    if created.status != 201:
        raise SystemExit(f"the upload was not created: {created.status}")
    path = urlsplit(created.getheader("Location", "")).path
    offset = 0
    with source.open("rb") as file:
        while offset < size:
            count = min(patch_size, size - offset)
            connection.putrequest("PATCH", path)
            for name, value in {
                **headers,
                "Upload-Offset": str(offset),
                "Content-Type": "application/offset+octet-stream",
                "Content-Length": str(count),
            }.items():
                connection.putheader(name, value)
            connection.endheaders()
            assert connection.sock is not None
            sent = connection.sock.sendfile(file, offset, count)
            response = connection.getresponse()
            body = response.read()
            patches += 1
            if response.status != 204 or sent != count:
                raise SystemExit(f"PATCH at {offset} failed: {response.status} {body[:300]!r}")
            offset = int(response.getheader("Upload-Offset", "-1"))
    seconds = time.perf_counter() - started
    connection.close()
    return seconds, path, patches


# --- The server's memory ------------------------------------------------------------------------


def worker_pids(master: int) -> list[int]:
    """gunicorn's worker processes: the children of its master."""
    children = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        # The command name is in parentheses and may hold spaces: the parent comes after it.
        parent = int(stat.rsplit(")", 1)[1].split()[1])
        if parent == master:
            children.append(int(entry.name))
    return sorted(children)


def cpu_seconds(pid: int) -> float:
    """User and system CPU time a process has used so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def memory_mb(pid: int, field: str) -> float:
    """VmRSS or VmHWM (peak resident memory) of a process, in MB (10^6 bytes)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(f"{field}:"):
            return int(line.split()[1]) * 1024 / 1e6
    raise SystemExit(f"no {field} for process {pid}")


def same_bytes(first: Path, second: Path) -> bool:
    return subprocess.run(["cmp", "-s", str(first), str(second)], check=False).returncode == 0


# --- The run ------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    arguments = parse_arguments(argv)
    vendor = database_vendor(arguments.database_url)
    with (
        tempfile.TemporaryDirectory(prefix="backstage-bench-upload-", dir=arguments.directory) as folder,
        benchmark_database(arguments.database_url, arguments.bench_database) as database_url,
    ):
        data_dir = Path(folder)
        free = shutil.disk_usage(data_dir).free
        if free < 3 * arguments.size + 1024**3:
            raise SystemExit(
                f"{free / 1e9:.1f} GB free in {data_dir}: the run needs three copies of the file"
            )
        env = server_environment(data_dir=data_dir, database_url=database_url)
        env["BACKSTAGE_UPLOAD_MAX_BYTES"] = str(max(arguments.size, 20 * 1024**3))
        env["BACKSTAGE_MEMBER_QUOTA_BYTES"] = str(max(arguments.size, 50 * 1024**3))
        prepare_database(env)
        token = create_account()
        source = data_dir / "source.bin"
        make_file(source, arguments.size)
        copy = data_dir / "dd-copy.bin"

        # Untimed: the first writes to fresh blocks of a virtual disk are slower than any later ones.
        timed_dd(source, copy)
        dd_before = timed_dd(source, copy)
        server = Server(
            env=env, log_path=data_dir / "gunicorn.log", workers=arguments.workers, threads=arguments.threads
        )
        load_before = os.getloadavg()[0]
        try:
            server.start()
            server.wait_until_ready(BARE_PATH)
            assert server.process is not None
            workers = worker_pids(server.process.pid)
            idle = {pid: memory_mb(pid, "VmRSS") for pid in workers}
            cpu_before = {pid: cpu_seconds(pid) for pid in workers}
            client_cpu = time.process_time()
            upload_seconds, upload_path, patches = tus_upload(
                server.port, token, source, arguments.patch_size
            )
            client_cpu = time.process_time() - client_cpu
            # A worker may have been started (or replaced) meanwhile.
            workers = sorted(set(workers) | set(worker_pids(server.process.pid)))
            server_cpu = sum(cpu_seconds(pid) - cpu_before.get(pid, 0.0) for pid in workers)
            idle = {pid: idle.get(pid, float("nan")) for pid in workers}
            peaks = {pid: memory_mb(pid, "VmHWM") for pid in workers}
        finally:
            server.stop()
        load_after = os.getloadavg()[0]
        received = data_dir / "uploads" / f"{upload_path.rstrip('/').rsplit('/', 1)[-1]}.part"
        if not same_bytes(source, received):
            raise SystemExit("the uploaded file differs from the original")
        received.unlink()
        dd_after = timed_dd(source, copy)

    size = arguments.size
    dd_best = min(dd_before, dd_after)
    throughput = {
        "dd_before": size / dd_before / 1e6,
        "dd_after": size / dd_after / 1e6,
        "upload": size / upload_seconds / 1e6,
    }
    ratio = dd_best / upload_seconds
    peak = max(peaks.values())
    print(
        f"Backstage upload benchmark: {vendor}, a {size / 1024**3:.2f} GiB file in {patches} PATCH request(s) "
        f"of up to {arguments.patch_size / 1024**2:.0f} MiB; gunicorn {arguments.workers} workers x "
        f"{arguments.threads} threads (gthread); {os.cpu_count()} CPUs; load {load_before:.2f} before the "
        f"upload, {load_after:.2f} after."
    )
    print(f"dd bs=1M conv=fsync, before: {dd_before:7.2f} s  {throughput['dd_before']:8.1f} MB/s")
    print(f"tus upload (fsync per PATCH):  {upload_seconds:7.2f} s  {throughput['upload']:8.1f} MB/s")
    print(f"dd bs=1M conv=fsync, after:  {dd_after:7.2f} s  {throughput['dd_after']:8.1f} MB/s")
    print(f"upload / dd (faster run): x{ratio:.3f} (target >= {TARGET_RATIO})")
    print(f"CPU time during the upload: server workers {server_cpu:.2f} s, client {client_cpu:.2f} s")
    for pid in workers:
        print(f"gunicorn worker {pid}: {idle[pid]:.1f} MB resident at rest, peak {peaks[pid]:.1f} MB (VmHWM)")
    print(
        f"server peak memory: {peak:.1f} MB (target < {TARGET_PEAK_MB} MB); the upload was checked byte for byte."
    )
    ok = ratio >= TARGET_RATIO and peak < TARGET_PEAK_MB
    print()
    print_json_line(
        {
            "benchmark": "upload",
            "database": vendor,
            "size_bytes": size,
            "patch_bytes": arguments.patch_size,
            "patches": patches,
            "server": {"workers": arguments.workers, "threads": arguments.threads, "worker_class": "gthread"},
            "cpus": os.cpu_count(),
            "load_average": {"before": round(load_before, 2), "after": round(load_after, 2)},
            "seconds": {
                "dd_before": round(dd_before, 3),
                "upload": round(upload_seconds, 3),
                "dd_after": round(dd_after, 3),
            },
            "mb_per_second": {key: round(value, 1) for key, value in throughput.items()},
            "ratio": round(ratio, 3),
            "cpu_seconds": {"server": round(server_cpu, 2), "client": round(client_cpu, 2)},
            "worker_peak_mb": {str(pid): round(value, 1) for pid, value in peaks.items()},
            "worker_idle_mb": {str(pid): round(value, 1) for pid, value in idle.items()},
            "ok": ok,
        }
    )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
