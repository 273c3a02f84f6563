"""The product's URLs plus ``/bench/bare/``, the trivial view every benchmark compares against."""

from django.http import HttpRequest, HttpResponse
from django.urls import include, path


def bare(request: HttpRequest) -> HttpResponse:
    """The cheapest Django page: the full middleware stack, no database, no template."""
    return HttpResponse("ok")


urlpatterns = [
    path("bench/bare/", bare, name="bench_bare"),
    path("", include("backstage.urls")),
]
