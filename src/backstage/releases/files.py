"""Where a release's files live, and their names: one folder per release under MEDIA_ROOT."""

import shutil
from pathlib import Path
from uuid import UUID

from django.conf import settings
from django.urls import reverse
from django.utils.text import slugify

from backstage.releases.models import Release, ReleaseFile


def release_folder(release_id: UUID | str) -> Path:
    return Path(settings.MEDIA_ROOT) / "releases" / str(release_id)


def remove_release_folder(release_id: UUID | str) -> None:
    shutil.rmtree(release_folder(release_id), ignore_errors=True)


def stored_path(release_file: ReleaseFile) -> Path:
    """The file on disk; never outside MEDIA_ROOT, whatever the row says."""
    root = Path(settings.MEDIA_ROOT).resolve()
    path = (root / release_file.path).resolve()
    if not path.is_relative_to(root):
        raise FileNotFoundError(release_file.path)
    return path


def relative_to_media(path: Path) -> str:
    return str(path.resolve().relative_to(Path(settings.MEDIA_ROOT).resolve()))


def name_stem(release: Release) -> str:
    """The start of every download's name: "varsovie-express" for the film of that title."""
    return slugify(release.title)[:60].strip("-") or release.slug


def torrent_folder_name(release: Release) -> str:
    """The folder a torrent client saves the film in, and the path web seeds are asked for."""
    return name_stem(release)


def seed_base_url(release: Release) -> str:
    """The BEP 19 web seed: clients append "<folder>/<file>" to it."""
    url = reverse(
        "releases:seed_root", kwargs={"slug": release.production.slug, "release_slug": release.slug}
    )
    return settings.SITE_URL + url


def file_url(release: Release, release_file: ReleaseFile) -> str:
    return reverse(
        "releases:file",
        kwargs={"slug": release.production.slug, "release_slug": release.slug, "name": release_file.name},
    )
