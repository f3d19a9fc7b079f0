from django.urls import path, re_path

from . import feeds, views

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
]
