"""Writes for comments on contributions and calls, @mentions, and the rendering of comment bodies.

Each service checks who acts, validates, runs in one transaction and returns the comment or
raises a ServiceError carrying a code.
"""

import re
from collections.abc import Collection
from datetime import timedelta
from html import escape
from html.parser import HTMLParser

import nh3
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from backstage.accounts.models import User
from backstage.contributions import signals
from backstage.contributions.models import (
    COMMENT_EDIT_MINUTES,
    COMMENT_MAX_LENGTH,
    Comment,
    Contribution,
    Status,
)
from backstage.core.errors import Conflict, NotAllowed, ServiceError
from backstage.core.markdown import ALLOWED_ATTRIBUTES, ALLOWED_TAGS, render_markdown
from backstage.productions.models import Call
from backstage.productions.permissions import require_not_blocked

__all__ = [
    "COMMENT_EDIT_MINUTES",
    "MAX_MENTIONS",
    "edit_comment",
    "mention_tokens",
    "mentioned_users",
    "post_comment",
    "render_comment_body",
]

# A comment naming a crowd would notify a crowd: only the first names count.
MAX_MENTIONS = 20
# "@" not preceded by anything that could make it part of an e-mail address or a longer word, then
# a username (Django's characters). The possessive run cannot shrink to dodge the final check, so
# "@ania@example.org" is no mention of "ania".
MENTION = re.compile(r"(?<![\w.+@-])@(\w[\w.+-]*+)(?!@)")
# Trailing punctuation ends a sentence rather than a name ("thanks @ania.").
TRAILING = ".+-"


def _require_active(actor: User) -> None:
    if not actor.is_authenticated or not actor.is_active:
        raise NotAllowed("forbidden", _("Sign in with an active account first."))


def _clean_body(body: str) -> str:
    body = (body or "").strip()
    if not body:
        raise ServiceError("body_blank", _("Write something first."), field="body")
    if len(body) > COMMENT_MAX_LENGTH:
        raise ServiceError(
            "body_too_long",
            _("A comment is at most %(limit)s characters long.") % {"limit": COMMENT_MAX_LENGTH},
            field="body",
        )
    return body


def mention_tokens(body: str) -> list[str]:
    """The distinct @names a text mentions, in order of appearance, at most MAX_MENTIONS of them.

    Only the text people read as prose counts: a name in a code span or inside a link is quoted,
    not called.
    """
    linker = _MentionLinker(known=())
    linker.feed(str(render_markdown(body)))
    linker.close()
    return linker.found[:MAX_MENTIONS]


def mentioned_users(body: str) -> list[User]:
    """The active accounts a text mentions with @username, in order of appearance."""
    names = mention_tokens(body)
    if not names:
        return []
    found = {user.username: user for user in User.objects.filter(username__in=names, is_active=True)}
    return [found[name] for name in names if name in found]


def post_comment(
    *,
    actor: User,
    contribution: Contribution | None = None,
    call: Call | None = None,
    body: str,
    parent: Comment | None = None,
) -> Comment:
    """Post a comment on a contribution or a call, or a reply to a top-level comment there."""
    _require_active(actor)
    if parent is not None:
        if contribution is None and call is None:
            contribution, call = parent.contribution, parent.call
        if parent.parent_id is not None:
            raise ServiceError(
                "reply_to_reply", _("Reply to the conversation's first comment instead."), field="parent"
            )
        if parent.contribution_id != (contribution.pk if contribution else None) or parent.call_id != (
            call.pk if call else None
        ):
            raise ServiceError(
                "reply_elsewhere",
                _("A reply belongs to the same conversation as its comment."),
                field="parent",
            )
        if parent.is_hidden:
            raise Conflict("parent_hidden", _("This comment was hidden by the moderators."), field="parent")
    if (contribution is None) == (call is None):
        raise ServiceError("target_required", _("A comment is about one contribution or one call."))
    if contribution is not None and contribution.status == Status.WITHDRAWN:
        raise Conflict("contribution_withdrawn", _("A withdrawn contribution is no longer open to comments."))
    if contribution is not None and contribution.is_hidden:
        raise Conflict("contribution_hidden", _("This contribution was hidden by the moderators."))
    target_call = contribution.call if contribution is not None else call
    require_not_blocked(actor, target_call.production)  # type: ignore[union-attr]
    body = _clean_body(body)
    with transaction.atomic():
        comment = Comment(contribution=contribution, call=call, author=actor, parent=parent, body=body)
        comment.full_clean()
        comment.save()
        # Nobody needs telling about their own comment.
        mentioned = [user for user in mentioned_users(body) if user.pk != actor.pk]
        signals.comment_posted.send(sender=Comment, comment=comment, mentioned=mentioned)
    return comment


