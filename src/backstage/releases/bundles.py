"""The source bundle and the cinema kit: the release's archives for remixers and for venues.

The source bundle holds every accepted work the film was made from, each with its license and
copyright in a ``REUSE.toml`` (REUSE 3), the license texts under ``LICENSES/``, and what the
build adds (credits, subtitles): what the film's free license promises, in one download. Apps
that keep other sources (the screenplay) add them with ``register_source_provider``.

The cinema kit is what a venue needs to screen the film: the master, subtitles as files, the
poster, the credits, the license and a note for the projectionist.
"""

import json
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath

from django.conf import settings
from django.db.models import Prefetch
from django.db.models.fields.files import FieldFile
from django.utils.text import slugify
from django.utils.translation import gettext as _

from backstage.contributions.models import Contribution, ContributionFile, Status
from backstage.core.errors import ServiceError
from backstage.core.uploads import safe_filename
from backstage.licensing.license_texts import license_text
from backstage.licensing.registry import LICENSES
from backstage.media.ffmpeg_probe import Probe
from backstage.media.models import Asset
from backstage.productions.models import Production
from backstage.releases.archives import CHUNK_SIZE, Archive, Progress, archive_result, write_archive
from backstage.releases.models import Release

# Names the bundle writes itself; sources and the caller's files may not take them.
_OWN_NAMES = frozenset({"README.txt", "LICENSE.txt", "ATTRIBUTION.txt", "REUSE.toml"})
_OWN_FOLDERS = frozenset({"LICENSES"})
_EXTENSION = re.compile(r"\.[a-z0-9]{1,10}")


@dataclass(frozen=True)
class SourceItem:
    """One file of the source bundle, with what its reuse requires."""

    path: str  # inside the bundle, "/"-separated: "sources/music/12-main-theme/theme.flac"
    license: str  # SPDX identifier, one of the registry's
    copyright: str  # "2026 Ania Kowalska"
    attribution: str  # one line naming the work, its author, its license and where it comes from
    size: int
    chunks: Callable[[], Iterable[bytes]]  # the content, read when the bundle is written
    sha256: str = ""  # checked while the file is copied, when known


SourceProvider = Callable[[Production], Iterable[SourceItem]]


def contribution_sources(production: Production) -> Iterator[SourceItem]:
    """The files of the production's accepted contributions (hidden ones are not public work)."""
    contributions = (
        Contribution.objects.filter(call__production=production, status=Status.ACCEPTED, is_hidden=False)
        .select_related("call__production", "author__profile")
        .prefetch_related(
            Prefetch(
                "files", queryset=ContributionFile.objects.select_related("asset").order_by("position", "pk")
            )
        )
        .order_by("call__kind", "pk")
    )
    site = settings.SITE_URL
    for contribution in contributions:
        author = contribution.author.display_name
        folder = f"sources/{contribution.call.kind}/{contribution.pk}-{_slug(contribution.title)}"
        license_name = LICENSES[contribution.license].name if contribution.license in LICENSES else ""
        attribution = _('"%(title)s" by %(author)s, %(license)s (%(license_name)s), %(url)s') % {
            "title": contribution.title,
            "author": author,
            "license": contribution.license,
            "license_name": license_name,
            "url": site + contribution.get_absolute_url(),
        }
        taken: set[str] = set()
        for item in contribution.files.all():
            stored = _stored_file(item)
            if stored is None:
                continue
            field_file, size, sha256 = stored
            path = f"{folder}/{_unique(_safe_name(item.name), taken)}"
            yield SourceItem(
                path=path,
                license=contribution.license,
                copyright=f"{contribution.created_at.year} {author}",
                attribution=attribution,
                size=size,
                chunks=_reader(field_file, path),
                sha256=sha256,
            )


_providers: list[SourceProvider] = [contribution_sources]


def register_source_provider(provider: SourceProvider) -> None:
    """Add a kind of source to every bundle; call it from the providing app's AppConfig.ready()."""
    if provider not in _providers:
        _providers.append(provider)


def sources_of(production: Production) -> list[SourceItem]:
    """Every file the production's source bundle holds, from every registered provider."""
    items = [item for provider in _providers for item in provider(production)]
    seen: set[str] = set()
    for item in items:
        _check_member_path(item.path)
        if item.path in seen:
            raise ValueError(f"two sources at {item.path!r}")
        seen.add(item.path)
        if item.license not in LICENSES:
            raise ServiceError(
                "unknown_license",
                _("%(path)s is under %(license)s, which is not a license the studio knows.")
                % {"path": item.path, "license": item.license or "?"},
                field=item.path,
            )
    return items


