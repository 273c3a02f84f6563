"""The end-credits roll, rendered with the real FFmpeg: what comes out, the background task, the page."""

import subprocess
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from PIL import Image

from backstage.licensing import credit_services
from backstage.licensing.credits import build_credits
from backstage.licensing.credits_roll import drawable, render_credits_roll, roll_duration, scroll_step
from backstage.licensing.models import CreditsRoll
from backstage.media.ffmpeg import ffmpeg_binary, probe
from conftest import client_for, make_user

BASE = "/productions/varsovie-express/credits/"
DEJAVU = Path(django_settings.CREDITS_FONT)


def frame_at(video: Path, seconds: float, folder: Path) -> Image.Image:
    """The picture at that moment, as FFmpeg decodes it."""
    target = folder / f"frame-{seconds}.png"
    subprocess.run(
        [
            ffmpeg_binary(),
            "-v",
            "error",
            "-y",
            "-ss",
            str(seconds),
            "-i",
            str(video),
            "-frames:v",
            "1",
            str(target),
        ],
        check=True,
        timeout=60,
    )
    return Image.open(target).convert("L")


def bright_pixels(picture: Image.Image) -> int:
    return sum(picture.point(lambda level: 255 if level > 128 else 0).histogram()[255:])


def add_people(studio, count: int) -> None:
    for number in range(count):
        credit_services.add_person(
            actor=studio.producer,
            production=studio.production,
            section="other",
            name=f"Łucja Żółć {number}",
            role="Catering",
        )


def test_the_roll_is_an_h264_video_that_scrolls_the_credits(studio, accept, tmp_path):
    accept(make_user("ania"), "Ania reads Ania")
    output = tmp_path / "roll.mp4"
    seen: list[float] = []
    render_credits_roll(build_credits(studio.production), output, progress=seen.append)
    found = probe(output)
    video = found.video
    assert found.demuxer == "mov" and found.audio is None
    assert (video.codec, video.width, video.height, video.frame_rate) == ("h264", 1920, 1080, 25.0)
    expected = roll_duration(build_credits(studio.production))
    assert found.duration == pytest.approx(expected, abs=0.1)
    # It starts and ends on black; in the middle the names pass by.
    assert bright_pixels(frame_at(output, 0, tmp_path)) == 0
    assert bright_pixels(frame_at(output, found.duration / 2, tmp_path)) > 500
    assert bright_pixels(frame_at(output, found.duration - 0.1, tmp_path)) == 0
    # The progress rises to the end.
    assert seen == sorted(seen) and seen[-1] == 1.0 and len(seen) >= 3


def test_more_names_make_a_longer_roll_readers_can_follow(studio, tmp_path):
    durations = []
    for more in (0, 40):
        add_people(studio, more)
        output = tmp_path / f"roll-{more}.mp4"
        render_credits_roll(build_credits(studio.production), output, width=640, height=360)
        found = probe(output)
        assert (found.video.codec, found.video.width, found.video.height) == ("h264", 640, 360)
        durations.append(found.duration)
    assert durations[1] > durations[0] + 20
    # About ten seconds for a line to cross the screen (a whole number of pixels a frame: slower when small).
    for height in (720, 858, 1080, 2160):
        assert 9 <= height / (scroll_step(height) * 25) <= 12
    assert 9 <= 360 / (scroll_step(360) * 25) <= 15


def test_sizes_the_encoder_cannot_take_are_refused(studio, tmp_path):
    for width, height in [(641, 360), (640, 8), (8000, 4000)]:
        with pytest.raises(ValueError):
            render_credits_roll(
                build_credits(studio.production), tmp_path / "roll.mp4", width=width, height=height
            )
    assert not (tmp_path / "roll.mp4").exists()


def test_letters_the_built_in_font_lacks_lose_their_accents(settings):
    settings.CREDITS_FONT = ""
    assert drawable("Łucja Żółć, Éloïse Straße", 30) == "Lucja Zolc, Eloise Strasse"
    assert drawable("“Night train” · CC-BY", 30) == "“Night train” · CC-BY"


def test_the_shipped_font_draws_the_names_as_written(settings):
    assert DEJAVU.is_file() and DEJAVU.name == "DejaVuSans.ttf"
    settings.CREDITS_FONT = str(DEJAVU)
    assert drawable("Łucja Żółć, Иван", 30) == "Łucja Żółć, Иван"


