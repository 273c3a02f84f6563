from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from backstage.licensing.compatibility import compatibility_matrix
from backstage.licensing.registry import LICENSES, NON_FREE_LICENSES


def index(request: HttpRequest) -> HttpResponse:
    """The licenses the studio accepts, how they combine, and the ones it refuses."""
    return render(
        request,
        "licensing/index.html",
        {
            "licenses": list(LICENSES.values()),
            "matrix": compatibility_matrix(),
            "refused": list(NON_FREE_LICENSES.values()),
        },
    )
