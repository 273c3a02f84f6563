from django.urls import path

from backstage.licensing import views

app_name = "licensing"

urlpatterns = [
    path("", views.index, name="index"),
]
