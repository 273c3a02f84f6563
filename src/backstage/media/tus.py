"""The tus 1.0.0 resumable upload protocol: core, creation, termination, checksum and expiration.

``POST /uploads/`` starts an upload, ``HEAD /uploads/<id>`` tells how far it got, ``PATCH``
sends the next bytes and ``DELETE`` cancels it; ``OPTIONS`` says what the server supports.
The person is the signed-in session (with Django's CSRF token in the ``X-CSRFToken`` header)
or a personal API token (``Authorization: Bearer bst_…``). These views only translate the
protocol's headers to calls of ``backstage.media.uploads`` and its answers back.
"""

import base64
import binascii
import hashlib
import re
import uuid
from collections.abc import Callable, Mapping
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseForbidden
from django.middleware.csrf import CsrfViewMiddleware
from django.urls import reverse
from django.utils.http import http_date
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt

from backstage.accounts.models import User
from backstage.accounts.services import user_for_token
from backstage.media import uploads
from backstage.media.direct_body import DirectBody
from backstage.media.models import Upload
from backstage.media.uploads import Body, Checksum, UploadRefused

TUS_VERSION = "1.0.0"
TUS_EXTENSIONS = "creation,termination,checksum,expiration"
OFFSET_CONTENT_TYPE = "application/offset+octet-stream"
# What X-HTTP-Method-Override may turn a POST into (for clients behind proxies that drop PATCH).
OVERRIDABLE_METHODS = frozenset({"POST", "HEAD", "PATCH", "DELETE"})
REASONS = {460: "Checksum Mismatch"}
_DIGITS = re.compile(r"[0-9]+")
# Printable ASCII but space and comma: what the protocol allows in a metadata key.
_METADATA_KEY = re.compile(r"[\x21-\x2b\x2d-\x7e]+")
# Longer numbers are far beyond any size limit; they are not converted at all.
_MAX_DIGITS = 30

Handler = Callable[[HttpRequest, User, uuid.UUID | None], HttpResponse]


@csrf_exempt
def upload_collection(request: HttpRequest) -> HttpResponse:
    """``/uploads/``: OPTIONS and POST (creation)."""
    return _dispatch(request, {"POST": _create}, None)


@csrf_exempt
def upload_resource(request: HttpRequest, upload_id: uuid.UUID) -> HttpResponse:
    """``/uploads/<id>``: HEAD, PATCH, DELETE and OPTIONS."""
    return _dispatch(request, {"HEAD": _head, "PATCH": _patch, "DELETE": _delete}, upload_id)


def _dispatch(
    request: HttpRequest, handlers: Mapping[str, Handler], upload_id: uuid.UUID | None
) -> HttpResponse:
    override = request.headers.get("X-HTTP-Method-Override", "").strip().upper()
    if request.method == "POST" and override in OVERRIDABLE_METHODS:
        # Cross-site pages cannot set this header, so it is as trustworthy as the method itself.
        request.method = override
    if request.method == "OPTIONS":
        return _response(
            204,
            headers={
                "Tus-Version": TUS_VERSION,
                "Tus-Extension": TUS_EXTENSIONS,
                "Tus-Max-Size": str(settings.UPLOAD_MAX_BYTES),
                "Tus-Checksum-Algorithm": ",".join(uploads.CHECKSUM_ALGORITHMS),
            },
        )
    try:
        if request.headers.get("Tus-Resumable") != TUS_VERSION:
            raise UploadRefused(
                "tus_version",
                _(
                    "This server speaks version %(version)s of the tus protocol: send Tus-Resumable: %(version)s."
                )
                % {"version": TUS_VERSION},
                status=412,
            )
        handler = handlers.get(str(request.method))
        if handler is None:
            response = _response(405, _("This method is not allowed here."))
            response["Allow"] = ", ".join(["OPTIONS", *handlers])
            return response
        return handler(request, _authenticate(request), upload_id)
    except UploadRefused as refusal:
        return _refusal(refusal)


# Answers


def _response(status: int, message: str = "", *, headers: Mapping[str, str] | None = None) -> HttpResponse:
    response = HttpResponse(
        message, status=status, content_type="text/plain; charset=utf-8", reason=REASONS.get(status)
    )
    if status == 204:
        del response["Content-Type"]
    response["Tus-Resumable"] = TUS_VERSION
    response["Cache-Control"] = "no-store"
    for name, value in (headers or {}).items():
        response[name] = value
    return response


