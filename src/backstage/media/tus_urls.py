"""The resumable upload endpoint (tus protocol), mounted at ``/uploads/``."""

from django.urls import path

from backstage.media import tus

app_name = "tus"

urlpatterns = [
    path("", tus.upload_collection, name="uploads"),
    path("<uuid:upload_id>", tus.upload_resource, name="upload"),
]
