from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProductionsConfig(AppConfig):
    name = "backstage.productions"
    verbose_name = _("Productions")
