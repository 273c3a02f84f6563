"""Preparing a release's files: streams, downloads, subtitles, credits, torrents, bundles, the kit.

Everything is made in a fresh folder; the release's file list switches to it in one transaction
once all is there, and the previous folder is removed. A failure leaves the previous files as they
were and says what went wrong on the release's page.
"""

import hashlib
import json
import logging
import shutil
import uuid
from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from pathlib import Path

from django.db import transaction
from django.db.models import F, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from backstage.core.errors import ServiceError
from backstage.licensing.credits import credits_as_json, credits_as_text
from backstage.licensing.credits_roll import render_credits_roll
from backstage.media.ffmpeg_probe import MediaError
from backstage.media.ingest import local_original
from backstage.media.models import Asset
from backstage.releases import bundles, torrents
from backstage.releases.credits import credits_of
from backstage.releases.files import (
    name_stem,
    relative_to_media,
    release_folder,
    seed_base_url,
    stored_path,
    torrent_folder_name,
)
from backstage.releases.models import Release, ReleaseFile
from backstage.releases.packaging import Made, package
from backstage.releases.subtitles import parse_subtitles, to_srt

logger = logging.getLogger(__name__)

# Share of the whole work each stage takes, for the progress bar.
STAGES = {"package": 0.55, "roll": 0.15, "hash": 0.05, "torrent": 0.08, "sources": 0.09, "kit": 0.08}


class _Progress:
    def __init__(self, current: QuerySet[Release]) -> None:
        self.current = current
        self.done = 0.0
        self.last_saved = -1.0

    def stage(self, name: str) -> Callable[[float], None]:
        start, weight = self.done, STAGES[name]
        self.done += weight

        def report(fraction: float) -> None:
            value = round(min(1.0, start + weight * max(0.0, min(1.0, fraction))), 3)
            if value - self.last_saved >= 0.01:
                self.last_saved = value
                # Also the sign of life that tells a running preparation from an interrupted one.
                self.current.update(build_progress=value, updated_at=timezone.now())

        return report


