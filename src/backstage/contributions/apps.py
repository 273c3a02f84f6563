from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ContributionsConfig(AppConfig):
    name = "backstage.contributions"
    verbose_name = _("Contributions")

    def ready(self) -> None:
        from backstage.accounts.profile_sections import register
        from backstage.contributions.media_access import readable_in_a_contribution
        from backstage.contributions.profile import SECTION
        from backstage.media import access

        register(SECTION)
        access.register(readable_in_a_contribution)
