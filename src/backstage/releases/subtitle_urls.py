from django.urls import path, re_path

from backstage.releases import subtitle_views as views

# Under /productions/<slug>/releases/ in the "releases" namespace.
SUBTITLES = r"^(?P<release_slug>[-a-zA-Z0-9_]+)/subtitles/(?P<language>[A-Za-z0-9-]{1,35})"

urlpatterns = [
    path("<slug:release_slug>/subtitles/", views.subtitle_list, name="subtitles"),
    path("<slug:release_slug>/subtitles/preview.mp4", views.film_preview, name="subtitle_preview"),
    re_path(SUBTITLES + r"/$", views.subtitle_editor, name="subtitle_editor"),
    re_path(SUBTITLES + r"/replace/$", views.subtitle_replace, name="subtitle_replace"),
    re_path(SUBTITLES + r"/delete/$", views.subtitle_delete, name="subtitle_delete"),
    re_path(
        SUBTITLES + r"/download\.(?P<file_format>vtt|srt)$", views.subtitle_download, name="subtitle_download"
    ),
]
