"""Benchmark: the public list of contributions of a busy call, against a bare Django view on the same server.

On top of the studio of the production-page benchmark (20,000 members here), one open call of the
production measured holds 10,000 contributions and 200,000 votes. Each contribution's vote count
equals its number of votes; how much a work is liked and how much a member votes both follow a
Zipf-like law. Some contributions are shortlisted, accepted, declined or withdrawn, with their
decisions; some have files (rows only: the list counts them and never opens them).

The server, the load and the report are those of the production-page benchmark: gunicorn as
`backstage run` starts it, 8 keep-alive clients, a warm-up, then the endpoints taking turns.
Measured: the list sorted by newest (the default), by votes, shortlisted first, a deep page, and
the list as seen by a signed-in member who voted on some of the works it shows. Before timing,
every endpoint must show exactly the contributions expected, in the expected order.

    .venv/bin/python bench/call_page.py [--seconds 10] [--concurrency 8] [--explain]
    DATABASE_URL=postgres://user:password@127.0.0.1:5432/backstage .venv/bin/python bench/call_page.py

With a PostgreSQL DATABASE_URL, the benchmark creates its own database beside the one named
(``backstage_bench_call_page`` unless --bench-database says otherwise) and drops it at the end;
the database named in the URL is not touched. The role needs the CREATEDB right.
"""

import argparse
import math
import random
import re
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

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
from large_studio import BATCH_SIZE, LargeStudio, populate, session_cookie_for

BARE_PATH = "/bench/bare/"
PAGE_SIZE = 20  # the list's page size (contributions.views.PAGE_SIZE)
# The indexes the list's sorts rely on (contributions.models.Contribution.Meta.indexes).
LIST_INDEXES = {
    "newest": "contribution_call_newest",
    "votes": "contribution_call_votes",
    "shortlisted": "contribution_call_shortlisted",
}
# How much a work is liked, and how much a member votes: the k-th gets a share proportional to k^-s.
WORK_POPULARITY = 0.8
VOTER_ACTIVITY = 0.7
# Decisions on the call, in shares of its contributions; the rest are still "submitted".
STATUS_SHARES = {"shortlisted": 0.06, "accepted": 0.015, "declined": 0.06, "withdrawn": 0.04}
# The signed-in visitor voted on this many of the works on the first page.
VOTED_ON_FIRST_PAGE = 7
LICENSES = ["CC-BY-SA-4.0", "CC-BY-4.0", "CC0-1.0", "LAL-1.3"]
FILE_KINDS = [
    ("poster.png", "image", "image/png"),
    ("sketch.pdf", "pdf", "application/pdf"),
    ("theme.ogg", "audio", "audio/ogg"),
]


def parse_arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    add_run_arguments(parser, bench_database="backstage_bench_call_page")
    parser.add_argument("--members", type=int, default=20_000)
    parser.add_argument("--contributions", type=int, default=10_000)
    parser.add_argument("--votes", type=int, default=200_000)
    parser.add_argument("--deep-page", type=int, default=200, help="the deep page measured (default 200)")
    parser.add_argument("--productions", type=int, default=50)
    parser.add_argument("--calls", type=int, default=200)
    parser.add_argument("--team-size", type=int, default=10)
    parser.add_argument(
        "--explain", action="store_true", help="print the database's plan for each sort before measuring"
    )
    arguments = parser.parse_args(argv)
    check_run_arguments(parser, arguments)
    if arguments.members < arguments.team_size + 2 or arguments.productions < 2:
        parser.error("the studio needs more members than a team and at least two productions")
    if arguments.contributions < 2 * PAGE_SIZE or arguments.votes < 0:
        parser.error(f"the call needs at least {2 * PAGE_SIZE} contributions and no negative votes")
    if arguments.votes > arguments.contributions * (arguments.members - 1) // 2:
        parser.error("too many votes for the members and contributions")
    if not 2 <= arguments.deep_page <= arguments.contributions // PAGE_SIZE // 2:
        parser.error("--deep-page must be 2 or more, and well within the list")
    return arguments


# --- The data -----------------------------------------------------------------------------------


