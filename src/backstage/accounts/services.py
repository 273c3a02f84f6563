"""Writes for people: profiles and API tokens."""

import hashlib
import secrets
from typing import Any

from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from backstage.accounts.images import reencode_avatar
from backstage.accounts.models import ApiToken, Profile, Skill, User
from backstage.core.errors import NotFound

TOKEN_PREFIX = "bst_"
MAX_TOKENS_PER_USER = 20


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@transaction.atomic
def update_profile(
    *,
    actor: User,
    display_name: str,
    bio: str,
    city: str,
    languages: list[str],
    links: list[str],
    skills: list[Skill],
    avatar: UploadedFile | None = None,
    remove_avatar: bool = False,
    language: str | None = None,
) -> Profile:
    """Update the person's own profile; the avatar is re-encoded before it is stored."""
    profile, _created = Profile.objects.get_or_create(user=actor)
    profile.display_name = display_name
    profile.bio = bio
    profile.city = city
    profile.languages = languages
    profile.links = links
    if avatar is not None:
        _replace_avatar(profile, reencode_avatar(avatar))
    elif remove_avatar:
        _replace_avatar(profile, None)
    profile.full_clean()
    profile.save()
    profile.skills.set(skills)
    if language is not None and language != actor.language:
        actor.language = language
        actor.save(update_fields=["language"])
    return profile


def _replace_avatar(profile: Profile, new_avatar: ContentFile | None) -> None:
    if profile.avatar:
        old_name = profile.avatar.name
        transaction.on_commit(lambda: profile.avatar.storage.delete(old_name))
        profile.avatar = None
    if new_avatar is not None:
        profile.avatar.save(new_avatar.name or "avatar.webp", new_avatar, save=False)


@transaction.atomic
def set_avatar(*, actor: User, picture: UploadedFile) -> Profile:
    """Make a picture (re-encoded here, whatever checked it before) the person's avatar."""
    profile, _created = Profile.objects.get_or_create(user=actor)
    _replace_avatar(profile, reencode_avatar(picture))
    profile.save(update_fields=["avatar"])
    return profile


@transaction.atomic
def create_api_token(*, actor: User, name: str) -> tuple[ApiToken, str]:
    """Create a token; the clear value is returned once and never stored."""
    from backstage.core.errors import ServiceError

    name = name.strip()
    if not name:
        raise ServiceError("required", _("Give the token a name."), field="name")
    max_length = ApiToken._meta.get_field("name").max_length or 80
    if len(name) > max_length:
        raise ServiceError(
            "too_long",
            _("The name is too long (%(max)d characters at most).") % {"max": max_length},
            field="name",
        )
    if ApiToken.objects.filter(user=actor).count() >= MAX_TOKENS_PER_USER:
        raise ServiceError("too_many_tokens", _("You have too many tokens; revoke one first."))
    clear = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(user=actor, name=name, prefix=clear[:10], digest=token_digest(clear))
    return token, clear


@transaction.atomic
def revoke_api_token(*, actor: User, token_id: int) -> None:
    deleted, _rows = ApiToken.objects.filter(user=actor, pk=token_id).delete()
    if not deleted:
        raise NotFound("not_found", _("No such token."))


def user_for_token(clear: str) -> User | None:
    """The active user a token belongs to, recording its use, or None."""
    if not clear.startswith(TOKEN_PREFIX) or len(clear) > 200:
        return None
    token = ApiToken.objects.select_related("user").filter(digest=token_digest(clear)).first()
    if token is None or not token.user.is_active:
        return None
    now = timezone.now()
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user


def profile_fields(profile: Profile) -> dict[str, Any]:
    return {
        "display_name": profile.display_name,
        "bio": profile.bio,
        "city": profile.city,
        "languages": profile.languages,
        "links": profile.links,
    }
