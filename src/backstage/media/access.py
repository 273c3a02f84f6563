"""Who else may read an asset: the apps that use assets tell, so that this app need not know them.

An asset is its uploader's and its production team's; once attached to something public (a
contribution, a release), whoever may see that thing may see the file too. Each such app registers a
reader check in its AppConfig.ready(). An app may also hold a file back (a film under embargo): then
only its uploader and team may read it, wherever else it is attached.
"""

from collections.abc import Callable

from django.contrib.auth.models import AnonymousUser

from backstage.accounts.models import User
from backstage.media.models import Asset

ReaderCheck = Callable[[User | AnonymousUser, Asset], bool]
HoldCheck = Callable[[Asset], bool]

_checks: list[ReaderCheck] = []
_holds: list[HoldCheck] = []


def register(check: ReaderCheck) -> None:
    if check not in _checks:
        _checks.append(check)


def register_hold(check: HoldCheck) -> None:
    if check not in _holds:
        _holds.append(check)


def readable_where_used(user: User | AnonymousUser, asset: Asset) -> bool:
    """Whether a use of the asset lets this person read it, unless an app holds it back."""
    if any(hold(asset) for hold in _holds):
        return False
    return any(check(user, asset) for check in _checks)