# --- The source bundle ----------------------------------------------------------------------------


def build_sources_bundle(
    *, release: Release, output: Path, extra_files: dict[str, bytes], progress: Progress | None = None
) -> Archive:
    """Write the release's source bundle (a ZIP checked by ``reuse lint``) to ``output``.

    ``extra_files`` (path inside → content) go in as they are, under the film's license: the
    credits, the subtitles. Nothing is left at ``output`` or beside it if anything fails.
    """
    production = release.production
    items = sources_of(production)
    for name in extra_files:
        _check_member_path(name)
        if any(name == item.path for item in items):
            raise ValueError(f"{name!r} is already a source")
    film_license = _film_license(release)
    year = _date(release).year
    house = f"{year} " + _("The %(title)s contributors") % {"title": production.title}
    own = ["README.txt", "ATTRIBUTION.txt", *extra_files]
    annotations = [(path, house, film_license) for path in own]
    annotations += [(item.path, item.copyright, item.license) for item in items]
    used_licenses = sorted({film_license, *(item.license for item in items)})

    texts = {
        "README.txt": _sources_readme(release, film_license, used_licenses),
        "LICENSE.txt": license_text(film_license),
        "ATTRIBUTION.txt": _attribution(release, items),
        "REUSE.toml": _reuse_toml(annotations),
        **{f"LICENSES/{spdx_id}.txt": license_text(spdx_id) for spdx_id in used_licenses},
    }
    total = sum(len(text.encode()) for text in texts.values())
    total += sum(len(data) for data in extra_files.values()) + sum(item.size for item in items)
    with write_archive(output, total_bytes=total, date=_date(release), progress=progress) as writer:
        for name, text in texts.items():
            writer.add_text(name, text)
        for name, data in extra_files.items():
            writer.add_bytes(name, data)
        for item in items:
            writer.add_stream(item.path, item.chunks(), size=item.size, sha256=item.sha256)
    return archive_result(output, writer)


def _reuse_toml(annotations: list[tuple[str, str, str]]) -> str:
    """REUSE.toml: one annotation per file, which overrides anything the file says of itself."""
    lines = ["version = 1"]
    for path, copyright_text, spdx_id in annotations:
        # A JSON string is a valid TOML basic string; the paths hold no glob characters.
        lines += [
            "",
            "[[annotations]]",
            f"path = {json.dumps(path, ensure_ascii=False)}",
            'precedence = "override"',
            f"SPDX-FileCopyrightText = {json.dumps(copyright_text, ensure_ascii=False)}",
            f"SPDX-License-Identifier = {json.dumps(spdx_id)}",
        ]
    return "\n".join(lines) + "\n"


def _sources_readme(release: Release, film_license: str, used_licenses: list[str]) -> str:
    production = release.production
    license_lines = "\n".join(f"  {spdx_id}: {LICENSES[spdx_id].name}" for spdx_id in used_licenses)
    return (
        _("The sources of %(title)s") % {"title": release.title}
        + "\n\n"
        + _(
            "This archive holds the works the film was made from: every contribution the team "
            "accepted, with its license and its authors, so that anyone may study, change and "
            "share them, and remix the film as its license intends."
        )
        + "\n\n"
        + _("The film: %(title)s, a production of %(studio)s, %(url)s")
        % {
            "title": production.title,
            "studio": settings.STUDIO_NAME,
            "url": settings.SITE_URL + production.get_absolute_url(),
        }
        + "\n"
        + _("The film's license: %(license)s (%(name)s), in LICENSE.txt.")
        % {"license": film_license, "name": LICENSES[film_license].name}
        + "\n\n"
        + _("What is inside")
        + "\n"
        + _("  sources/          the works, by kind of call, then contribution")
        + "\n"
        + _("  REUSE.toml        the license and copyright of every file (REUSE 3, https://reuse.software/)")
        + "\n"
        + _("  LICENSES/         the full text of every license used")
        + "\n"
        + _("  ATTRIBUTION.txt   how to credit each work")
        + "\n\n"
        + _("How to reuse a file")
        + "\n"
        + _(
            "Look the file up in REUSE.toml: follow its license, keep its copyright notice and credit "
            "its authors as ATTRIBUTION.txt says. `reuse lint` (https://reuse.software/) checks that "
            "every file is covered. The licenses used here:"
        )
        + "\n"
        + license_lines
        + "\n"
    )


