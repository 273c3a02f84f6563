from typing import Any

from django.core.management.base import BaseCommand

from backstage.activity.services import send_digests


class Command(BaseCommand):
    help = "E-mail each person the daily digest of their notifications (run once a day; safe to rerun)."

    def handle(self, *args: Any, **options: Any) -> None:
        sent = send_digests()
        self.stdout.write(f"{sent} digest(s) queued.")
