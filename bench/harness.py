"""What every benchmark shares: a fresh database, a gunicorn server, a load generator and the report.

The server and the load generator run on the same machine and talk over the loopback interface
only. Each figure is compared with a bare Django view measured on the same server in the same
run, so the ratios say what a page costs beyond Django itself on this machine.
"""

import argparse
import http.client
import json
import math
import os
import platform
import secrets
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.parse
from collections import Counter
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
# A bound on the requests one client thread sends in one measurement, whatever the duration asked.
MAX_REQUESTS_PER_THREAD = 2_000_000


def backstage_command() -> list[str]:
    """The ``backstage`` console command of the running interpreter's environment."""
    script = Path(sys.executable).parent / "backstage"
    return [str(script)] if script.exists() else [sys.executable, "-m", "backstage.cli"]


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


# --- The command line ---------------------------------------------------------------------------


def add_run_arguments(parser: argparse.ArgumentParser, *, bench_database: str) -> None:
    """The options every benchmark takes: timing, load, server size and database."""
    parser.add_argument("--seconds", type=float, default=10.0, help="measured time per endpoint (default 10)")
    parser.add_argument("--warmup", type=float, default=3.0, help="warm-up time per endpoint (default 3)")
    parser.add_argument(
        "--rounds", type=int, default=5, help="turns the endpoints take within the measured time (default 5)"
    )
    parser.add_argument("--concurrency", type=int, default=8, help="client connections (default 8)")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn worker processes (default 2)")
    parser.add_argument("--threads", type=int, default=4, help="threads per gunicorn worker (default 4)")
    parser.add_argument(
        "--database-url",
        default=os.environ.get("DATABASE_URL") or None,
        help="PostgreSQL server to run on (default: DATABASE_URL, else SQLite in a temporary directory)",
    )
    parser.add_argument("--bench-database", default=bench_database, help="PostgreSQL database to create")


def check_run_arguments(parser: argparse.ArgumentParser, arguments: argparse.Namespace) -> None:
    if arguments.seconds <= 0 or arguments.seconds > 600:
        parser.error("--seconds must be between 0 and 600")
    if arguments.warmup < 0 or arguments.warmup > 120:
        parser.error("--warmup must be between 0 and 120")
    if not 1 <= arguments.rounds <= 100:
        parser.error("--rounds must be between 1 and 100")
    if not 1 <= arguments.concurrency <= 256:
        parser.error("--concurrency must be between 1 and 256")


# --- The database -------------------------------------------------------------------------------


def database_vendor(database_url: str | None) -> str:
    if not database_url:
        return "sqlite"
    scheme = urllib.parse.urlsplit(database_url).scheme
    return "postgresql" if scheme.startswith("postgres") else scheme


def _with_database_name(database_url: str, name: str) -> str:
    parts = urllib.parse.urlsplit(database_url)
    return urllib.parse.urlunsplit(parts._replace(path=f"/{name}"))


@contextmanager
def scratch_postgres_database(database_url: str, name: str) -> Iterator[str]:
    """A new, empty PostgreSQL database beside the one ``database_url`` names, dropped afterwards.

    The database named by ``database_url`` is only used to connect; it is never modified.
    Needs a role with the CREATEDB right.
    """
    import psycopg
    from psycopg import sql

    statement_drop = sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
    statement_create = sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name))
    with psycopg.connect(database_url, autocommit=True) as admin:
        admin.execute(statement_drop)
        admin.execute(statement_create)
    try:
        yield _with_database_name(database_url, name)
    finally:
        with psycopg.connect(database_url, autocommit=True) as admin:
            admin.execute(statement_drop)


@contextmanager
def benchmark_database(database_url: str | None, name: str) -> Iterator[str | None]:
    """The database URL of the run: a scratch PostgreSQL database, or None for SQLite in the data dir."""
    if database_vendor(database_url) == "postgresql":
        assert database_url is not None
        with scratch_postgres_database(database_url, name) as url:
            yield url
    elif database_url:
        raise SystemExit(f"unsupported database for this benchmark: {database_url.split(':', 1)[0]}")
    else:
        yield None


