from django.urls import path

from backstage.activity import views

app_name = "notifications"

urlpatterns = [
    path("notifications/", views.notification_list, name="list"),
    path("notifications/unread/", views.unread_fragment, name="unread"),
    path("notifications/read-all/", views.mark_all_read, name="read_all"),
    path("notifications/<int:pk>/", views.notification_open, name="open"),
    path("settings/notifications/", views.preferences, name="preferences"),
]
