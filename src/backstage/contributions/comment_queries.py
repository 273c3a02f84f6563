"""Reads for comments: a conversation in two queries, whatever its length."""

from collections.abc import Iterable

from django.db.models import Q

from backstage.accounts.models import User
from backstage.contributions.comments import mention_tokens, render_comment_body
from backstage.contributions.models import Comment, Contribution
from backstage.productions.models import Call


def comments_for(*, contribution: Contribution | None = None, call: Call | None = None) -> list[Comment]:
    """The visible top-level comments on one target, oldest first, each with its ``thread_replies``.

    Hidden comments are left out, and so are the replies to them: without their parent they
    would answer nothing anyone can read. Bodies come rendered in ``body_html``.
    """
    if (contribution is None) == (call is None):
        raise TypeError("comments_for() needs exactly one of contribution and call")
    target = Q(contribution=contribution) if contribution is not None else Q(call=call)
    rows = list(
        Comment.objects.filter(target, is_hidden=False)
        .select_related("author__profile")
        .order_by("created_at", "pk")
    )
    threads: dict[int, Comment] = {}
    for comment in rows:
        comment.thread_replies = []
        if comment.parent_id is None:
            threads[comment.pk] = comment
    for comment in rows:
        if comment.parent_id is not None and comment.parent_id in threads:
            threads[comment.parent_id].thread_replies.append(comment)
    render_bodies(rows)
    return list(threads.values())


def render_bodies(comments: Iterable[Comment]) -> None:
    """Fill ``body_html`` for each comment, linking the mentions of active accounts (one query)."""
    comments = list(comments)
    names = {name for comment in comments for name in mention_tokens(comment.body)}
    known = (
        set(User.objects.filter(username__in=names, is_active=True).values_list("username", flat=True))
        if names
        else set()
    )
    for comment in comments:
        comment.body_html = render_comment_body(comment.body, known=known)
