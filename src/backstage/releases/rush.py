"""The release-day rush: anonymous visitors get the film page from memory, ahead of the middleware stack.

When the film page is rendered for an anonymous visitor without a session, page.py also keeps the
bytes here, in this process, for a few seconds (and never past the release moment when it was the
premiere page). Until then, the same address in the same language is answered from here: no
database, no session, no template. Each visitor still gets a CSRF token of their own for the
page's forms. Changes to the release show within MICROCACHE_SECONDS.
"""

import threading
import time
from collections import OrderedDict
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.middleware.csrf import CsrfViewMiddleware, get_token
from django.utils import translation

MICROCACHE_SECONDS = 10.0
MOST_PAGES = 256
PLACEHOLDER = "csrf-token-placeholder-0b6e1f"

_pages: OrderedDict[tuple[str, str], tuple[str, float]] = OrderedDict()
_lock = threading.Lock()


def keep(path: str, language: str, body: str, *, until: float | None) -> None:
    """Keep an anonymous page for MICROCACHE_SECONDS, or until ``until`` (a time.time()) if sooner."""
    expires = time.time() + MICROCACHE_SECONDS
    if until is not None:
        expires = min(expires, until)
    with _lock:
        _pages[(path, language)] = (body, expires)
        _pages.move_to_end((path, language))
        while len(_pages) > MOST_PAGES:
            _pages.popitem(last=False)


def forget_all() -> None:
    with _lock:
        _pages.clear()


def anonymous_get(request: HttpRequest) -> bool:
    """A GET anyone would get the same answer to: no session, no token, no query, no pending message."""
    return (
        request.method in ("GET", "HEAD")
        and not request.GET
        and settings.SESSION_COOKIE_NAME not in request.COOKIES
        and "messages" not in request.COOKIES
        and "HTTP_AUTHORIZATION" not in request.META
    )


class ReleaseRushMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response
        self.csrf = CsrfViewMiddleware(get_response)

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        if _pages and anonymous_get(request) and request.path.endswith("/"):
            request.get_host()  # a host not allowed is refused (400) here as in the rest of the stack
            language = translation.get_language_from_request(request)
            found = _pages.get((request.path, language))
            if found is not None and found[1] > time.time():
                return self._answer(request, found[0], language)
        return self.get_response(request)

    def _answer(self, request: HttpRequest, body: str, language: str) -> HttpResponseBase:
        # The visitor's CSRF cookie, read as the skipped middleware would: a new one only if they have none.
        self.csrf.process_request(request)
        response = HttpResponse(body.replace(PLACEHOLDER, get_token(request)))
        response["Content-Language"] = language
        response["Vary"] = "Accept-Language, Cookie"
        response["X-Frame-Options"] = settings.X_FRAME_OPTIONS
        # The stack this answer skipped would have set the visitor's CSRF cookie.
        return self.csrf.process_response(request, response)
