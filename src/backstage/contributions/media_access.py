"""A file attached to a contribution is readable by whoever may see that contribution."""

from django.contrib.auth.models import AnonymousUser

from backstage.accounts.models import User
from backstage.contributions.models import ContributionFile
from backstage.contributions.queries import is_public
from backstage.media.models import Asset
from backstage.productions.permissions import role_in


def readable_in_a_contribution(user: User | AnonymousUser, asset: Asset) -> bool:
    uses = ContributionFile.objects.filter(asset=asset).select_related("contribution__call__production")
    for use in uses:
        contribution = use.contribution
        if is_public(contribution):
            return True
        signed_in = user.is_authenticated and user.is_active
        if signed_in and (contribution.author_id == user.pk or role_in(user, contribution.call.production)):
            return True
    return False
