"""Benchmark: the production page of a busy studio, against a bare Django view on the same server.

A fresh database holds 10,000 members (with profiles), 50 productions with a team of 10 each,
200 calls (most of them open) and the follows: every member follows the production measured,
the others have a few hundred followers each. gunicorn serves the product as `backstage run`
does (2 workers x 4 threads, gthread); a load generator in this process keeps 8 keep-alive
connections busy for a fixed time per endpoint, after a warm-up, the endpoints taking turns in
short windows; every response must be 200.

Printed: a table of requests per second and p50/p99 latency for the bare view and the
production page (anonymous visitor and signed-in follower), the ratios against the bare view,
and the same as one JSON line.

    .venv/bin/python bench/production_page.py [--seconds 10] [--concurrency 8]
    DATABASE_URL=postgres://user:password@127.0.0.1:5432/backstage .venv/bin/python bench/production_page.py

With a PostgreSQL DATABASE_URL, the benchmark creates its own database beside the one named
(``backstage_bench`` unless --bench-database says otherwise) and drops it at the end; the
database named in the URL is not touched. The role needs the CREATEDB right.
"""

import argparse
import os
import platform
import re
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from harness import (
    Measurement,
    Server,
    combined,
    database_vendor,
    measure,
    print_json_line,
    print_table,
    ratios,
    run_backstage,
    scratch_postgres_database,
    server_environment,
)
from large_studio import LargeStudio, populate

BARE_PATH = "/bench/bare/"


def parse_arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=10.0, help="measured time per endpoint (default 10)")
    parser.add_argument("--warmup", type=float, default=3.0, help="warm-up time per endpoint (default 3)")
    parser.add_argument(
        "--rounds", type=int, default=5, help="turns the endpoints take within the measured time (default 5)"
    )
    parser.add_argument("--concurrency", type=int, default=8, help="client connections (default 8)")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn worker processes (default 2)")
    parser.add_argument("--threads", type=int, default=4, help="threads per gunicorn worker (default 4)")
    parser.add_argument("--members", type=int, default=10_000)
    parser.add_argument("--productions", type=int, default=50)
    parser.add_argument("--calls", type=int, default=200)
    parser.add_argument("--team-size", type=int, default=10)
    parser.add_argument(
        "--database-url",
        default=os.environ.get("DATABASE_URL") or None,
        help="PostgreSQL server to run on (default: DATABASE_URL, else SQLite in a temporary directory)",
    )
    parser.add_argument("--bench-database", default="backstage_bench", help="PostgreSQL database to create")
    arguments = parser.parse_args(argv)
    if arguments.seconds <= 0 or arguments.seconds > 600:
        parser.error("--seconds must be between 0 and 600")
    if arguments.warmup < 0 or arguments.warmup > 120:
        parser.error("--warmup must be between 0 and 120")
    if not 1 <= arguments.rounds <= 100:
        parser.error("--rounds must be between 1 and 100")
    if not 1 <= arguments.concurrency <= 256:
        parser.error("--concurrency must be between 1 and 256")
    if arguments.members < arguments.team_size + 1 or arguments.productions < 2:
        parser.error("the studio needs more members than a team and at least two productions")
    return arguments


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


def build_studio(env: dict[str, str], arguments: argparse.Namespace) -> LargeStudio:
    """Migrate, collect static files and fill the database, in this process for the inserts."""
    run_backstage(env, "migrate", "--noinput")
    run_backstage(env, "createcachetable")
    run_backstage(env, "collectstatic", "--noinput")
    os.environ.update(env)
    import django

    django.setup()
    from django.db import connections

    try:
        return populate(
            members=arguments.members,
            productions=arguments.productions,
            calls=arguments.calls,
            team_size=arguments.team_size,
        )
    finally:
        connections.close_all()


def check_pages(server: Server, studio: LargeStudio, production_path: str) -> None:
    """The pages show the real data before anything is timed."""
    status, body = server.get(production_path)
    # The count may be shown with a thousands separator ("10,000 followers").
    shown = {re.sub(r"\D", "", figure) for figure in re.findall(r"(\d[\d,. \u00a0\u202f]*) followers", body)}
    if status != 200 or str(studio.featured_followers) not in shown:
        raise SystemExit(
            f"the production page does not show its {studio.featured_followers} followers ({status})"
        )
    status, body = server.get(production_path, {"Cookie": studio.session_cookie})
    if status != 200 or 'aria-pressed="true"' not in body:
        raise SystemExit(f"the signed-in follower does not see the production as followed ({status})")


