"""How released films travel: an Atom feed of releases, and oEmbed for players on other sites."""

from datetime import datetime
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.contrib.syndication.views import Feed
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.urls import Resolver404, resolve, reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.html import format_html
from django.utils.translation import gettext as _

from backstage.core.markdown import render_markdown
from backstage.core.translated import translated
from backstage.licensing.registry import get_license
from backstage.releases.models import Release
from backstage.releases.queries import film_access, public_film_releases

FEED_LENGTH = 30
EMBED_WIDTH, EMBED_HEIGHT = 960, 540


class ReleaseFeed(Feed[Release, None]):
    """Films as they come out: an entry appears at the release moment, not before."""

    feed_type = Atom1Feed

    def title(self) -> str:
        return _("%(studio)s: released films") % {"studio": settings.STUDIO_NAME}

    # Addresses from the site's own, not from whichever host name the request came by.
    def link(self) -> str:
        return settings.SITE_URL + reverse("home")

    def feed_url(self) -> str:
        return settings.SITE_URL + reverse("release_feed")

    def subtitle(self) -> str:
        return _("Every film of the studio, on the day it comes out, under a free license.")

    def items(self) -> list[Release]:
        return public_film_releases(limit=FEED_LENGTH)

    def item_title(self, item: Release) -> str:
        return (
            f"{item.title} ({item.production.title})" if item.title != item.production.title else item.title
        )

    def item_description(self, item: Release) -> str:
        """The synopsis as the film page shows it (Markdown, sanitised), then the license."""
        license = get_license(item.license)
        return render_markdown(translated(item, "synopsis")) + format_html(
            '<p><a href="{}">{}</a></p>', license.url, license.name
        )

    def item_link(self, item: Release) -> str:
        return settings.SITE_URL + reverse(
            "releases:detail", kwargs={"slug": item.production.slug, "release_slug": item.slug}
        )

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


def _asked(request: HttpRequest, name: str) -> int:
    try:
        return int(request.GET.get(name, "0"))
    except ValueError:
        return 0


def _size(request: HttpRequest) -> tuple[int, int]:
    """The player in 16:9, at its usual size or smaller: never above the consumer's maxwidth or
    maxheight, as oEmbed requires."""
    width = EMBED_WIDTH
    if (asked := _asked(request, "maxwidth")) > 0:
        width = min(width, asked)
    height = round(width * 9 / 16)
    if 0 < (most := _asked(request, "maxheight")) < height:
        height = most
        width = height * 16 // 9
    return max(1, width), max(1, height)


def _escape(text: str) -> str:
    from django.utils.html import escape

    return escape(text)
