from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from django.views.static import serve

from backstage.api.api import api
from backstage.productions import views as production_views

urlpatterns = [
    path("", production_views.home, name="home"),
    path("productions/", include("backstage.moderation.urls")),
    path("productions/<slug:slug>/releases/", include("backstage.releases.urls")),
    path("productions/<slug:slug>/credits/", include("backstage.licensing.credit_urls")),
    path("productions/", include("backstage.contributions.urls")),
    path("productions/", include("backstage.activity.urls")),
    path("productions/", include("backstage.productions.urls")),
    path("licenses/", include("backstage.licensing.urls")),
    path("", include("backstage.releases.site_urls")),
    path("uploads/", include("backstage.media.tus_urls")),
    path("assets/", include("backstage.media.urls")),
    path("", include("backstage.accounts.urls")),
    path("", include("backstage.activity.notification_urls")),
    path("accounts/", include("allauth.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/v1/", api.urls),
    path("admin/", admin.site.urls),
]

if settings.STORAGES["default"]["BACKEND"].endswith("FileSystemStorage"):
    # Avatars are public; every other stored file goes through a view that checks who may read it.
    urlpatterns.append(
        path("media/avatars/<path:path>", serve, {"document_root": settings.MEDIA_ROOT / "avatars"})
    )
