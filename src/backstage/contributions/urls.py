from django.urls import path

from backstage.contributions import comment_views, views

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
    path(
        "<slug:slug>/contributions/<int:pk>/comments/", comment_views.comment_on_contribution, name="comment"
    ),
    path("<slug:slug>/calls/<int:call_id>/comments/", comment_views.comment_on_call, name="call_comment"),
    path("<slug:slug>/comments/<int:comment_id>/reply/", comment_views.comment_reply, name="comment_reply"),
    path("<slug:slug>/comments/<int:comment_id>/edit/", comment_views.comment_edit, name="comment_edit"),
]