def _refusal(refusal: UploadRefused) -> HttpResponse:
    headers = {}
    if refusal.status == 412:
        headers["Tus-Version"] = TUS_VERSION
    if refusal.status == 401:
        headers["WWW-Authenticate"] = 'Bearer realm="uploads"'
    if refusal.offset is not None:
        headers["Upload-Offset"] = str(refusal.offset)
    return _response(refusal.status, f"{refusal.message}\n", headers=headers)


def _expiry_headers(upload: Upload) -> dict[str, str]:
    if upload.status != Upload.Status.RECEIVING:
        return {}
    return {"Upload-Expires": http_date(upload.expires_at.timestamp())}


# Who is asking


class _CsrfCheck(CsrfViewMiddleware):
    """Django's CSRF check, keeping the reason of a failure instead of answering with its error page."""

    reason = ""

    def _reject(self, request: HttpRequest, reason: str) -> HttpResponseForbidden:
        self.reason = reason
        return HttpResponseForbidden(reason)


def _authenticate(request: HttpRequest) -> User:
    """The person sending: a personal API token's owner, else the signed-in session's (CSRF checked)."""
    authorization = request.headers.get("Authorization")
    if authorization is not None:
        scheme, _space, token = authorization.strip().partition(" ")
        owner = user_for_token(token.strip()) if scheme.lower() == "bearer" else None
        if owner is None:
            raise UploadRefused(
                "bad_token",
                _("This API token is not valid: it may have been revoked, or its account deactivated."),
                status=401,
            )
        return owner
    person = request.user
    if not isinstance(person, User) or not person.is_active:
        raise UploadRefused(
            "anonymous",
            _("Please sign in, or send a personal API token (Authorization: Bearer …), to upload files."),
            status=401,
        )
    check = _CsrfCheck(lambda request: HttpResponse())
    check.process_request(request)
    if check.process_view(request, lambda request: HttpResponse(), (), {}) is not None:
        raise UploadRefused(
            "csrf",
            _("This request needs the page's CSRF token in the X-CSRFToken header (%(reason)s).")
            % {"reason": check.reason},
            status=403,
        )
    return person


# The protocol's requests


def _create(request: HttpRequest, user: User, upload_id: uuid.UUID | None) -> HttpResponse:
    if "Upload-Defer-Length" in request.headers:
        raise UploadRefused(
            "defer_length",
            _("Uploads of unknown size are not supported: send Upload-Length, the file's size in bytes."),
            status=400,
        )
    length = _whole_number(request.headers.get("Upload-Length"), header="Upload-Length")
    metadata = parse_metadata(request.headers.get("Upload-Metadata"))
    upload = uploads.create_upload(owner=user, length=length, metadata=metadata)
    location = request.build_absolute_uri(reverse("tus:upload", args=[upload.pk]))
    return _response(201, headers={"Location": location, **_expiry_headers(upload)})


def _head(request: HttpRequest, user: User, upload_id: uuid.UUID | None) -> HttpResponse:
    assert upload_id is not None
    upload = uploads.upload_of(owner=user, upload_id=upload_id)
    headers = {"Upload-Offset": str(upload.offset), "Upload-Length": str(upload.length)}
    metadata = dict(upload.metadata)
    if upload.production is not None:
        metadata["production"] = upload.production.slug
    if metadata:
        headers["Upload-Metadata"] = encode_metadata(metadata)
    return _response(200, headers={**headers, **_expiry_headers(upload)})


def _patch(request: HttpRequest, user: User, upload_id: uuid.UUID | None) -> HttpResponse:
    assert upload_id is not None
    if (request.content_type or "").lower() != OFFSET_CONTENT_TYPE:
        raise UploadRefused(
            "content_type",
            _("Data must be sent with Content-Type: %(type)s.") % {"type": OFFSET_CONTENT_TYPE},
            status=415,
        )
    offset = _whole_number(request.headers.get("Upload-Offset"), header="Upload-Offset")
    checksum = parse_checksum(request.headers.get("Upload-Checksum"))
    content_length, body = _body(request)
    upload = uploads.append(
        owner=user,
        upload_id=upload_id,
        offset=offset,
        body=body,
        content_length=content_length,
        checksum=checksum,
    )
    return _response(204, headers={"Upload-Offset": str(upload.offset), **_expiry_headers(upload)})


