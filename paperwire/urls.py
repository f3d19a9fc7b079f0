"""One routes table: pages, the JSON API and the admin."""

from django.contrib import admin
from django.urls import include, path

from paperwire.api.api import api

handler404 = "paperwire.papers.errors.not_found"
handler500 = "paperwire.papers.errors.server_error"

urlpatterns = [
    path("api/", api.urls),
    path("admin/", admin.site.urls),
    path("ingest/", include("paperwire.ingest.urls")),
    path("", include("paperwire.community.urls")),
    path("", include("paperwire.digests.urls")),
    path("", include("paperwire.papers.urls")),
    path("", include("paperwire.search.urls")),
    path("", include("paperwire.personal.urls")),
]
