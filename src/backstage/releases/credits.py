"""The credits releases record: subtitle translators (from their edits) and the voices of audio tracks."""

from django.utils.functional import lazy
from django.utils.translation import gettext as _

from backstage.accounts.models import User
from backstage.licensing.credit_sources import CreditEntry
from backstage.licensing.credits import Credits, build_credits
from backstage.productions.models import Production
from backstage.releases.languages import language_name
from backstage.releases.models import AudioTrack, Release, SubtitleEdit


def credits_of(release: Release) -> Credits:
    """One release's credits: the production's, without what its other releases alone hold."""
    return build_credits(release.production, release=str(release.pk))


def _role(language: str) -> str:
    return _("Subtitles (%(language)s)") % {"language": language_name(language)}


# Worded when shown, so that the credits read in each viewer's language.
subtitles_role = lazy(_role, str)


def subtitle_credits(production: Production) -> list[CreditEntry]:
    """One entry per person and language for everyone who changed cues of the production's subtitles.

    The same language in several releases of the production is credited once, in each of those
    releases; an edit that changed no cue credits no one. Two queries, whatever the number of edits.
    """
    rows = (
        SubtitleEdit.objects.filter(subtitle__release__production=production, cues_changed__gt=0)
        .values_list("subtitle__language", "author_id", "subtitle__release_id")
        .order_by("subtitle__language", "author_id")
        .distinct()
    )
    releases: dict[tuple[str, int], set[str]] = {}
    for language, author, release in rows:
        releases.setdefault((language, author), set()).add(str(release))
    people = User.objects.select_related("profile").in_bulk({author for _language, author in releases})
    return [
        CreditEntry(
            section="subtitles",
            key=f"releases:subtitles:{language}:{author}",
            name=people[author].display_name,
            role=subtitles_role(language),
            user_id=author,
            releases=frozenset(ids),
        )
        for (language, author), ids in releases.items()
    ]


def _track_role(kind: str, language: str) -> str:
    return _("%(kind)s (%(language)s)") % {
        "kind": AudioTrack.Kind(kind).label,
        "language": language_name(language),
    }


track_role = lazy(_track_role, str)


def audio_track_credits(production: Production) -> list[CreditEntry]:
    """Whose voices a dub or an audio description is, as its audio track names them. One query."""
    tracks = AudioTrack.objects.filter(release__production=production).exclude(attribution="")
    return [
        CreditEntry(
            section="sound",
            key=f"releases:audio:{track.pk}",
            name=track.attribution,
            role=track_role(track.kind, track.language),
            releases=frozenset({str(track.release_id)}),
        )
        for track in tracks.order_by("position", "pk")
    ]
