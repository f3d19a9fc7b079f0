from django.urls import path, re_path

from . import feeds, member_views, views

app_name = "digests"

urlpatterns = [
    path("digests/subscribe", views.subscribe, name="subscribe"),
    re_path(r"^digests/confirm/(?P<token>[^/]{1,200})$", views.confirm, name="confirm"),
    re_path(r"^digests/unsubscribe/(?P<token>[^/]{1,200})$", views.unsubscribe, name="unsubscribe"),
    path("feeds/daily.rss", feeds.DailyRss(), name="feed-daily-rss"),
    path("feeds/daily.atom", feeds.DailyAtom(), name="feed-daily-atom"),
    path("feeds/weekly.rss", feeds.WeeklyRss(), name="feed-weekly-rss"),
    path("feeds/weekly.atom", feeds.WeeklyAtom(), name="feed-weekly-atom"),
    path("feeds/trending.rss", feeds.TrendingRss(), name="feed-trending-rss"),
    path("feeds/trending.atom", feeds.TrendingAtom(), name="feed-trending-atom"),
    re_path(r"^feeds/category/(?P<category>[^/]{1,64})\.rss$", feeds.CategoryRss(), name="feed-category-rss"),
    re_path(
        r"^feeds/category/(?P<category>[^/]{1,64})\.atom$", feeds.CategoryAtom(), name="feed-category-atom"
    ),
    path("feeds/search.rss", feeds.SearchRss(), name="feed-search-rss"),
    path("feeds/search.atom", feeds.SearchAtom(), name="feed-search-atom"),
    re_path(
        r"^feeds/saved/(?P<token>[A-Za-z0-9_-]{1,64})\.rss$", feeds.SavedSearchRss(), name="feed-saved-rss"
    ),
    re_path(
        r"^feeds/saved/(?P<token>[A-Za-z0-9_-]{1,64})\.atom$", feeds.SavedSearchAtom(), name="feed-saved-atom"
    ),
    path("settings/digest", member_views.digest_settings, name="settings"),
    path("settings/digest/subscription", member_views.subscription, name="member-subscription"),
    path("settings/searches/save", member_views.save_search, name="save-search"),
    path("settings/searches/<int:pk>/rename", member_views.rename, name="saved-rename"),
    path("settings/searches/<int:pk>/delete", member_views.delete, name="saved-delete"),
    path("settings/searches/<int:pk>/token", member_views.new_token, name="saved-token"),
    path("settings/searches/<int:pk>/digest", member_views.in_digest, name="saved-digest"),
]
