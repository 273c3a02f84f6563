from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ContributionsConfig(AppConfig):
    name = "backstage.contributions"
    verbose_name = _("Contributions")

    def ready(self) -> None:
        from backstage.accounts.profile_sections import register
        from backstage.contributions.profile import SECTION

        register(SECTION)
