"""The source bundle and the cinema kit, unpacked and checked: ``reuse lint``, licenses, bytes.

These are building blocks of the release's background build: no person calls them, so there is
no permission to test here; who may download the archives is the release views' embargo.
"""

import hashlib
import io
import os
import subprocess
import sys
import tomllib
import tracemalloc
import zipfile
from datetime import UTC, datetime
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from PIL import Image

from backstage.accounts.models import Profile
from backstage.contributions.models import Contribution, ContributionFile, Status
from backstage.core.errors import ServiceError
from backstage.licensing.license_texts import license_text
from backstage.media.models import Asset
from backstage.productions.models import Call, CallKind, Production
from backstage.releases import bundles
from backstage.releases.bundles import (
    SourceItem,
    build_cinema_kit,
    build_sources_bundle,
    register_source_provider,
    sources_of,
)
from backstage.releases.models import AudioTrack, Release, Subtitle

REUSE = Path(sys.executable).parent / "reuse"
SUBTITLES = {
    "varsovie-express.pl.vtt": "WEBVTT\n\n00:00:01.000 --> 00:00:03.000\nDzień dobry.\n",
    "varsovie-express.fr.srt": "1\n00:00:01,000 --> 00:00:03,000\nBonjour.\n",
}
EXTRA = {
    "CREDITS.txt": b"Varsovie-Express\n\nMusic\n  Ania Kowalska\n",
    "credits.json": b'{"sections": []}',
    "subtitles/varsovie-express.pl.vtt": SUBTITLES["varsovie-express.pl.vtt"].encode(),
}


# --- Data -----------------------------------------------------------------------------------------


def contribution(
    studio, *, call: Call, title: str, license: str, status: str, author=None, hidden: bool = False
) -> Contribution:
    return Contribution.objects.create(
        call=call,
        author=author or studio.member,
        title=title,
        license=license,
        status=status,
        is_hidden=hidden,
    )


def attach(item: Contribution, name: str, data: bytes, position: int = 0) -> ContributionFile:
    stored = ContributionFile(
        contribution=item,
        name=name,
        kind="other",
        mime="application/octet-stream",
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        position=position,
    )
    stored.file.save(name, ContentFile(data), save=False)
    stored.save()
    return stored


def attach_asset(item: Contribution, name: str, data: bytes) -> ContributionFile:
    asset = Asset(
        owner=item.author,
        production=item.call.production,
        name=name,
        kind=Asset.Kind.AUDIO,
        mime="audio/flac",
        status=Asset.Status.READY,
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        license=item.license,
    )
    asset.original.save("original.flac", ContentFile(data), save=False)
    asset.save()
    return ContributionFile.objects.create(
        contribution=item,
        asset=asset,
        name=name,
        kind="audio",
        mime="audio/flac",
        size=len(data),
        sha256=asset.sha256,
    )


@pytest.fixture
def works(studio) -> dict[str, object]:
    """Accepted work in two calls, and work that must stay out: declined, withdrawn, pending, hidden."""
    Profile.objects.filter(user=studio.member).update(display_name="Ania Kowalska")
    music = Call.objects.create(
        production=studio.production, kind=CallKind.MUSIC, title_en="Music", created_by=studio.producer
    )
    casting = contribution(
        studio, call=studio.call, title="Ania: audition", license="CC-BY-4.0", status=Status.ACCEPTED
    )
    photo = os.urandom(30_000)
    notes = b"Ania's lines, read slowly.\n"
    attach(casting, "audition photo.JPG", photo, 0)
    attach(casting, "notes.txt", notes, 1)
    theme = contribution(
        studio,
        call=music,
        title="Main theme",
        license="CC0-1.0",
        status=Status.ACCEPTED,
        author=studio.crew,
    )
    flac = os.urandom(50_000)
    attach_asset(theme, "theme.flac", flac)
    # The same name twice in one contribution: both kept, under different names.
    attach(theme, "theme.flac", b"fLaC second take", 1)
    left_out = {}
    for title, status, hidden in [
        ("Declined", Status.DECLINED, False),
        ("Withdrawn", Status.WITHDRAWN, False),
        ("Submitted", Status.SUBMITTED, False),
        ("Shortlisted", Status.SHORTLISTED, False),
        ("Hidden", Status.ACCEPTED, True),
    ]:
        item = contribution(
            studio, call=music, title=title, license="CC-BY-SA-4.0", status=status, hidden=hidden
        )
        left_out[title] = attach(item, f"{title.lower()}.wav", os.urandom(1000))
    return {
        "casting": casting,
        "theme": theme,
        "photo": photo,
        "notes": notes,
        "flac": flac,
        "left_out": left_out,
    }


