"""The simultaneous release: one moment at which the film, its files and its screenings go public.

Until the release moment everything here is the production team's alone; ``release_is_public``
in queries.py is the one rule every page, file and API call asks.
"""

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from backstage.media.models import Asset
from backstage.productions.models import Production


class Release(models.Model):
    """A film's release: what comes out, and when."""

    class Build(models.TextChoices):
        # The packaging of the film for release: streams with every audio track, downloads,
        # torrents and bundles, made in the background from the media pipeline's renditions.
        NONE = "none", _("Not prepared")
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Preparing")
        READY = "ready", _("Ready")
        FAILED = "failed", _("Failed")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    production = models.ForeignKey(Production, on_delete=models.CASCADE, related_name="releases")
    slug = models.SlugField(_("address"), max_length=80)
    title = models.CharField(_("title"), max_length=200)
    synopsis_en = models.TextField(_("synopsis (English)"), max_length=20_000, blank=True)
    synopsis_fr = models.TextField(_("synopsis (French)"), max_length=20_000, blank=True)
    # The film's master file; its renditions (HLS ladder, proxy, poster) come from the media pipeline.
    film = models.ForeignKey(
        Asset, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("film")
    )
    trailer = models.ForeignKey(
        Asset, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("trailer")
    )
    poster = models.ForeignKey(
        Asset, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("poster")
    )
    # The film's license: the production's, copied when the release is made or changed.
    license = models.CharField(_("license"), max_length=40)
    # The release moment, stored in UTC. Null while the producer has not set it.
    moment = models.DateTimeField(_("release moment"), null=True, blank=True)
    # Set by the producer once the release is complete; the moment only opens a scheduled release.
    scheduled = models.BooleanField(default=False)
    # The premiere page (title, poster, trailer, synopsis, countdown, screenings) before the moment.
    teaser_published = models.BooleanField(_("teaser published"), default=False)
    build = models.CharField(max_length=10, choices=Build.choices, default=Build.NONE)
    build_progress = models.FloatField(default=0.0)
    build_problem = models.TextField(blank=True)
    # Which preparation is the current one: an older one still running when the inputs changed, or
    # when the producer prepared again, finds another token here and throws its work away.
    build_token = models.CharField(max_length=32, blank=True)
    # The prepared files' folder (relative to MEDIA_ROOT) and when they were made.
    build_folder = models.CharField(max_length=255, blank=True)
    built_at = models.DateTimeField(null=True, blank=True)
    # Bumped on every change, so cached public pages are never stale.
    version = models.PositiveIntegerField(default=1)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-moment", "-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["production", "slug"], name="one_release_slug_per_production"),
            models.CheckConstraint(
                condition=models.Q(scheduled=False) | models.Q(moment__isnull=False, film__isnull=False),
                name="scheduled_release_has_moment_and_film",
            ),
        ]
        verbose_name = _("release")
        verbose_name_plural = _("releases")

    def __str__(self) -> str:
        return self.title


class AudioTrack(models.Model):
    """One audio track of the film: the original version, a dub, an audio description."""

    class Kind(models.TextChoices):
        ORIGINAL = "original", _("Original version")
        DUB = "dub", _("Dubbed version")
        DESCRIPTION = "description", _("Audio description")

    release = models.ForeignKey(Release, on_delete=models.CASCADE, related_name="audio_tracks")
    # Null for the film's own sound; otherwise an audio (or video) asset whose sound is used.
    asset = models.ForeignKey(Asset, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.ORIGINAL)
    language = models.CharField(_("language"), max_length=35)  # a BCP 47 tag: "fr", "pl", "en-GB"
    label = models.CharField(_("label"), max_length=100)
    # Whose voices or description these are, for the credits and the file's attribution.
    attribution = models.CharField(_("attribution"), max_length=500, blank=True)
    is_default = models.BooleanField(_("default track"), default=False)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "pk"]
        verbose_name = _("audio track")
        verbose_name_plural = _("audio tracks")

    def __str__(self) -> str:
        return self.label