def _attribution(release: Release, items: list[SourceItem]) -> str:
    lines = [_("How to credit the works in the sources of %(title)s") % {"title": release.title}, ""]
    for item in items:
        lines += [item.path, f"  {item.attribution}", f"  © {item.copyright}, {item.license}", ""]
    if not items:
        lines.append(_("No contribution was accepted yet."))
    return "\n".join(lines).rstrip("\n") + "\n"


# --- The cinema kit -------------------------------------------------------------------------------


def build_cinema_kit(
    *,
    release: Release,
    output: Path,
    master: Path | None,
    subtitles: dict[str, str],
    poster: Path | None,
    credits_text: str,
    progress: Progress | None = None,
) -> Archive:
    """Write the venues' kit (a ZIP) to ``output``: master, subtitles, poster, credits, license.

    The master is copied in chunks and stored uncompressed, whatever its size. ``subtitles`` maps
    file names ("varsovie-express.pl.srt") to their text.
    """
    for name in subtitles:
        if "/" in name:
            raise ValueError(f"a subtitle file name holds no folder: {name!r}")
        _check_member_path(f"subtitles/{name}")
    film_license = _film_license(release)
    stem = _slug(release.title)
    master_name = f"{stem}{_extension(master)}" if master else ""
    poster_name = f"poster{_extension(poster)}" if poster else ""
    texts = {
        "README.txt": _kit_readme(release, master, master_name, sorted(subtitles), poster_name),
        "CREDITS.txt": credits_text if credits_text.endswith("\n") else credits_text + "\n",
        "LICENSE.txt": license_text(film_license),
    }
    total = sum(len(text.encode()) for text in [*texts.values(), *subtitles.values()])
    total += sum(path.stat().st_size for path in (master, poster) if path is not None)
    with write_archive(output, total_bytes=total, date=_date(release), progress=progress) as writer:
        for name, text in texts.items():
            writer.add_text(name, text)
        for name, text in sorted(subtitles.items()):
            writer.add_text(f"subtitles/{name}", text)
        if poster is not None:
            writer.add_file(poster_name, poster)
        if master is not None:
            writer.add_file(master_name, master)
    return archive_result(output, writer)


