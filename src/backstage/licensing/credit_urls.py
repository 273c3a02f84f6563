"""The credits of a production, for its team: mounted at productions/<slug>/credits/."""

from django.urls import path

from backstage.licensing import credit_views as views

app_name = "credits"

urlpatterns = [
    path("", views.credits_page, name="page"),
    path("credits.txt", views.export_text, name="text"),
    path("credits.json", views.export_json, name="json"),
    path("credits.html", views.export_html, name="html"),
    path("sections/move/", views.move_section, name="move_section"),
    path("people/", views.add_person, name="add_person"),
    path("people/<int:pk>/edit/", views.edit_person, name="edit_person"),
    path("people/<int:pk>/remove/", views.remove_person, name="remove_person"),
    path("exclusions/", views.exclude, name="exclude"),
    path("exclusions/<int:pk>/restore/", views.restore, name="restore"),
    path("roll/", views.render_roll, name="render_roll"),
    path("roll/<int:pk>/progress/", views.roll_progress, name="roll_progress"),
    path("roll/<int:pk>/download/", views.roll_download, name="roll_download"),
]
