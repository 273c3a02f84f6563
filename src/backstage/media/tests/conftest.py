"""Speaking tus in tests: a client, a record of what is handed to ingest, and a consistency check."""

import base64
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.db import connection
from django.http import HttpResponse
from django.test import Client

from backstage.accounts.models import User
from backstage.accounts.services import create_api_token
from backstage.media import ingest
from backstage.media.models import Upload


@pytest.fixture
def handed_to_ingest(monkeypatch) -> list[dict[str, Any]]:
    """Each upload the tus endpoint completes, as ingest receives it (ingest itself is not run)."""
    calls: list[dict[str, Any]] = []

    def record(upload: Upload) -> None:
        calls.append(
            {
                "id": upload.pk,
                "status": upload.status,
                "offset": upload.offset,
                "length": upload.length,
                "in_transaction": connection.in_atomic_block,
            }
        )

    monkeypatch.setattr(ingest, "upload_finished", record)
    return calls


def assert_consistent() -> None:
    """Each upload's partial file holds exactly the bytes its offset counts, and nothing else is there."""
    folder = Path(settings.TUS_UPLOAD_DIR)
    on_disk = {path.name: path for path in folder.iterdir()} if folder.exists() else {}
    expected = set()
    for upload in Upload.objects.all():
        name = f"{upload.pk}.part"
        assert 0 <= upload.offset <= upload.length
        if upload.status == Upload.Status.TERMINATED:
            assert name not in on_disk, f"a cancelled upload kept its file: {upload}"
            continue
        assert name in on_disk, f"an upload lost its file: {upload}"
        assert on_disk[name].stat().st_size == upload.offset, f"file and offset disagree: {upload}"
        if upload.status == Upload.Status.COMPLETE:
            assert upload.offset == upload.length
        expected.add(name)
    assert set(on_disk) == expected, f"stray files in the upload folder: {sorted(set(on_disk) - expected)}"


@pytest.fixture
def consistent_uploads(db, settings) -> Any:
    """After the test, the server's uploads and their files agree (used by every tus test)."""
    yield
    assert_consistent()


OFFSET_TYPE = "application/offset+octet-stream"


class Tus:
    """Speaks tus to the endpoint through Django's test client, as the holder of a token (or nobody)."""

    def __init__(self, token: str | None = None, client: Client | None = None) -> None:
        self.client = client or Client()
        self.headers = {"Tus-Resumable": "1.0.0"}
        if token is not None:
            self.headers["Authorization"] = f"Bearer {token}"

    def request(self, method: str, path: str, data: bytes = b"", **headers: str | None) -> HttpResponse:
        sent = {key: value for key, value in {**self.headers, **headers}.items() if value is not None}
        # As HTTP clients do, the type is sent even without data, and a PATCH always has a length.
        environ = {"CONTENT_TYPE": sent.pop("Content-Type")} if "Content-Type" in sent else {}
        if method == "PATCH":
            environ["CONTENT_LENGTH"] = str(len(data))
        return self.client.generic(method, path, data=data, headers=sent, **environ)

    def options(self, path: str = "/uploads/", **headers: str | None) -> HttpResponse:
        return self.request("OPTIONS", path, **headers)

    def create(self, length: int | str, metadata: str | None = None, **headers: str | None) -> HttpResponse:
        return self.request(
            "POST", "/uploads/", **{"Upload-Length": str(length), "Upload-Metadata": metadata, **headers}
        )

    def new(self, length: int, metadata: str | None = None) -> str:
        """Start an upload and return its path."""
        response = self.create(length, metadata)
        assert response.status_code == 201, response.content
        return urlsplit(response["Location"]).path

    def head(self, path: str, **headers: str | None) -> HttpResponse:
        return self.request("HEAD", path, **headers)

    def patch(self, path: str, data: bytes, offset: int, **headers: str | None) -> HttpResponse:
        return self.request(
            "PATCH", path, data, **{"Upload-Offset": str(offset), "Content-Type": OFFSET_TYPE, **headers}
        )

    def delete(self, path: str, **headers: str | None) -> HttpResponse:
        return self.request("DELETE", path, **headers)


def token_for(user: User) -> str:
    _token, clear = create_api_token(actor=user, name="uploads")
    return clear


@pytest.fixture
def tus_as(db) -> Callable[[User | None], Tus]:
    """A tus speaker for a person (with a personal API token) or for nobody."""
    return lambda user: Tus(token_for(user) if user is not None else None)


def upload_at(path: str) -> Upload:
    return Upload.objects.get(pk=path.rstrip("/").rsplit("/", 1)[-1])


def part_file(path: str) -> Path:
    return Path(settings.TUS_UPLOAD_DIR) / f"{upload_at(path).pk}.part"


def metadata(**values: str | bytes) -> str:
    """An Upload-Metadata header as clients write it."""
    return ",".join(
        f"{key} {base64.b64encode(value if isinstance(value, bytes) else value.encode()).decode()}"
        for key, value in values.items()
    )
