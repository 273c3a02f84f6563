"""``backstage run``: prepare the database and static files, then run the web server and the worker.

The web server is gunicorn (a production WSGI server), static files are served by
WhiteNoise, and task workers run beside it; if any process stops, they all stop.
"""

import os
import signal
import subprocess
import sys
import time
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser


class Command(BaseCommand):
    help = "Run Backstage: migrate, collect static files, start the web server and the task workers."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default=os.environ.get("BACKSTAGE_HOST", "127.0.0.1"))
        parser.add_argument("--port", type=int, default=int(os.environ.get("BACKSTAGE_PORT", "8000")))
        parser.add_argument(
            "--web-workers", type=int, default=int(os.environ.get("BACKSTAGE_WEB_WORKERS", "2"))
        )
        # Several, so that one long transcode does not hold up the e-mails and the other files' renditions.
        parser.add_argument(
            "--task-workers", type=int, default=int(os.environ.get("BACKSTAGE_TASK_WORKERS", "2"))
        )
        parser.add_argument("--no-worker", action="store_true", help="Do not start the task workers.")

    def handle(self, *args: Any, **options: Any) -> None:
        call_command("migrate", interactive=False, verbosity=0)
        call_command("createcachetable", verbosity=0)
        call_command("collectstatic", interactive=False, verbosity=0)
        bind = f"{options['host']}:{options['port']}"
        web = [
            sys.executable, "-m", "gunicorn", "backstage.wsgi:application",
            "--bind", bind, "--workers", str(options["web_workers"]), "--threads", "4",
            "--worker-class", "gthread", "--access-logfile", "-", "--timeout", "120",
        ]  # fmt: skip
        processes = [subprocess.Popen(web)]  # noqa: S603 - fixed argument list
        if not options["no_worker"]:
            worker = [sys.executable, "-m", "backstage.cli", "worker"]
            for _number in range(max(1, options["task_workers"])):
                processes.append(subprocess.Popen(worker))  # noqa: S603
        self.stdout.write(
            self.style.SUCCESS(f"Backstage is running on http://{bind}/ (data in {settings.DATA_DIR})")
        )
        self._supervise(processes)

    def _supervise(self, processes: list[subprocess.Popen[bytes]]) -> None:
        stopping = False

        def stop(signum: int, frame: object) -> None:
            nonlocal stopping
            stopping = True

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        try:
            while not stopping and all(process.poll() is None for process in processes):
                time.sleep(0.5)
        finally:
            for process in processes:
                if process.poll() is None:
                    process.terminate()
            for process in processes:
                try:
                    process.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    process.kill()
        failed = [process for process in processes if process.returncode not in (0, -signal.SIGTERM, None)]
        if failed and not stopping:
            sys.exit(1)
