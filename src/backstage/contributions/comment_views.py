"""The HTML surface of comments: posting (with htmx or a plain form), replying and editing."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from backstage.contributions import comments as comment_services
from backstage.contributions import queries
from backstage.contributions.comment_queries import render_bodies
from backstage.contributions.models import Comment, Contribution, Status
from backstage.core.errors import NotAllowed, ServiceError
from backstage.core.http import AuthenticatedRequest
from backstage.core.text import typed_line_breaks
from backstage.productions.models import Call, Production
from backstage.productions.permissions import role_in


def target_url(comment: Comment) -> str:
    """The page a comment's conversation is on."""
    if comment.contribution is not None:
        return comment.contribution.get_absolute_url()
    assert comment.call is not None
    return reverse("contributions:for_call", args=[comment.call.production.slug, comment.call.pk])


def comment_form_context(
    *, production: Production, contribution: Contribution | None = None, call: Call | None = None
) -> dict[str, object]:
    """What ``_comments.html`` needs besides the comments themselves."""
    if contribution is not None:
        return {
            "comment_target_key": f"contribution-{contribution.pk}",
            "comment_post_url": reverse("contributions:comment", args=[production.slug, contribution.pk]),
            "comments_open": contribution.status != Status.WITHDRAWN and not contribution.is_hidden,
        }
    assert call is not None
    return {
        "comment_target_key": f"call-{call.pk}",
        "comment_post_url": reverse("contributions:call_comment", args=[production.slug, call.pk]),
        "comments_open": True,
    }


def _respond(
    request: AuthenticatedRequest,
    *,
    production: Production,
    contribution: Contribution | None = None,
    call: Call | None = None,
    parent: Comment | None = None,
    action: str,
    back: str,
) -> HttpResponse:
    """Post through the service, then answer htmx with fragments and plain forms with a redirect."""
    body = typed_line_breaks(request.POST.get("body", ""))
    key = f"contribution-{contribution.pk}" if contribution is not None else f"call-{call.pk if call else ''}"
    form: dict[str, object] = {
        "production": production,
        "form_id": f"reply-form-{parent.pk}" if parent else f"comment-form-{key}",
        "action": action,
        "list_id": f"replies-{parent.pk}" if parent else f"comments-{key}",
        "parent": parent,
    }
    try:
        comment = comment_services.post_comment(
            actor=request.user, contribution=contribution, call=call, body=body, parent=parent
        )
    except ServiceError as error:
        if isinstance(error, NotAllowed):
            raise
        if request.htmx:
            response = render(
                request, "contributions/_comment_form.html", {**form, "body": body, "error": error.message}
            )
            # The form is swapped in place to show the error; the conversation stays as it is.
            response["HX-Retarget"] = f"#{form['form_id']}"
            response["HX-Reswap"] = "outerHTML"
            return response
        return render(
            request,
            "contributions/comment_form.html",
            {**form, "body": body, "error": error.message, "back_url": back},
            status=error.status,
        )
    if request.htmx:
        comment.thread_replies = []
        render_bodies([comment])
        return render(
            request,
            "contributions/_comment_posted.html",
            {**form, "comment": comment, "comments_open": True},
        )
    messages.success(request, _("Your comment is posted."))
    return redirect(f"{back}#comment-{comment.pk}")


def _visible_contribution(request: AuthenticatedRequest, slug: str, pk: int) -> Contribution:
    contribution = get_object_or_404(
        Contribution.objects.select_related("call__production"), pk=pk, call__production__slug=slug
    )
    # Withdrawn or hidden work is gone for the public, as on its page; its author and the team
    # still reach it.
    if (contribution.status == Status.WITHDRAWN or contribution.is_hidden) and not (
        contribution.author_id == request.user.pk
        or role_in(request.user, contribution.call.production) is not None
    ):
        raise Http404
    return contribution


@login_required
@require_POST
def comment_on_contribution(request: AuthenticatedRequest, slug: str, pk: int) -> HttpResponse:
    contribution = _visible_contribution(request, slug, pk)
    production = contribution.call.production
    return _respond(
        request,
        production=production,
        contribution=contribution,
        action=reverse("contributions:comment", args=[slug, pk]),
        back=contribution.get_absolute_url(),
    )


@login_required
@require_POST
def comment_on_call(request: AuthenticatedRequest, slug: str, call_id: int) -> HttpResponse:
    call = queries.call_with_production(slug, call_id)
    return _respond(
        request,
        production=call.production,
        call=call,
        action=reverse("contributions:call_comment", args=[slug, call_id]),
        back=reverse("contributions:for_call", args=[slug, call_id]),
    )


def _production_of(comment: Comment) -> Production:
    if comment.contribution is not None:
        return comment.contribution.call.production
    assert comment.call is not None
    return comment.call.production


def _comment_in(slug: str, comment_id: int) -> Comment:
    return get_object_or_404(
        Comment.objects.select_related("author", "contribution__call__production", "call__production"),
        Q(contribution__call__production__slug=slug) | Q(call__production__slug=slug),
        pk=comment_id,
    )


@login_required
@require_POST
def comment_reply(request: AuthenticatedRequest, slug: str, comment_id: int) -> HttpResponse:
    parent = _comment_in(slug, comment_id)
    if parent.contribution is not None:
        _visible_contribution(request, slug, parent.contribution.pk)
    return _respond(
        request,
        production=_production_of(parent),
        contribution=parent.contribution,
        call=parent.call,
        parent=parent,
        action=reverse("contributions:comment_reply", args=[slug, comment_id]),
        back=target_url(parent),
    )


@login_required
def comment_edit(request: AuthenticatedRequest, slug: str, comment_id: int) -> HttpResponse:
    comment = _comment_in(slug, comment_id)
    if comment.author_id != request.user.pk:
        raise NotAllowed("not_author", _("Only its author may edit a comment."))
    back = target_url(comment)
    body = comment.body
    error: object = None
    status = 200
    if request.method == "POST":
        body = typed_line_breaks(request.POST.get("body", ""))
        try:
            comment_services.edit_comment(actor=request.user, comment=comment, body=body)
        except ServiceError as failure:
            if isinstance(failure, NotAllowed):
                raise
            error, status = failure.message, failure.status
        else:
            messages.success(request, _("Your comment is saved."))
            return redirect(f"{back}#comment-{comment.pk}")
    elif not comment.is_editable:
        messages.error(request, _("This comment can no longer be edited."))
        return redirect(f"{back}#comment-{comment.pk}")
    return render(
        request,
        "contributions/comment_form.html",
        {
            "production": _production_of(comment),
            "comment": comment,
            "action": reverse("contributions:comment_edit", args=[slug, comment.pk]),
            "body": body,
            "error": error,
            "back_url": back,
        },
        status=status,
    )