def unzip(archive: Path, folder: Path) -> Path:
    with zipfile.ZipFile(archive) as opened:
        assert opened.testzip() is None
        opened.extractall(folder)
    return folder


def reuse_lint(folder: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(REUSE), "--root", str(folder), "lint"], capture_output=True, text=True, timeout=120, check=False
    )


def annotations(folder: Path) -> dict[str, dict[str, str]]:
    parsed = tomllib.loads((folder / "REUSE.toml").read_text())
    assert parsed["version"] == 1
    return {item["path"]: item for item in parsed["annotations"]}


@pytest.fixture
def out(tmp_path) -> Path:
    """A folder for archives alone (MEDIA_ROOT is beside it), to see what a build leaves there."""
    folder = tmp_path / "out"
    folder.mkdir()
    return folder


# --- sources_of -----------------------------------------------------------------------------------


def test_sources_are_the_files_of_accepted_contributions_only(studio, works) -> None:
    items = sources_of(studio.production)

    casting, theme = works["casting"], works["theme"]
    year = casting.created_at.year
    assert [item.path for item in items] == [
        f"sources/cast/{casting.pk}-ania-audition/audition photo.jpg",
        f"sources/cast/{casting.pk}-ania-audition/notes.txt",
        f"sources/music/{theme.pk}-main-theme/theme.flac",
        f"sources/music/{theme.pk}-main-theme/theme-2.flac",
    ]
    assert [item.license for item in items] == ["CC-BY-4.0", "CC-BY-4.0", "CC0-1.0", "CC0-1.0"]
    assert items[0].copyright == f"{year} Ania Kowalska"
    assert items[2].copyright == f"{year} {studio.crew.username}"
    assert '"Ania: audition" by Ania Kowalska, CC-BY-4.0' in items[0].attribution
    assert casting.get_absolute_url() in items[0].attribution
    assert b"".join(items[2].chunks()) == works["flac"]  # the asset's original
    assert items[2].sha256 == hashlib.sha256(works["flac"]).hexdigest()


def test_sources_take_two_queries_whatever_their_number(studio, works, django_assert_num_queries) -> None:
    # Contributions with their call, production and author, then all their files with assets.
    with django_assert_num_queries(2):
        items = sources_of(studio.production)
    assert len(items) == 4


def test_sources_of_another_production_are_not_included(studio, works) -> None:
    other = Production.objects.create(slug="other", title="Other", created_by=studio.producer)

    assert sources_of(other) == []


@pytest.fixture
def providers(monkeypatch) -> None:
    # Each test registers its own providers on a copy of the registry.
    monkeypatch.setattr(bundles, "_providers", list(bundles._providers))


def screenplay_item(path: str = "screenplay/varsovie-express.fountain", license: str = "CC-BY-SA-4.0"):
    text = b"INT. NIGHT TRAIN - NIGHT\n\nAnia sits alone.\n"
    return SourceItem(
        path=path,
        license=license,
        copyright="2026 The writers' room",
        attribution="Screenplay by the writers' room, CC-BY-SA-4.0",
        size=len(text),
        chunks=lambda: [text],
        sha256=hashlib.sha256(text).hexdigest(),
    )


