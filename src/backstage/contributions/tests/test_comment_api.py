"""The comments API: who may comment, what it refuses (writing nothing), what the conversations show."""

from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from backstage.accounts.models import User
from backstage.api.tests.api_client import api_as, assert_error
from backstage.contributions.comments import post_comment
from backstage.contributions.models import (
    COMMENT_EDIT_MINUTES,
    COMMENT_MAX_LENGTH,
    Comment,
    Contribution,
    Status,
)
from backstage.productions import services as production_services
from conftest import make_user

EVERYONE = [
    "anonymous",
    "member",
    "crew",
    "moderator",
    "director",
    "producer",
    "staff",
    "inactive",
    "blocked",
]


def comments_state() -> dict[str, list[tuple[Any, ...]]]:
    """Everything the comments API can write, to compare before and after a refused request."""
    return {
        "comments": list(
            Comment.objects.order_by("pk").values_list(
                "pk", "contribution", "call", "author", "parent", "body", "edited_at", "is_hidden"
            )
        )
    }


@pytest.fixture
def work(studio, submit) -> Contribution:
    """A contribution by someone outside the team ("author"), under the production's call."""
    return submit(make_user("author"))


@pytest.fixture
def blocked(studio):
    user = make_user("blocked")
    production_services.block_member(
        actor=studio.moderator, production=studio.production, user=user, reason="Spam"
    )
    return user


def person(studio, role: str) -> User | None:
    if role == "blocked":
        return User.objects.get(username="blocked")
    return studio.person(role)


TARGETS = ("contribution", "call")
# A field named like the request body itself: its errors still name it.
BODY = "body"


def url_of(studio, work: Contribution, target: str) -> str:
    if target == "contribution":
        return f"/contributions/{work.pk}/comments"
    return f"/productions/{studio.production.slug}/calls/{studio.call.pk}/comments"


def on(target: str, studio, work: Contribution) -> dict[str, Any]:
    return {"contribution": work} if target == "contribution" else {"call": studio.call}


# --- who may do what ------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", EVERYONE)
@pytest.mark.parametrize("target", TARGETS)
def test_who_may_comment(studio, work, blocked, target, role):
    before = comments_state()

    response = api_as(person(studio, role)).post(url_of(studio, work, target), {"body": "Lovely, @crew!"})

    if role in ("anonymous", "inactive"):
        assert_error(response, 401, "not_authenticated")
        assert comments_state() == before
    elif role == "blocked":
        assert_error(response, 403, "blocked")
        assert comments_state() == before
    else:
        assert response.status_code == 201, response.content
        body = response.json()
        comment = Comment.objects.get(pk=body["id"])
        assert comment.author == person(studio, role)
        assert body["author"]["username"] == role
        assert body["body"] == "Lovely, @crew!"
        assert 'class="mention"' in body["body_html"]
        assert body["parent"] is None and body["edited_at"] is None
        assert "replies" not in body


@pytest.mark.parametrize("role", EVERYONE)
def test_who_may_edit_a_comment(studio, work, blocked, role):
    comment = post_comment(actor=studio.member, contribution=work, body="Firts!")
    before = comments_state()

    response = api_as(person(studio, role)).patch(f"/comments/{comment.pk}", {"body": "First!"})

    if role in ("anonymous", "inactive"):
        assert_error(response, 401, "not_authenticated")
    elif role == "member":
        assert response.status_code == 200, response.content
        assert response.json()["body"] == "First!"
        assert response.json()["edited_at"] is not None
        comment.refresh_from_db()
        assert comment.body == "First!" and comment.edited_at is not None
        return
    else:
        assert_error(response, 403, "not_author")
    assert comments_state() == before


@pytest.mark.parametrize("role", EVERYONE)
@pytest.mark.parametrize("target", TARGETS)
def test_everyone_reads_the_conversations(studio, work, blocked, target, role):
    post_comment(actor=studio.member, body="Hello", **on(target, studio, work))

    response = api_as(person(studio, role)).get(url_of(studio, work, target))

    assert response.status_code == 200, response.content
    assert [item["body"] for item in response.json()["items"]] == ["Hello"]


