"""Who may call what: every operation of the API, as every kind of person."""

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from backstage.activity.models import Event, Kind, Notification, NotificationPreference, Verb
from backstage.api.api import api
from backstage.api.tests.api_client import api_as, assert_error, database_state
from backstage.contributions import services as contribution_services
from backstage.contributions.comments import post_comment
from backstage.contributions.models import Comment, Contribution
from backstage.contributions.tests.conftest import png_upload, validated
from backstage.contributions.tests.test_api import contributions_state
from backstage.contributions.tests.test_comment_api import comments_state
from backstage.licensing import credit_services
from backstage.licensing.models import CreditAddition, CreditExclusion, CreditsRoll, SectionPlace
from backstage.media.models import Asset
from backstage.moderation import services as moderation_services
from backstage.moderation.models import Report
from backstage.productions import services as production_services
from backstage.productions.models import Block, Call, Follow, Invitation, Role
from backstage.releases import screenings, subtitle_services
from backstage.releases.models import AudioTrack, Release, ReleaseFile, Screening, Subtitle
from backstage.releases.tests.conftest import film, release  # noqa: F401 - fixtures
from conftest import ROLES, Studio, make_user

# "inactive" sends a token that belongs to a deactivated account.
EVERYONE = [*ROLES, "inactive"]
SIGNED_IN = ("member", "crew", "moderator", "director", "producer", "staff")


def signed_in(status: int) -> dict[str, int]:
    return dict.fromkeys(SIGNED_IN, status)


def follow_as_everyone(studio: Studio) -> None:
    for role in SIGNED_IN:
        Follow.objects.create(user=studio.person(role), production=studio.production)


def close_the_call(studio: Studio) -> None:
    Call.objects.filter(pk=studio.call.pk).update(is_open=False)


def vote_as_everyone(studio: Studio) -> None:
    contribution = Contribution.objects.get(call=studio.call)
    for role in SIGNED_IN:
        contribution_services.cast_vote(actor=studio.person(role), contribution=contribution)


def hide_the_work(studio: Studio) -> None:
    moderation_services.hide(
        actor=studio.producer, target=Contribution.objects.get(call=studio.call), reason="Spam"
    )


def hide_the_comment(studio: Studio) -> None:
    moderation_services.hide(actor=studio.producer, target=Comment.objects.get(), reason="Rude")


def block_the_author(studio: Studio) -> None:
    production_services.block_member(
        actor=studio.producer,
        production=studio.production,
        user=Contribution.objects.get(call=studio.call).author,
        reason="Spam",
    )


def notify_everyone(studio: Studio) -> None:
    event = Event.objects.create(production=studio.production, verb=Verb.CALL_OPENED, call=studio.call)
    for role in SIGNED_IN:
        Notification.objects.create(recipient=studio.person(role), event=event, kind=Kind.NEW_CALL)


# Only its producers and moderators moderate a production.
MODERATORS = {"producer": 200, "moderator": 200}


@dataclass(frozen=True)
class Endpoint:
    method: str
    path: str
    # A callable body is made from the studio, for values only known once it exists.
    body: dict[str, object] | Callable[[Studio], dict[str, object]] | None = None
    # Status for the people who may; everyone else signed in gets `refused`, nobody gets 401.
    allowed: Mapping[str, int] = field(default_factory=dict)
    refused: int = 403
    # Readable without signing in: this status for everyone, whatever token they send.
    public: int | None = None
    params: Mapping[str, str] = field(default_factory=dict)
    prepare: Callable[[Studio], None] | None = None
    # Sent as multipart/form-data with one file, instead of JSON.
    upload: bool = False
    # Sent as multipart/form-data: these fields (files included), instead of JSON.
    form: Callable[[], dict[str, object]] | None = None
    # For reads of what outsiders may not know exists: 404 for everyone without a role, tokens or not.
    anonymous: int | None = None

    def expected(self, role: str) -> int:
        if self.public is not None:
            return self.public
        if role in ("anonymous", "inactive"):
            return self.anonymous or 401
        return self.allowed.get(role, self.refused)