def test_a_registered_provider_adds_its_sources(studio, works, providers, release, tmp_path) -> None:
    def screenplay(production):
        assert production == studio.production
        return [screenplay_item()]

    register_source_provider(screenplay)
    register_source_provider(screenplay)  # twice is once

    paths = [item.path for item in sources_of(studio.production)]
    assert paths.count("screenplay/varsovie-express.fountain") == 1
    folder = unzip(
        build_sources_bundle(release=release, output=tmp_path / "s.zip", extra_files={}).path,
        tmp_path / "out",
    )
    assert (folder / "screenplay/varsovie-express.fountain").read_bytes().startswith(b"INT. NIGHT")
    assert annotations(folder)["screenplay/varsovie-express.fountain"]["SPDX-License-Identifier"] == (
        "CC-BY-SA-4.0"
    )
    assert reuse_lint(folder).returncode == 0


@pytest.mark.parametrize(
    "path", ["../escape.txt", "/etc/passwd", "a//b.txt", "README.txt", "LICENSES/MIT.txt", "glob*.txt", ""]
)
def test_a_provider_with_a_bad_path_is_refused(studio, providers, path) -> None:
    register_source_provider(lambda production: [screenplay_item(path=path)])
    with pytest.raises(ValueError):
        sources_of(studio.production)


def test_two_sources_at_one_path_are_refused(studio, providers) -> None:
    register_source_provider(lambda production: [screenplay_item(), screenplay_item()])
    with pytest.raises(ValueError):
        sources_of(studio.production)


@pytest.mark.parametrize("license", ["CC-BY-NC-4.0", "MIT", ""])
def test_a_source_under_an_unknown_license_is_refused(studio, providers, license) -> None:
    register_source_provider(lambda production: [screenplay_item(license=license)])
    with pytest.raises(ServiceError) as raised:
        sources_of(studio.production)
    assert raised.value.code == "unknown_license"


# --- The source bundle ----------------------------------------------------------------------------


def test_source_bundle_passes_reuse_lint_with_every_license_right(studio, works, release, tmp_path) -> None:
    reports: list[float] = []
    output = tmp_path / "build" / "varsovie-express-sources.zip"

    archive = build_sources_bundle(release=release, output=output, extra_files=EXTRA, progress=reports.append)

    assert archive.path == output and archive.size == output.stat().st_size
    assert os.listdir(output.parent) == [output.name]  # no temporary file left beside it
    assert reports[-1] == 1.0 and reports == sorted(reports)
    folder = unzip(output, tmp_path / "unpacked")
    lint = reuse_lint(folder)
    assert lint.returncode == 0, lint.stdout + lint.stderr
    assert "Congratulations" in lint.stdout

    casting, theme = works["casting"], works["theme"]
    year = casting.created_at.year
    found = annotations(folder)
    expected = {
        f"sources/cast/{casting.pk}-ania-audition/audition photo.jpg": (works["photo"], "CC-BY-4.0", "Ania Kowalska"),
        f"sources/cast/{casting.pk}-ania-audition/notes.txt": (works["notes"], "CC-BY-4.0", "Ania Kowalska"),
        f"sources/music/{theme.pk}-main-theme/theme.flac": (works["flac"], "CC0-1.0", studio.crew.username),
        f"sources/music/{theme.pk}-main-theme/theme-2.flac": (b"fLaC second take", "CC0-1.0", studio.crew.username),
    }  # fmt: skip
    for path, (data, spdx_id, author) in expected.items():
        assert (folder / path).read_bytes() == data
        assert found[path]["SPDX-License-Identifier"] == spdx_id
        assert found[path]["SPDX-FileCopyrightText"] == f"{year} {author}"
        assert found[path]["precedence"] == "override"
    # Declined, withdrawn, pending and hidden work is nowhere in the bundle.
    names = "\n".join(archive.names)
    for title, stored in works["left_out"].items():
        assert stored.name not in names, title
        assert title not in (folder / "ATTRIBUTION.txt").read_text()
    # The caller's files, under the film's license.
    for path, data in EXTRA.items():
        assert (folder / path).read_bytes() == data
        assert found[path]["SPDX-License-Identifier"] == release.license
    # One text per license used, the film's own included, and no other.
    assert sorted(path.name for path in (folder / "LICENSES").iterdir()) == sorted(
        {"CC-BY-4.0.txt", "CC0-1.0.txt", f"{release.license}.txt"}
    )
    assert (folder / "LICENSES" / "CC0-1.0.txt").read_text() == license_text("CC0-1.0")
    assert (folder / "LICENSE.txt").read_text() == license_text(release.license)
    readme = (folder / "README.txt").read_text()
    assert "Varsovie-Express" in readme and "REUSE.toml" in readme and release.license in readme
    attribution = (folder / "ATTRIBUTION.txt").read_text()
    assert '"Main theme" by crew, CC0-1.0' in attribution


