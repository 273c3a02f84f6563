"""Background work on assets: verification, then one task per rendition so workers share them."""

import logging
from functools import partial
from pathlib import Path

from django.db import transaction
from django.utils import timezone
from django_tasks import task

from backstage.media import ffmpeg, images, ingest
from backstage.media.models import Asset, Rendition, Step

log = logging.getLogger(__name__)
# Failures of the studio's side, not of the file: retried, never held against it.
SERVER_CODES = frozenset({"ffmpeg_missing"})


@task()
def verify_asset(*, asset_id: str) -> None:
    asset = Asset.objects.filter(pk=asset_id, status=Asset.Status.VERIFYING).first()
    if asset is not None:
        ingest.verify(asset)


@task()
def run_step(*, asset_id: str, name: str) -> None:
    """Make one step's renditions; the probe, once done, queues all the others at once."""
    asset = Asset.objects.filter(pk=asset_id, status=Asset.Status.PROCESSING).first()
    if asset is None:
        return
    claimed = Step.objects.filter(asset=asset, name=name, status=Step.Status.PENDING).update(
        status=Step.Status.RUNNING,
        progress=0,
        problem="",
        started_at=timezone.now(),
        finished_at=None,
        heartbeat_at=timezone.now(),
    )
    if not claimed:  # done already, or another worker has it
        return
    try:
        with ingest.local_original(asset) as source:
            outputs = _make(asset, name, source)
    except ffmpeg.MediaError as error:
        _failed(asset, name, error)
        return
    with transaction.atomic():
        folder = ingest.renditions_dir(asset)
        for output in outputs:
            Rendition.objects.update_or_create(
                asset=asset,
                kind=output.kind,
                label=output.label,
                defaults={
                    "path": str(output.path.relative_to(folder)),
                    "mime": output.mime,
                    "size": _size(output.path),
                    "width": output.width,
                    "height": output.height,
                    "bitrate": output.bitrate,
                },
            )
        Step.objects.filter(asset=asset, name=name).update(
            status=Step.Status.DONE, progress=100, finished_at=timezone.now()
        )
        if name == Step.Name.PROBE:
            for step in Step.objects.filter(asset=asset, status=Step.Status.PENDING):
                transaction.on_commit(partial(run_step.enqueue, asset_id=asset_id, name=step.name))
        _finish_if_done(asset)


def _make(asset: Asset, name: str, source: Path) -> list[ffmpeg.Output]:
    progress = ingest.step_progress(asset, name)
    if name == Step.Name.PROBE:
        found = ffmpeg.probe(source)
        expected = "video" if asset.kind == Asset.Kind.VIDEO else "audio"
        if (found.video if expected == "video" else found.audio) is None:
            raise ffmpeg.MediaError("no_streams", f"no {expected} stream")
        Asset.objects.filter(pk=asset.pk).update(probe=found.as_dict())
        return []
    folder = ingest.renditions_dir(asset) / name
    folder.mkdir(parents=True, exist_ok=True)
    if name == Step.Name.IMAGE_VARIANTS:
        variants = images.image_variants(source, folder)
        progress(100)
        return variants
    # What the probe step found and stored; the file is not read a second time for it.
    found = ffmpeg.Probe.from_dict(asset.probe)
    if asset.kind == Asset.Kind.VIDEO:
        jobs = [ffmpeg.video_jobs(source, folder, found)[name]]
    else:
        audio = ffmpeg.audio_jobs(source, folder, found)
        keys = ["waveform"] if name == Step.Name.WAVEFORM else [key for key in audio if key != "waveform"]
        jobs = [audio[key] for key in keys]
    outputs: list[ffmpeg.Output] = []
    share = 100 // len(jobs)  # each job's part of the step's progress
    for number, job in enumerate(jobs):

        def on_progress(percent: int, start: int = number * share) -> None:
            progress(start + percent * share // 100)

        ffmpeg.run(job, duration=found.duration, on_progress=on_progress)
        outputs.extend(job.outputs)
    return outputs


def _size(path: Path) -> int:
    if path.is_dir():
        return sum(item.stat().st_size for item in path.rglob("*") if item.is_file())
    if path.suffix == ".m3u8":  # a stream: its playlists and segments together
        return sum(item.stat().st_size for item in path.parent.rglob("*") if item.is_file())
    return path.stat().st_size


def _failed(asset: Asset, name: str, error: ffmpeg.MediaError) -> None:
    log.warning("Asset %s: step %s failed (%s): %s", asset.pk, name, error.code, error.detail)
    if error.code in ingest.HOSTILE_CODES or (name == Step.Name.PROBE and error.code not in SERVER_CODES):
        # What FFmpeg cannot read safely is refused, not retried.
        ingest.reject(asset, error.code, error.detail)
        return
    with transaction.atomic():
        Step.objects.filter(asset=asset, name=name).update(
            status=Step.Status.FAILED, problem=error.code, finished_at=timezone.now()
        )
        Asset.objects.filter(pk=asset.pk).update(
            status=Asset.Status.FAILED, problem=error.code, problem_detail=error.detail[:2000]
        )


def _finish_if_done(asset: Asset) -> None:
    locked = Asset.objects.select_for_update().get(pk=asset.pk)
    if locked.status != Asset.Status.PROCESSING:
        return
    if not Step.objects.filter(asset=asset).exclude(status=Step.Status.DONE).exists():
        locked.status = Asset.Status.READY
        locked.save(update_fields=["status", "updated_at"])
