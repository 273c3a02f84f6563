from django.urls import path

from backstage.activity import views

app_name = "activity"

urlpatterns = [
    path("<slug:slug>/activity/", views.production_activity, name="feed"),
]
