from django.urls import include, path, re_path

from backstage.releases import file_views, views

app_name = "releases"

# Under /productions/<slug>/releases/.
urlpatterns = [
    path("", views.release_list, name="list"),
    path("new/", views.release_create, name="create"),
    path("<slug:release_slug>/", views.release_detail, name="detail"),
    path("<slug:release_slug>/manage/", views.release_manage, name="manage"),
    path("<slug:release_slug>/manage/progress/", views.release_progress, name="progress"),
    path("<slug:release_slug>/manage/delete/", views.release_delete, name="delete"),
    path("<slug:release_slug>/manage/tracks/new/", views.track_add, name="track_add"),
    path("<slug:release_slug>/manage/tracks/<int:pk>/remove/", views.track_remove, name="track_remove"),
    re_path(
        r"^(?P<release_slug>[-a-zA-Z0-9_]+)/manage/(?P<action>prepare|schedule|postpone|publish-teaser|hide-teaser)/$",
        views.release_action,
        name="action",
    ),
    path("<slug:release_slug>/files/<str:name>", file_views.release_file, name="file"),
    path("<slug:release_slug>/seed/", file_views.seed_root, name="seed_root"),
    path("<slug:release_slug>/seed/<path:path>", file_views.seed_file, name="seed"),
    path("<slug:release_slug>/stream/master.m3u8", file_views.stream_master, name="stream_master"),
    path("<slug:release_slug>/stream/<path:path>", file_views.stream_file, name="stream"),
    re_path(
        r"^(?P<release_slug>[-a-zA-Z0-9_]+)/art/(?P<which>poster|trailer)/(?P<path>.+)$",
        file_views.asset_file,
        name="asset",
    ),
    path("<slug:release_slug>/captions/<str:language>.vtt", file_views.caption, name="caption"),
    path("<slug:release_slug>/credits/", file_views.credits_page, name="credits"),
    path("<slug:release_slug>/credits.txt", file_views.credits_text, name="credits_text"),
    path("<slug:release_slug>/credits.json", file_views.credits_json, name="credits_json"),
    path("<slug:release_slug>/embed/", file_views.embed, name="embed"),
    path("", include("backstage.releases.subtitle_urls")),
    path("", include("backstage.releases.screening_urls")),
]