ENDPOINTS: dict[str, Endpoint] = {
    "list_productions": Endpoint("GET", "/productions", public=200),
    "create_production": Endpoint(
        "POST", "/productions", {"title": "Les Sentinelles", "slug": "les-sentinelles"}, {"producer": 201}
    ),
    "get_production": Endpoint("GET", "/productions/{slug}", public=200),
    "update_production": Endpoint(
        "PATCH", "/productions/{slug}", {"title": "Varsovie-Express, director's cut"}, {"producer": 200}
    ),
    "follow": Endpoint("POST", "/productions/{slug}/follow", allowed=signed_in(200)),
    "unfollow": Endpoint(
        "DELETE", "/productions/{slug}/follow", allowed=signed_in(200), prepare=follow_as_everyone
    ),
    "list_team": Endpoint("GET", "/productions/{slug}/team", public=200),
    "change_role": Endpoint(
        "PATCH",
        "/productions/{slug}/team/{username}",
        {"role": "moderator"},
        {"producer": 200},
        params={"username": "crew"},
    ),
    # The moderator may leave the team; removing anyone else is for producers.
    "remove_member": Endpoint(
        "DELETE",
        "/productions/{slug}/team/{username}",
        allowed={"producer": 204, "moderator": 204},
        params={"username": "moderator"},
    ),
    "list_invitations": Endpoint("GET", "/productions/{slug}/invitations", allowed={"producer": 200}),
    "invite": Endpoint(
        "POST", "/productions/{slug}/invitations", {"username": "newcomer", "role": "crew"}, {"producer": 201}
    ),
    "cancel_invitation": Endpoint(
        "POST", "/productions/{slug}/invitations/{invitation_id}/cancel", allowed={"producer": 200}
    ),
    "my_invitations": Endpoint("GET", "/invitations", allowed=signed_in(200)),
    # The invitation is the member's: to anyone else it does not exist.
    "accept_invitation": Endpoint(
        "POST", "/invitations/{invitation_id}/accept", allowed={"member": 200}, refused=404
    ),
    "decline_invitation": Endpoint(
        "POST", "/invitations/{invitation_id}/decline", allowed={"member": 200}, refused=404
    ),
    "list_calls": Endpoint("GET", "/productions/{slug}/calls", public=200),
    "open_call": Endpoint(
        "POST",
        "/productions/{slug}/calls",
        {"kind": "music", "title_en": "The train's theme"},
        {"producer": 201, "director": 201},
    ),
    "list_open_calls": Endpoint("GET", "/calls", public=200),
    "get_call": Endpoint("GET", "/calls/{call_id}", public=200),
    "update_call": Endpoint(
        "PATCH", "/calls/{call_id}", {"title_en": "Casting: Ania, 30s"}, {"producer": 200, "director": 200}
    ),
    "close_call": Endpoint("POST", "/calls/{call_id}/close", allowed={"producer": 200, "director": 200}),
    "reopen_call": Endpoint(
        "POST", "/calls/{call_id}/reopen", allowed={"producer": 200, "director": 200}, prepare=close_the_call
    ),
    "get_profile": Endpoint("GET", "/people/{username}", public=200, params={"username": "crew"}),
    # The contribution is by someone outside the team: editing and withdrawing it is theirs alone.
    "list_contributions": Endpoint("GET", "/productions/{slug}/calls/{call_id}/contributions", public=200),
    "submit_contribution": Endpoint(
        "POST",
        "/productions/{slug}/calls/{call_id}/contributions",
        {"title": "Ania, by night", "license": "LAL-1.3"},
        signed_in(201),
    ),
    "get_contribution": Endpoint("GET", "/contributions/{contribution_id}", public=200),
    "update_contribution": Endpoint("PATCH", "/contributions/{contribution_id}", {"title": "Ania, again"}),
    "withdraw_contribution": Endpoint("POST", "/contributions/{contribution_id}/withdraw"),
    "review_contribution": Endpoint(
        "POST",
        "/contributions/{contribution_id}/review",
        {"status": "shortlisted"},
        {"crew": 200, "director": 200, "producer": 200},
    ),
    "vote": Endpoint("POST", "/contributions/{contribution_id}/vote", allowed=signed_in(200)),
    "unvote": Endpoint(
        "DELETE", "/contributions/{contribution_id}/vote", allowed=signed_in(200), prepare=vote_as_everyone
    ),
    "list_contribution_comments": Endpoint("GET", "/contributions/{contribution_id}/comments", public=200),
    "comment_on_contribution": Endpoint(
        "POST", "/contributions/{contribution_id}/comments", {"body": "Lovely."}, signed_in(201)
    ),
    "list_call_comments": Endpoint("GET", "/productions/{slug}/calls/{call_id}/comments", public=200),
    "comment_on_call": Endpoint(
        "POST", "/productions/{slug}/calls/{call_id}/comments", {"body": "When?"}, signed_in(201)
    ),
    # The comment is the member's: only they may correct it.
    "update_comment": Endpoint("PATCH", "/comments/{comment_id}", {"body": "Lovely!"}, {"member": 200}),
    # The contribution's author is outside the team: its files are theirs alone.
    "attach_files": Endpoint("POST", "/contributions/{contribution_id}/files", upload=True),
    "remove_file": Endpoint("DELETE", "/contributions/{contribution_id}/files/{file_id}"),
    "report_contribution": Endpoint(
        "POST", "/contributions/{contribution_id}/report", {"reason": "Spam"}, signed_in(201)
    ),
    "report_comment": Endpoint("POST", "/comments/{comment_id}/report", {"reason": "Rude"}, signed_in(201)),
    "list_reports": Endpoint("GET", "/productions/{slug}/reports", allowed=MODERATORS),
    "dismiss_report": Endpoint("POST", "/reports/{report_id}/dismiss", allowed=MODERATORS),
    "hide_contribution": Endpoint(
        "POST", "/contributions/{contribution_id}/hide", {"reason": "Spam"}, MODERATORS
    ),
    # Hidden work is gone for people outside the team, except its author.
    "unhide_contribution": Endpoint(
        "POST",
        "/contributions/{contribution_id}/unhide",
        allowed={**MODERATORS, "crew": 403, "director": 403},
        refused=404,
        prepare=hide_the_work,
    ),
    "hide_comment": Endpoint("POST", "/comments/{comment_id}/hide", {"reason": "Rude"}, MODERATORS),
    "unhide_comment": Endpoint(
        "POST",
        "/comments/{comment_id}/unhide",
        allowed={**MODERATORS, "crew": 403, "director": 403, "member": 403},
        refused=404,
        prepare=hide_the_comment,
    ),
    "list_blocks": Endpoint("GET", "/productions/{slug}/blocks", allowed=MODERATORS),
    "block": Endpoint(
        "POST",
        "/productions/{slug}/blocks",
        {"username": "author", "reason": "Spam"},
        {"producer": 201, "moderator": 201},
    ),
    "unblock": Endpoint(
        "DELETE",
        "/productions/{slug}/blocks/{username}",
        allowed={"producer": 204, "moderator": 204},
        params={"username": "author"},
        prepare=block_the_author,
    ),
    "list_notifications": Endpoint("GET", "/notifications", allowed=signed_in(200)),
    "mark_all_read": Endpoint("POST", "/notifications/read", allowed=signed_in(200), prepare=notify_everyone),
    # The notification is the member's: to anyone else it does not exist.
    "mark_read": Endpoint(
        "POST", "/notifications/{notification_id}/read", allowed={"member": 200}, refused=404
    ),
    "get_preferences": Endpoint("GET", "/notifications/preferences", allowed=signed_in(200)),
    "update_preferences": Endpoint(
        "PATCH", "/notifications/preferences", {"new_call": "never"}, signed_in(200)
    ),
    "production_activity": Endpoint("GET", "/productions/{slug}/activity", public=200),
    "me": Endpoint("GET", "/me", allowed=signed_in(200)),
}


