"""The contribution pages run the same number of queries whatever the number of works, votes and files."""

from django.db import connection
from django.test.utils import CaptureQueriesContext

from backstage.contributions import services
from backstage.contributions.models import Status
from backstage.contributions.tests.conftest import png_upload
from conftest import client_for, make_user


def _count(client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


def test_the_list_is_constant(studio, submit):
    url = f"/productions/varsovie-express/calls/{studio.call.pk}/contributions/?sort=shortlisted"
    first = submit(files=[png_upload()])
    services.cast_vote(actor=studio.crew, contribution=first)
    viewers = [client_for(None), client_for(studio.crew), client_for(studio.producer)]
    small = [_count(client, url) for client in viewers]
    for n in range(25):
        work = submit(make_user(f"artist{n}"), title=f"Work {n}", files=[png_upload(), png_upload("b.png")])
        services.cast_vote(actor=studio.crew, contribution=work)
        if n % 3 == 0:
            services.review_contribution(actor=studio.crew, contribution=work, status=Status.SHORTLISTED)
    assert [_count(client, url) for client in viewers] == small


def test_the_page_is_constant(studio, submit):
    sources = [submit(make_user("source0"), title="Source 0")]
    work = submit(sources=sources, files=[png_upload()])
    submit(make_user("remixer0"), title="Remix 0", sources=[work])
    url = work.get_absolute_url()
    viewers = [client_for(None), client_for(studio.member), client_for(studio.director)]
    small = [_count(client, url) for client in viewers]
    more_sources = [submit(make_user(f"source{n}"), title=f"Source {n}") for n in range(1, 6)]
    services.edit_contribution(
        actor=studio.member, contribution=work, title=work.title, description="", license=work.license, links=[],
        new_files=[png_upload(f"{n}.png") for n in range(4)], sources=sources + more_sources,
    )  # fmt: skip
    for source in more_sources:
        services.submit_contribution(
            actor=make_user(f"remixer{source.pk}"), call=studio.call, title="Remix", description="",
            license="CC-BY-SA-4.0", links=[], sources=[work],
        )  # fmt: skip
    for status in (Status.SHORTLISTED, Status.ACCEPTED, Status.DECLINED, Status.SHORTLISTED):
        services.review_contribution(actor=studio.director, contribution=work, status=status, note="…")
    for n in range(10):
        services.cast_vote(actor=make_user(f"fan{n}"), contribution=work)
    assert [_count(client, url) for client in viewers] == small
