"""The film of a release under embargo is its team's alone, wherever else its file is attached.

A dub or a trailer is not held back: a dub recorded through a call was heard with its contribution,
and the trailer is made to be shown.
"""

from django.db.models import Q
from django.utils import timezone

from backstage.media.models import Asset
from backstage.releases.models import Release


def film_under_embargo(asset: Asset) -> bool:
    not_out = Q(scheduled=False) | Q(moment__isnull=True) | Q(moment__gt=timezone.now())
    return Release.objects.filter(not_out, film=asset).exists()
