from ninja import Schema


class Error(Schema):
    """Every API error: a stable code, a message in the request's language, the field concerned."""

    code: str
    message: str
    field: str | None = None


ERRORS: dict[int, type[Schema]] = {400: Error, 401: Error, 403: Error, 404: Error, 409: Error, 422: Error}
READ_ERRORS: dict[int, type[Schema]] = {404: Error, 422: Error}