def test_media_is_stored_and_text_is_deflated(studio, works, release, tmp_path) -> None:
    archive = build_sources_bundle(release=release, output=tmp_path / "s.zip", extra_files=EXTRA)

    with zipfile.ZipFile(archive.path) as opened:
        kinds = {info.filename: info.compress_type for info in opened.infolist()}
    for name, kind in kinds.items():
        media = name.endswith((".jpg", ".flac"))
        assert kind == (zipfile.ZIP_STORED if media else zipfile.ZIP_DEFLATED), name


def test_a_production_without_accepted_work_still_gets_a_valid_bundle(studio, release, tmp_path) -> None:
    folder = unzip(
        build_sources_bundle(release=release, output=tmp_path / "s.zip", extra_files={}).path,
        tmp_path / "out",
    )

    assert reuse_lint(folder).returncode == 0
    assert not (folder / "sources").exists()
    assert sorted(path.name for path in (folder / "LICENSES").iterdir()) == [f"{release.license}.txt"]


def test_reuse_lint_does_catch_a_missing_license_text(studio, works, release, tmp_path) -> None:
    # The check the bundle passes is a real one: without one license text the same tree fails.
    folder = unzip(
        build_sources_bundle(release=release, output=tmp_path / "s.zip", extra_files={}).path,
        tmp_path / "out",
    )
    (folder / "LICENSES" / "CC0-1.0.txt").unlink()

    assert reuse_lint(folder).returncode != 0


def test_the_same_release_gives_the_same_bytes(studio, works, release, tmp_path) -> None:
    first = build_sources_bundle(release=release, output=tmp_path / "a.zip", extra_files=EXTRA)
    second = build_sources_bundle(release=release, output=tmp_path / "b.zip", extra_files=EXTRA)

    assert first.path.read_bytes() == second.path.read_bytes()


@pytest.mark.parametrize(
    "name", ["../credits.txt", "/credits.txt", "README.txt", "REUSE.toml", "LICENSES/X.txt", "a//b", ""]
)
def test_bad_extra_file_names_are_refused(studio, release, out, name) -> None:
    with pytest.raises(ValueError):
        build_sources_bundle(release=release, output=out / "s.zip", extra_files={name: b"x"})
    assert list(out.iterdir()) == []


def test_an_extra_file_cannot_replace_a_source(studio, works, release, tmp_path) -> None:
    path = sources_of(studio.production)[0].path

    with pytest.raises(ValueError):
        build_sources_bundle(release=release, output=tmp_path / "s.zip", extra_files={path: b"x"})


def test_a_file_missing_from_storage_fails_and_leaves_the_previous_bundle(
    studio, works, release, out
) -> None:
    output = out / "s.zip"
    output.write_bytes(b"the previous bundle")
    stored = ContributionFile.objects.get(contribution=works["casting"], name="notes.txt")
    stored.file.storage.delete(stored.file.name)

    with pytest.raises(ServiceError) as raised:
        build_sources_bundle(release=release, output=output, extra_files=EXTRA)

    assert raised.value.code == "source_missing"
    assert output.read_bytes() == b"the previous bundle"
    assert os.listdir(out) == ["s.zip"]


