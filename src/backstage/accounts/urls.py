from django.urls import path

from backstage.accounts import views

app_name = "accounts"

urlpatterns = [
    path("dashboard/", views.dashboard, name="dashboard"),
    path("settings/profile/", views.profile_edit, name="profile_edit"),
    path("settings/tokens/", views.tokens, name="tokens"),
    path("settings/tokens/<int:pk>/revoke/", views.token_revoke, name="token_revoke"),
    path("people/<str:username>/", views.profile_detail, name="profile"),
]
