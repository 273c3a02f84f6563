"""The public list of a call: "shortlisted first" follows every decision, and deep pages show the right works."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from backstage.contributions import services
from backstage.contributions.models import Contribution, Status
from backstage.contributions.views import PAGE_SIZE
from conftest import client_for, make_user

# Where each status stands in "shortlisted first", written out here rather than read from the model.
PLACE = {
    Status.ACCEPTED: 0,
    Status.SHORTLISTED: 1,
    Status.SUBMITTED: 2,
    Status.DECLINED: 3,
    Status.WITHDRAWN: 3,
}
SORT_KEYS = {
    "newest": lambda work: (-work.created_at.timestamp(), -work.pk),
    "votes": lambda work: (-work.vote_count, -work.created_at.timestamp(), -work.pk),
    "shortlisted": lambda work: (
        PLACE[work.status],
        -work.vote_count,
        -work.created_at.timestamp(),
        -work.pk,
    ),
}


def list_url(studio) -> str:
    return f"/productions/varsovie-express/calls/{studio.call.pk}/contributions/"


def shown(studio, query: str = "") -> list[int]:
    """The numbers of the works the list shows a visitor, in order."""
    response = client_for(None).get(list_url(studio) + query)
    assert response.status_code == 200
    return [int(number) for number in re.findall(r'<p class="meta">#(\d+) ', response.content.decode())]


def expected(studio, sort: str) -> list[int]:
    """Every work the list should show, in the sort's order, worked out here from the stored works."""
    works = Contribution.objects.filter(call=studio.call, is_hidden=False).exclude(status=Status.WITHDRAWN)
    return [work.pk for work in sorted(works, key=SORT_KEYS[sort])]


def assert_ranks_follow_statuses() -> None:
    for status, rank in Contribution.objects.values_list("status", "status_rank"):
        assert rank == PLACE[status], status


def review(studio, work: Contribution, status: str) -> None:
    response = client_for(studio.crew).post(
        f"/productions/varsovie-express/contributions/{work.pk}/review/", {"status": status, "note": ""}
    )
    assert response.status_code == 302
    assert Contribution.objects.get(pk=work.pk).status == status


def withdraw(work: Contribution) -> None:
    response = client_for(work.author).post(
        f"/productions/varsovie-express/contributions/{work.pk}/withdraw/"
    )
    assert response.status_code == 302
    assert Contribution.objects.get(pk=work.pk).status == Status.WITHDRAWN


def test_shortlisted_first_follows_every_decision(studio, submit):
    works = [submit(make_user(f"artist{n}"), title=f"Work {n}") for n in range(5)]
    a, b, c, d, e = works
    for votes, work in zip([1, 3, 2, 3, 0], works, strict=True):
        for n in range(votes):
            services.cast_vote(actor=make_user(f"fan{work.pk}_{n}"), contribution=work)
    assert_ranks_follow_statuses()
    assert shown(studio, "?sort=shortlisted") == [d.pk, b.pk, c.pk, a.pk, e.pk]

    steps = [
        (c, Status.SHORTLISTED),
        (a, Status.ACCEPTED),
        (d, Status.DECLINED),
        (b, Status.SHORTLISTED),
        (a, Status.DECLINED),  # a change of mind after accepting
        (d, Status.ACCEPTED),
        (c, Status.SUBMITTED),  # back from the shortlist
        (b, Status.ACCEPTED),
        (b, Status.SHORTLISTED),  # back from accepted
        (a, Status.SHORTLISTED),  # back from declined
    ]
    for work, status in steps:
        review(studio, work, status)
        assert_ranks_follow_statuses()
        assert shown(studio, "?sort=shortlisted") == expected(studio, "shortlisted"), (work.title, status)
    assert shown(studio, "?sort=shortlisted") == [d.pk, b.pk, a.pk, c.pk, e.pk]

    withdraw(b)  # shortlisted, then withdrawn by its author
    withdraw(e)  # withdrawn before any decision
    assert_ranks_follow_statuses()
    assert shown(studio, "?sort=shortlisted") == [d.pk, a.pk, c.pk]


def test_the_rank_follows_a_status_however_it_is_written(studio, submit):
    work = submit()
    Contribution.objects.filter(pk=work.pk).update(status=Status.ACCEPTED)
    assert Contribution.objects.get(pk=work.pk).status_rank == PLACE[Status.ACCEPTED]
    Contribution.objects.bulk_create(
        [Contribution(call=studio.call, author=studio.crew, title="Imported", status=Status.SHORTLISTED)]
    )
    assert_ranks_follow_statuses()
    assert shown(studio, "?sort=shortlisted")[0] == work.pk


def _query_count(url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client_for(None).get(url).status_code == 200
    return len(queries)


def test_deep_pages_show_the_right_works(studio, submit):
    works = [submit(make_user(f"artist{n}"), title=f"Work {n}") for n in range(2 * PAGE_SIZE + 5)]
    for n, work in enumerate(works):
        # Many ties in votes, so that the later keys of each order decide too.
        Contribution.objects.filter(pk=work.pk).update(vote_count=n % 4)
    for work, status in zip(
        works[::4], [Status.SHORTLISTED, Status.ACCEPTED, Status.DECLINED] * 4, strict=False
    ):
        services.review_contribution(actor=studio.crew, contribution=work, status=status)
    services.withdraw_contribution(actor=works[7].author, contribution=works[7])
    services.withdraw_contribution(actor=works[30].author, contribution=works[30])
    Contribution.objects.filter(pk=works[15].pk).update(is_hidden=True)
    listed = len(works) - 3
    assert listed == 2 * PAGE_SIZE + 2

    for sort in ("newest", "votes", "shortlisted"):
        every = expected(studio, sort)
        assert len(every) == listed
        pages = [every[start : start + PAGE_SIZE] for start in range(0, listed, PAGE_SIZE)]
        for number, page in enumerate(pages, start=1):
            assert shown(studio, f"?sort={sort}&page={number}") == page, (sort, number)
        # Past the end, the last page; not a number, the first.
        assert shown(studio, f"?sort={sort}&page=99") == pages[-1]
        assert shown(studio, f"?sort={sort}&page=first") == pages[0]

    last = client_for(None).get(list_url(studio) + "?sort=shortlisted&page=3").content.decode()
    assert "Page 3 of 3" in last and 'rel="prev"' in last and 'rel="next"' not in last
    middle = client_for(None).get(list_url(studio) + "?page=2").content.decode()
    assert "Page 2 of 3" in middle and 'rel="prev"' in middle and 'rel="next"' in middle


@pytest.mark.parametrize("sort", ["newest", "votes", "shortlisted"])
def test_a_deep_page_costs_what_the_first_costs(studio, submit, sort):
    for n in range(2 * PAGE_SIZE + 1):
        submit(make_user(f"artist{n}"), title=f"Work {n}")
    url = list_url(studio) + f"?sort={sort}"
    assert _query_count(url + "&page=3") == _query_count(url + "&page=2") == _query_count(url)