def test_a_damaged_stored_file_fails_the_bundle(studio, works, release, out) -> None:
    asset = works["theme"].files.get(asset__isnull=False).asset
    with open(asset.original.path, "r+b") as damaged:
        damaged.write(b"\x00\x00\x00\x00")

    with pytest.raises(ServiceError) as raised:
        build_sources_bundle(release=release, output=out / "s.zip", extra_files={})

    assert raised.value.code == "source_changed"
    assert list(out.iterdir()) == []


def test_a_film_under_an_unknown_license_is_refused(studio, release, tmp_path) -> None:
    Release.objects.filter(pk=release.pk).update(license="CC-BY-NC-4.0")
    release.refresh_from_db()

    with pytest.raises(ServiceError) as raised:
        build_sources_bundle(release=release, output=tmp_path / "s.zip", extra_files={})
    assert raised.value.code == "unknown_license"


# --- The cinema kit -------------------------------------------------------------------------------


@pytest.fixture
def poster(tmp_path) -> Path:
    path = tmp_path / "inputs" / "poster-original.PNG"
    path.parent.mkdir()
    buffer = io.BytesIO()
    Image.new("RGB", (40, 60), "darkred").save(buffer, "PNG")
    path.write_bytes(buffer.getvalue())
    return path


@pytest.fixture
def described_release(release) -> Release:
    """The release with what ffprobe would have found in its master, its sound and subtitles."""
    film = release.film
    film.probe = {
        "format_name": "mov,mp4,m4a,3gp,3g2,mj2",
        "duration": 5423.4,
        "bit_rate": 8_000_000,
        "size": film.size,
        "streams": [
            {"index": 0, "type": "video", "codec": "h264", "width": 1920, "height": 1080, "frame_rate": 24.0},
            {"index": 1, "type": "audio", "codec": "aac", "channels": 6, "sample_rate": 48000, "language": "pol"},
        ],
    }  # fmt: skip
    film.save(update_fields=["probe"])
    AudioTrack.objects.create(release=release, language="pl", label="Polski", is_default=True)
    AudioTrack.objects.create(release=release, language="fr", label="Français", kind=AudioTrack.Kind.DUB)
    Subtitle.objects.create(release=release, language="fr", label="Français", text="WEBVTT\n")
    Subtitle.objects.create(release=release, language="pl", label="Polski", text="WEBVTT\n")
    return release


def test_cinema_kit_holds_master_subtitles_poster_credits_license_and_readme(
    described_release, poster, tmp_path
) -> None:
    release = described_release
    master = Path(release.film.original.path)
    reports: list[float] = []

    archive = build_cinema_kit(
        release=release,
        output=tmp_path / "kit" / "varsovie-express-cinema-kit.zip",
        master=master,
        subtitles=SUBTITLES,
        poster=poster,
        credits_text="Varsovie-Express\n\nDirected by …",
        progress=reports.append,
    )

    assert os.listdir(archive.path.parent) == [archive.path.name]
    assert reports[-1] == 1.0
    folder = unzip(archive.path, tmp_path / "unpacked")
    assert sorted(archive.names) == sorted(
        [
            "README.txt",
            "CREDITS.txt",
            "LICENSE.txt",
            "subtitles/varsovie-express.fr.srt",
            "subtitles/varsovie-express.pl.vtt",
            "poster.png",
            "varsovie-express.mp4",
        ]
    )
    assert (folder / "varsovie-express.mp4").read_bytes() == master.read_bytes()
    assert (folder / "poster.png").read_bytes() == poster.read_bytes()
    for name, text in SUBTITLES.items():
        assert (folder / "subtitles" / name).read_text() == text
    assert (folder / "CREDITS.txt").read_text() == "Varsovie-Express\n\nDirected by …\n"
    assert (folder / "LICENSE.txt").read_text() == license_text(release.license)
    readme = (folder / "README.txt").read_text()
    for expected in [
        "Varsovie-Express",
        "Duration: 1:30:23",
        "h264, 1920×1080, 24 frames per second",
        "aac, 6 channels, 48000 Hz (pol)",
        "pl: Polski (Original version)",
        "fr: Français (Dubbed version)",
        "Subtitle languages: fr (Français), pl (Polski)",
        "subtitles/varsovie-express.pl.vtt",
        "poster.png",
        release.license,
    ]:
        assert expected in readme, expected
    with zipfile.ZipFile(archive.path) as opened:
        assert opened.getinfo("varsovie-express.mp4").compress_type == zipfile.ZIP_STORED
        assert opened.getinfo("poster.png").compress_type == zipfile.ZIP_STORED
        assert opened.getinfo("subtitles/varsovie-express.pl.vtt").compress_type == zipfile.ZIP_DEFLATED