@pytest.fixture
def invitation(studio: Studio) -> Invitation:
    make_user("newcomer")
    return Invitation.objects.create(
        production=studio.production, invitee=studio.member, role=Role.CREW, invited_by=studio.producer
    )


def team(status: int) -> dict[str, int]:
    return dict.fromkeys(("producer", "director", "crew", "moderator"), status)


def producer_only(status: int) -> dict[str, int]:
    # The rest of the team is refused; people outside it do not learn that the (hidden) release exists.
    return {**team(403), "producer": status}


def crew_member_key(studio: Studio) -> dict[str, object]:
    return {"key": f"productions:member:{studio.crew.pk}", "reason": "Left before the shoot."}


def release_ready_to_schedule(studio: Studio) -> None:
    Release.objects.filter(production=studio.production).update(scheduled=False, build=Release.Build.READY)


def film_with_sound(studio: Studio) -> None:
    # The film's own sound becomes the track the request adds.
    AudioTrack.objects.filter(release__production=studio.production).delete()
    Asset.objects.filter(production=studio.production, kind="video").update(
        probe={"format_name": "mov", "duration": 4.0, "streams": [{"type": "audio", "index": 1}]}
    )


def subtitle_file() -> dict[str, object]:
    text = b"WEBVTT\n\n00:00:01.000 --> 00:00:02.000\nDzien dobry.\n"
    return {"language": "uk", "file": SimpleUploadedFile("uk.vtt", text, content_type="text/vtt")}


