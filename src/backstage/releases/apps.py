from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReleasesConfig(AppConfig):
    name = "backstage.releases"
    verbose_name = _("Releases")

    def ready(self) -> None:
        from backstage.licensing.credit_sources import register
        from backstage.media import access
        from backstage.releases.credits import audio_track_credits, subtitle_credits
        from backstage.releases.media_access import film_under_embargo

        register(subtitle_credits)
        register(audio_track_credits)
        access.register_hold(film_under_embargo)
