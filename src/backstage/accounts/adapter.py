from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from django.db import transaction
from django.http import HttpRequest
from django.utils import translation

from backstage.core.tasks import send_email


class AccountAdapter(DefaultAccountAdapter):
    """allauth with our e-mail delivery: messages are rendered now and sent by the worker."""

    def send_mail(self, template_prefix: str, email: str, context: dict[str, Any]) -> None:
        message = self.render_mail(template_prefix, email, context)
        html = ""
        for content, mimetype in getattr(message, "alternatives", []):
            if mimetype == "text/html":
                html = str(content)
        kwargs = {
            "subject": message.subject,
            "body": message.body,
            "to": list(message.to),
            "html": html,
            "from_email": message.from_email,
        }
        transaction.on_commit(lambda: send_email.enqueue(**kwargs))

    def save_user(self, request: HttpRequest, user: Any, form: Any, commit: bool = True) -> Any:
        # The language the person signed up in is the one we write to them in.
        user.language = (translation.get_language() or "en").split("-")[0]
        return super().save_user(request, user, form, commit=commit)
