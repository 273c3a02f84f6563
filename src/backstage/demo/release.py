"""The demo's release: a short cut of the film, its Polish dub, subtitles, screenings, opening soon.

The film and the dub are made with FFmpeg's own sources and go through the media pipeline like any
upload. Once the task workers have made them ready, a task prepares the release's files and
schedules it; the release moment is a few minutes after the demo is loaded, so that a newcomer sees
the countdown, then the film coming out by itself.
"""

import tempfile
import uuid
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from django_tasks import task
from PIL import Image, ImageDraw, ImageFont

from backstage.accounts.models import User
from backstage.demo.media import add_made_file
from backstage.media.models import Asset
from backstage.productions.models import Production
from backstage.releases import screenings, subtitle_services
from backstage.releases.build import build
from backstage.releases.models import AudioTrack, Release

FILM_SECONDS = 20
MINUTES_TO_RELEASE = 10
# How long the preparing task waits for the pipeline before giving up (checks every few seconds).
WAIT_SECONDS = 5
MOST_WAITS = 240

SUBTITLES = {
    "en": [
        ("00:00:01.000", "00:00:04.000", "Paris, Gare de l'Est. 22:14."),
        ("00:00:05.000", "00:00:08.500", "– Is this seat taken?\n– Only by my suitcase."),
        ("00:00:10.000", "00:00:13.000", "Border control. Documents, please."),
        ("00:00:15.000", "00:00:19.000", "Whose suitcase is this?"),
    ],
    "fr": [
        ("00:00:01.000", "00:00:04.000", "Paris, gare de l'Est. 22 h 14."),
        ("00:00:05.000", "00:00:08.500", "– Cette place est prise ?\n– Seulement par ma valise."),
        ("00:00:10.000", "00:00:13.000", "Contrôle des frontières. Vos papiers, s'il vous plaît."),
        ("00:00:15.000", "00:00:19.000", "À qui est cette valise ?"),
    ],
}

# Venue, address, city, country, IANA zone, local day offset and time, language, subtitles.
SCREENINGS = [
    ("Kino Muranów", "ul. Gen. Andersa 5", "Warszawa", "PL", "Europe/Warsaw", 0, "20:00", "fr", "pl"),
    ("Kino Pod Baranami", "Rynek Główny 27", "Kraków", "PL", "Europe/Warsaw", 1, "19:30", "fr", "pl"),
    ("Le Grand Action", "5 rue des Écoles", "Paris", "FR", "Europe/Paris", 0, "20:30", "fr", ""),
    ("Cinéma Comœdia", "13 avenue Berthelot", "Lyon", "FR", "Europe/Paris", 2, "18:00", "fr", "en"),
    ("Cinéma du Parc", "3575 avenue du Parc", "Montréal", "CA", "America/Toronto", 0, "19:00", "fr", "en"),
    ("Rio Cinema", "107 Kingsland High Street", "London", "GB", "Europe/London", 3, "21:00", "fr", "en"),
]


