"""Preparing a release from real media: streams with every audio track, downloads, torrents, bundles.

The film and its dub go through the media pipeline (real FFmpeg), then the release's build; the
tests read what came out as a player, a torrent client and a projectionist would.
"""

import hashlib
import json
import subprocess
import zipfile
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import torf
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from freezegun import freeze_time

import backstage.urls  # noqa: F401 - built before time is frozen: the API schemas hold datetime types
from backstage.demo.media import add_made_file
from backstage.media.ffmpeg_probe import ffprobe_binary
from backstage.media.models import Asset
from backstage.releases import services, subtitle_services
from backstage.releases.files import stored_path
from backstage.releases.models import AudioTrack, Release, ReleaseFile
from conftest import client_for

pytestmark = pytest.mark.django_db(transaction=False)

SECONDS = 4
VTT = "WEBVTT\n\n00:00:00.500 --> 00:00:02.000\nDobry wieczór.\n\n00:00:02.500 --> 00:00:03.500\nBilety, proszę.\n"


def made(studio, name: str, mime: str, arguments: list[str], capture) -> Asset:
    with capture(execute=True):
        asset = add_made_file(studio.production, studio.producer, name=name, mime=mime, arguments=arguments)
    asset.refresh_from_db()
    assert asset.status == Asset.Status.READY, (asset.problem, asset.problem_detail)
    return asset


