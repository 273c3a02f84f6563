from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ActivityConfig(AppConfig):
    """The production activity feed and people's notifications.

    Sits above productions and contributions: it listens to their signals, they never know it.
    """

    name = "backstage.activity"
    verbose_name = _("Activity")

    def ready(self) -> None:
        from backstage.activity import receivers

        receivers.connect()