def _sha256(path: Path) -> str:
    with path.open("rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()


def build(release_id: uuid.UUID | str, *, token: str) -> None:
    """Make every file of the release for the preparation ``token``; its work is kept only if it is
    still the current preparation when it ends."""
    release = Release.objects.select_related("production", "film", "poster").get(pk=release_id)
    current = Release.objects.filter(pk=release.pk, build_token=token, build=Release.Build.RUNNING)
    folder = release_folder(release.pk) / f"build-{uuid.uuid4().hex[:12]}"
    folder.mkdir(parents=True)
    try:
        rows = _make_everything(release, folder, _Progress(current))
        kept = _switch_to(release, folder, rows, token=token)
    except BaseException as error:  # a worker told to stop (SystemExit) leaves nothing half-made either
        logger.exception("preparing release %s failed", release.pk)
        shutil.rmtree(folder, ignore_errors=True)
        problem = error.code if isinstance(error, MediaError | ServiceError) else type(error).__name__
        current.update(build=Release.Build.FAILED, build_problem=problem, updated_at=timezone.now())
        if not isinstance(error, Exception):
            raise
        return
    if not kept:
        shutil.rmtree(folder, ignore_errors=True)


def _make_everything(release: Release, folder: Path, progress: _Progress) -> list[ReleaseFile]:
    stem = name_stem(release)
    packaged = package(release, folder, name_stem=stem, progress=progress.stage("package"))
    made: list[Made] = list(packaged.files)
    film = release.film
    assert film is not None

    subtitles: dict[str, str] = {}
    for subtitle in release.subtitles.all():
        cues = parse_subtitles(subtitle.text.encode())
        for suffix, text, mime in (
            ("vtt", subtitle.text, "text/vtt"),
            ("srt", to_srt(cues), "application/x-subrip"),
        ):
            path = folder / f"{stem}.{subtitle.language}.{suffix}"
            path.write_text(text, encoding="utf-8")
            subtitles[path.name] = text
            made.append(
                Made("subtitle", f"{subtitle.language}-{suffix}", subtitle.language, path.name, path, mime)
            )

    credits = credits_of(release)
    credits_text = credits_as_text(credits)
    credits_json = json.dumps(credits_as_json(credits), ensure_ascii=False, indent=2)
    roll = folder / f"{stem}-credits-roll.mp4"
    render_credits_roll(credits, roll, progress=progress.stage("roll"))
    made.append(Made("credits_roll", "", "", roll.name, roll, "video/mp4"))

    rows = _rows(release, made, progress.stage("hash"))
    master = ReleaseFile(
        release=release,
        kind=ReleaseFile.Kind.MASTER,
        # The stored original ends as its content was recognised; the name its maker gave may not.
        name=f"{stem}-master{Path(film.original.name).suffix.lower()}",
        path=film.original.name,
        size=film.size,
        sha256=film.sha256,
        mime=film.mime,
        license=release.license,
        attribution=film.attribution,
    )
    rows.insert(0, master)

    film_files = [
        row
        for row in rows
        if row.kind in (ReleaseFile.Kind.FILM, ReleaseFile.Kind.MASTER, ReleaseFile.Kind.AUDIO)
    ]
    torrent = torrents.make_torrent(
        name=torrent_folder_name(release),
        files=[(stored_path(row), row.name) for row in film_files],
        web_seed=seed_base_url(release),
        comment=f"{release.title} ({release.license})",
        progress=progress.stage("torrent"),
    )
    rows.append(_torrent_row(release, folder, f"{stem}.torrent", ReleaseFile.Kind.TORRENT, torrent))

    extra = {"CREDITS.txt": credits_text.encode(), "credits.json": credits_json.encode()}
    extra.update({f"subtitles/{name}": text.encode() for name, text in subtitles.items()})
    sources = folder / f"{stem}-sources.zip"
    bundles.build_sources_bundle(
        release=release, output=sources, extra_files=extra, progress=progress.stage("sources")
    )
    sources_row = _row(release, Made("sources", "", "", sources.name, sources, "application/zip"))
    rows.append(sources_row)
    sources_torrent = torrents.make_torrent(
        name=sources.name,
        files=[(sources, sources.name)],
        web_seed=seed_base_url(release),
        comment=_("%(title)s: sources") % {"title": release.title},
    )
    rows.append(
        _torrent_row(
            release, folder, f"{stem}-sources.torrent", ReleaseFile.Kind.SOURCES_TORRENT, sources_torrent
        )
    )

    kit = folder / f"{stem}-cinema-kit.zip"
    with _original(release.poster) as poster:
        bundles.build_cinema_kit(
            release=release,
            output=kit,
            master=stored_path(master),
            subtitles=subtitles,
            poster=poster,
            credits_text=credits_text,
            progress=progress.stage("kit"),
        )
    rows.append(_row(release, Made("cinema_kit", "", "", kit.name, kit, "application/zip")))
    for position, row in enumerate(rows):
        row.position = position
    return rows


def _original(asset: Asset | None) -> AbstractContextManager[Path | None]:
    return local_original(asset) if asset is not None else nullcontext(None)


def _row(release: Release, made: Made, sha256: str = "") -> ReleaseFile:
    return ReleaseFile(
        release=release,
        kind=made.kind,
        label=made.label,
        language=made.language,
        name=made.name,
        path=relative_to_media(made.path),
        size=made.path.stat().st_size,
        sha256=sha256 or _sha256(made.path),
        mime=made.mime,
        license=release.license,
        attribution=(release.film.attribution if release.film else "") or release.production.title,
    )


def _rows(release: Release, made: list[Made], progress: Callable[[float], None]) -> list[ReleaseFile]:
    rows = []
    for number, item in enumerate(made):
        rows.append(_row(release, item))
        progress((number + 1) / len(made))
    return rows


def _torrent_row(
    release: Release, folder: Path, name: str, kind: str, torrent: "torrents.Torrent"
) -> ReleaseFile:
    path = folder / name
    path.write_bytes(torrent.data)
    row = _row(release, Made(kind, "", "", name, path, "application/x-bittorrent"))
    row.info_hash = torrent.info_hash
    return row


def _switch_to(release: Release, folder: Path, rows: list[ReleaseFile], *, token: str) -> bool:
    """Make ``folder`` the release's files, if this preparation is still the current one."""
    with transaction.atomic():
        locked = Release.objects.select_for_update().filter(pk=release.pk).first()
        if locked is None or locked.build_token != token or locked.build != Release.Build.RUNNING:
            return False  # deleted, changed since, or prepared again: this work is out of date
        ReleaseFile.objects.filter(release=locked).delete()
        ReleaseFile.objects.bulk_create(rows)
        Release.objects.filter(pk=locked.pk).update(
            build=Release.Build.READY,
            build_progress=1.0,
            build_folder=relative_to_media(folder),
            built_at=timezone.now(),
            version=F("version") + 1,
            updated_at=timezone.now(),
        )
    # The previous files, and any folder a worker killed outright left behind: this one is current now.
    for other in folder.parent.glob("build-*"):
        if other != folder:
            shutil.rmtree(other, ignore_errors=True)
    return True
