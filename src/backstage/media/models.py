"""Media: resumable uploads, the assets they become, and the renditions made from them."""

import uuid
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from backstage.productions.models import Production


class Upload(models.Model):
    """A resumable (tus) upload in progress: its bytes so far live in a partial file on local disk."""

    class Status(models.TextChoices):
        RECEIVING = "receiving", _("Receiving")
        COMPLETE = "complete", _("Complete")
        TERMINATED = "terminated", _("Cancelled")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="uploads")
    production = models.ForeignKey(
        Production, on_delete=models.CASCADE, null=True, blank=True, related_name="uploads"
    )
    length = models.BigIntegerField(_("declared size"))
    offset = models.BigIntegerField(_("bytes received"), default=0)
    # The client's Upload-Metadata, decoded: the file's name and the type it claims (never trusted).
    metadata = models.JSONField(default=dict, blank=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.RECEIVING)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    asset = models.OneToOneField(
        "Asset", on_delete=models.SET_NULL, null=True, blank=True, related_name="upload"
    )

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(length__gte=0), name="upload_length_positive"),
            models.CheckConstraint(
                condition=Q(offset__gte=0) & Q(offset__lte=models.F("length")), name="upload_offset_within"
            ),
        ]
        indexes = [models.Index(fields=["status", "expires_at"], name="upload_expiry")]
        verbose_name = _("upload")
        verbose_name_plural = _("uploads")

    def __str__(self) -> str:
        return f"{self.pk} ({self.offset}/{self.length})"

    @property
    def filename(self) -> str:
        return str(self.metadata.get("filename", ""))


class Asset(models.Model):
    """A stored file checked from its content, with what was learnt of it and its renditions."""

    class Status(models.TextChoices):
        VERIFYING = "verifying", _("Verifying")
        PROCESSING = "processing", _("Processing")
        READY = "ready", _("Ready")
        FAILED = "failed", _("Failed")
        REJECTED = "rejected", _("Rejected")

    class Kind(models.TextChoices):
        VIDEO = "video", _("Video")
        AUDIO = "audio", _("Sound")
        IMAGE = "image", _("Image")
        PDF = "pdf", _("PDF document")
        TEXT = "text", _("Text")
        OTHER = "other", _("Other file")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="assets")
    production = models.ForeignKey(
        Production, on_delete=models.CASCADE, null=True, blank=True, related_name="assets"
    )
    name = models.CharField(_("file name"), max_length=255)
    original = models.FileField(upload_to="assets/originals/", max_length=255, blank=True)
    size = models.BigIntegerField(default=0)
    sha256 = models.CharField(max_length=64, blank=True, db_index=True)
    kind = models.CharField(max_length=10, choices=Kind.choices, blank=True)
    mime = models.CharField(max_length=100, blank=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.VERIFYING)
    # Why processing failed or the file was refused, in words for its owner (translated when shown).
    problem = models.CharField(max_length=40, blank=True)
    problem_detail = models.TextField(blank=True)
    # What ffprobe (or the image decoder) found: duration, streams, codecs, size, frame rate.
    probe = models.JSONField(default=dict, blank=True)
    license = models.CharField(_("license"), max_length=40, blank=True)
    attribution = models.CharField(_("attribution"), max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["owner", "-created_at"], name="asset_owner_newest"),
            models.Index(fields=["production", "-created_at"], name="asset_production_newest"),
        ]
        verbose_name = _("asset")
        verbose_name_plural = _("assets")

    def __str__(self) -> str:
        return self.name

    @cached_property
    def renditions_by_kind(self) -> dict[str, list["Rendition"]]:
        """Its renditions grouped by kind (from a prefetch when there is one), for players and lists."""
        grouped: dict[str, list[Rendition]] = {}
        for rendition in self.renditions.all():
            grouped.setdefault(rendition.kind, []).append(rendition)
        return grouped

    @property
    def duration(self) -> float | None:
        value: Any = self.probe.get("duration")
        return float(value) if value is not None else None


class Step(models.Model):
    """One piece of an asset's processing (verify, probe, proxy, HLS, poster…), with its progress."""

    class Name(models.TextChoices):
        VERIFY = "verify", _("Checking the file")
        PROBE = "probe", _("Reading the media")
        PROXY = "proxy", _("Playable copy")
        HLS = "hls", _("Streaming versions")
        POSTER = "poster", _("Poster frame")
        THUMBNAILS = "thumbnails", _("Thumbnail strip")
        WAVEFORM = "waveform", _("Waveform")
        AUDIO_PROXY = "audio_proxy", _("Listening copies")
        IMAGE_VARIANTS = "image_variants", _("Resized images")

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    asset = models.ForeignKey(Asset, on_delete=models.CASCADE, related_name="steps")
    name = models.CharField(max_length=20, choices=Name.choices)
    position = models.PositiveSmallIntegerField(default=0)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    progress = models.PositiveSmallIntegerField(default=0)  # percent
    problem = models.CharField(max_length=40, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # The last sign of life of the worker running the step: one that stops giving any was interrupted.
    heartbeat_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["position", "pk"]
        constraints = [models.UniqueConstraint(fields=["asset", "name"], name="one_step_of_each_name")]
        verbose_name = _("processing step")
        verbose_name_plural = _("processing steps")

    def __str__(self) -> str:
        return f"{self.asset_id} {self.name} {self.status} {self.progress}%"


class Rendition(models.Model):
    """A file made from an asset: a playable proxy, a stream, a poster, a waveform, a resized image."""

    class Kind(models.TextChoices):
        PROXY = "proxy", _("MP4 proxy")
        HLS = "hls", _("HLS stream")
        POSTER = "poster", _("Poster frame")
        THUMBNAILS = "thumbnails", _("Thumbnail strip")
        AUDIO_AAC = "audio_aac", _("AAC audio")
        AUDIO_OPUS = "audio_opus", _("Opus audio")
        WAVEFORM = "waveform", _("Waveform")
        IMAGE = "image", _("Resized image")

    asset = models.ForeignKey(Asset, on_delete=models.CASCADE, related_name="renditions")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    # Several of a kind differ by size: HLS 360/720/1080, image widths.
    label = models.CharField(max_length=40, blank=True)
    # Relative to the asset's rendition folder in the default storage; for HLS, the playlist.
    path = models.CharField(max_length=255)
    mime = models.CharField(max_length=100)
    size = models.BigIntegerField(default=0)
    width = models.PositiveIntegerField(null=True, blank=True)
    height = models.PositiveIntegerField(null=True, blank=True)
    bitrate = models.PositiveIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["kind", "height", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["asset", "kind", "label"], name="one_rendition_per_kind_label")
        ]
        verbose_name = _("rendition")
        verbose_name_plural = _("renditions")

    def __str__(self) -> str:
        return f"{self.asset_id} {self.kind} {self.label}"
