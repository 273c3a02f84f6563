from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProductionsConfig(AppConfig):
    name = "backstage.productions"
    verbose_name = _("Productions")

    def ready(self) -> None:
        from backstage.licensing import credit_sources
        from backstage.productions.credits import team_credits

        credit_sources.register(team_credits)
