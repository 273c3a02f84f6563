from django.http import HttpRequest
from django_htmx.middleware import HtmxDetails

from backstage.accounts.models import User


class BackstageRequest(HttpRequest):
    """A request as our middleware leaves it (for type checking views)."""

    htmx: HtmxDetails


class AuthenticatedRequest(BackstageRequest):
    """The request of a view behind ``login_required``: ``user`` is a real account."""

    user: User
