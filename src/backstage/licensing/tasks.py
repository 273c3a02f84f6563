"""Background work on the credits: rendering the end-credits roll with visible progress."""

import logging
import tempfile
import time
from pathlib import Path

from django.core.files import File
from django.db import transaction
from django.utils import timezone, translation
from django_tasks import task

from backstage.licensing.credits import build_credits
from backstage.licensing.credits_roll import render_credits_roll, roll_duration
from backstage.licensing.models import CreditsRoll
from backstage.media.ffmpeg_probe import MediaError

log = logging.getLogger(__name__)
# How often the progress is written: often enough for the bar to move, rarely enough for the database.
PROGRESS_INTERVAL = 0.5
# Written even without progress, as a sign that the work goes on (see credit_services.ROLL_STALE_AFTER).
HEARTBEAT_INTERVAL = 60.0


class _Reporter:
    def __init__(self, roll_id: int) -> None:
        self.roll_id = roll_id
        self.percent = 0
        self.written_at = time.monotonic()

    def __call__(self, fraction: float) -> None:
        percent = max(0, min(99, int(fraction * 100)))
        now = time.monotonic()
        moved = percent > self.percent and now - self.written_at >= PROGRESS_INTERVAL
        if moved or now - self.written_at >= HEARTBEAT_INTERVAL:
            self.percent, self.written_at = max(percent, self.percent), now
            CreditsRoll.objects.filter(pk=self.roll_id).update(
                progress=self.percent, heartbeat_at=timezone.now()
            )


@task()
def render_roll(*, roll_id: int) -> None:
    """Render a queued roll; a roll already taken by another worker, or finished, is left alone."""
    claimed = CreditsRoll.objects.filter(pk=roll_id, status=CreditsRoll.Status.QUEUED).update(
        status=CreditsRoll.Status.RUNNING, progress=0, started_at=timezone.now(), heartbeat_at=timezone.now()
    )
    if not claimed:
        return
    roll = CreditsRoll.objects.select_related("production").get(pk=roll_id)
    with translation.override(roll.language), tempfile.TemporaryDirectory(prefix="credits-") as folder:
        credits = build_credits(roll.production)
        output = Path(folder) / "roll.mp4"
        try:
            render_credits_roll(
                credits, output, width=roll.width, height=roll.height, progress=_Reporter(roll.pk)
            )
        except (MediaError, ValueError) as error:
            code = error.code if isinstance(error, MediaError) else "ffmpeg_failed"
            log.warning("Credits roll %s failed (%s): %s", roll.pk, code, error)
            CreditsRoll.objects.filter(pk=roll.pk).update(
                status=CreditsRoll.Status.FAILED,
                problem=code,
                problem_detail=str(error)[:2000],
                finished_at=timezone.now(),
            )
            return
        with output.open("rb") as handle:
            roll.file.save(f"roll-{roll.pk}.mp4", File(handle), save=False)
    replaced = list(
        CreditsRoll.objects.filter(production=roll.production, created_at__lte=roll.created_at)
        .exclude(pk=roll.pk)
        .exclude(status__in=[CreditsRoll.Status.QUEUED, CreditsRoll.Status.RUNNING])
    )
    with transaction.atomic():
        CreditsRoll.objects.filter(pk=roll.pk).update(
            status=CreditsRoll.Status.READY,
            progress=100,
            file=roll.file.name,
            duration=round(roll_duration(credits, width=roll.width, height=roll.height), 2),
            digest=credits.digest,
            finished_at=timezone.now(),
        )
        # The newest roll replaces the earlier ones: only one is offered, and their files take room.
        CreditsRoll.objects.filter(pk__in=[item.pk for item in replaced]).delete()
    for item in replaced:
        if item.file:
            item.file.storage.delete(item.file.name)
