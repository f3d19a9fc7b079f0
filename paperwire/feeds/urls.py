from django.urls import path, re_path

from . import views
from .feeds import FEEDS

app_name = "feeds"

# Where each feed of feeds.FEEDS lives, before its .rss or .atom.
ROUTES = {
    "daily": "feeds/daily",
    "weekly": "feeds/weekly",
    "trending": "feeds/trending",
    "category": r"feeds/category/(?P<category>[^/]{1,64})",
    "search": "feeds/search",
    "saved": r"feeds/saved/(?P<token>[A-Za-z0-9_-]{1,64})",
}

urlpatterns = [
    re_path(rf"^{route}\.{fmt}$", view, name=f"feed-{name}-{fmt}")
    for name, route in ROUTES.items()
    for fmt, view in FEEDS[name].items()
] + [
    path("settings/searches/save", views.save_search, name="save-search"),
    path("settings/searches/<int:pk>/rename", views.rename, name="saved-rename"),
    path("settings/searches/<int:pk>/delete", views.delete, name="saved-delete"),
    path("settings/searches/<int:pk>/token", views.new_token, name="saved-token"),
    path("settings/searches/<int:pk>/digest", views.in_digest, name="saved-digest"),
]
