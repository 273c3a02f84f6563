"""The one error type services raise.

It carries a stable code (for API clients and tests), a translated message (for
people) and optionally the form field it concerns. Views turn it into a form error
or an error page, the API into ``{"code", "message", "field"}`` with ``status``.
"""

from django.utils.functional import Promise


class ServiceError(Exception):
    status = 400

    def __init__(self, code: str, message: str | Promise, *, field: str | None = None) -> None:
        super().__init__(str(message))
        self.code = code
        self.message = message
        self.field = field


class NotAllowed(ServiceError):
    """The person may not do this (HTTP 403)."""

    status = 403


class NotFound(ServiceError):
    """The object does not exist, or the person may not know it exists (HTTP 404)."""

    status = 404


class Conflict(ServiceError):
    """The request clashes with the current state (HTTP 409)."""

    status = 409
