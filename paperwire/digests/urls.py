from django.urls import path, re_path

from . import member_views, views

app_name = "digests"

urlpatterns = [
    path("digests/subscribe", views.subscribe, name="subscribe"),
    re_path(r"^digests/confirm/(?P<token>[^/]{1,200})$", views.confirm, name="confirm"),
    re_path(r"^digests/unsubscribe/(?P<token>[^/]{1,200})$", views.unsubscribe, name="unsubscribe"),
    path("settings/digest", member_views.digest_settings, name="settings"),
    path("settings/digest/subscription", member_views.subscription, name="member-subscription"),
]