class Subtitle(models.Model):
    """The film's subtitles in one language, kept as WebVTT."""

    release = models.ForeignKey(Release, on_delete=models.CASCADE, related_name="subtitles")
    language = models.CharField(_("language"), max_length=35)  # a BCP 47 tag
    label = models.CharField(_("label"), max_length=100)
    # Normalised WebVTT, whatever was uploaded (WebVTT or SubRip).
    text = models.TextField()
    cue_count = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["language"]
        constraints = [
            models.UniqueConstraint(fields=["release", "language"], name="one_subtitle_per_language"),
        ]
        verbose_name = _("subtitles")
        verbose_name_plural = _("subtitles")

    def __str__(self) -> str:
        return f"{self.release} ({self.language})"


class SubtitleEdit(models.Model):
    """Who wrote or fixed subtitles, and when: the record the translators' credits come from."""

    subtitle = models.ForeignKey(Subtitle, on_delete=models.CASCADE, related_name="edits")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    # How many cues the edit added, changed or removed.
    cues_changed = models.PositiveIntegerField(default=0)
    note = models.CharField(_("note"), max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("subtitle edit")
        verbose_name_plural = _("subtitle edits")

    def __str__(self) -> str:
        return f"{self.subtitle} by {self.author_id}"


class Screening(models.Model):
    """A showing of the film in a cinema, at a local time in the venue's time zone."""

    release = models.ForeignKey(Release, on_delete=models.CASCADE, related_name="screenings")
    venue = models.CharField(_("venue"), max_length=200)
    address = models.CharField(_("address"), max_length=300, blank=True)
    city = models.CharField(_("city"), max_length=100)
    country = models.CharField(_("country"), max_length=2)  # ISO 3166-1 alpha-2, upper case
    # What the venue announces (local date and time in its IANA time zone) and the instant it means.
    # The venue's wall-clock digits, stored labelled UTC (not an instant): 20:00 stays 20:00 whatever the zone.
    local_start = models.DateTimeField(_("local start"))
    time_zone = models.CharField(_("time zone"), max_length=64)
    starts_at = models.DateTimeField(db_index=True)  # UTC, computed from the two above
    ticket_url = models.URLField(_("ticket link"), max_length=500, blank=True)
    language = models.CharField(_("language"), max_length=35)
    subtitles = models.CharField(_("subtitles"), max_length=35, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["starts_at", "pk"]
        indexes = [models.Index(fields=["release", "country", "city"], name="screening_place")]
        verbose_name = _("screening")
        verbose_name_plural = _("screenings")

    def __str__(self) -> str:
        return f"{self.venue}, {self.city}"


class ReleaseFile(models.Model):
    """A file offered with the release: a download, subtitles, a torrent, a bundle…

    Stored under the release's folder in MEDIA_ROOT and served only through the release's views,
    which check the embargo.
    """

    class Kind(models.TextChoices):
        FILM = "film", _("Film")  # an MP4 download at one quality
        MASTER = "master", _("Master file")
        AUDIO = "audio", _("Audio track")
        SUBTITLE = "subtitle", _("Subtitles")
        TORRENT = "torrent", _("Torrent")
        SOURCES = "sources", _("Sources")
        SOURCES_TORRENT = "sources_torrent", _("Sources torrent")
        CINEMA_KIT = "cinema_kit", _("Cinema kit")
        CREDITS_ROLL = "credits_roll", _("End credits roll")

    release = models.ForeignKey(Release, on_delete=models.CASCADE, related_name="files")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    # Tells apart files of one kind: "1080p", "fr", "pl-dub"…
    label = models.CharField(max_length=50, blank=True)
    language = models.CharField(max_length=35, blank=True)
    # The name people download it as; also its name inside the torrent.
    name = models.CharField(max_length=255)
    # Relative to MEDIA_ROOT.
    path = models.CharField(max_length=500)
    size = models.BigIntegerField(default=0)
    sha256 = models.CharField(max_length=64, blank=True)
    mime = models.CharField(max_length=100, blank=True)
    license = models.CharField(max_length=40, blank=True)
    attribution = models.CharField(max_length=1000, blank=True)
    # For torrents: the v1 info hash (hex), from which the magnet link is made.
    info_hash = models.CharField(max_length=40, blank=True)
    position = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["position", "kind", "label", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["release", "kind", "label"], name="one_release_file_per_kind_label"
            ),
            models.UniqueConstraint(fields=["release", "name"], name="one_release_file_per_name"),
        ]
        verbose_name = _("release file")
        verbose_name_plural = _("release files")

    def __str__(self) -> str:
        return self.name
