"""The ``backstage`` command: ``run``, ``worker``, ``demo`` and everything ``manage.py`` does."""

import os
import sys

from django.core.management import execute_from_command_line

ALIASES = {"worker": "db_worker"}


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "backstage.settings")
    argv = list(sys.argv)
    if len(argv) > 1 and argv[1] in ALIASES:
        argv[1] = ALIASES[argv[1]]
    if len(argv) > 1 and argv[1] == "run":
        argv[1] = "serve"
    argv[0] = "backstage"
    execute_from_command_line(argv)


if __name__ == "__main__":
    main()
