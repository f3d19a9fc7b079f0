from django.urls import include, path, re_path

from . import views

PAPER_ID = r"(?P<arxiv_id>[^/]+(?:/[^/]+)?)"  # checked by the view, which names what is wrong

urlpatterns = [
    path("accounts/", include("allauth.urls")),
    path("about", views.about, name="about"),
    path("submit", views.submit_paper, name="submit"),
    path("settings/profile", views.profile_settings, name="profile_settings"),
    path("members/<str:username>", views.member_profile, name="member"),
    re_path(rf"^papers/{PAPER_ID}/vote$", views.vote, name="vote"),
    re_path(rf"^papers/{PAPER_ID}/comments$", views.comment_create, name="comment_create"),
    path("comments/<str:comment_id>/edit", views.comment_edit, name="comment_edit"),
    path("comments/<str:comment_id>/delete", views.comment_delete, name="comment_delete"),
    path("comments/<str:comment_id>/report", views.comment_report, name="comment_report"),
]
