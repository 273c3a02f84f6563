"""How an event reads: one translated sentence, with links on pages and plain in e-mails."""

from django.urls import reverse
from django.utils.html import conditional_escape, escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from backstage.activity.models import Event, Verb
from backstage.core.translated import translated
from backstage.productions.models import Role

SENTENCES = {
    Verb.CALL_OPENED: gettext_lazy("%(actor)s opened the call “%(call)s”."),
    Verb.MEMBER_JOINED: gettext_lazy("%(actor)s joined the team (role: %(role)s)."),
    Verb.CONTRIBUTION_SUBMITTED: gettext_lazy(
        "%(actor)s answered the call “%(call)s” with “%(contribution)s”."
    ),
    Verb.CONTRIBUTION_SHORTLISTED: gettext_lazy(
        "%(actor)s shortlisted “%(contribution)s” for the call “%(call)s”."
    ),
    Verb.CONTRIBUTION_ACCEPTED: gettext_lazy(
        "%(actor)s accepted “%(contribution)s” for the call “%(call)s”."
    ),
    Verb.CONTRIBUTION_DECLINED: gettext_lazy(
        "%(actor)s declined “%(contribution)s” for the call “%(call)s”."
    ),
}
COMMENTED_ON_CONTRIBUTION = gettext_lazy("%(actor)s commented on “%(contribution)s”.")
REPLIED_ON_CONTRIBUTION = gettext_lazy("%(actor)s replied to a comment on “%(contribution)s”.")
COMMENTED_ON_CALL = gettext_lazy("%(actor)s commented on the call “%(call)s”.")
REPLIED_ON_CALL = gettext_lazy("%(actor)s replied to a comment on the call “%(call)s”.")


def target_url(event: Event) -> str:
    """Where the event happened: the page a notification opens."""
    slug = event.production.slug
    contribution_url = (
        reverse("contributions:detail", kwargs={"slug": slug, "pk": event.contribution_id})
        if event.contribution_id
        else ""
    )
    call_url = (
        reverse("productions:call", kwargs={"slug": slug, "pk": event.call_id}) if event.call_id else ""
    )
    if event.verb == Verb.COMMENT_POSTED:
        anchor = f"#comment-{event.data['comment_id']}" if event.data.get("comment_id") else ""
        return (contribution_url or call_url) + anchor
    if event.verb == Verb.MEMBER_JOINED:
        return reverse("productions:team", kwargs={"slug": slug})
    return contribution_url or call_url or event.production.get_absolute_url()


def _linked(text: str, url: str, links: bool) -> str:
    if not links:
        return text
    return format_html('<a href="{}">{}</a>', url, text) if url else conditional_escape(text)


def _parts(event: Event, links: bool) -> dict[str, str]:
    slug = event.production.slug
    actor = event.actor
    if actor is None:
        person = _linked(_("Someone"), "", links)
    else:
        person = _linked(
            actor.display_name, reverse("accounts:profile", kwargs={"username": actor.username}), links
        )
    call_title = translated(event.call, "title") if event.call is not None else ""
    call_title = call_title or str(event.data.get("call_title", ""))
    call_url = (
        reverse("productions:call", kwargs={"slug": slug, "pk": event.call_id}) if event.call_id else ""
    )
    contribution_title = event.contribution.title if event.contribution is not None else ""
    contribution_title = contribution_title or str(event.data.get("contribution_title", ""))
    contribution_url = (
        reverse("contributions:detail", kwargs={"slug": slug, "pk": event.contribution_id})
        if event.contribution_id
        else ""
    )
    role = str(event.data.get("role", ""))
    role_label = str(Role(role).label) if role in Role.values else role
    return {
        "actor": person,
        "call": _linked(call_title, call_url, links),
        "contribution": _linked(contribution_title, contribution_url, links),
        "role": conditional_escape(role_label) if links else role_label,
    }


def _template(event: Event) -> str:
    if event.verb == Verb.COMMENT_POSTED:
        reply = bool(event.data.get("reply"))
        if event.contribution_id:
            return str(REPLIED_ON_CONTRIBUTION if reply else COMMENTED_ON_CONTRIBUTION)
        return str(REPLIED_ON_CALL if reply else COMMENTED_ON_CALL)
    return str(SENTENCES[Verb(event.verb)])


def describe(event: Event) -> SafeString:
    """The event as HTML, each person and work linked; titles and names escaped."""
    return mark_safe(escape(_template(event)) % _parts(event, links=True))  # noqa: S308 (parts are escaped)


def describe_plain(event: Event) -> str:
    """The event as plain text, for e-mails."""
    return _template(event) % _parts(event, links=False)
