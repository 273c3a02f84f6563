"""Comments on contributions and calls: who may post, threads, editing, mentions and safe rendering."""

from datetime import timedelta
from html.parser import HTMLParser

import pytest
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from freezegun import freeze_time

from backstage.contributions import comments, services, signals
from backstage.contributions.comment_queries import comments_for
from backstage.contributions.models import Comment, Contribution
from backstage.core.errors import Conflict, NotAllowed, ServiceError
from backstage.productions.models import Call, CallKind, Production
from conftest import ROLES, client_for, make_user

SLUG = "varsovie-express"


def comment_url(contribution) -> str:
    return f"/productions/{SLUG}/contributions/{contribution.pk}/comments/"


def call_comment_url(call) -> str:
    return f"/productions/{SLUG}/calls/{call.pk}/comments/"


def reply_url(comment) -> str:
    return f"/productions/{SLUG}/comments/{comment.pk}/reply/"


def edit_url(comment) -> str:
    return f"/productions/{SLUG}/comments/{comment.pk}/edit/"


@pytest.fixture
def work(studio, submit):
    return submit(make_user("author"))


@pytest.fixture
def posted():
    """The comment_posted signals sent during the test, as (comment, mentioned) pairs."""
    sent = []

    def receiver(sender, comment, mentioned, **kwargs):
        sent.append((comment, mentioned))

    signals.comment_posted.connect(receiver)
    yield sent
    signals.comment_posted.disconnect(receiver)


def other_production(studio):
    production = Production.objects.create(
        slug="la-traversee", title="La Traversée", created_by=studio.producer
    )
    call = Call.objects.create(
        production=production, kind=CallKind.CAST, title_en="Boatman", created_by=studio.producer
    )
    return production, call


# Who may comment


@pytest.mark.parametrize("role", [*ROLES, "author"])
def test_every_signed_in_role_comments_and_anonymous_is_sent_to_sign_in(studio, work, role):
    person = work.author if role == "author" else studio.person(role)
    response = client_for(person).post(comment_url(work), {"body": f"Lovely, from {role}."})
    assert response.status_code == 302
    if person is None:
        assert response["Location"].startswith("/accounts/login/")
        assert not Comment.objects.exists()
    else:
        comment = Comment.objects.get()
        assert (comment.author, comment.contribution, comment.call) == (person, work, None)
        assert response["Location"] == f"{work.get_absolute_url()}#comment-{comment.pk}"
        page = client_for(None).get(work.get_absolute_url()).content.decode()
        assert f"Lovely, from {role}." in page


def test_an_inactive_account_cannot_comment(studio, work):
    response = client_for(studio.inactive).post(comment_url(work), {"body": "Hello"})
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
    with pytest.raises(NotAllowed):
        comments.post_comment(actor=studio.inactive, contribution=work, body="Hello")
    assert not Comment.objects.exists()


def test_comments_on_a_call_are_its_discussion(studio):
    response = client_for(studio.member).post(
        call_comment_url(studio.call), {"body": "Is the role *open* to all?"}
    )
    comment = Comment.objects.get()
    assert (comment.call, comment.contribution) == (studio.call, None)
    assert response["Location"].endswith(f"/calls/{studio.call.pk}/contributions/#comment-{comment.pk}")
    page = client_for(None).get(f"/productions/{SLUG}/calls/{studio.call.pk}/contributions/").content.decode()
    assert "Discussion" in page
    assert "Is the role <em>open</em> to all?" in page
    assert "Sign in to comment." in page


def test_a_comment_has_exactly_one_target(studio, work):
    with pytest.raises(ServiceError) as error:
        comments.post_comment(actor=studio.member, contribution=work, call=studio.call, body="Both")
    assert error.value.code == "target_required"
    with transaction.atomic(), pytest.raises(IntegrityError):
        Comment.objects.create(author=studio.member, body="Nowhere")


# Bad inputs


@pytest.mark.parametrize(
    ("body", "code"), [("", "body_blank"), ("  \n\t ", "body_blank"), ("x" * 10_001, "body_too_long")]
)
def test_empty_blank_and_too_long_bodies_are_refused(studio, work, body, code):
    with pytest.raises(ServiceError) as error:
        comments.post_comment(actor=studio.member, contribution=work, body=body)
    assert (error.value.code, error.value.field) == (code, "body")
    response = client_for(studio.member).post(comment_url(work), {"body": body})
    assert response.status_code == 400
    assert b'class="form-errors"' in response.content
    assert not Comment.objects.exists()