@dataclass
class BusyCall:
    """The call measured, and what each of its pages must show."""

    slug: str
    call_id: int
    contributions: int
    visible: int
    statuses: dict[str, int]
    votes: int
    voters: int
    most_votes: int
    files: int
    decisions: int
    voter_cookie: str
    voter_votes_on_first_page: int
    # The contribution numbers each query string must show, in order.
    expected: dict[str, list[int]] = field(default_factory=dict)
    top_votes: int = 0


@dataclass
class _Work:
    author_id: int
    created_at: datetime
    status: str
    title: str
    voters: set[int] = field(default_factory=set)
    number: int = 0


def zipf_cumulative(count: int, exponent: float) -> list[float]:
    """Cumulative weights of ranks 1..count under a Zipf-like law of the given exponent."""
    total = 0.0
    cumulative = []
    for rank in range(1, count + 1):
        total += rank**-exponent
        cumulative.append(total)
    return cumulative


def vote_counts(votes: int, works: int, eligible: int, rng: random.Random) -> list[int]:
    """How many votes each work gets, in a random order of works, summing to ``votes`` when possible."""
    weights = [rank**-WORK_POPULARITY for rank in range(1, works + 1)]
    total = sum(weights)
    ideal = [votes * weight / total for weight in weights]
    counts = [min(math.floor(share), eligible) for share in ideal]
    # The votes lost to rounding go to the works that lost the most.
    by_remainder = sorted(range(works), key=lambda rank: ideal[rank] - counts[rank], reverse=True)
    for rank in by_remainder[: votes - sum(counts)]:
        counts[rank] = min(counts[rank] + 1, eligible)
    rng.shuffle(counts)
    return counts


def choose_voters(
    work: _Work, count: int, members: list[int], cumulative: list[float], rng: random.Random
) -> None:
    """``count`` distinct voters for the work, the busiest members the likeliest, never its author."""
    while len(work.voters) < count:
        for voter in rng.choices(members, cum_weights=cumulative, k=2 * (count - len(work.voters)) + 8):
            if voter != work.author_id:
                work.voters.add(voter)
                if len(work.voters) == count:
                    break


def list_orders(works: list[_Work]) -> dict[str, list[_Work]]:
    """The visible works in each order of the list, as `contributions.queries` sorts them."""
    rank = {"accepted": 0, "shortlisted": 1, "submitted": 2}
    visible = [work for work in works if work.status != "withdrawn"]
    return {
        "newest": sorted(visible, key=lambda work: (work.created_at, work.number), reverse=True),
        "votes": sorted(
            visible, key=lambda work: (-len(work.voters), -work.created_at.timestamp(), -work.number)
        ),
        "shortlisted": sorted(
            visible,
            key=lambda work: (
                rank.get(work.status, 3),
                -len(work.voters),
                -work.created_at.timestamp(),
                -work.number,
            ),
        ),
    }


def draw_works(count: int, members: list[int], now: datetime, rng: random.Random) -> list[_Work]:
    """The call's works, oldest first: they arrive over sixty days, at least a second apart."""
    seconds = sorted(rng.sample(range(60 * 86_400), count))
    start = now - timedelta(days=61)
    works = []
    for index, second in enumerate(seconds):
        draw, status = rng.random(), "submitted"
        for name, share in STATUS_SHARES.items():
            draw -= share
            if draw < 0:
                status = name
                break
        title = f"Poster {index + 1}: {rng.choice(['Snow', 'Night train', 'Six strangers', 'Dawn'])}"
        works.append(_Work(rng.choice(members), start + timedelta(seconds=second), status, title))
    return works


def draw_votes(works: list[_Work], votes: int, members: list[int], team: set[int], rng: random.Random) -> int:
    """Fill each work's voters; returns the signed-in visitor, a busy voter outside the team.

    The visitor voted on exactly VOTED_ON_FIRST_PAGE of the works on the list's first page.
    """
    voter_order = members[:]
    rng.shuffle(voter_order)
    cumulative = zipf_cumulative(len(voter_order), VOTER_ACTIVITY)
    for work, count in zip(works, vote_counts(votes, len(works), len(members) - 1, rng), strict=True):
        choose_voters(work, count, voter_order, cumulative, rng)
    visible = [work for work in works if work.status != "withdrawn"]
    first_page = sorted(visible, key=lambda work: work.created_at, reverse=True)[:PAGE_SIZE]
    authors = {work.author_id for work in first_page}
    visitor = next(member for member in voter_order[50:] if member not in team and member not in authors)
    voted_on = set(rng.sample(range(len(first_page)), VOTED_ON_FIRST_PAGE))
    for position, work in enumerate(first_page):
        if position in voted_on and visitor not in work.voters:
            if work.voters:  # takes another voter's place, so that the count stays as drawn
                work.voters.remove(rng.choice(sorted(work.voters)))
            work.voters.add(visitor)
        elif position not in voted_on and visitor in work.voters:
            work.voters.remove(visitor)
            work.voters.add(
                next(m for m in voter_order if m not in work.voters and m not in (work.author_id, visitor))
            )
    return visitor