def _delete(request: HttpRequest, user: User, upload_id: uuid.UUID | None) -> HttpResponse:
    assert upload_id is not None
    uploads.terminate(owner=user, upload_id=upload_id)
    return _response(204)


def _body(request: HttpRequest) -> tuple[int | None, Body]:
    """The request's size if announced, and where to read its bytes from as they arrive."""
    announced = request.META.get("CONTENT_LENGTH") or ""
    if announced:
        if not _DIGITS.fullmatch(announced):
            raise UploadRefused("content_length", _("Content-Length is not a number."), status=400)
        # Straight from the socket where the server allows it; else the request reads the server's
        # input stream, never past the announced length.
        length = int(announced)
        return length, DirectBody.of(request, length) or request
    if request.META.get("wsgi.input_terminated"):
        # The server tells where the body ends (a chunked request it decodes): read until then.
        stream: Any = request.META["wsgi.input"]
        return None, stream
    # Neither a length nor chunks: in HTTP/1.1 that is an empty body.
    return 0, request


# Headers


def _whole_number(value: str | None, *, header: str) -> int:
    if value is None or value == "":
        raise UploadRefused(
            "missing_header", _("The %(header)s header is missing.") % {"header": header}, status=400
        )
    if not _DIGITS.fullmatch(value):
        raise UploadRefused(
            "not_a_number",
            _("%(header)s must be a whole number of bytes, written with the digits 0 to 9 only.")
            % {"header": header},
            status=400,
        )
    digits = value.lstrip("0") or "0"
    return int(digits) if len(digits) <= _MAX_DIGITS else 10**_MAX_DIGITS


def parse_metadata(header: str | None) -> dict[str, str]:
    """Upload-Metadata as the protocol defines it: ``key base64value`` pairs, comma-separated.

    Keys are unique, printable ASCII without spaces or commas; a value may be left out. Values
    must be strict Base64 of UTF-8 text.
    """
    if header is None or not header.strip(" \t"):
        return {}
    metadata: dict[str, str] = {}
    for pair in header.split(","):
        key, _space, encoded = pair.strip(" \t").partition(" ")
        if not _METADATA_KEY.fullmatch(key):
            raise _bad_metadata(_("each pair needs a key without spaces, commas or non-ASCII characters"))
        if key in metadata:
            raise _bad_metadata(_("the key “%(key)s” appears twice") % {"key": key[:40]})
        try:
            metadata[key] = base64.b64decode(encoded, validate=True).decode("utf-8")
        except (binascii.Error, ValueError):
            # UnicodeDecodeError is a ValueError too.
            raise _bad_metadata(
                _("the value of “%(key)s” must be UTF-8 text encoded in Base64") % {"key": key[:40]}
            ) from None
    return metadata


def _bad_metadata(problem: str) -> UploadRefused:
    return UploadRefused(
        "bad_metadata", _("Upload-Metadata is not valid: %(problem)s.") % {"problem": problem}, status=400
    )


def encode_metadata(metadata: Mapping[str, Any]) -> str:
    return ",".join(
        f"{key} {base64.b64encode(str(value).encode()).decode('ascii')}" for key, value in metadata.items()
    )


def parse_checksum(header: str | None) -> Checksum | None:
    """Upload-Checksum: ``<algorithm> <Base64 digest>`` of the request's data."""
    if header is None:
        return None
    algorithm, _space, encoded = header.strip().partition(" ")
    algorithm = algorithm.lower()
    if algorithm not in uploads.CHECKSUM_ALGORITHMS:
        raise UploadRefused(
            "checksum_algorithm",
            _("The checksum algorithm “%(algorithm)s” is not supported; use one of: %(supported)s.")
            % {"algorithm": algorithm[:20], "supported": ", ".join(uploads.CHECKSUM_ALGORITHMS)},
            status=400,
        )
    try:
        digest = base64.b64decode(encoded.strip(), validate=True)
    except (binascii.Error, ValueError):
        digest = b""
    if len(digest) != hashlib.new(algorithm, usedforsecurity=False).digest_size:
        raise UploadRefused(
            "bad_checksum",
            _(
                "Upload-Checksum must be the algorithm, a space and the Base64 of the data's %(algorithm)s digest."
            )
            % {"algorithm": algorithm},
            status=400,
        )
    return Checksum(algorithm=algorithm, digest=digest)
