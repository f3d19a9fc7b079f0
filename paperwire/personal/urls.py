from django.urls import path, re_path

from paperwire.community.urls import PAPER_ID

from . import views

urlpatterns = [
    re_path(rf"^papers/{PAPER_ID}/save$", views.save, name="save"),
    re_path(rf"^papers/{PAPER_ID}/not-interested$", views.not_interested, name="not_interested"),
    re_path(rf"^papers/{PAPER_ID}/status$", views.reading_status, name="reading_status"),
    path("for-you", views.for_you, name="for_you"),
    path("for-you/hide-seen", views.hide_seen, name="hide_seen"),
    path("settings/interests", views.interests_page, name="interests"),
    path("settings/interests/reset", views.reset, name="interests_reset"),
    path("settings/follows", views.follows, name="follows"),
    path("settings/mutes", views.mutes, name="mutes"),
    path("settings/tokens", views.api_tokens, name="api_tokens"),
    path("settings/tokens/<int:token_id>/revoke", views.revoke_token, name="revoke_token"),
    path("authors/<path:name>", views.author, name="author"),
]
