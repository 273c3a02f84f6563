"""Benchmark: the public release page on release day, against a static file served by the same server.

Right after the release moment, crowds open the film page. Anonymous visitors without a session
all get the page from the cache; the baseline is the site's stylesheet, which WhiteNoise serves from
the same gunicorn (2 workers x 4 threads, gthread, as `backstage run` starts it). A bare Django view
is measured too, for reference. The release has 200 screenings, 14 files, 8 subtitle languages and a
team; every response must be 200, and the page must show the film before anything is timed.

    .venv/bin/python bench/release_page.py [--seconds 10] [--concurrency 8]
    DATABASE_URL=postgres://user:password@127.0.0.1:5432/backstage .venv/bin/python bench/release_page.py

Target: the cached page at least half the static file's throughput, with its p99 latency given.
"""

import argparse
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

BARE_PATH = "/bench/bare/"
STATIC_PATH = "/static/backstage/backstage.css"
SCREENINGS = 200
LANGUAGES = ["en", "fr", "pl", "de", "es", "it", "pt", "uk"]


def populate() -> str:
    """A released film with its files, subtitles, tracks and screenings; returns the page's path."""
    from datetime import timedelta

    from django.utils import timezone

    from backstage.accounts.models import User
    from backstage.media.models import Asset
    from backstage.productions.models import Membership, Production, Role
    from backstage.releases.models import AudioTrack, Release, ReleaseFile, Screening, Subtitle

    producer = User.objects.create_user(username="producer", email="producer@example.org", password="x")
    production = Production.objects.create(
        slug="varsovie-express", title="Varsovie-Express", created_by=producer
    )
    for number, role in enumerate([Role.PRODUCER, Role.DIRECTOR, Role.CREW, Role.CREW, Role.MODERATOR]):
        user = (
            producer
            if number == 0
            else User.objects.create_user(f"team{number}", f"team{number}@example.org", "x")
        )
        Membership.objects.create(production=production, user=user, role=role)
    film = Asset.objects.create(
        owner=producer, production=production, name="film.mov", kind="video", status="ready", size=1,
        probe={"format_name": "mov", "duration": 5400.0, "streams": []},
    )  # fmt: skip
    now = timezone.now()
    release = Release.objects.create(
        production=production,
        slug="premiere",
        title="Varsovie-Express",
        film=film,
        license="LAL-1.3",
        synopsis_en="Six strangers and a suitcase on the night train. " * 20,
        moment=now - timedelta(seconds=1),
        scheduled=True,
        build=Release.Build.READY,
        build_folder="releases/bench/build",
        created_by=producer,
    )
    kinds = (
        ["film"] * 3 + ["master"] + ["audio"] * 3 + ["subtitle"] * 4 + ["torrent", "sources", "cinema_kit"]
    )
    ReleaseFile.objects.bulk_create(
        ReleaseFile(
            release=release,
            kind=kind,
            label=f"{kind}-{number}",
            name=f"varsovie-express-{number}.bin",
            path=f"releases/bench/{number}",
            size=1_000_000_000 + number,
            sha256="ab" * 32,
            info_hash="cd" * 20,
        )
        for number, kind in enumerate(kinds)
    )
    Subtitle.objects.bulk_create(
        Subtitle(release=release, language=language, label=language, text="WEBVTT\n")
        for language in LANGUAGES
    )
    AudioTrack.objects.create(
        release=release, kind="original", language="fr", label="Français", is_default=True
    )
    AudioTrack.objects.create(release=release, kind="dub", language="pl", label="Polski")
    cities = [
        ("Warszawa", "PL", "Europe/Warsaw"),
        ("Paris", "FR", "Europe/Paris"),
        ("Montréal", "CA", "America/Toronto"),
    ]
    Screening.objects.bulk_create(
        Screening(
            release=release,
            venue=f"Kino {number}",
            city=cities[number % 3][0],
            country=cities[number % 3][1],
            time_zone=cities[number % 3][2],
            local_start=now + timedelta(days=number % 30),
            starts_at=now + timedelta(days=number % 30),
            language="fr",
            subtitles="pl",
        )
        for number in range(SCREENINGS)
    )
    return f"/productions/{production.slug}/releases/{release.slug}/"


def check_page(server: Server, path: str) -> None:
    status, body = server.get(path)
    if status != 200 or "stream/master.m3u8" not in body:
        raise SystemExit(f"the release page does not show the film ({status})")
    status, _body = server.get(STATIC_PATH)
    if status != 200:
        raise SystemExit(f"the static file is not served ({status})")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    add_run_arguments(parser, bench_database="backstage_bench_release")
    arguments = parser.parse_args(argv)
    check_run_arguments(parser, arguments)
    vendor = database_vendor(arguments.database_url)
    with (
        tempfile.TemporaryDirectory(prefix="backstage-bench-") as data_dir,
        benchmark_database(arguments.database_url, arguments.bench_database) as database_url,
    ):
        env = server_environment(data_dir=Path(data_dir), database_url=database_url)
        started = time.perf_counter()
        prepare_database(env)
        from django.db import connections

        try:
            page_path = populate()
        finally:
            connections.close_all()
        print(
            f"Backstage release page benchmark: {vendor}; {SCREENINGS} screenings, 14 files, "
            f"{len(LANGUAGES)} subtitle languages. Set up in {time.perf_counter() - started:.1f} s."
        )
        print_setup(arguments)
        run = serve_and_measure(
            env=env,
            data_dir=Path(data_dir),
            arguments=arguments,
            endpoints=[
                Endpoint("static file (WhiteNoise)", STATIC_PATH),
                Endpoint("bare Django view", BARE_PATH),
                Endpoint("release page, anonymous (cached)", page_path),
            ],
            check=lambda server: check_page(server, page_path),
            ready_path=BARE_PATH,
        )

    static, bare, page = run.measurements
    print()
    print_table(run.measurements)
    page_ratios = ratios(page, static)
    print()
    print_ratios(
        [
            ("release page against the static file", page_ratios),
            ("bare view against the static file", ratios(bare, static)),
        ]
    )
    failures = print_load_and_failures(run)
    print()
    print_json_line(
        {
            "benchmark": "release_page",
            "database": vendor,
            **run_description(arguments, run),
            "results": {"static": static.summary(), "bare": bare.summary(), "release_page": page.summary()},
            "ratios": {"release_page": page_ratios},
            "ok": failures == 0,
        }
    )
    return 0 if failures == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