def prepare(studio, django_capture_on_commit_callbacks) -> Release:
    film = made(
        studio,
        "Varsovie-Express (final cut).avi",  # the name its maker gave; the content is MP4
        "video/mp4",
        [
            "-f", "lavfi", "-i", f"testsrc2=size=1280x720:rate=25:duration={SECONDS}",
            "-f", "lavfi", "-i", f"sine=frequency=330:sample_rate=48000:duration={SECONDS}",
            "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-c:a", "aac", "-f", "mp4",
        ],
        django_capture_on_commit_callbacks,
    )  # fmt: skip
    dub = made(
        studio,
        "dub.flac",
        "audio/flac",
        [
            "-f",
            "lavfi",
            "-i",
            f"sine=frequency=550:sample_rate=48000:duration={SECONDS}",
            "-c:a",
            "flac",
            "-f",
            "flac",
        ],
        django_capture_on_commit_callbacks,
    )
    producer = studio.producer
    release = services.create_release(
        actor=producer,
        production=studio.production,
        title="Varsovie-Express",
        film=film,
        moment=timezone.now() + timedelta(days=1),
    )
    services.add_audio_track(
        actor=producer, release=release, asset=None, kind="original", language="fr", label="Français"
    )
    services.add_audio_track(
        actor=producer,
        release=release,
        asset=dub,
        kind="dub",
        language="pl",
        label="Polski",
        attribution="Ania",
    )
    subtitle_services.add_subtitles(
        actor=producer, release=release, language="pl", file=SimpleUploadedFile("pl.vtt", VTT.encode())
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.prepare_files(actor=producer, release=release)
    release.refresh_from_db()
    assert release.build == Release.Build.READY, release.build_problem
    return services.schedule(actor=producer, release=release)


def probe(path: Path) -> dict:
    report = subprocess.run(
        [ffprobe_binary(), "-v", "error", "-show_format", "-show_streams", "-of", "json", str(path)],
        check=True,
        capture_output=True,
        timeout=60,
    )
    return json.loads(report.stdout)


def check_the_release_has_every_file_with_size_and_checksum(prepared: Release) -> None:
    files = {(item.kind, item.label): item for item in prepared.files.all()}
    kinds = {kind for kind, _label in files}
    assert kinds == {
        "film", "master", "audio", "subtitle", "credits_roll", "torrent", "sources", "sources_torrent", "cinema_kit"
    }  # fmt: skip
    # Each rung of the pipeline's ladder (init segments named per rung) becomes a download.
    assert {label for kind, label in files if kind == "film"} == {"360p", "720p"}
    assert {label for kind, label in files if kind == "audio"} == {"fr-original", "pl-dub"}
    assert {label for kind, label in files if kind == "subtitle"} == {"pl-vtt", "pl-srt"}
    assert files["master", ""].name == "varsovie-express-master.mp4"  # named by what it holds
    for item in files.values():
        path = stored_path(item)
        assert path.stat().st_size == item.size > 0
        assert hashlib.sha256(path.read_bytes()).hexdigest() == item.sha256
        assert item.license == "LAL-1.3"


def check_downloads_carry_the_license_in_their_metadata(prepared: Release) -> None:
    download = prepared.files.filter(kind="film").first()
    report = probe(stored_path(download))
    tags = {key.lower(): value for key, value in report["format"].get("tags", {}).items()}
    assert "Licence Art Libre 1.3" in tags["copyright"]
    assert "LAL-1.3" in tags["comment"] and tags["title"] == "Varsovie-Express"
    assert {stream["codec_type"] for stream in report["streams"]} == {"video", "audio"}
    dub = prepared.files.get(kind="audio", label="pl-dub")
    assert "Ania" in probe(stored_path(dub))["format"]["tags"]["copyright"]


def check_the_stream_offers_every_audio_track_as_an_alternate_rendition(prepared: Release) -> None:
    base = f"/productions/{prepared.production.slug}/releases/{prepared.slug}/stream/"
    client = client_for(None)
    with freeze_time(prepared.moment + timedelta(seconds=1)):
        master = client.get(base + "master.m3u8")
        assert master.status_code == 200
        text = b"".join(master.streaming_content).decode()
        assert text.count("#EXT-X-MEDIA:TYPE=AUDIO") == 2
        assert 'LANGUAGE="pl"' in text and 'NAME="Polski"' in text and "DEFAULT=YES" in text
        playlists = [line for line in text.splitlines() if line.endswith(".m3u8")]
        playlists += [line.split('URI="')[1].rstrip('"') for line in text.splitlines() if 'URI="' in line]
        for playlist in playlists:
            body = b"".join(client.get(base + playlist).streaming_content).decode()
            folder = playlist.rsplit("/", 1)[0]
            segments = [line for line in body.splitlines() if line and not line.startswith("#")]
            assert segments, playlist
            for segment in [*segments, "init.mp4"]:
                assert client.get(f"{base}{folder}/{segment}").status_code == 200


def check_the_torrent_is_valid_and_its_web_seeds_serve_the_files(prepared: Release) -> None:
    torrent_row = prepared.files.get(kind="torrent")
    torrent = torf.Torrent.read_stream(stored_path(torrent_row).open("rb"))
    assert torrent.infohash == torrent_row.info_hash
    rows = {item.name: item for item in prepared.files.filter(kind__in=["film", "master", "audio"])}
    assert {file.name for file in torrent.files} == set(rows)
    [seed] = torrent.webseeds
    client = client_for(None)
    with freeze_time(prepared.moment + timedelta(seconds=1)):
        joined = b""
        for file in torrent.files:
            url = seed + "/".join(file.parts)
            response = client.get(urlsplit(url).path)
            assert response.status_code == 200, url
            body = b"".join(response.streaming_content)
            assert body == stored_path(rows[file.name]).read_bytes()
            joined += body
        # Every piece's hash matches the bytes the web seeds serve.
        size = torrent.piece_size
        for number, digest in enumerate(torrent.hashes):
            assert hashlib.sha1(joined[number * size : (number + 1) * size]).digest() == digest
    with freeze_time(prepared.moment - timedelta(seconds=1)):
        assert client.get(urlsplit(seed + "/".join(torrent.files[0].parts)).path).status_code == 404


def check_the_cinema_kit_and_the_sources_hold_what_venues_and_remixers_need(prepared: Release) -> None:
    kit = zipfile.ZipFile(stored_path(prepared.files.get(kind="cinema_kit")))
    names = kit.namelist()
    assert any(name.endswith(".srt") for name in names) and any(name.endswith(".vtt") for name in names)
    assert any("master" in name or name.endswith(".mp4") for name in names)
    sources = zipfile.ZipFile(stored_path(prepared.files.get(kind="sources")))
    assert "REUSE.toml" in sources.namelist() and "CREDITS.txt" in sources.namelist()


def test_a_release_prepared_from_real_media(studio, django_capture_on_commit_callbacks):
    # One preparation (the slow part) read by every check, as the public would read it.
    prepared = prepare(studio, django_capture_on_commit_callbacks)
    check_the_release_has_every_file_with_size_and_checksum(prepared)
    check_downloads_carry_the_license_in_their_metadata(prepared)
    check_the_stream_offers_every_audio_track_as_an_alternate_rendition(prepared)
    check_the_torrent_is_valid_and_its_web_seeds_serve_the_files(prepared)
    check_the_cinema_kit_and_the_sources_hold_what_venues_and_remixers_need(prepared)
    check_the_desk_finds_the_prepared_subtitles_up_to_date(prepared, studio)
    check_changing_a_track_takes_the_release_back_to_preparation(prepared, studio)


def check_the_desk_finds_the_prepared_subtitles_up_to_date(prepared: Release, studio) -> None:
    desk = f"/productions/{studio.production.slug}/releases/{prepared.slug}/manage/"
    page = client_for(studio.producer).get(desk).content.decode()
    assert "Polski" in page and "Subtitles changed since the files were prepared" not in page


def check_changing_a_track_takes_the_release_back_to_preparation(prepared: Release, studio) -> None:
    track = AudioTrack.objects.get(release=prepared, language="pl")
    services.remove_audio_track(actor=studio.producer, track=track)
    prepared.refresh_from_db()
    assert not prepared.scheduled and prepared.build == Release.Build.NONE
    assert ReleaseFile.objects.filter(release=prepared).exists()  # the old files stay until the next build
