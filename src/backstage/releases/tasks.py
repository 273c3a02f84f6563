"""Background work on releases: preparing their files."""

from django.utils import timezone
from django_tasks import task

from backstage.releases.models import Release


@task()
def build_release(*, release_id: str, token: str) -> None:
    # A second worker, a queued duplicate or a superseded preparation finds nothing to claim.
    claimed = Release.objects.filter(pk=release_id, build=Release.Build.QUEUED, build_token=token).update(
        build=Release.Build.RUNNING, updated_at=timezone.now()
    )
    if claimed:
        from backstage.releases.build import build

        build(release_id, token=token)