def test_the_longest_body_is_accepted(studio, work):
    comment = comments.post_comment(actor=studio.member, contribution=work, body="x" * 10_000)
    assert len(comment.body) == 10_000


def test_a_body_the_browser_let_through_is_accepted_whatever_its_line_breaks(studio, work):
    # 10,000 characters as the text area counted them; the browser sends each line break as CRLF.
    typed = "\n".join(["x" * 99] * 100)
    response = client_for(studio.member).post(comment_url(work), {"body": typed.replace("\n", "\r\n")})
    assert response.status_code == 302
    assert Comment.objects.get().body == typed


def test_replies_are_one_level_deep_and_on_the_same_target(studio, work, submit):
    top = comments.post_comment(actor=studio.member, contribution=work, body="First")
    reply = comments.post_comment(actor=studio.crew, body="Answer", parent=top)
    assert (reply.parent, reply.contribution) == (top, work)
    with pytest.raises(ServiceError) as error:
        comments.post_comment(actor=studio.member, contribution=work, body="Deeper", parent=reply)
    assert error.value.code == "reply_to_reply"
    response = client_for(studio.member).post(reply_url(reply), {"body": "Deeper"})
    assert response.status_code == 400
    elsewhere = submit(make_user("other"), title="Other")
    with pytest.raises(ServiceError) as error:
        comments.post_comment(actor=studio.member, contribution=elsewhere, body="Lost", parent=top)
    assert error.value.code == "reply_elsewhere"
    with pytest.raises(ServiceError) as error:
        comments.post_comment(actor=studio.member, call=studio.call, body="Lost", parent=top)
    assert error.value.code == "reply_elsewhere"
    assert Comment.objects.count() == 2


def test_a_reply_through_the_page(studio, work):
    top = comments.post_comment(actor=studio.member, contribution=work, body="First")
    response = client_for(studio.director).post(reply_url(top), {"body": "Thanks!"})
    reply = Comment.objects.get(parent=top)
    assert response["Location"] == f"{work.get_absolute_url()}#comment-{reply.pk}"
    assert [item.thread_replies for item in comments_for(contribution=work)] == [[reply]]


def test_no_comment_on_a_withdrawn_contribution(studio, work):
    top = comments.post_comment(actor=studio.member, contribution=work, body="Before")
    services.withdraw_contribution(actor=work.author, contribution=work)
    work.refresh_from_db()
    with pytest.raises(Conflict) as error:
        comments.post_comment(actor=work.author, contribution=work, body="After")
    assert error.value.code == "contribution_withdrawn"
    assert client_for(work.author).post(comment_url(work), {"body": "After"}).status_code == 409
    # The public no longer knows the work exists.
    assert client_for(studio.member).post(comment_url(work), {"body": "After"}).status_code == 404
    assert client_for(studio.member).post(reply_url(top), {"body": "After"}).status_code == 404
    assert Comment.objects.count() == 1


def test_no_comment_on_a_hidden_contribution(studio, work):
    Contribution.objects.filter(pk=work.pk).update(is_hidden=True, hidden_reason="Not free")
    work.refresh_from_db()
    with pytest.raises(Conflict) as error:
        comments.post_comment(actor=studio.crew, contribution=work, body="Hidden")
    assert error.value.code == "contribution_hidden"
    assert client_for(studio.member).post(comment_url(work), {"body": "Hidden"}).status_code == 404
    assert client_for(studio.crew).post(comment_url(work), {"body": "Hidden"}).status_code == 409
    assert not Comment.objects.exists()


def test_no_reply_to_a_hidden_comment(studio, work):
    top = comments.post_comment(actor=studio.member, contribution=work, body="Rude")
    Comment.objects.filter(pk=top.pk).update(is_hidden=True, hidden_reason="Rude")
    top.refresh_from_db()
    with pytest.raises(Conflict) as error:
        comments.post_comment(actor=studio.crew, body="Reply", parent=top)
    assert error.value.code == "parent_hidden"


def test_another_productions_objects_are_not_found_under_this_slug(studio, submit):
    _, elsewhere_call = other_production(studio)
    elsewhere = submit(call=elsewhere_call)
    comment = comments.post_comment(actor=studio.member, contribution=elsewhere, body="Elsewhere")
    client = client_for(studio.member)
    assert client.post(comment_url(elsewhere), {"body": "Hi"}).status_code == 404
    assert client.post(call_comment_url(elsewhere_call), {"body": "Hi"}).status_code == 404
    assert client.post(reply_url(comment), {"body": "Hi"}).status_code == 404
    assert client.get(edit_url(comment)).status_code == 404
    assert Comment.objects.count() == 1


