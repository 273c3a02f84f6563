from django.conf import settings
from django.http import HttpRequest


def site(request: HttpRequest) -> dict[str, object]:
    return {"STUDIO_NAME": settings.STUDIO_NAME, "SITE_URL": settings.SITE_URL}
