"""A file attached to a contribution is readable by whoever may see that contribution."""

from django.contrib.auth.models import AnonymousUser

from backstage.accounts.models import User
from backstage.contributions.models import ContributionFile
from backstage.contributions.queries import may_see
from backstage.media.models import Asset


def readable_in_a_contribution(user: User | AnonymousUser, asset: Asset) -> bool:
    uses = ContributionFile.objects.filter(asset=asset).select_related("contribution__call__production")
    return any(may_see(use.contribution, user) for use in uses)
