"""Background work of the activity app: telling many people at once."""

from django.db import transaction
from django_tasks import task

from backstage.accounts.models import User
from backstage.activity import services
from backstage.activity.models import Event, Kind
from backstage.activity.queries import EVENT_JOINS


@task()
def tell_followers_of_new_call(*, event_id: int) -> None:
    """Notify (and e-mail) every follower of a production of a call it opened.

    A production may have thousands of followers: writing their notifications and rendering their
    e-mails happens here, in the worker, not in the request that opened the call.
    """
    event = Event.objects.select_related(*EVENT_JOINS).filter(pk=event_id).first()
    if event is None:  # the call was deleted before the worker got to it
        return
    followers = User.objects.filter(
        follows__production_id=event.production_id, is_active=True
    ).select_related("profile")
    with transaction.atomic():
        services.notify(event=event, kind=Kind.NEW_CALL, recipients=followers)
