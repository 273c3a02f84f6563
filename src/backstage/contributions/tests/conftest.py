import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from backstage.contributions import services
from backstage.contributions.models import Contribution
from backstage.core.uploads import validate_upload


def png_upload(name: str = "poster.png", color: tuple[int, int, int] = (180, 20, 20)) -> SimpleUploadedFile:
    data = io.BytesIO()
    Image.new("RGB", (40, 30), color).save(data, format="PNG")
    return SimpleUploadedFile(name, data.getvalue(), content_type="image/png")


def validated(upload: SimpleUploadedFile) -> SimpleUploadedFile:
    """An upload as the form leaves it for the service: checked, with its findings attached."""
    upload.validated = validate_upload(
        upload, max_bytes=10_000_000, allowed_kinds=frozenset({"image", "text", "pdf", "audio", "video"})
    )  # type: ignore[attr-defined]
    return upload


@pytest.fixture
def submit(studio):
    def submit(
        author=None, *, call=None, title="A poster", license="CC-BY-SA-4.0", files=(), sources=(), **extra
    ) -> Contribution:
        return services.submit_contribution(
            actor=author or studio.member,
            call=call or studio.call,
            title=title,
            description=extra.get("description", "With **love**."),
            license=license,
            links=extra.get("links", []),
            files=[validated(item) for item in files],
            sources=list(sources),
        )

    return submit
