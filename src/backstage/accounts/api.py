"""API for people: public profiles and the signed-in person."""

from django.http import HttpRequest
from ninja import Router, Schema

from backstage.accounts import queries
from backstage.accounts.models import Profile, User
from backstage.api.auth import WRITE_AUTH, ApiRequest
from backstage.api.schemas import ERRORS, READ_ERRORS, UsernamePath
from backstage.core.markdown import render_markdown

router = Router(tags=["people"])


class ProfileOut(Schema):
    username: str
    display_name: str
    bio_html: str
    city: str
    skills: list[str]
    languages: list[str]
    links: list[str]
    avatar_url: str | None

    @staticmethod
    def resolve_username(obj: Profile) -> str:
        return obj.user.username

    @staticmethod
    def resolve_display_name(obj: Profile) -> str:
        return obj.user.display_name

    @staticmethod
    def resolve_bio_html(obj: Profile) -> str:
        return str(render_markdown(obj.bio))

    @staticmethod
    def resolve_skills(obj: Profile) -> list[str]:
        return [skill.slug for skill in obj.skills.all()]

    @staticmethod
    def resolve_avatar_url(obj: Profile) -> str | None:
        return obj.avatar.url if obj.avatar else None


class MeOut(Schema):
    username: str
    email: str
    language: str


@router.get("/people/{username}", response={200: ProfileOut, **READ_ERRORS}, auth=None)
def get_profile(request: HttpRequest, username: UsernamePath) -> Profile:
    return queries.public_profile(username)


@router.get("/me", response={200: MeOut, **ERRORS}, auth=WRITE_AUTH)
def me(request: ApiRequest) -> User:
    return request.auth
