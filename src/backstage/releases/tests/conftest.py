"""A scheduled release of the studio's production, a week ahead, with a (small, real) film file."""

import hashlib
from datetime import timedelta

import pytest
from django.core.files.base import ContentFile
from django.utils import timezone

from backstage.media.models import Asset
from backstage.releases.models import Release

FILM_BYTES = b"\x00\x00\x00\x18ftypmp42" + bytes(range(256)) * 64


@pytest.fixture
def film(studio) -> Asset:
    asset = Asset(
        owner=studio.producer,
        production=studio.production,
        name="varsovie-express.mp4",
        kind=Asset.Kind.VIDEO,
        mime="video/mp4",
        status=Asset.Status.READY,
        size=len(FILM_BYTES),
        sha256=hashlib.sha256(FILM_BYTES).hexdigest(),
        license=studio.production.license,
        attribution="Kassandra",
    )
    asset.original.save("film.mp4", ContentFile(FILM_BYTES), save=False)
    asset.save()
    return asset


@pytest.fixture
def release(studio, film) -> Release:
    return Release.objects.create(
        production=studio.production,
        slug="premiere",
        title="Varsovie-Express",
        synopsis_en="Six strangers and a suitcase on the night train.",
        synopsis_fr="Six inconnus et une valise dans le train de nuit.",
        film=film,
        license=studio.production.license,
        moment=timezone.now() + timedelta(days=7),
        scheduled=True,
        created_by=studio.producer,
    )