def test_cinema_kit_without_master_or_poster(release, tmp_path) -> None:
    archive = build_cinema_kit(
        release=release,
        output=tmp_path / "kit.zip",
        master=None,
        subtitles={},
        poster=None,
        credits_text="Credits\n",
    )

    assert sorted(archive.names) == ["CREDITS.txt", "LICENSE.txt", "README.txt"]
    with zipfile.ZipFile(archive.path) as opened:
        assert "not in this kit" in opened.read("README.txt").decode()


def test_cinema_kit_streams_a_large_master_without_reading_it_into_memory(release, tmp_path) -> None:
    master = tmp_path / "master.mov"
    block = os.urandom(1024 * 1024)
    with master.open("wb") as file:
        for _ in range(48):
            file.write(block)

    tracemalloc.start()
    try:
        archive = build_cinema_kit(
            release=release,
            output=tmp_path / "kit.zip",
            master=master,
            subtitles={},
            poster=None,
            credits_text="",
        )
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()

    assert peak < 8 * 1024 * 1024
    with zipfile.ZipFile(archive.path) as opened, opened.open("varsovie-express.mov") as inside:
        digest = hashlib.file_digest(inside, "sha256").hexdigest()
    assert digest == hashlib.sha256(master.read_bytes()).hexdigest()


@pytest.mark.parametrize("name", ["../x.vtt", "fr/x.vtt", "..", "", "a\\b.vtt", "x\n.vtt"])
def test_cinema_kit_refuses_bad_subtitle_names(release, out, name) -> None:
    with pytest.raises(ValueError):
        build_cinema_kit(
            release=release,
            output=out / "kit.zip",
            master=None,
            subtitles={name: "WEBVTT\n"},
            poster=None,
            credits_text="",
        )
    assert list(out.iterdir()) == []


def test_cinema_kit_failing_midway_leaves_nothing(release, out) -> None:
    unreadable = out / "master.mp4"
    unreadable.mkdir()  # a folder where the master should be: found, but not readable as a file

    with pytest.raises(IsADirectoryError):
        build_cinema_kit(
            release=release,
            output=out / "kit.zip",
            master=unreadable,
            subtitles=SUBTITLES,
            poster=None,
            credits_text="",
        )
    assert [path.name for path in out.iterdir()] == ["master.mp4"]


def test_archives_are_dated_at_the_release_moment(release, tmp_path) -> None:
    moment = datetime(2027, 3, 14, 20, 30, tzinfo=UTC)
    Release.objects.filter(pk=release.pk).update(moment=moment)
    release.refresh_from_db()

    archive = build_cinema_kit(
        release=release, output=tmp_path / "kit.zip", master=None, subtitles={}, poster=None, credits_text=""
    )

    with zipfile.ZipFile(archive.path) as opened:
        assert {info.date_time for info in opened.infolist()} == {(2027, 3, 14, 20, 30, 0)}


def test_a_moment_past_what_zip_dates_hold_is_dated_at_their_last_day(release, tmp_path) -> None:
    Release.objects.filter(pk=release.pk).update(moment=datetime(2200, 1, 1, 20, 0, tzinfo=UTC))
    release.refresh_from_db()

    archive = build_cinema_kit(
        release=release, output=tmp_path / "kit.zip", master=None, subtitles={}, poster=None, credits_text=""
    )

    with zipfile.ZipFile(archive.path) as opened:
        assert {info.date_time for info in opened.infolist()} == {(2107, 12, 31, 23, 59, 58)}