def server_environment(*, data_dir: Path, database_url: str | None) -> dict[str, str]:
    """The environment of every process of the run: the product's settings, pinned for the benchmark.

    Any BACKSTAGE_* variable of the caller's shell is dropped so that the run does not depend on it.
    """
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith("BACKSTAGE_") and key not in {"DATABASE_URL", "DJANGO_SETTINGS_MODULE"}
    }
    env.update(
        {
            "BACKSTAGE_DATA_DIR": str(data_dir),
            "BACKSTAGE_SECRET_KEY": secrets.token_urlsafe(50),
            "BACKSTAGE_DEBUG": "false",
            "BACKSTAGE_ALLOWED_HOSTS": "127.0.0.1",
            "BACKSTAGE_LOG_LEVEL": "WARNING",
            "DJANGO_SETTINGS_MODULE": "bench_settings",
            "PYTHONPATH": os.pathsep.join(filter(None, [str(BENCH_DIR), os.environ.get("PYTHONPATH")])),
        }
    )
    if database_url:
        env["DATABASE_URL"] = database_url
    return env


def run_backstage(env: Mapping[str, str], *arguments: str) -> None:
    """Run one ``backstage`` command (migrate, collectstatic…) and stop the benchmark if it fails."""
    completed = subprocess.run(
        [*backstage_command(), *arguments], env=dict(env), capture_output=True, text=True, check=False
    )
    if completed.returncode != 0:
        sys.stderr.write(completed.stdout + completed.stderr)
        raise SystemExit(f"backstage {' '.join(arguments)} failed with status {completed.returncode}")


def prepare_database(env: Mapping[str, str]) -> None:
    """Migrate, create the cache table and collect static files, then set Django up in this process.

    The data is then inserted from this process, with the same settings as the server's.
    """
    run_backstage(env, "migrate", "--noinput")
    run_backstage(env, "createcachetable")
    run_backstage(env, "collectstatic", "--noinput")
    os.environ.update(env)
    import django

    django.setup()


# --- The server ---------------------------------------------------------------------------------


@dataclass
class Server:
    """A gunicorn server running the product's WSGI application, as `backstage run` starts it."""

    env: Mapping[str, str]
    log_path: Path
    workers: int = 2
    threads: int = 4
    port: int = field(default_factory=free_port)
    process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        command = [
            sys.executable, "-m", "gunicorn", "backstage.wsgi:application",
            "--bind", f"127.0.0.1:{self.port}",
            "--workers", str(self.workers), "--threads", str(self.threads), "--worker-class", "gthread",
            "--timeout", "60", "--log-level", "warning",
        ]  # fmt: skip
        with self.log_path.open("wb") as log:
            # A session of its own, so that stopping it stops its workers and nothing else.
            self.process = subprocess.Popen(
                command, env=dict(self.env), stdout=log, stderr=subprocess.STDOUT, start_new_session=True
            )

    def wait_until_ready(self, path: str, timeout: float = 60.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process is not None and self.process.poll() is not None:
                raise SystemExit(f"the server stopped at start-up:\n{self.log_tail()}")
            try:
                connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=5)
                connection.request("GET", path)
                if connection.getresponse().status == 200:
                    connection.close()
                    return
                connection.close()
            except OSError:
                pass
            time.sleep(0.2)
        raise SystemExit(f"the server did not answer within {timeout:.0f} s:\n{self.log_tail()}")

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=20)

    def log_tail(self, lines: int = 40) -> str:
        if not self.log_path.exists():
            return ""
        return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])

    def get(self, path: str, headers: Mapping[str, str] | None = None) -> tuple[int, str]:
        """One request, for checking what a page shows before measuring it."""
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        try:
            connection.request("GET", path, headers=dict(headers or {}))
            response = connection.getresponse()
            return response.status, response.read().decode("utf-8", errors="replace")
        finally:
            connection.close()


# --- The load generator -------------------------------------------------------------------------


