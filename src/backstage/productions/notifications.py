from django.conf import settings
from django.urls import reverse

from backstage.core.email import queue_email
from backstage.productions.models import Invitation


def invitation_sent(invitation: Invitation) -> None:
    queue_email(
        template="productions/email/invitation",
        to=invitation.invitee.email,
        language=invitation.invitee.language,
        context={
            "invitation": invitation,
            "production": invitation.production,
            "dashboard_url": settings.SITE_URL + reverse("accounts:dashboard"),
        },
    )
