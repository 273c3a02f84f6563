"""API for files: what one is, with its license and attribution, and setting them."""

from datetime import datetime
from uuid import UUID

from django.http import HttpRequest
from ninja import Field, Router, Schema

from backstage.api.auth import WRITE_AUTH, ApiRequest, reader
from backstage.api.schemas import ERRORS, READ_ERRORS, InputSchema, LicenseId
from backstage.media import queries, services
from backstage.media.models import Asset

router = Router(tags=["files"])


class RenditionOut(Schema):
    kind: str
    label: str
    mime: str
    size: int
    width: int | None
    height: int | None


class AssetOut(Schema):
    id: UUID
    name: str
    kind: str
    status: str = Field(..., description="`verifying`, `processing`, `ready`, `failed` or `rejected`.")
    mime: str
    size: int = Field(..., description="Bytes.")
    sha256: str
    production: str | None = Field(..., description="The production it was uploaded for, if any.")
    license: str = Field(..., description="SPDX identifier; empty when none is given yet.")
    attribution: str = Field(..., description="Whom to credit when the file is used.")
    probe: dict[str, object] = Field(..., description="What FFmpeg found: duration, streams, codecs, sizes.")
    renditions: list[RenditionOut]
    created_at: datetime

    @staticmethod
    def resolve_production(obj: Asset) -> str | None:
        return obj.production.slug if obj.production is not None else None

    @staticmethod
    def resolve_renditions(obj: Asset) -> list[object]:
        return list(obj.renditions.all())


class LicenseIn(InputSchema):
    license: LicenseId
    attribution: str = Field("", max_length=services.MAX_ATTRIBUTION)


@router.get(
    "/assets/{asset_id}",
    response={200: AssetOut, **READ_ERRORS},
    auth=None,
    description="A file: for its uploader and its production's team, and for whoever may see where it is used.",
)
def get_asset(request: HttpRequest, asset_id: UUID) -> Asset:
    return queries.visible_asset(asset_id, reader(request))


@router.put(
    "/assets/{asset_id}/license",
    response={200: AssetOut, **ERRORS},
    auth=WRITE_AUTH,
    description="The uploader or the production's producers, directors and crew set the file's free license "
    "and whom to credit.",
)
def set_license(request: ApiRequest, asset_id: UUID, payload: LicenseIn) -> Asset:
    asset = queries.visible_asset(asset_id, request.auth)
    return services.set_license(
        actor=request.auth, asset=asset, license=payload.license, attribution=payload.attribution
    )