def _kit_readme(
    release: Release, master: Path | None, master_name: str, subtitle_names: list[str], poster_name: str
) -> str:
    lines = [
        _("%(title)s: cinema kit") % {"title": release.title},
        "",
        _("For the projectionist: what this kit holds and how the film is made."),
        "",
    ]
    if master is not None:
        lines.append(
            _("Film: %(name)s (%(size)s bytes)") % {"name": master_name, "size": f"{master.stat().st_size:,}"}
        )
    else:
        lines.append(_("Film: not in this kit; ask the studio for the master file."))
    if release.moment is not None:
        lines.append(
            _(
                "Release: %(moment)s UTC, in cinemas and on the Internet at once. Previews before it only when the studio announces them."
            )
            % {"moment": release.moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M")}
        )
    probe = _film_probe(release)
    duration = probe.duration if probe else (release.film.duration if release.film else None)
    if duration:
        lines.append(_("Duration: %(duration)s") % {"duration": _clock(duration)})
    if probe is not None:
        lines += _format_lines(probe)
    tracks = list(release.audio_tracks.all())
    if tracks:
        lines.append(_("Audio versions of the release (besides the film's own sound, separate downloads):"))
        lines += [f"  {track.language}: {track.label} ({track.get_kind_display()})" for track in tracks]
    languages = [f"{subtitle.language} ({subtitle.label})" for subtitle in release.subtitles.all()]
    if languages:
        lines.append(_("Subtitle languages: %(languages)s") % {"languages": ", ".join(languages)})
    lines.append("")
    lines.append(_("Files"))
    if master is not None:
        lines.append(_("  %(name)s   the film") % {"name": master_name})
    for name in subtitle_names:
        lines.append(_("  subtitles/%(name)s   subtitles") % {"name": name})
    if poster_name:
        lines.append(_("  %(name)s   the poster") % {"name": poster_name})
    lines.append(_("  CREDITS.txt   the credits"))
    film_license = _film_license(release)
    lines.append(
        _("  LICENSE.txt   the film's license: %(license)s (%(name)s)")
        % {"license": film_license, "name": LICENSES[film_license].name}
    )
    lines += [
        "",
        _(
            "The film is free: you may screen it, even for paying audiences, as its license says. "
            "Please show the credits in full."
        ),
        "",
        _("A production of %(studio)s: %(url)s")
        % {
            "studio": settings.STUDIO_NAME,
            "url": settings.SITE_URL + release.production.get_absolute_url(),
        },
    ]
    return "\n".join(lines) + "\n"


def _film_probe(release: Release) -> Probe | None:
    if release.film is None or not release.film.probe:
        return None
    try:
        return Probe.from_dict(release.film.probe)
    except (KeyError, TypeError):
        return None


def _format_lines(probe: Probe) -> list[str]:
    lines = [_("Container: %(format)s") % {"format": probe.demuxer}]
    video = probe.video
    if video is not None:
        size = video.display_size or (video.width, video.height)
        picture = _("Picture: %(codec)s, %(width)s×%(height)s") % {
            "codec": video.codec,
            "width": size[0] or "?",
            "height": size[1] or "?",
        }
        if video.frame_rate:
            picture += _(", %(rate)s frames per second") % {"rate": f"{video.frame_rate:g}"}
        if video.interlaced:
            picture += _(", interlaced")
        lines.append(picture)
    for stream in probe.streams:
        if stream.type != "audio":
            continue
        sound = _("Audio: %(codec)s") % {"codec": stream.codec}
        if stream.channels:
            sound += _(", %(channels)d channels") % {"channels": stream.channels}
        if stream.sample_rate:
            sound += _(", %(rate)d Hz") % {"rate": stream.sample_rate}
        if stream.language:
            sound += f" ({stream.language})"
        lines.append(sound)
    return lines


def _clock(seconds: float) -> str:
    whole = round(seconds)
    return f"{whole // 3600}:{whole % 3600 // 60:02d}:{whole % 60:02d}"


# --- Shared ---------------------------------------------------------------------------------------


def _film_license(release: Release) -> str:
    spdx_id = release.license or release.production.license
    if spdx_id not in LICENSES:
        raise ServiceError(
            "unknown_license",
            _("The film's license, %(license)s, is not a license the studio knows.") % {"license": spdx_id},
            field="license",
        )
    return spdx_id


def _date(release: Release) -> datetime:
    return release.moment or datetime.now(UTC)


def _slug(text: str) -> str:
    return slugify(text)[:50].strip("-") or "untitled"


def _extension(path: Path | None) -> str:
    extension = path.suffix.lower() if path is not None else ""
    return extension if _EXTENSION.fullmatch(extension) else ""


def _safe_name(name: str) -> str:
    """A file name that every system and the REUSE globbing take literally."""
    extension = PurePosixPath(name.replace("\\", "/")).suffix.lower()
    return safe_filename(name, extension=extension if _EXTENSION.fullmatch(extension) else ".bin")


def _unique(name: str, taken: set[str]) -> str:
    candidate, number = name, 1
    stem, dot, extension = name.rpartition(".")
    while candidate in taken:
        number += 1
        candidate = f"{stem}-{number}.{extension}" if dot else f"{name}-{number}"
    taken.add(candidate)
    return candidate


def _check_member_path(path: str) -> None:
    parts = path.split("/")
    if (
        not path
        or any(part in ("", ".", "..") for part in parts)
        or any(character in path for character in "\\*\0")
        or any(ord(character) < 32 for character in path)
    ):
        raise ValueError(f"not a path inside the archive: {path!r}")
    if path in _OWN_NAMES or parts[0] in _OWN_FOLDERS:
        raise ValueError(f"{path!r} is a name the bundle keeps for itself")


def _stored_file(item: ContributionFile) -> tuple[FieldFile, int, str] | None:
    """The stored bytes of a contribution's file: sent with the form, or an uploaded asset's original."""
    if item.file:
        return item.file, item.size, item.sha256
    asset = item.asset
    if asset is None or not asset.original or asset.status in (Asset.Status.VERIFYING, Asset.Status.REJECTED):
        return None
    return asset.original, asset.size, asset.sha256


def _reader(field_file: FieldFile, shown_as: str) -> Callable[[], Iterator[bytes]]:
    storage, name = field_file.storage, str(field_file.name)

    def chunks() -> Iterator[bytes]:
        try:
            opened = storage.open(name, "rb")
        except FileNotFoundError:
            raise ServiceError(
                "source_missing",
                _("A file of the sources is missing from storage: %(name)s.") % {"name": shown_as},
                field=shown_as,
            ) from None
        with opened:
            yield from opened.chunks(CHUNK_SIZE)

    return chunks
