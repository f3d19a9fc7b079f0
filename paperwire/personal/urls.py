from django.urls import path, re_path

from paperwire.community.urls import PAPER_ID

from . import feeds, library_views, views

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
    path("library", library_views.library_page, name="library"),
    path("library/import", library_views.import_papers, name="library_import"),
    path("collections", library_views.create_collection, name="collection_create"),
    path("collections/<int:pk>", library_views.collection_page, name="collection"),
    path("collections/<int:pk>/edit", library_views.collection_change, name="collection_change"),
    path("collections/<int:pk>/feed.rss", feeds.CollectionRss(), name="collection_rss"),
    path("collections/<int:pk>/feed.atom", feeds.CollectionAtom(), name="collection_atom"),
    re_path(r"^for-you/feed/(?P<token>[A-Za-z0-9_:.-]{1,200})\.rss$", feeds.ForYouRss(), name="for_you_rss"),
    re_path(
        r"^for-you/feed/(?P<token>[A-Za-z0-9_:.-]{1,200})\.atom$", feeds.ForYouAtom(), name="for_you_atom"
    ),
    path("authors/<path:name>", views.author, name="author"),
]