# --- threads --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("target", TARGETS)
def test_replies_are_threaded(studio, work, target):
    client = api_as(studio.member)
    url = url_of(studio, work, target)
    first = client.post(url, {"body": "First"}).json()
    second = client.post(url, {"body": "Second"}).json()
    reply = api_as(studio.crew).post(url, {"body": "Answer", "parent": first["id"]})
    assert reply.status_code == 201, reply.content
    assert reply.json()["parent"] == first["id"]

    body = api_as(None).get(url).json()

    assert body["count"] == 2
    assert [item["id"] for item in body["items"]] == [first["id"], second["id"]]
    thread = body["items"][0]
    assert set(thread) == {
        "id",
        "author",
        "body",
        "body_html",
        "created_at",
        "edited_at",
        "parent",
        "replies",
    }
    assert thread["author"] == {"username": "member", "display_name": studio.member.display_name}
    assert thread["body_html"].strip() == "<p>First</p>"
    assert [item["body"] for item in thread["replies"]] == ["Answer"]
    assert thread["replies"][0]["parent"] == first["id"]
    assert body["items"][1]["replies"] == []


@pytest.mark.parametrize("target", TARGETS)
def test_hidden_comments_are_absent(studio, work, target):
    shown = post_comment(actor=studio.member, body="Shown", **on(target, studio, work))
    hidden = post_comment(actor=studio.member, body="Hidden", **on(target, studio, work))
    post_comment(actor=studio.crew, body="Reply to hidden", parent=hidden, **on(target, studio, work))
    hidden_reply = post_comment(
        actor=studio.crew, body="Hidden reply", parent=shown, **on(target, studio, work)
    )
    post_comment(actor=studio.crew, body="Visible reply", parent=shown, **on(target, studio, work))
    Comment.objects.filter(pk__in=[hidden.pk, hidden_reply.pk]).update(is_hidden=True)

    body = api_as(studio.producer).get(url_of(studio, work, target)).json()

    assert body["count"] == 1
    assert [item["body"] for item in body["items"]] == ["Shown"]
    assert [item["body"] for item in body["items"][0]["replies"]] == ["Visible reply"]


@pytest.mark.parametrize("change", ["withdrawn", "hidden"])
def test_withdrawn_or_hidden_work_is_not_found_for_the_public(studio, work, change):
    post_comment(actor=studio.member, contribution=work, body="Hello")
    if change == "withdrawn":
        Contribution.objects.filter(pk=work.pk).update(status=Status.WITHDRAWN)
    else:
        Contribution.objects.filter(pk=work.pk).update(is_hidden=True)
    url = f"/contributions/{work.pk}/comments"

    assert_error(api_as(None).get(url), 404, "not_found")
    assert_error(api_as(studio.member).get(url), 404, "not_found")
    assert_error(api_as(studio.member).post(url, {"body": "Hi"}), 404, "not_found")
    assert api_as(work.author).get(url).status_code == 200
    assert api_as(studio.crew).get(url).status_code == 200
    # The author still reads the conversation, but it is closed.
    response = api_as(work.author).post(url, {"body": "Hi"})
    assert_error(response, 409, "contribution_withdrawn" if change == "withdrawn" else "contribution_hidden")


# --- what is refused, writing nothing -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "status", "code", "field"),
    [
        ({"body": ""}, 422, "invalid", BODY),
        ({"body": "   \n "}, 422, "invalid", BODY),
        ({"body": "x" * (COMMENT_MAX_LENGTH + 1)}, 422, "invalid", BODY),
        ({}, 422, "invalid", BODY),
        ({"body": 3}, 422, "invalid", BODY),
        ({"body": "Hi", "parent": 0}, 422, "invalid", "parent"),
        ({"body": "Hi", "parent": 999_999}, 404, "not_found", None),
        ([], 422, "invalid", None),
    ],
)
@pytest.mark.parametrize("target", TARGETS)
def test_bad_comments_are_refused(studio, work, target, body, status, code, field):
    before = comments_state()

    response = api_as(studio.member).post(url_of(studio, work, target), body)

    assert_error(response, status, code, field)
    assert comments_state() == before


