from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from backstage.accounts.models import ApiToken, Profile, User


def public_profile(username: str) -> Profile:
    return get_object_or_404(
        Profile.objects.select_related("user").prefetch_related("skills"),
        user__username=username,
        user__is_active=True,
    )


def tokens_of(user: User) -> QuerySet[ApiToken]:
    return ApiToken.objects.filter(user=user)
