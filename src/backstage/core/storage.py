from collections.abc import Iterator
from contextlib import contextmanager

from django.core.files.storage import Storage


@contextmanager
def files_removed_on_failure() -> Iterator[list[tuple[Storage, str]]]:
    """Collects the files a write stores; if the write fails, they are deleted again.

    Use it outside the write's transaction (``with files_removed_on_failure() as written,
    transaction.atomic():``) so the rollback happens first, then the clean-up.
    """
    written: list[tuple[Storage, str]] = []
    try:
        yield written
    except BaseException:
        for storage, name in written:
            storage.delete(name)
        raise