@pytest.mark.parametrize("target", TARGETS)
def test_a_reply_answers_a_top_level_comment_of_the_same_target(studio, work, target):
    top = post_comment(actor=studio.member, body="Top", **on(target, studio, work))
    reply = post_comment(actor=studio.crew, body="Reply", parent=top, **on(target, studio, work))
    other = "call" if target == "contribution" else "contribution"
    elsewhere = post_comment(actor=studio.member, body="Elsewhere", **on(other, studio, work))
    hidden = post_comment(actor=studio.member, body="Hidden", **on(target, studio, work))
    Comment.objects.filter(pk=hidden.pk).update(is_hidden=True)
    before = comments_state()
    client = api_as(studio.member)
    url = url_of(studio, work, target)

    assert_error(client.post(url, {"body": "Deep", "parent": reply.pk}), 400, "reply_to_reply", "parent")
    assert_error(client.post(url, {"body": "Lost", "parent": elsewhere.pk}), 400, "reply_elsewhere", "parent")
    assert_error(client.post(url, {"body": "Late", "parent": hidden.pk}), 409, "parent_hidden", "parent")
    assert comments_state() == before


def test_unknown_targets_are_not_found(studio, work):
    client = api_as(studio.member)
    slug = studio.production.slug
    for url in (
        "/contributions/999999/comments",
        f"/productions/{slug}/calls/999999/comments",
        f"/productions/no-such-film/calls/{studio.call.pk}/comments",
    ):
        assert_error(client.get(url), 404, "not_found")
        assert_error(client.post(url, {"body": "Hi"}), 404, "not_found")
    assert_error(client.patch("/comments/999999", {"body": "Hi"}), 404, "not_found")
    assert not Comment.objects.exists()


def test_editing_is_refused_after_the_window_and_for_bad_bodies(studio, work):
    comment = post_comment(actor=studio.member, contribution=work, body="Hello")
    client = api_as(studio.member)
    url = f"/comments/{comment.pk}"
    before = comments_state()

    assert_error(client.patch(url, {"body": " "}), 422, "invalid", BODY)
    assert_error(client.patch(url, {"body": "x" * (COMMENT_MAX_LENGTH + 1)}), 422, "invalid", BODY)
    assert_error(client.patch(url, {}), 422, "invalid", BODY)
    Comment.objects.filter(pk=comment.pk).update(
        created_at=timezone.now() - timedelta(minutes=COMMENT_EDIT_MINUTES + 1)
    )
    before = comments_state()
    assert_error(client.patch(url, {"body": "Too late"}), 409, "edit_window_over")
    assert comments_state() == before


def test_hidden_comments_cannot_be_edited(studio, work):
    comment = post_comment(actor=studio.member, contribution=work, body="Hello")
    Comment.objects.filter(pk=comment.pk).update(is_hidden=True)
    before = comments_state()

    assert_error(
        api_as(studio.member).patch(f"/comments/{comment.pk}", {"body": "Hi"}), 409, "comment_hidden"
    )
    assert comments_state() == before


def test_comments_on_hidden_work_are_not_found_for_others(studio, work):
    comment = post_comment(actor=studio.member, contribution=work, body="Hello")
    Contribution.objects.filter(pk=work.pk).update(is_hidden=True)

    assert_error(api_as(studio.staff).patch(f"/comments/{comment.pk}", {"body": "Hi"}), 404, "not_found")


# --- queries --------------------------------------------------------------------------------------------


def _count_queries(url: str) -> int:
    client = api_as(None)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


@pytest.mark.parametrize("target", TARGETS)
def test_the_list_is_constant(studio, work, target):
    url = url_of(studio, work, target)
    first = post_comment(actor=studio.member, body="One, @crew", **on(target, studio, work))
    few = _count_queries(url)
    authors = [make_user(f"commenter{number}") for number in range(19)]
    for number, author in enumerate(authors):
        parent = first if number % 2 else None
        post_comment(actor=author, body=f"More, @member #{number}", parent=parent, **on(target, studio, work))

    many = _count_queries(url)

    assert Comment.objects.count() == 20
    assert many == few
