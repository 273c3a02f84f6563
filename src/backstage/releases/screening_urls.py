from django.urls import path, re_path

from backstage.releases import screening_views as views

# Under /productions/<slug>/releases/ (namespace "releases").
urlpatterns = [
    path("<slug:release_slug>/screenings/", views.screening_list, name="screenings"),
    path("<slug:release_slug>/screenings.ics", views.release_calendar, name="screenings_calendar"),
    re_path(
        r"^(?P<release_slug>[-a-zA-Z0-9_]+)/screenings/(?P<country>[A-Za-z]{2})/(?P<city>[^/]+)\.ics$",
        views.city_calendar,
        name="screenings_city_calendar",
    ),
    path("<slug:release_slug>/screenings/manage/", views.screenings_manage, name="screenings_manage"),
    path("<slug:release_slug>/screenings/<int:pk>/edit/", views.screening_edit, name="screening_edit"),
    path("<slug:release_slug>/screenings/<int:pk>/delete/", views.screening_delete, name="screening_delete"),
]
