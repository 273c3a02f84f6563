"""How released films travel: an Atom feed of releases, and oEmbed for players on other sites."""

from datetime import datetime
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.contrib.syndication.views import Feed
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.urls import Resolver404, resolve, reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext as _

from backstage.core.translated import translated
from backstage.licensing.registry import get_license
from backstage.releases.models import Release
from backstage.releases.queries import film_access, public_film_releases

FEED_LENGTH = 30
EMBED_WIDTH, EMBED_HEIGHT = 960, 540
MAX_EMBED_WIDTH = 3840


class ReleaseFeed(Feed[Release, None]):
    """Films as they come out: an entry appears at the release moment, not before."""

    feed_type = Atom1Feed

    def title(self) -> str:
        return _("%(studio)s: released films") % {"studio": settings.STUDIO_NAME}

    def link(self) -> str:
        return reverse("home")

    def subtitle(self) -> str:
        return _("Every film of the studio, on the day it comes out, under a free license.")

    def items(self) -> list[Release]:
        return public_film_releases(limit=FEED_LENGTH)

    def item_title(self, item: Release) -> str:
        return (
            f"{item.title} ({item.production.title})" if item.title != item.production.title else item.title
        )

    def item_description(self, item: Release) -> str:
        license = get_license(item.license)
        return f"{translated(item, 'synopsis')}\n\n{license.name}: {license.url}"

    def item_link(self, item: Release) -> str:
        return reverse("releases:detail", kwargs={"slug": item.production.slug, "release_slug": item.slug})

    def item_pubdate(self, item: Release) -> datetime | None:
        return item.moment

    def item_updateddate(self, item: Release) -> datetime | None:
        return item.moment

    def item_guid(self, item: Release) -> str:
        return f"urn:uuid:{item.pk}"

    def item_guid_is_permalink(self) -> bool:
        return False


def oembed(request: HttpRequest) -> HttpResponse:
    """oEmbed 1.0 for a released film's page: the player in an iframe."""
    if request.GET.get("format", "json") != "json":
        return HttpResponse(status=501)  # the spec's answer for a format not offered
    try:
        address = urlsplit(request.GET.get("url", ""))
    except ValueError:  # such as "http://[", an unclosed IPv6 address
        raise Http404 from None
    if address.netloc and address.netloc != urlsplit(settings.SITE_URL).netloc:
        raise Http404
    try:
        match = resolve(address.path or "/")
    except Resolver404:
        raise Http404 from None
    if match.view_name != "releases:detail":
        raise Http404
    # Embeds are for everyone: what the public may not see is not embeddable, whoever asks.
    access = film_access(match.kwargs["slug"], match.kwargs["release_slug"], AnonymousUser())
    release = access.release
    width, height = _size(request)
    src = settings.SITE_URL + reverse(
        "releases:embed", kwargs={"slug": release.production.slug, "release_slug": release.slug}
    )
    html = (
        f'<iframe src="{src}" width="{width}" height="{height}" frameborder="0" '
        f'allow="fullscreen; picture-in-picture" allowfullscreen title="{_escape(release.title)}"></iframe>'
    )
    data = {
        "version": "1.0",
        "type": "video",
        "provider_name": settings.STUDIO_NAME,
        "provider_url": settings.SITE_URL + "/",
        "title": release.title,
        "author_name": release.production.title,
        "author_url": settings.SITE_URL + release.production.get_absolute_url(),
        "html": html,
        "width": width,
        "height": height,
        "license": get_license(release.license).spdx_id,
        "license_url": get_license(release.license).url,
    }
    return JsonResponse(data)


def _size(request: HttpRequest) -> tuple[int, int]:
    width = EMBED_WIDTH
    try:
        asked = int(request.GET.get("maxwidth", "0"))
    except ValueError:
        asked = 0
    if 0 < asked < width:
        width = asked
    width = max(160, min(width, MAX_EMBED_WIDTH))
    height = round(width * 9 / 16)
    try:
        most = int(request.GET.get("maxheight", "0"))
    except ValueError:
        most = 0
    if 0 < most < height:
        height = max(90, most)
        width = round(height * 16 / 9)
    return width, height


def _escape(text: str) -> str:
    from django.utils.html import escape

    return escape(text)
