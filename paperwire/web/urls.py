from django.urls import path, re_path

from . import views

urlpatterns = [
    path("", views.home, name="home"),
    re_path(r"^papers/date/(?P<value>[^/]+)$", views.period_feed, {"kind": "date"}, name="day"),
    re_path(r"^papers/week/(?P<value>[^/]+)$", views.period_feed, {"kind": "week"}, name="week"),
    re_path(r"^papers/month/(?P<value>[^/]+)$", views.period_feed, {"kind": "month"}, name="month"),
    # Old-style ids carry a slash: /papers/hep-th/9302046.
    re_path(
        r"^papers/(?P<arxiv_id>[A-Za-z.-]+/\d{7}(?:v\d+)?|\d{4}\.\d{4,5}(?:v\d+)?)$",
        views.paper_detail,
        name="paper",
    ),
]