def test_the_background_task_renders_the_roll_and_the_team_downloads_it(
    studio, accept, django_capture_on_commit_callbacks
):
    accept(make_user("ania"), "Ania reads Ania")
    client = client_for(studio.producer)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(BASE + "roll/", {"size": "1280x720"}, HTTP_ACCEPT_LANGUAGE="fr")
    assert response.status_code == 302 and response["Location"] == BASE + "#roll"
    roll = CreditsRoll.objects.get()
    assert (roll.status, roll.progress, roll.width, roll.height, roll.language) == (
        "ready",
        100,
        1280,
        720,
        "fr",
    )
    assert roll.digest == build_credits(studio.production).digest
    assert roll.duration and roll.finished_at and roll.file.name.endswith(".mp4")
    page = client.get(BASE).content.decode()
    download = BASE + f"roll/{roll.pk}/download/"
    assert f'href="{download}"' in page
    assert "The credits have changed" not in page
    for role in ["anonymous", "member", "staff"]:
        assert client_for(studio.person(role)).get(download).status_code == 404
    response = client_for(studio.crew).get(download)
    assert response.status_code == 200
    assert response["Content-Type"] == "video/mp4"
    assert (
        response["Content-Disposition"]
        == "attachment; filename*=UTF-8''varsovie-express-credits-roll-1280x720.mp4"
    )
    assert b"ftyp" in b"".join(response.streaming_content)[:16]
    # The progress address tells the page to reload once the rendering is over.
    progress = client.get(BASE + f"roll/{roll.pk}/progress/")
    assert progress.status_code == 286 and progress["HX-Refresh"] == "true"
    assert client_for(studio.member).get(BASE + f"roll/{roll.pk}/progress/").status_code == 404

    # A change of the credits says the roll is out of date; a new roll replaces the old one.
    credit_services.add_person(
        actor=studio.producer, production=studio.production, section="other", name="Marta"
    )
    assert "The credits have changed since this roll was rendered." in client.get(BASE).content.decode()
    old_file = Path(roll.file.path)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(BASE + "roll/", {"size": "1280x720"})
    newest = CreditsRoll.objects.get()
    assert newest.pk != roll.pk and newest.status == "ready"
    assert not old_file.exists()
    assert client.get(download).status_code == 404


def test_the_page_shows_the_progress_while_rendering(studio, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):
        roll = credit_services.request_roll(actor=studio.producer, production=studio.production)
    CreditsRoll.objects.filter(pk=roll.pk).update(status="running", progress=42)
    client = client_for(studio.director)
    page = client.get(BASE).content.decode()
    progress_url = BASE + f"roll/{roll.pk}/progress/"
    assert f'hx-get="{progress_url}" hx-trigger="every 1s"' in page
    assert '<progress max="100" value="42"' in page
    assert "Render the roll" not in page  # not for the director, and not while one renders
    fragment = client.get(progress_url)
    assert fragment.status_code == 200
    assert '<progress max="100" value="42"' in fragment.content.decode()
    assert client.get(BASE + f"roll/{roll.pk}/download/").status_code == 404  # not ready yet


def test_a_failed_rendering_says_so_and_can_be_tried_again(
    studio, settings, django_capture_on_commit_callbacks
):
    settings.FFMPEG_BINARY = "/bin/false"
    client = client_for(studio.producer)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(BASE + "roll/", {"size": "1920x1080"})
    roll = CreditsRoll.objects.get()
    assert (roll.status, roll.problem, roll.file.name) == ("failed", "ffmpeg_failed", "")
    page = client.get(BASE).content.decode()
    assert "The rendering failed. Try again" in page
    assert "Render the roll" in page


def test_a_missing_ffmpeg_is_told_as_such(studio, settings, django_capture_on_commit_callbacks):
    settings.FFMPEG_BINARY = "/nonexistent/ffmpeg"
    with django_capture_on_commit_callbacks(execute=True):
        credit_services.request_roll(actor=studio.producer, production=studio.production)
    roll = CreditsRoll.objects.get()
    assert (roll.status, roll.problem) == ("failed", "ffmpeg_missing")
    assert "media tools are not available" in client_for(studio.producer).get(BASE).content.decode()