@dataclass
class Measurement:
    """Every request of one endpoint during one timed window."""

    name: str
    path: str
    seconds: float
    latencies: list[float]
    statuses: Counter[int]
    errors: Counter[str]
    client_cpu_seconds: float = 0.0

    @property
    def requests(self) -> int:
        return len(self.latencies)

    @property
    def requests_per_second(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    def percentile(self, fraction: float) -> float:
        """The latency under which ``fraction`` of requests completed (nearest rank), in seconds."""
        if not self.latencies:
            return math.nan
        ordered = sorted(self.latencies)
        rank = max(1, math.ceil(fraction * len(ordered)))
        return ordered[rank - 1]

    @property
    def failures(self) -> int:
        unexpected = sum(count for status, count in self.statuses.items() if status != 200)
        return unexpected + sum(self.errors.values())

    def summary(self) -> dict[str, float | int]:
        return {
            "requests": self.requests,
            "seconds": round(self.seconds, 3),
            "rps": round(self.requests_per_second, 1),
            "p50_ms": round(self.percentile(0.50) * 1000, 3),
            "p99_ms": round(self.percentile(0.99) * 1000, 3),
            "failures": self.failures,
            "client_cpu": round(self.client_cpu_seconds / self.seconds, 2) if self.seconds else 0.0,
        }


def _client(
    port: int,
    path: str,
    headers: Mapping[str, str],
    deadline: float,
    latencies: list[float],
    statuses: Counter[int],
    errors: Counter[str],
) -> None:
    """One client: one keep-alive connection, one request at a time, until the deadline."""
    connection: http.client.HTTPConnection | None = None
    served_on_connection = 0
    sent = 0
    while sent < MAX_REQUESTS_PER_THREAD and time.perf_counter() < deadline:
        if connection is None:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            served_on_connection = 0
        sent += 1
        started = time.perf_counter()
        try:
            connection.request("GET", path, headers=dict(headers))
            response = connection.getresponse()
            response.read()
        except (http.client.HTTPException, OSError) as error:
            connection.close()
            connection = None
            if served_on_connection == 0:
                errors[type(error).__name__] += 1
            # else: the server closed an idle keep-alive connection; reconnect and send again.
            continue
        latencies.append(time.perf_counter() - started)
        statuses[response.status] += 1
        served_on_connection += 1
        if response.will_close:
            connection.close()
            connection = None
    if connection is not None:
        connection.close()


def measure(
    *,
    name: str,
    port: int,
    path: str,
    seconds: float,
    concurrency: int,
    headers: Mapping[str, str] | None = None,
) -> Measurement:
    """Send requests to ``path`` from ``concurrency`` clients for ``seconds``."""
    per_client: list[tuple[list[float], Counter[int], Counter[str]]] = [
        ([], Counter(), Counter()) for _ in range(concurrency)
    ]
    cpu_started = time.process_time()
    started = time.perf_counter()
    deadline = started + seconds
    threads = [
        threading.Thread(
            target=_client,
            args=(port, path, headers or {}, deadline, latencies, statuses, errors),
            daemon=True,
        )
        for latencies, statuses, errors in per_client
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=seconds + 120)
    elapsed = time.perf_counter() - started
    cpu_used = time.process_time() - cpu_started
    latencies: list[float] = []
    statuses: Counter[int] = Counter()
    errors: Counter[str] = Counter()
    for client_latencies, client_statuses, client_errors in per_client:
        latencies.extend(client_latencies)
        statuses.update(client_statuses)
        errors.update(client_errors)
    return Measurement(name, path, elapsed, latencies, statuses, errors, cpu_used)


def combined(windows: list[Measurement]) -> Measurement:
    """One endpoint's measurement windows taken together."""
    statuses: Counter[int] = Counter()
    errors: Counter[str] = Counter()
    for window in windows:
        statuses.update(window.statuses)
        errors.update(window.errors)
    return Measurement(
        name=windows[0].name,
        path=windows[0].path,
        seconds=sum(window.seconds for window in windows),
        latencies=[latency for window in windows for latency in window.latencies],
        statuses=statuses,
        errors=errors,
        client_cpu_seconds=sum(window.client_cpu_seconds for window in windows),
    )


@dataclass(frozen=True)
class Endpoint:
    name: str
    path: str
    headers: Mapping[str, str] = field(default_factory=dict)


@dataclass
class Run:
    """The measurements of one benchmark run, in the order of its endpoints, and the machine's load."""

    measurements: list[Measurement]
    load_before: float
    load_after: float


def measure_in_turns(
    server: Server, endpoints: Sequence[Endpoint], arguments: argparse.Namespace
) -> list[Measurement]:
    """Warm every endpoint up, then measure them taking turns in short windows."""
    for endpoint in endpoints:
        if arguments.warmup:
            measure(
                name=endpoint.name,
                port=server.port,
                path=endpoint.path,
                headers=endpoint.headers,
                seconds=arguments.warmup,
                concurrency=arguments.concurrency,
            )
    # Endpoints take turns, so that a change in the machine's load weighs on all of them alike.
    windows: list[list[Measurement]] = [[] for _endpoint in endpoints]
    for _round in range(arguments.rounds):
        for endpoint, endpoint_windows in zip(endpoints, windows, strict=True):
            endpoint_windows.append(
                measure(
                    name=endpoint.name,
                    port=server.port,
                    path=endpoint.path,
                    headers=endpoint.headers,
                    seconds=arguments.seconds / arguments.rounds,
                    concurrency=arguments.concurrency,
                )
            )
    return [combined(endpoint_windows) for endpoint_windows in windows]


def serve_and_measure(
    *,
    env: Mapping[str, str],
    data_dir: Path,
    arguments: argparse.Namespace,
    endpoints: Sequence[Endpoint],
    check: Callable[[Server], None],
    ready_path: str,
) -> Run:
    """Start gunicorn, run ``check`` against it, measure the endpoints, and stop the server."""
    server = Server(
        env=env, log_path=data_dir / "gunicorn.log", workers=arguments.workers, threads=arguments.threads
    )
    load_before = os.getloadavg()[0]
    try:
        server.start()
        server.wait_until_ready(ready_path)
        check(server)
        measurements = measure_in_turns(server, endpoints, arguments)
    finally:
        server.stop()
    return Run(measurements, load_before, os.getloadavg()[0])


# --- The report ---------------------------------------------------------------------------------


def print_setup(arguments: argparse.Namespace) -> None:
    print(
        f"gunicorn {arguments.workers} workers x {arguments.threads} threads (gthread); "
        f"{arguments.concurrency} keep-alive clients; {arguments.warmup:g} s warm-up then "
        f"{arguments.seconds:g} s per endpoint in {arguments.rounds} turns; {os.cpu_count()} CPUs; "
        f"Python {platform.python_version()}."
    )


def print_table(measurements: list[Measurement]) -> None:
    header = (
        f"{'endpoint':<36} {'requests':>9} {'req/s':>9} {'p50 ms':>9} {'p99 ms':>9} "
        f"{'failures':>9} {'client CPU':>11}"
    )
    print(header)
    print("-" * len(header))
    for measurement in measurements:
        summary = measurement.summary()
        print(
            f"{measurement.name:<36} {summary['requests']:>9} {summary['rps']:>9.1f} "
            f"{summary['p50_ms']:>9.2f} {summary['p99_ms']:>9.2f} {summary['failures']:>9} "
            f"{summary['client_cpu']:>11.2f}"
        )


def ratios(page: Measurement, baseline: Measurement) -> dict[str, float]:
    """Throughput as a fraction of the baseline's, latencies as multiples of the baseline's."""
    return {
        "rps": round(page.requests_per_second / baseline.requests_per_second, 3),
        "p50": round(page.percentile(0.50) / baseline.percentile(0.50), 2),
        "p99": round(page.percentile(0.99) / baseline.percentile(0.99), 2),
    }


def print_ratios(lines: Sequence[tuple[str, Mapping[str, float]]]) -> None:
    """One line per page: its throughput and latencies against the bare view's."""
    for label, figures in lines:
        print(
            f"{label} / bare view: throughput x{figures['rps']:.3f}, "
            f"p50 latency x{figures['p50']:.2f}, p99 latency x{figures['p99']:.2f}"
        )


def print_load_and_failures(run: Run) -> int:
    """The machine's load around the measurements; every endpoint that failed, on stderr. Returns the failures."""
    print(
        f"Machine load (1-minute average): {run.load_before:.2f} before the measurements, "
        f"{run.load_after:.2f} after. "
        "Client CPU: the CPUs the load generator itself used (it shares the machine with the server)."
    )
    for measurement in run.measurements:
        if measurement.failures:
            print(
                f"FAILED {measurement.name}: statuses {dict(measurement.statuses)}, errors {dict(measurement.errors)}",
                file=sys.stderr,
            )
    return sum(measurement.failures for measurement in run.measurements)


def run_description(arguments: argparse.Namespace, run: Run) -> dict[str, object]:
    """What the JSON line says about the server, the load and the machine."""
    return {
        "server": {"workers": arguments.workers, "threads": arguments.threads, "worker_class": "gthread"},
        "load": {
            "concurrency": arguments.concurrency,
            "seconds": arguments.seconds,
            "warmup_seconds": arguments.warmup,
            "rounds": arguments.rounds,
        },
        "cpus": os.cpu_count(),
        "load_average": {"before": round(run.load_before, 2), "after": round(run.load_after, 2)},
        "python": platform.python_version(),
    }


def print_json_line(report: Mapping[str, object]) -> None:
    print(json.dumps(report, sort_keys=True))
