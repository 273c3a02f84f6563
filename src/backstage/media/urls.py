from django.urls import path

from backstage.media import views

app_name = "media"

urlpatterns = [
    path("", views.asset_list, name="list"),
    path("upload/", views.upload, name="upload"),
    path("<uuid:pk>/", views.asset_detail, name="asset"),
    path("<uuid:pk>/progress/", views.asset_progress, name="progress"),
    path("<uuid:pk>/retry/", views.retry, name="retry"),
    path("<uuid:pk>/license/", views.set_license, name="license"),
    path("<uuid:pk>/delete/", views.delete, name="delete"),
    path("<uuid:pk>/avatar/", views.use_as_avatar, name="avatar"),
    path("<uuid:pk>/original/", views.original, name="original"),
    path("<uuid:pk>/r/<path:path>", views.rendition_file, name="rendition"),
]
