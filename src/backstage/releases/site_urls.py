from django.urls import path

from backstage.releases import feeds

# At the site's root: the studio-wide feed of released films, and oEmbed.
urlpatterns = [
    path("releases/feed.atom", feeds.ReleaseFeed(), name="release_feed"),
    path("oembed", feeds.oembed, name="oembed"),
]