def replacement_file() -> dict[str, object]:
    text = b"1\n00:00:01,000 --> 00:00:03,000\nDobry wieczor.\n"
    return {"file": SimpleUploadedFile("pl.srt", text, content_type="application/x-subrip")}


RELEASE = "/productions/{slug}/releases/{release_slug}"
CUES = {"cues": [{"start": 1000, "end": 2500, "text": "Dobry wieczór."}]}
SCREENING = {
    "venue": "Kino Muranów", "city": "Warszawa", "country": "PL", "local_start": "2027-03-12T20:00",
    "time_zone": "Europe/Warsaw", "language": "fr", "subtitles": "pl",
}  # fmt: skip

# The release of the table is scheduled a week ahead and its premiere page is not published: until the
# moment, people outside the team get 404 for everything about it.
ENDPOINTS.update(
    {
        "get_credits": Endpoint("GET", "/productions/{slug}/credits", allowed=team(200), refused=404, anonymous=404),
        "get_credits_roll": Endpoint(
            "GET", "/productions/{slug}/credits/roll", allowed=team(200), refused=404, anonymous=404
        ),
        "order_credit_sections": Endpoint(
            "PUT", "/productions/{slug}/credits/sections", {"sections": ["music"]}, producer_only(200), refused=404
        ),
        "add_credited_person": Endpoint(
            "POST", "/productions/{slug}/credits/people", {"section": "other", "name": "Marta"},
            producer_only(201), refused=404,
        ),
        "edit_credited_person": Endpoint(
            "PUT", "/productions/{slug}/credits/people/{addition_id}", {"section": "other", "name": "Marta K."},
            producer_only(200), refused=404,
        ),
        "remove_credited_person": Endpoint(
            "DELETE", "/productions/{slug}/credits/people/{addition_id}", allowed=producer_only(204), refused=404
        ),
        "exclude_credit": Endpoint(
            "POST", "/productions/{slug}/credits/exclusions", crew_member_key, producer_only(201), refused=404
        ),
        "restore_credit": Endpoint(
            "POST", "/productions/{slug}/credits/exclusions/{exclusion_id}/restore",
            allowed=producer_only(200), refused=404,
        ),
        "render_credits_roll": Endpoint(
            "POST", "/productions/{slug}/credits/roll", {}, producer_only(202), refused=404
        ),
        "get_asset": Endpoint("GET", "/assets/{asset_id}", allowed=team(200), refused=404, anonymous=404),
        "set_asset_license": Endpoint(
            "PUT", "/assets/{asset_id}/license", {"license": "CC-BY-SA-4.0", "attribution": "Kassandra"},
            {**team(200), "moderator": 403}, refused=404,
        ),
        "list_releases": Endpoint("GET", "/productions/{slug}/releases", public=200),
        "create_release": Endpoint(
            "POST", "/productions/{slug}/releases", {"title": "Varsovie-Express, director's cut"}, {"producer": 201}
        ),
        "get_release": Endpoint("GET", RELEASE, allowed=team(200), refused=404, anonymous=404),
        "update_release": Endpoint("PATCH", RELEASE, {"title": "Varsovie-Express (2027)"}, producer_only(200), refused=404),
        "delete_release": Endpoint("DELETE", RELEASE, allowed=producer_only(204), refused=404),
        "get_release_credits": Endpoint("GET", RELEASE + "/credits", allowed=team(200), refused=404, anonymous=404),
        "prepare_release": Endpoint("POST", RELEASE + "/prepare", allowed=producer_only(200), refused=404),
        "schedule_release": Endpoint(
            "POST", RELEASE + "/schedule", allowed=producer_only(200), refused=404, prepare=release_ready_to_schedule
        ),
        "postpone_release": Endpoint("POST", RELEASE + "/postpone", allowed=producer_only(200), refused=404),
        "publish_teaser": Endpoint("POST", RELEASE + "/teaser", {"published": True}, producer_only(200), refused=404),
        "add_audio_track": Endpoint(
            "POST", RELEASE + "/audio-tracks", {"kind": "original", "language": "fr", "label": "Français"},
            producer_only(201), refused=404, prepare=film_with_sound,
        ),
        "remove_audio_track": Endpoint(
            "DELETE", RELEASE + "/audio-tracks/{track_id}", allowed=producer_only(204), refused=404
        ),
        "list_screenings": Endpoint("GET", RELEASE + "/screenings", allowed=team(200), refused=404, anonymous=404),
        "get_screening": Endpoint(
            "GET", RELEASE + "/screenings/{screening_id}", allowed=team(200), refused=404, anonymous=404
        ),
        "add_screening": Endpoint("POST", RELEASE + "/screenings", SCREENING, producer_only(201), refused=404),
        "edit_screening": Endpoint(
            "PATCH", RELEASE + "/screenings/{screening_id}", {"venue": "Kino Luna"}, producer_only(200), refused=404
        ),
        "delete_screening": Endpoint(
            "DELETE", RELEASE + "/screenings/{screening_id}", allowed=producer_only(204), refused=404
        ),
        # Subtitles are written by the crew, the director and the producer (and translators); the
        # moderator reads them with the team.
        "list_subtitles": Endpoint("GET", RELEASE + "/subtitles", allowed=team(200), refused=404, anonymous=404),
        "get_subtitles": Endpoint(
            "GET", RELEASE + "/subtitles/{language}", allowed=team(200), refused=404, anonymous=404, params={"language": "pl"}
        ),
        "add_subtitles": Endpoint(
            "POST", RELEASE + "/subtitles", allowed={**team(201), "moderator": 403}, refused=404, form=subtitle_file
        ),
        "replace_subtitles": Endpoint(
            "POST", RELEASE + "/subtitles/{language}/file", allowed={**team(200), "moderator": 403}, refused=404,
            form=replacement_file, params={"language": "pl"},
        ),
        "save_subtitle_cues": Endpoint(
            "PUT", RELEASE + "/subtitles/{language}/cues", CUES, {**team(200), "moderator": 403}, refused=404,
            params={"language": "pl"},
        ),
        "delete_subtitles": Endpoint(
            "DELETE", RELEASE + "/subtitles/{language}", allowed=producer_only(204), refused=404, params={"language": "pl"}
        ),
    }
)  # fmt: skip