def main(argv: list[str] | None = None) -> int:
    arguments = parse_arguments(argv)
    vendor = database_vendor(arguments.database_url)
    with (
        tempfile.TemporaryDirectory(prefix="backstage-bench-") as data_dir,
        benchmark_database(arguments.database_url, arguments.bench_database) as database_url,
    ):
        env = server_environment(data_dir=Path(data_dir), database_url=database_url)
        started = time.perf_counter()
        studio = build_studio(env, arguments)
        setup_seconds = time.perf_counter() - started
        production_path = f"/productions/{studio.featured_slug}/"
        endpoints = [
            ("bare Django view", BARE_PATH, {}),
            ("production page, anonymous", production_path, {}),
            ("production page, signed-in member", production_path, {"Cookie": studio.session_cookie}),
        ]
        print(
            f"Backstage production page benchmark: {vendor}, {studio.members} members, "
            f"{studio.productions} productions, {studio.calls} calls ({studio.open_calls} open), "
            f"{studio.follows} follows; the page has {studio.featured_followers} followers "
            f"and a team of {studio.featured_team}. Set up in {setup_seconds:.1f} s."
        )
        print(
            f"gunicorn {arguments.workers} workers x {arguments.threads} threads (gthread); "
            f"{arguments.concurrency} keep-alive clients; {arguments.warmup:g} s warm-up then "
            f"{arguments.seconds:g} s per endpoint in {arguments.rounds} turns; {os.cpu_count()} CPUs; "
            f"Python {platform.python_version()}."
        )
        server = Server(
            env=env,
            log_path=Path(data_dir) / "gunicorn.log",
            workers=arguments.workers,
            threads=arguments.threads,
        )
        measurements: list[Measurement] = []
        load_before = os.getloadavg()[0]
        try:
            server.start()
            server.wait_until_ready(BARE_PATH)
            check_pages(server, studio, production_path)
            for name, path, headers in endpoints:
                if arguments.warmup:
                    measure(
                        name=name,
                        port=server.port,
                        path=path,
                        headers=headers,
                        seconds=arguments.warmup,
                        concurrency=arguments.concurrency,
                    )
            # Endpoints take turns, so that a change in the machine's load weighs on all of them alike.
            windows: dict[str, list[Measurement]] = {name: [] for name, _path, _headers in endpoints}
            for _round in range(arguments.rounds):
                for name, path, headers in endpoints:
                    windows[name].append(
                        measure(
                            name=name,
                            port=server.port,
                            path=path,
                            headers=headers,
                            seconds=arguments.seconds / arguments.rounds,
                            concurrency=arguments.concurrency,
                        )
                    )
            measurements = [combined(windows[name]) for name, _path, _headers in endpoints]
        finally:
            server.stop()
        load_after = os.getloadavg()[0]

    bare, anonymous, member = measurements
    print()
    print_table(measurements)
    anonymous_ratios = ratios(anonymous, bare)
    member_ratios = ratios(member, bare)
    print()
    for label, figures in (("anonymous", anonymous_ratios), ("signed-in member", member_ratios)):
        print(
            f"production page ({label}) / bare view: throughput x{figures['rps']:.3f}, "
            f"p50 latency x{figures['p50']:.2f}, p99 latency x{figures['p99']:.2f}"
        )
    print(
        f"Machine load (1-minute average): {load_before:.2f} before the measurements, {load_after:.2f} after. "
        "Client CPU: the CPUs the load generator itself used (it shares the machine with the server)."
    )
    failures = sum(measurement.failures for measurement in measurements)
    for measurement in measurements:
        if measurement.failures:
            print(
                f"FAILED {measurement.name}: statuses {dict(measurement.statuses)}, errors {dict(measurement.errors)}",
                file=sys.stderr,
            )
    print()
    print_json_line(
        {
            "benchmark": "production_page",
            "database": vendor,
            "data": {
                "members": studio.members,
                "productions": studio.productions,
                "calls": studio.calls,
                "open_calls": studio.open_calls,
                "follows": studio.follows,
                "page_followers": studio.featured_followers,
                "page_team": studio.featured_team,
            },
            "server": {"workers": arguments.workers, "threads": arguments.threads, "worker_class": "gthread"},
            "load": {
                "concurrency": arguments.concurrency,
                "seconds": arguments.seconds,
                "warmup_seconds": arguments.warmup,
                "rounds": arguments.rounds,
            },
            "cpus": os.cpu_count(),
            "load_average": {"before": round(load_before, 2), "after": round(load_after, 2)},
            "python": platform.python_version(),
            "results": {
                "bare": bare.summary(),
                "production_page_anonymous": anonymous.summary(),
                "production_page_member": member.summary(),
            },
            "ratios": {"anonymous": anonymous_ratios, "member": member_ratios},
            "ok": failures == 0,
        }
    )
    return 0 if failures == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