def add_release(production: Production, people: dict[str, User]) -> Release:
    producer = people["camille"]
    film = add_made_file(
        production,
        producer,
        name="Varsovie-Express – demo cut.mp4",
        mime="video/mp4",
        arguments=[
            "-f", "lavfi", "-i", f"testsrc2=size=1280x720:rate=25:duration={FILM_SECONDS}",
            "-f", "lavfi", "-i", f"sine=frequency=330:sample_rate=48000:duration={FILM_SECONDS}",
            "-c:v", "libx264", "-preset", "veryfast", "-pix_fmt", "yuv420p", "-c:a", "aac",
            "-movflags", "+faststart", "-f", "mp4",
        ],
    )  # fmt: skip
    dub = add_made_file(
        production,
        people["ines"],
        name="Varsovie-Express – ścieżka polska.flac",
        mime="audio/flac",
        arguments=[
            "-f", "lavfi", "-i", f"sine=frequency=550:sample_rate=48000:duration={FILM_SECONDS}",
            "-c:a", "flac", "-f", "flac",
        ],
    )  # fmt: skip
    with tempfile.TemporaryDirectory(prefix="backstage-demo-") as folder:
        poster = add_made_file(
            production,
            producer,
            name="Varsovie-Express – poster.png",
            mime="image/png",
            arguments=["-i", str(_poster(Path(folder))), "-frames:v", "1", "-c:v", "png", "-f", "image2"],
        )
    for asset in (film, dub, poster):
        Asset.objects.filter(pk=asset.pk).update(license=production.license, attribution="Kassandra")
    moment = (timezone.now() + timedelta(minutes=MINUTES_TO_RELEASE)).replace(second=0, microsecond=0)
    release = Release.objects.create(
        production=production,
        slug="premiere",
        title="Varsovie-Express",
        synopsis_en=production.synopsis_en,
        synopsis_fr=production.synopsis_fr,
        license=production.license,
        film=film,
        poster=poster,
        moment=moment,
        teaser_published=True,
        created_by=producer,
    )
    AudioTrack.objects.create(
        release=release, kind=AudioTrack.Kind.ORIGINAL, language="fr", label="Français (version originale)",
        is_default=True, position=1,
    )  # fmt: skip
    AudioTrack.objects.create(
        release=release, asset=dub, kind=AudioTrack.Kind.DUB, language="pl", label="Polski (dubbing)",
        attribution=people["ines"].display_name, position=2,
    )  # fmt: skip
    for language, cues in SUBTITLES.items():
        text = "WEBVTT\n\n" + "\n\n".join(f"{start} --> {end}\n{words}" for start, end, words in cues) + "\n"
        subtitle_services.add_subtitles(
            actor=people["ines"] if language == "fr" else producer,
            release=release,
            language=language,
            file=SimpleUploadedFile(f"{language}.vtt", text.encode(), content_type="text/vtt"),
        )
    for venue, address, city, country, zone, days, clock, language, subtitles in SCREENINGS:
        local = moment.astimezone(ZoneInfo(zone)) + timedelta(days=days)
        hour, minute = (int(part) for part in clock.split(":"))
        screenings.add_screening(
            actor=producer,
            release=release,
            venue=venue,
            address=address,
            city=city,
            country=country,
            time_zone=zone,
            local_start=datetime.combine(local.date() + timedelta(days=1), local.time()).replace(
                hour=hour, minute=minute, tzinfo=None
            ),
            language=language,
            subtitles=subtitles,
        )
    prepare_demo_release.using(run_after=timezone.now() + timedelta(seconds=WAIT_SECONDS)).enqueue(
        release_id=str(release.pk), waits=0
    )
    return release


def _poster(folder: Path) -> Path:
    """The demo poster: the title over a night-blue ground and the line of a train's windows."""
    width, height = 800, 1200
    image = Image.new("RGB", (width, height), (16, 28, 58))
    draw = ImageDraw.Draw(image)
    for row in range(height):
        shade = int(40 * row / height)
        draw.line([(0, row), (width, row)], fill=(16 + shade, 28 + shade, 58 + 2 * shade))
    for number in range(9):
        left = 40 + number * 82
        draw.rounded_rectangle([left, 700, left + 60, 760], radius=8, fill=(244, 196, 88))
    draw.rectangle([0, 780, width, 800], fill=(8, 12, 24))
    title = ImageFont.truetype(settings.CREDITS_FONT, size=84)
    small = ImageFont.truetype(settings.CREDITS_FONT, size=34)
    draw.text((width / 2, 260), "VARSOVIE", font=title, fill=(250, 250, 245), anchor="mm")
    draw.text((width / 2, 360), "EXPRESS", font=title, fill=(250, 250, 245), anchor="mm")
    draw.text((width / 2, 470), "Paris – Warszawa", font=small, fill=(244, 196, 88), anchor="mm")
    draw.text(
        (width / 2, 1080), "Kassandra · Licence Art Libre", font=small, fill=(200, 205, 220), anchor="mm"
    )
    path = folder / "poster.png"
    image.save(path, format="PNG")
    return path


@task()
def prepare_demo_release(*, release_id: str, waits: int) -> None:
    """Prepare and schedule the demo release once its film and dub are ready (waits for the pipeline)."""
    release = Release.objects.select_related("film").filter(pk=release_id).first()
    if release is None or release.scheduled:
        return
    used = [release.film_id, *release.audio_tracks.exclude(asset=None).values_list("asset", flat=True)]
    statuses = set(Asset.objects.filter(pk__in=used).values_list("status", flat=True))
    if statuses - {Asset.Status.READY}:
        if statuses & {Asset.Status.FAILED, Asset.Status.REJECTED} or waits >= MOST_WAITS:
            return
        prepare_demo_release.using(run_after=timezone.now() + timedelta(seconds=WAIT_SECONDS)).enqueue(
            release_id=release_id, waits=waits + 1
        )
        return
    token = uuid.uuid4().hex
    Release.objects.filter(pk=release.pk).update(build=Release.Build.RUNNING, build_token=token)
    build(release.pk, token=token)
    release.refresh_from_db()
    if release.build != Release.Build.READY:
        return
    # On a slow machine the moment may have passed while the files were made: open a little later.
    earliest = timezone.now() + timedelta(minutes=1)
    moment = release.moment if release.moment and release.moment > earliest else earliest
    Release.objects.filter(pk=release.pk).update(scheduled=True, moment=moment)
