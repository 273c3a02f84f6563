from typing import Any

from django.core.management.base import BaseCommand

from backstage.media.uploads import expire_uploads


class Command(BaseCommand):
    help = (
        "Delete unfinished uploads past their expiry and cancelled ones, with their partial files "
        "(run it every hour or so; safe to rerun)."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        expired = expire_uploads()
        self.stdout.write(
            f"{expired.uploads} expired or cancelled upload(s) deleted, {expired.files} partial file(s) removed."
        )
