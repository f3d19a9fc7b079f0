"""One routes table: pages, the JSON API and the admin."""

from django.contrib import admin
from django.urls import include, path

from paperwire.api.api import api

handler404 = "paperwire.web.errors.not_found"
handler500 = "paperwire.web.errors.server_error"

urlpatterns = [
    path("api/", api.urls),
    path("admin/", admin.site.urls),
    path("ingest/", include("paperwire.ingest.urls")),
    path("", include("paperwire.community.urls")),
    path("", include("paperwire.digests.urls")),
    path("", include("paperwire.feeds.urls")),
    path("", include("paperwire.web.urls")),
    path("", include("paperwire.search.urls")),
]