def test_the_table_covers_every_operation():
    documented = {
        (method.upper(), path.removeprefix("/api/v1"))
        for path, operations in api.get_openapi_schema()["paths"].items()
        for method in operations
    }
    assert {(endpoint.method, endpoint.path) for endpoint in ENDPOINTS.values()} == documented


@pytest.fixture
def contribution(studio: Studio) -> Contribution:
    return contribution_services.submit_contribution(
        actor=make_user("author"),
        call=studio.call,
        title="A poster",
        description="",
        license="LAL-1.3",
        links=[],
        files=[validated(png_upload())],
    )


@pytest.fixture
def comment(studio: Studio, contribution: Contribution) -> Comment:
    return post_comment(actor=studio.member, contribution=contribution, body="Lovley.")


@pytest.fixture
def report(studio: Studio, contribution: Contribution) -> Report:
    return moderation_services.report(actor=make_user("reporter"), target=contribution, reason="Spam")


@pytest.fixture
def notification(studio: Studio) -> Notification:
    event = Event.objects.create(production=studio.production, verb=Verb.CALL_OPENED, call=studio.call)
    return Notification.objects.create(recipient=studio.member, event=event, kind=Kind.NEW_CALL)


def moderation_and_activity_state() -> dict[str, object]:
    return {
        "reports": list(Report.objects.order_by("pk").values_list("pk", "status", "handled_by")),
        "blocks": list(Block.objects.order_by("pk").values_list("pk", "production", "user")),
        "notifications": list(Notification.objects.order_by("pk").values_list("pk", "read_at")),
        "preferences": list(
            NotificationPreference.objects.order_by("pk").values_list("user", "kind", "email")
        ),
    }


