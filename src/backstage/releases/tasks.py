"""Background work on releases: preparing their files."""

from django_tasks import task

from backstage.releases.models import Release


@task()
def build_release(*, release_id: str) -> None:
    # A second worker, or a queued duplicate, finds it no longer queued and leaves it.
    claimed = Release.objects.filter(pk=release_id, build=Release.Build.QUEUED).update(
        build=Release.Build.RUNNING
    )
    if claimed:
        from backstage.releases.build import build

        build(release_id)
