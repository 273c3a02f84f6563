from collections.abc import Callable

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from backstage.core.errors import ServiceError


class ServiceErrorMiddleware:
    """Turns a ServiceError that escapes a view into a clear error page with its status."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if isinstance(exception, ServiceError):
            return render(
                request,
                "error.html",
                {"status": exception.status, "message": exception.message},
                status=exception.status,
            )
        return None


class NulInPathMiddleware:
    """Answers 404 for a page address holding a NUL character: no page has one, and PostgreSQL refuses it
    in the queries that would look for the named file, subtitle or release (a server error otherwise).
    The API checks its own paths and answers in JSON."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if "\x00" in request.path and not request.path.startswith("/api/"):
            raise Http404
        return self.get_response(request)