# Editing


def test_the_author_edits_within_the_window(studio, work):
    comment = comments.post_comment(actor=studio.member, contribution=work, body="Typo")
    client = client_for(studio.member)
    form = client.get(edit_url(comment))
    assert form.status_code == 200
    assert b"Typo</textarea>" in form.content
    with freeze_time(timezone.now() + timedelta(minutes=14)):
        response = client.post(edit_url(comment), {"body": "Fixed"})
    assert response["Location"] == f"{work.get_absolute_url()}#comment-{comment.pk}"
    comment.refresh_from_db()
    assert comment.body == "Fixed"
    assert comment.edited_at is not None
    assert "edited" in client.get(work.get_absolute_url()).content.decode()


def test_nobody_edits_someone_elses_comment(studio, work):
    comment = comments.post_comment(actor=studio.member, contribution=work, body="Mine")
    for person in (studio.crew, studio.producer, studio.staff):
        assert client_for(person).get(edit_url(comment)).status_code == 403
        assert client_for(person).post(edit_url(comment), {"body": "Theirs"}).status_code == 403
    with pytest.raises(NotAllowed):
        comments.edit_comment(actor=studio.producer, comment=comment, body="Theirs")
    assert client_for(None).post(edit_url(comment), {"body": "Theirs"}).status_code == 302
    comment.refresh_from_db()
    assert (comment.body, comment.edited_at) == ("Mine", None)


def test_editing_after_the_window_is_refused(studio, work):
    comment = comments.post_comment(actor=studio.member, contribution=work, body="Old")
    client = client_for(studio.member)
    with freeze_time(timezone.now() + timedelta(minutes=comments.COMMENT_EDIT_MINUTES, seconds=1)):
        with pytest.raises(Conflict) as error:
            comments.edit_comment(actor=studio.member, comment=comment, body="New")
        assert error.value.code == "edit_window_over"
        assert client.post(edit_url(comment), {"body": "New"}).status_code == 409
        assert client.get(edit_url(comment)).status_code == 302
        assert edit_url(comment) not in client.get(work.get_absolute_url()).content.decode()
    comment.refresh_from_db()
    assert comment.body == "Old"


def test_an_edit_cannot_empty_a_comment(studio, work):
    comment = comments.post_comment(actor=studio.member, contribution=work, body="Old")
    assert client_for(studio.member).post(edit_url(comment), {"body": "   "}).status_code == 400
    comment.refresh_from_db()
    assert comment.body == "Old"


# Safe rendering


