from django.urls import path, re_path

from backstage.productions import views

app_name = "productions"

urlpatterns = [
    path("", views.production_list, name="list"),
    path("new/", views.production_create, name="create"),
    re_path(
        r"^invitations/(?P<pk>[0-9]+)/(?P<answer>accept|decline)/$",
        views.invitation_answer,
        name="invitation_answer",
    ),
    path("<slug:slug>/", views.production_detail, name="detail"),
    path("<slug:slug>/edit/", views.production_edit, name="edit"),
    path("<slug:slug>/follow/", views.follow_toggle, name="follow"),
    path("<slug:slug>/team/", views.team, name="team"),
    path("<slug:slug>/team/<int:pk>/role/", views.member_role, name="member_role"),
    path("<slug:slug>/team/<int:pk>/remove/", views.member_remove, name="member_remove"),
    path("<slug:slug>/invitations/<int:pk>/cancel/", views.invitation_cancel, name="invitation_cancel"),
    path("<slug:slug>/calls/", views.call_list, name="calls"),
    path("<slug:slug>/calls/new/", views.call_create, name="call_create"),
    path("<slug:slug>/calls/<int:pk>/", views.call_detail, name="call"),
    path("<slug:slug>/calls/<int:pk>/edit/", views.call_edit, name="call_edit"),
    re_path(
        r"^(?P<slug>[-a-zA-Z0-9_]+)/calls/(?P<pk>[0-9]+)/(?P<state>close|reopen)/$",
        views.call_open_state,
        name="call_state",
    ),
]
