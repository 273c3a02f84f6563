from django import template
from django.utils.safestring import SafeString

from backstage.activity import sentences
from backstage.activity.models import Event

register = template.Library()


@register.simple_tag
def event_sentence(event: Event) -> SafeString:
    """The event as a sentence with links, in the active language."""
    return sentences.describe(event)


@register.simple_tag
def event_text(event: Event) -> str:
    """The event as plain text, for e-mails."""
    return sentences.describe_plain(event)
