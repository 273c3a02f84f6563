from functools import cached_property

from django.http import HttpRequest

from backstage.activity import queries


class UnreadCount:
    """The bell's count, counted (one query) the first time a page reads it, never for visitors."""

    def __init__(self, request: HttpRequest) -> None:
        self.request = request

    @cached_property
    def value(self) -> int:
        user = getattr(self.request, "user", None)
        if user is None or not user.is_authenticated:
            return 0
        return queries.unread_count(user.pk)

    def __int__(self) -> int:
        return self.value

    def __bool__(self) -> bool:
        return self.value > 0

    def __str__(self) -> str:
        return str(self.value)


def unread_notifications(request: HttpRequest) -> dict[str, object]:
    return {"unread_notifications": UnreadCount(request)}
