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
import re
import sys
import tempfile
import time
from pathlib import Path

from harness import (
    Endpoint,
    Server,
    add_run_arguments,
    benchmark_database,
    check_run_arguments,
    database_vendor,
    prepare_database,
    print_json_line,
    print_load_and_failures,
    print_ratios,
    print_setup,
    print_table,
    ratios,
    run_description,
    serve_and_measure,
    server_environment,
)
from large_studio import LargeStudio, populate

BARE_PATH = "/bench/bare/"


def parse_arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    add_run_arguments(parser, bench_database="backstage_bench")
    parser.add_argument("--members", type=int, default=10_000)
    parser.add_argument("--productions", type=int, default=50)
    parser.add_argument("--calls", type=int, default=200)
    parser.add_argument("--team-size", type=int, default=10)
    arguments = parser.parse_args(argv)
    check_run_arguments(parser, arguments)
    if arguments.members < arguments.team_size + 1 or arguments.productions < 2:
        parser.error("the studio needs more members than a team and at least two productions")
    return arguments


def build_studio(env: dict[str, str], arguments: argparse.Namespace) -> LargeStudio:
    """Migrate, collect static files and fill the database, in this process for the inserts."""
    prepare_database(env)
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
            Endpoint("bare Django view", BARE_PATH),
            Endpoint("production page, anonymous", production_path),
            Endpoint("production page, signed-in member", production_path, {"Cookie": studio.session_cookie}),
        ]
        print(
            f"Backstage production page benchmark: {vendor}, {studio.members} members, "
            f"{studio.productions} productions, {studio.calls} calls ({studio.open_calls} open), "
            f"{studio.follows} follows; the page has {studio.featured_followers} followers "
            f"and a team of {studio.featured_team}. Set up in {setup_seconds:.1f} s."
        )
        print_setup(arguments)
        run = serve_and_measure(
            env=env,
            data_dir=Path(data_dir),
            arguments=arguments,
            endpoints=endpoints,
            check=lambda server: check_pages(server, studio, production_path),
            ready_path=BARE_PATH,
        )

    bare, anonymous, member = run.measurements
    print()
    print_table(run.measurements)
    anonymous_ratios = ratios(anonymous, bare)
    member_ratios = ratios(member, bare)
    print()
    print_ratios(
        [
            ("production page (anonymous)", anonymous_ratios),
            ("production page (signed-in member)", member_ratios),
        ]
    )
    failures = print_load_and_failures(run)
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
            **run_description(arguments, run),
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