def edit_comment(*, actor: User, comment: Comment, body: str) -> Comment:
    """Correct one's own comment shortly after posting it; later, the conversation has moved on."""
    _require_active(actor)
    if comment.author_id != actor.pk:
        raise NotAllowed("not_author", _("Only its author may edit a comment."))
    if comment.is_hidden:
        raise Conflict("comment_hidden", _("This comment was hidden by the moderators."))
    if timezone.now() > comment.created_at + timedelta(minutes=COMMENT_EDIT_MINUTES):
        raise Conflict(
            "edit_window_over",
            _("A comment can be edited during %(minutes)s minutes after posting.")
            % {"minutes": COMMENT_EDIT_MINUTES},
        )
    body = _clean_body(body)
    with transaction.atomic():
        comment.body = body
        comment.edited_at = timezone.now()
        comment.full_clean()
        comment.save(update_fields=["body", "edited_at"])
    return comment


# Mentions inside these stay as written: a link in a link is invalid, and code is quoted text.
_NO_LINKS_INSIDE = frozenset({"a", "code", "pre"})


class _MentionLinker(HTMLParser):
    """Copies sanitised HTML, turning known @names in text into links to the people's pages."""

    def __init__(self, known: Collection[str]) -> None:
        super().__init__(convert_charrefs=False)
        self.known = known
        self.parts: list[str] = []
        self.found: list[str] = []
        self.depth = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _NO_LINKS_INSIDE:
            self.depth += 1
        self.parts.append(self.get_starttag_text() or "")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.parts.append(self.get_starttag_text() or "")

    def handle_endtag(self, tag: str) -> None:
        if tag in _NO_LINKS_INSIDE and self.depth:
            self.depth -= 1
        self.parts.append(f"</{tag}>")

    def handle_data(self, data: str) -> None:
        self.parts.append(data if self.depth else MENTION.sub(self._link, data))

    def handle_entityref(self, name: str) -> None:
        self.parts.append(f"&{name};")

    def handle_charref(self, name: str) -> None:
        self.parts.append(f"&#{name};")

    def _link(self, match: re.Match[str]) -> str:
        token = match.group(1)
        name = token.rstrip(TRAILING)
        if name and name not in self.found:
            self.found.append(name)
        if name not in self.known:
            return match.group(0)
        url = reverse("accounts:profile", kwargs={"username": name})
        # The data is already escaped HTML text; names only hold word characters and ".+-".
        return f'<a href="{escape(url)}" class="mention">@{name}</a>{token[len(name) :]}'


def render_comment_body(body: str, *, known: Collection[str]) -> SafeString:
    """Safe HTML for a comment: its Markdown, with @mentions of the ``known`` usernames linked."""
    linker = _MentionLinker(known)
    linker.feed(str(render_markdown(body)))
    linker.close()
    # Sanitised again after our change, so the result never depends on the linker being right.
    html = nh3.clean(
        "".join(linker.parts),
        tags=ALLOWED_TAGS,
        attributes={**ALLOWED_ATTRIBUTES, "a": {"href", "title", "class"}},
        url_schemes={"http", "https", "mailto"},
        link_rel="nofollow noopener ugc",
    )
    return mark_safe(html)  # noqa: S308 - nh3 has just sanitised it
