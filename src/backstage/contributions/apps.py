from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ContributionsConfig(AppConfig):
    name = "backstage.contributions"
    verbose_name = _("Contributions")

    def ready(self) -> None:
        from backstage.accounts.profile_sections import register
        from backstage.contributions.credits import accepted_contribution_credits
        from backstage.contributions.media_access import readable_in_a_contribution
        from backstage.contributions.profile import SECTION
        from backstage.licensing import credit_sources
        from backstage.media import access

        register(SECTION)
        access.register(readable_in_a_contribution)
        credit_sources.register(accepted_contribution_credits)