@dataclass
class ReleaseBits:
    release: Release
    screening: Screening
    track: AudioTrack
    addition: CreditAddition
    exclusion: CreditExclusion


@pytest.fixture
def release_bits(studio: Studio, release: Release) -> ReleaseBits:  # noqa: F811 - the fixture
    screening = screenings.add_screening(
        actor=studio.producer, release=release, venue="Kino Pod Baranami", city="Kraków", country="PL",
        local_start=datetime(2027, 3, 13, 19, 30), time_zone="Europe/Warsaw", language="fr",
    )  # fmt: skip
    subtitle_services.add_subtitles(
        actor=studio.producer,
        release=release,
        language="pl",
        file=SimpleUploadedFile("pl.vtt", b"WEBVTT\n\n00:00:01.000 --> 00:00:02.000\nDzien dobry.\n"),
    )
    track = AudioTrack.objects.create(release=release, kind="original", language="fr", label="Français")
    addition = credit_services.add_person(
        actor=studio.producer, production=studio.production, section="other", name="Zofia"
    )
    exclusion = credit_services.exclude_entry(
        actor=studio.producer, production=studio.production, key=f"productions:member:{studio.moderator.pk}",
        reason="Asked not to be credited.",
    )  # fmt: skip
    return ReleaseBits(release, screening, track, addition, exclusion)


def releases_and_credits_state() -> dict[str, object]:
    return {
        "assets": list(Asset.objects.order_by("pk").values_list("pk", "license", "attribution")),
        "releases": list(Release.objects.order_by("pk").values()),
        "files": list(ReleaseFile.objects.order_by("pk").values_list("pk", "name")),
        "tracks": list(AudioTrack.objects.order_by("pk").values()),
        "screenings": list(Screening.objects.order_by("pk").values()),
        "subtitles": list(Subtitle.objects.order_by("pk").values("pk", "language", "label", "text")),
        "additions": list(CreditAddition.objects.order_by("pk").values("pk", "section", "name", "role")),
        "exclusions": list(CreditExclusion.objects.order_by("pk").values("pk", "key", "restored_at")),
        "sections": list(SectionPlace.objects.order_by("pk").values_list("section", "position")),
        "rolls": list(CreditsRoll.objects.order_by("pk").values_list("pk", "status")),
    }


def everything() -> dict[str, object]:
    return {
        **database_state(),
        **contributions_state(),
        **comments_state(),
        **moderation_and_activity_state(),
        **releases_and_credits_state(),
    }


@pytest.mark.parametrize("role", EVERYONE)
@pytest.mark.parametrize("name", ENDPOINTS)
def test_who_may_call_what(
    studio, invitation, contribution, comment, report, notification, release_bits, name, role
):
    endpoint = ENDPOINTS[name]
    if endpoint.prepare is not None:
        endpoint.prepare(studio)
    values = {
        "slug": studio.production.slug,
        "call_id": studio.call.pk,
        "invitation_id": invitation.pk,
        "contribution_id": contribution.pk,
        "comment_id": comment.pk,
        "file_id": contribution.files.get().pk,
        "report_id": report.pk,
        "notification_id": notification.pk,
        "release_slug": release_bits.release.slug,
        "asset_id": release_bits.release.film_id,
        "screening_id": release_bits.screening.pk,
        "track_id": release_bits.track.pk,
        "addition_id": release_bits.addition.pk,
        "exclusion_id": release_bits.exclusion.pk,
    }
    path = endpoint.path.format(**{**values, **endpoint.params})
    client = api_as(studio.person(role))
    before = everything()

    if endpoint.upload:
        response = client.upload(path, [png_upload("still.png")])
    elif endpoint.form is not None:
        response = client.multipart(path, endpoint.form())
    else:
        body = endpoint.body(studio) if callable(endpoint.body) else endpoint.body
        response = client.request(endpoint.method, path, body)

    expected = endpoint.expected(role)
    if expected >= 400:
        assert_error(response, expected)
        assert everything() == before
    else:
        assert response.status_code == expected, response.content
        if endpoint.method != "GET":
            assert everything() != before
