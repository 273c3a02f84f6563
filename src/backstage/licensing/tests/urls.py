"""The site's addresses with the credits pages mounted where the site mounts them."""

from django.urls import include, path

from backstage.urls import urlpatterns as site

urlpatterns = [
    path("productions/<slug:slug>/credits/", include("backstage.licensing.credit_urls")),
    *site,
]