class ActiveContent(HTMLParser):
    """Collects what a browser would run: script-like tags, event handlers, script URLs."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in {"script", "img", "iframe", "object", "embed", "style", "svg", "form", "input"}:
            self.found.append(tag)
        for name, value in attrs:
            if name.startswith("on") or name in {"style", "src"}:
                self.found.append(name)
            if name == "href" and not (value or "").startswith(("/", "http://", "https://", "mailto:", "#")):
                self.found.append(f"href={value}")


def active_parts(html: str) -> list[str]:
    parser = ActiveContent()
    parser.feed(html)
    return parser.found


@pytest.mark.parametrize(
    "body",
    [
        "<script>alert(1)</script>",
        "[click](javascript:alert(1))",
        "[click](JaVaScRiPt&#58;alert(1))",
        "<javascript:alert(1)>",
        "<img src=x onerror=alert(1)>",
        '<a href="#" onclick="alert(1)">x</a> @member',
        "[@member](javascript:alert(1)) @member",
        "![x](javascript:alert(1))",
        '@member"><script>alert(1)</script>',
        "[x](data:text/html;base64,PHNjcmlwdD4=) <svg onload=alert(1)>",
    ],
)
def test_nothing_active_survives_rendering(studio, work, body):
    comments.post_comment(actor=studio.crew, contribution=work, body=body)
    html = comments_for(contribution=work)[0].body_html
    assert active_parts(html) == []
    assert "<script" not in html.lower()
    page = client_for(None).get(work.get_absolute_url()).content.decode()
    start = page.index('id="comments"')
    assert active_parts(page[start : page.index("</section>", start)]) == []


# Mentions


def test_mentions_link_active_people_and_notify_them(studio, work, posted):
    body = (
        "Thanks @crew and @director! cc @ghost @inactive (@crew again), mail me@example.org, "
        "`@producer` in code, and @moderator."
    )
    comment = comments.post_comment(actor=studio.member, contribution=work, body=body)
    assert posted == [(comment, [studio.crew, studio.director, studio.moderator])]
    html = comments_for(contribution=work)[0].body_html
    assert '<a href="/people/crew/"' in html and '<a href="/people/director/"' in html
    assert '<a href="/people/moderator/" class="mention" rel="nofollow noopener ugc">@moderator</a>.' in html
    assert "/people/ghost/" not in html and "/people/inactive/" not in html
    assert "/people/example.org/" not in html and "/people/producer/" not in html
    assert "<code>@producer</code>" in html
    assert 'href="mailto' not in html


def test_mention_tokens():
    assert comments.mentioned_users("no one here") == []
    assert comments.mention_tokens("@ania, @ania. @jean-luc! (@m.b) x@y.org @ania@example.org") == [
        "ania",
        "jean-luc",
        "m.b",
    ]
    many = " ".join(f"@person{n}" for n in range(30))
    assert comments.mention_tokens(many) == [f"person{n}" for n in range(20)]


def test_at_most_twenty_people_are_notified_and_never_the_author(studio, work, posted):
    people = [make_user(f"fan{n}") for n in range(25)]
    body = "@member " + " ".join(f"@{person.username}" for person in people)
    comments.post_comment(actor=studio.member, contribution=work, body=body)
    assert posted[0][1] == people[:19]


# htmx


def test_htmx_posts_return_the_new_comment_and_a_fresh_form(studio, work):
    client = client_for(studio.member)
    response = client.post(comment_url(work), {"body": "With **htmx**"}, headers={"HX-Request": "true"})
    comment = Comment.objects.get()
    content = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in content
    assert f'id="comment-{comment.pk}"' in content and "<strong>htmx</strong>" in content
    assert f'id="comment-form-contribution-{work.pk}"' in content and 'hx-swap-oob="true"' in content
    reply = client.post(reply_url(comment), {"body": "And a reply"}, headers={"HX-Request": "true"})
    assert "<html" not in reply.content.decode()
    assert f'id="reply-form-{comment.pk}"' in reply.content.decode()


def test_htmx_errors_replace_the_form(studio, work):
    response = client_for(studio.member).post(
        comment_url(work), {"body": " "}, headers={"HX-Request": "true"}
    )
    assert response.status_code == 200
    assert response["HX-Retarget"] == f"#comment-form-contribution-{work.pk}"
    assert response["HX-Reswap"] == "outerHTML"
    assert b'role="alert"' in response.content and b"<html" not in response.content


# Lists and query counts


def test_hidden_comments_and_their_replies_disappear(studio, work):
    kept = comments.post_comment(actor=studio.member, contribution=work, body="Kept")
    kept_reply = comments.post_comment(actor=studio.crew, body="Kept reply", parent=kept)
    hidden_reply = comments.post_comment(actor=studio.crew, body="Hidden reply", parent=kept)
    gone = comments.post_comment(actor=studio.member, contribution=work, body="Gone")
    comments.post_comment(actor=studio.crew, body="Orphan", parent=gone)
    Comment.objects.filter(pk__in=[gone.pk, hidden_reply.pk]).update(is_hidden=True)
    listed = comments_for(contribution=work)
    assert listed == [kept]
    assert listed[0].thread_replies == [kept_reply]
    page = client_for(None).get(work.get_absolute_url()).content.decode()
    assert "Kept reply" in page and "Gone" not in page and "Orphan" not in page and "Hidden reply" not in page


def _count(client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


def _converse(target: dict, people: list, n: int) -> None:
    for index in range(n):
        top = comments.post_comment(actor=people[index % len(people)], body=f"Point {index} @crew", **target)
        comments.post_comment(actor=people[(index + 1) % len(people)], body=f"Re {index} @member", parent=top)


@pytest.mark.parametrize("target", ["contribution", "call"])
def test_the_pages_are_constant_whatever_the_conversation(studio, work, target):
    people = [studio.member, studio.crew, studio.director, work.author, make_user("no_profile_yet")]
    if target == "contribution":
        kwargs, url = {"contribution": work}, work.get_absolute_url()
    else:
        kwargs, url = {"call": studio.call}, f"/productions/{SLUG}/calls/{studio.call.pk}/contributions/"
    _converse(kwargs, people, 1)
    viewers = [client_for(None), client_for(studio.member), client_for(studio.director)]
    small = [_count(client, url) for client in viewers]
    _converse(kwargs, people, 29)
    assert [_count(client, url) for client in viewers] == small
    assert client_for(None).get(url).content.decode().count('<li class="comment') == 30 + 30