def populate_call(
    studio: LargeStudio, *, contributions: int, votes: int, deep_page: int, seed: int = 2025
) -> BusyCall:
    """Insert the busy call, its contributions, files, decisions and votes."""
    from django.db import connection, transaction
    from django.utils import timezone

    from backstage.accounts.models import User
    from backstage.contributions.models import Acceptance, Contribution, ContributionFile, Decision, Vote
    from backstage.productions.models import Call, CallKind, Membership, Production, Role, VotePolicy

    rng = random.Random(seed)
    now = timezone.now().replace(microsecond=0)
    featured = Production.objects.get(slug=studio.featured_slug)
    team = dict(Membership.objects.filter(production=featured).values_list("user_id", "role"))
    reviewer = next(user_id for user_id, role in team.items() if role == Role.PRODUCER)
    usernames = dict(User.objects.values_list("pk", "username"))
    members = sorted(usernames)
    works = draw_works(contributions, members, now, rng)
    visitor = draw_votes(works, votes, members, set(team), rng)

    with transaction.atomic():
        call = Call.objects.create(
            production=featured,
            kind=CallKind.ART,
            title_en="The poster",
            title_fr="L'affiche",
            brief_en="Draw the poster of *Varsovie-Express*: a night train, snow, six strangers.",
            deadline=now + timedelta(days=30),
            vote_policy=VotePolicy.ONE_PER_CONTRIBUTION,
            votes_public=True,
            created_by_id=reviewer,
        )
        rows = Contribution.objects.bulk_create(
            (
                Contribution(
                    call=call,
                    author_id=work.author_id,
                    title=work.title,
                    description="A night train in the snow, **six strangers** and a suitcase.",
                    license=LICENSES[index % len(LICENSES)],
                    status=work.status,
                    vote_count=len(work.voters),
                    decided_at=None if work.status == "submitted" else work.created_at + timedelta(days=1),
                )
                for index, work in enumerate(works)
            ),
            batch_size=BATCH_SIZE,
        )
        for work, row in zip(works, rows, strict=True):
            work.number = row.pk
            row.created_at = work.created_at  # the insert stamps every row with the current time
        Contribution.objects.bulk_update(rows, ["created_at"], batch_size=BATCH_SIZE // 2)
        Vote.objects.bulk_create(
            (
                Vote(contribution_id=work.number, voter_id=voter, call=call)
                for work in works
                for voter in sorted(work.voters)
            ),
            batch_size=BATCH_SIZE,
        )

        # Files: rows only, as the list only counts them.
        files = []
        for work in works:
            if rng.random() < 0.3:
                for position in range(rng.randint(1, 3)):
                    name, kind, mime = FILE_KINDS[position]
                    files.append(
                        ContributionFile(
                            contribution_id=work.number,
                            file=f"contributions/{work.number}/{rng.getrandbits(96):024x}.{name.split('.')[1]}",
                            name=name,
                            kind=kind,
                            mime=mime,
                            size=rng.randint(20_000, 8_000_000),
                            sha256=f"{rng.getrandbits(256):064x}",
                            position=position,
                        )
                    )
        ContributionFile.objects.bulk_create(files, batch_size=BATCH_SIZE)

        # Decisions, as the review and withdrawal services write them; acceptances for accepted works.
        steps = {
            "shortlisted": [("submitted", "shortlisted")],
            "accepted": [("submitted", "shortlisted"), ("shortlisted", "accepted")],
            "declined": [("submitted", "declined")],
            "withdrawn": [("submitted", "withdrawn")],
        }
        decisions = Decision.objects.bulk_create(
            (
                Decision(
                    contribution_id=work.number,
                    actor_id=work.author_id if work.status == "withdrawn" else reviewer,
                    from_status=before,
                    to_status=after,
                    note="Thank you; we chose another direction." if after == "declined" else "",
                )
                for work in works
                for before, after in steps.get(work.status, [])
            ),
            batch_size=BATCH_SIZE,
        )
        by_number = {work.number: work for work in works}
        Acceptance.objects.bulk_create(
            (
                Acceptance(
                    contribution_id=decision.contribution_id,
                    decision=decision,
                    production=featured,
                    call=call,
                    author_id=by_number[decision.contribution_id].author_id,
                    author_name=usernames[by_number[decision.contribution_id].author_id],
                    call_kind=call.kind,
                    title=by_number[decision.contribution_id].title,
                    license=LICENSES[0],
                    accepted_by_id=reviewer,
                    accepted_at=now,
                )
                for decision in decisions
                if decision.to_status == "accepted"
            ),
            batch_size=BATCH_SIZE,
        )

    if connection.vendor == "postgresql":
        # What autovacuum would soon do on a live database: give the planner its statistics.
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")

    orders = list_orders(works)
    visible = orders["newest"]
    pages = max(1, math.ceil(len(visible) / PAGE_SIZE))
    if deep_page > pages:
        raise SystemExit(f"--deep-page {deep_page} is past the list's last page ({pages})")
    deep = (deep_page - 1) * PAGE_SIZE
    status_counts: dict[str, int] = {}
    for work in works:
        status_counts[work.status] = status_counts.get(work.status, 0) + 1
    return BusyCall(
        slug=featured.slug,
        call_id=call.pk,
        contributions=len(works),
        visible=len(visible),
        statuses=dict(sorted(status_counts.items())),
        votes=sum(len(work.voters) for work in works),
        voters=len({voter for work in works for voter in work.voters}),
        most_votes=max(len(work.voters) for work in works),
        files=len(files),
        decisions=len(decisions),
        voter_cookie=session_cookie_for(User.objects.get(pk=visitor)),
        voter_votes_on_first_page=VOTED_ON_FIRST_PAGE,
        expected={
            "": [work.number for work in visible[:PAGE_SIZE]],
            "sort=votes": [work.number for work in orders["votes"][:PAGE_SIZE]],
            "sort=shortlisted": [work.number for work in orders["shortlisted"][:PAGE_SIZE]],
            f"page={deep_page}": [work.number for work in visible[deep : deep + PAGE_SIZE]],
        },
        top_votes=len(orders["votes"][0].voters),
    )


def build_data(env: dict[str, str], arguments: argparse.Namespace) -> tuple[LargeStudio, BusyCall]:
    """Migrate, collect static files and fill the database, in this process for the inserts."""
    prepare_database(env)
    from django.db import connections

    try:
        studio = populate(
            members=arguments.members,
            productions=arguments.productions,
            calls=arguments.calls,
            team_size=arguments.team_size,
        )
        busy = populate_call(
            studio,
            contributions=arguments.contributions,
            votes=arguments.votes,
            deep_page=arguments.deep_page,
        )
        return studio, busy
    finally:
        connections.close_all()


# --- What the database does with the list -------------------------------------------------------


def missing_indexes() -> list[str]:
    """The list's indexes that the contribution table lacks."""
    from django.db import connection

    from backstage.contributions.models import Contribution

    with connection.cursor() as cursor:
        present = connection.introspection.get_constraints(cursor, Contribution._meta.db_table)
    connection.close()
    return [name for name in LIST_INDEXES.values() if name not in present]


@dataclass
class ListQuery:
    """One query of the list whose work grows with the call: the count of the paginator, or the page."""

    sort: str
    page: int
    kind: str
    sql: str
    milliseconds: float
    plan: str

    @property
    def label(self) -> str:
        return f"sort={self.sort}, page {self.page}, {self.kind} query"


def _plan(explain: str, sql: str, params: Any) -> str:
    from django.db import connection

    # Explained with its parameters, as run: the plan can differ when they are written in.
    with connection.cursor() as cursor:
        cursor.execute(explain + sql, params)
        return "\n".join(" ".join(str(cell) for cell in row) for row in cursor.fetchall())


def list_queries(busy: BusyCall, deep_page: int) -> tuple[list[ListQuery], dict[str, str]]:
    """The count and page queries of each endpoint, timed in this process, with the database's plan.

    Also returns, for each sort, the plan of the part of the page query that chooses the first
    page's contributions (a subquery of the page query): whether the list is read in the order of
    an index depends on it alone.
    """
    from django.db import connection

    from backstage.contributions import queries
    from backstage.contributions.views import PAGE_SIZE as VIEW_PAGE_SIZE
    from backstage.productions.models import Call

    if VIEW_PAGE_SIZE != PAGE_SIZE:
        raise SystemExit(f"the list now shows {VIEW_PAGE_SIZE} works a page; update PAGE_SIZE")
    call = Call.objects.select_related("production").get(pk=busy.call_id)
    explain = "EXPLAIN QUERY PLAN " if connection.vendor == "sqlite" else "EXPLAIN ANALYZE "
    timed: list[tuple[str, Any, str, float]] = []

    def timer(execute: Callable[..., Any], sql: str, params: Any, many: bool, context: dict[str, Any]) -> Any:
        started = time.perf_counter()
        result = execute(sql, params, many, context)
        elapsed = time.perf_counter() - started
        shown = connection.ops.last_executed_query(context["cursor"], sql, params)
        timed.append((sql, params, shown, elapsed))
        return result

    found = []
    for sort, number in (("newest", 1), ("votes", 1), ("shortlisted", 1), ("newest", deep_page)):
        for _attempt in range(2):  # the second run, with the database's pages in memory, is kept
            timed.clear()
            with connection.execute_wrapper(timer):
                page = queries.contributions_page(call, sort=sort, number=number, per_page=PAGE_SIZE)
                list(page.object_list)
        for kind, (sql, params, shown, seconds) in zip(("count", "page"), timed, strict=True):
            found.append(ListQuery(sort, number, kind, shown, seconds * 1000, _plan(explain, sql, params)))
    first_pages = {}
    for sort in LIST_INDEXES:
        chosen = queries.contributions_for_call(call, sort=sort).values("pk")[:PAGE_SIZE]
        sql, params = chosen.query.sql_with_params()
        first_pages[sort] = _plan(explain, sql, params)
    connection.close()
    return found, first_pages


def ordered_by_index(first_pages: dict[str, str]) -> dict[str, bool]:
    """Whether the first page of each sort walks its index in order, rather than sorting the call.

    A plan may name the index only to find the call's rows, then sort them all: that does not count.
    """
    full_sort = re.compile(r"TEMP B-TREE FOR (GROUP BY|ORDER BY)|(?<!Incremental )Sort  \(")
    return {
        sort: LIST_INDEXES[sort] in plan and not full_sort.search(plan) for sort, plan in first_pages.items()
    }


# --- The checks ---------------------------------------------------------------------------------


def shown_numbers(body: str) -> list[int]:
    """The contribution numbers of the list's cards, in the order shown."""
    return [int(number) for number in re.findall(r'<p class="meta">#(\d+) ', body)]


def check_pages(server: Server, busy: BusyCall, list_path: str) -> None:
    """Every endpoint shows the works expected, in order, before anything is timed."""
    bodies = {}
    for query, expected in busy.expected.items():
        path = f"{list_path}?{query}" if query else list_path
        status, bodies[query] = server.get(path)
        if status != 200:
            raise SystemExit(f"{path} answered {status}")
        shown = shown_numbers(bodies[query])
        if shown != expected:
            raise SystemExit(f"{path} shows {shown[:5]}…, expected {expected[:5]}…")
    # The count may be shown with a thousands separator ("7,377 votes").
    counts = [
        int(re.sub(r"\D", "", figure))
        for figure in re.findall(r"(\d[\d,. \u00a0\u202f]*) votes?<", bodies["sort=votes"])
    ]
    if not counts or counts[0] != busy.top_votes:
        raise SystemExit(
            f"the most voted work should show {busy.top_votes} votes, the page shows {counts[:1]}"
        )
    status, body = server.get(list_path, {"Cookie": busy.voter_cookie})
    pressed = body.count('aria-pressed="true"')
    if status != 200 or pressed != busy.voter_votes_on_first_page or shown_numbers(body) != busy.expected[""]:
        raise SystemExit(
            f"the signed-in voter should see {busy.voter_votes_on_first_page} of the works as voted "
            f"for, the page shows {pressed} ({status})"
        )


# --- The run ------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    arguments = parse_arguments(argv)
    vendor = database_vendor(arguments.database_url)
    with (
        tempfile.TemporaryDirectory(prefix="backstage-bench-") as data_dir,
        benchmark_database(arguments.database_url, arguments.bench_database) as database_url,
    ):
        env = server_environment(data_dir=Path(data_dir), database_url=database_url)
        started = time.perf_counter()
        studio, busy = build_data(env, arguments)
        setup_seconds = time.perf_counter() - started
        missing = missing_indexes()
        found, first_pages = list_queries(busy, arguments.deep_page)
        used = ordered_by_index(first_pages)
        query_ms: dict[str, dict[str, float]] = {}
        for query in found:
            query_ms.setdefault(f"{query.sort}, page {query.page}", {})[query.kind] = round(
                query.milliseconds, 1
            )
        list_path = f"/productions/{busy.slug}/calls/{busy.call_id}/contributions/"
        endpoints = [
            Endpoint("bare Django view", BARE_PATH),
            Endpoint("list, newest (default)", list_path),
            Endpoint("list, ?sort=votes", f"{list_path}?sort=votes"),
            Endpoint("list, ?sort=shortlisted", f"{list_path}?sort=shortlisted"),
            Endpoint(f"list, ?page={arguments.deep_page}", f"{list_path}?page={arguments.deep_page}"),
            Endpoint("list, signed-in voter", list_path, {"Cookie": busy.voter_cookie}),
        ]
        print(
            f"Backstage call page benchmark: {vendor}, {studio.members} members, {studio.productions} "
            f"productions, {studio.calls + 1} calls; the call measured has {busy.contributions} contributions "
            f"({busy.visible} listed; {', '.join(f'{n} {status}' for status, n in busy.statuses.items())}), "
            f"{busy.votes} votes from {busy.voters} members (at most {busy.most_votes} on one work), "
            f"{busy.files} files, {busy.decisions} decisions. Set up in {setup_seconds:.1f} s."
        )
        print(
            "List indexes: "
            + (f"MISSING {', '.join(missing)}" if missing else f"{', '.join(LIST_INDEXES.values())} present")
            + "; first page read in index order: "
            + ", ".join(f"{sort} {'yes' if read else 'NO'}" for sort, read in used.items())
            + "."
        )
        print(
            "List queries, timed in this process before the server starts (count / page, ms): "
            + "; ".join(f"{label} {ms['count']:.1f} / {ms['page']:.1f}" for label, ms in query_ms.items())
            + "."
        )
        if arguments.explain:
            for query in found:
                print(f"\n-- {query.label}: {query.milliseconds:.1f} ms\n{query.sql}\n{query.plan}")
            print()
        print_setup(arguments)
        run = serve_and_measure(
            env=env,
            data_dir=Path(data_dir),
            arguments=arguments,
            endpoints=endpoints,
            check=lambda server: check_pages(server, busy, list_path),
            ready_path=BARE_PATH,
        )

    bare, *pages = run.measurements
    keys = ["newest", "votes", "shortlisted", "deep_page", "member"]
    page_ratios = {key: ratios(page, bare) for key, page in zip(keys, pages, strict=True)}
    print()
    print_table(run.measurements)
    print()
    print_ratios([(page.name, page_ratios[key]) for key, page in zip(keys, pages, strict=True)])
    failures = print_load_and_failures(run)
    print()
    print_json_line(
        {
            "benchmark": "call_page",
            "database": vendor,
            "data": {
                "members": studio.members,
                "productions": studio.productions,
                "contributions": busy.contributions,
                "shown": busy.visible,
                "statuses": busy.statuses,
                "votes": busy.votes,
                "voters": busy.voters,
                "most_votes": busy.most_votes,
                "files": busy.files,
                "deep_page": arguments.deep_page,
            },
            "indexes": {"missing": missing, "first_page_in_index_order": used},
            "list_queries_ms": query_ms,
            **run_description(arguments, run),
            "results": {
                "bare": bare.summary(),
                **{key: page.summary() for key, page in zip(keys, pages, strict=True)},
            },
            "ratios": page_ratios,
            "ok": failures == 0,
        }
    )
    return 0 if failures == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
