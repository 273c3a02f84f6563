from django.db import transaction
from django.template.loader import render_to_string
from django.utils import translation

from backstage.core.tasks import send_email


def queue_email(*, template: str, to: str, language: str, context: dict[str, object]) -> None:
    """Render ``<template>_subject.txt`` and ``<template>_message.txt`` in ``language`` and queue them.

    The task is enqueued once the current transaction commits, so a rolled-back
    change never sends mail.
    """
    with translation.override(language):
        subject = " ".join(render_to_string(f"{template}_subject.txt", context).split())
        body = render_to_string(f"{template}_message.txt", context)
    transaction.on_commit(lambda: send_email.enqueue(subject=subject, body=body, to=[to]))
