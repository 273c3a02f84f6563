from django.urls import path, re_path

from backstage.moderation import views

app_name = "moderation"

KIND = r"(?P<kind>contribution|comment)"

urlpatterns = [
    path("<slug:slug>/moderation/", views.queue, name="queue"),
    re_path(rf"^(?P<slug>[-a-zA-Z0-9_]+)/report/{KIND}/(?P<pk>[0-9]+)/$", views.report, name="report"),
    re_path(rf"^(?P<slug>[-a-zA-Z0-9_]+)/moderation/hide/{KIND}/(?P<pk>[0-9]+)/$", views.hide, name="hide"),
    re_path(
        rf"^(?P<slug>[-a-zA-Z0-9_]+)/moderation/unhide/{KIND}/(?P<pk>[0-9]+)/$", views.unhide, name="unhide"
    ),
    path("<slug:slug>/moderation/reports/<int:pk>/dismiss/", views.dismiss, name="dismiss"),
    path("<slug:slug>/moderation/blocks/<int:user_id>/remove/", views.unblock, name="unblock"),
]
