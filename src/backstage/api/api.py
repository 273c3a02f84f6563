"""The JSON API, mounted at /api/v1/ (OpenAPI at /api/v1/openapi.json, docs at /api/v1/docs)."""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import NinjaAPI, Router
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as SchemaValidationError

from backstage.accounts.api import router as accounts_router
from backstage.activity.api import router as activity_router
from backstage.contributions.api import router as contributions_router
from backstage.contributions.comment_api import router as comments_router
from backstage.core.errors import ServiceError
from backstage.licensing.api import router as credits_router
from backstage.media.api import router as media_router
from backstage.moderation.api import router as moderation_router
from backstage.productions.api import router as productions_router
from backstage.releases.api import router as releases_router
from backstage.releases.screening_api import router as screenings_router
from backstage.releases.subtitle_api import router as subtitles_router

api = NinjaAPI(
    title="Backstage API",
    version="1",
    description="Productions, teams and calls of a Backstage studio. Writes take a personal token "
    "(`Authorization: Bearer bst_…`, created in your settings) or the browser session with its CSRF token.",
    urls_namespace="api",
)


def _error(
    request: HttpRequest, status: int, code: str, message: str, field: str | None = None
) -> HttpResponse:
    return api.create_response(request, {"code": code, "message": message, "field": field}, status=status)


@api.exception_handler(ServiceError)
def service_error(request: HttpRequest, error: ServiceError) -> HttpResponse:
    return _error(request, error.status, error.code, str(error.message), error.field)


UNIQUENESS_CODES = frozenset({"unique", "unique_together"})


@api.exception_handler(DjangoValidationError)
def model_validation_error(request: HttpRequest, error: DjangoValidationError) -> HttpResponse:
    if hasattr(error, "error_dict"):
        field, errors = next(iter(error.error_dict.items()))
        first = errors[0]
        code = first.code or "invalid"
        # A value already taken (an address…) clashes with the studio's state, like other conflicts.
        status = 409 if code in UNIQUENESS_CODES else 422
        return _error(request, status, code, " ".join(first.messages), None if field == "__all__" else field)
    return _error(request, 422, error.code or "invalid", " ".join(error.messages))


@api.exception_handler(IntegrityError)
def integrity_error(request: HttpRequest, error: IntegrityError) -> HttpResponse:
    # Two requests passed the same check at once and the database kept only one of them.
    return _error(
        request, 409, "conflict", _("This clashes with a change made at the same moment; try again.")
    )


@api.exception_handler(SchemaValidationError)
def schema_validation_error(request: HttpRequest, error: SchemaValidationError) -> HttpResponse:
    first = error.errors[0] if error.errors else {}
    # ("body", "payload", "links", 0) names the field "links.0"; ("query", "sort") names "sort".
    where, *location = [str(part) for part in first.get("loc") or ["?"]]
    if where == "body":
        location = location[1:]  # the name of the view's body parameter, not one the client sent
    message = first.get("msg", _("The request is not valid."))
    if first.get("type") == "value_error" and "error" in first.get("ctx", {}):
        # Our own validators' messages, without the "Value error, " the schema library puts before them.
        message = first["ctx"]["error"]
    return _error(request, 422, "invalid", str(message), ".".join(location) or None)


@api.exception_handler(AuthenticationError)
def authentication_error(request: HttpRequest, error: AuthenticationError) -> HttpResponse:
    return _error(request, 401, "not_authenticated", _("Sign in, or send a valid API token."))


@api.exception_handler(Http404)
def not_found(request: HttpRequest, error: Http404) -> HttpResponse:
    return _error(request, 404, "not_found", _("Not found."))


@api.exception_handler(HttpError)
def http_error(request: HttpRequest, error: HttpError) -> HttpResponse:
    if error.status_code == 403 and "CSRF" in str(error):
        return _error(request, 403, "csrf_failed", _("The CSRF token is missing or wrong; reload the page."))
    if error.status_code == 400 and str(error).startswith("Cannot parse request body"):
        return _error(request, 400, "invalid_json", _("The request body is not valid JSON."))
    return _error(request, error.status_code, "http_error", str(error))


api.add_router("/", productions_router)
api.add_router("/", accounts_router)
api.add_router("/", contributions_router)
api.add_router("/", comments_router)
api.add_router("/", moderation_router)
api.add_router("/", activity_router)
api.add_router("/", media_router)
api.add_router("/", credits_router)
api.add_router("/", releases_router)
api.add_router("/", screenings_router)
api.add_router("/", subtitles_router)

# Last, so that it only answers addresses no operation claimed: clients get JSON there too.
unknown_addresses = Router()


@unknown_addresses.api_operation(
    ["GET", "POST", "PUT", "PATCH", "DELETE"], "/{path:address}", auth=None, include_in_schema=False
)
def unknown_address(request: HttpRequest, address: str) -> HttpResponse:
    raise Http404


api.add_router("/", unknown_addresses)
