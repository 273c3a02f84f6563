from django.urls import path

from backstage.contributions import views

app_name = "contributions"

urlpatterns = [
    path("<slug:slug>/calls/<int:call_id>/contributions/", views.call_contributions, name="for_call"),
    path("<slug:slug>/calls/<int:call_id>/contribute/", views.contribute, name="contribute"),
    path("<slug:slug>/contributions/<int:pk>/", views.contribution_detail, name="detail"),
    path("<slug:slug>/contributions/<int:pk>/edit/", views.contribution_edit, name="edit"),
    path("<slug:slug>/contributions/<int:pk>/withdraw/", views.contribution_withdraw, name="withdraw"),
    path("<slug:slug>/contributions/<int:pk>/review/", views.contribution_review, name="review"),
    path("<slug:slug>/contributions/<int:pk>/vote/", views.contribution_vote, name="vote"),
    path("<slug:slug>/contributions/<int:pk>/files/<int:file_id>/", views.contribution_file, name="file"),
]
