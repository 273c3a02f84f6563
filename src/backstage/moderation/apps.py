from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ModerationConfig(AppConfig):
    """Reports, hiding and blocks: sits above contributions, whose content it moderates."""

    name = "backstage.moderation"
    verbose_name = _("Moderation")
