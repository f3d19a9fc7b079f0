"""One routes table: pages, the JSON API and the admin."""

from allauth.account.decorators import secure_admin_login
from django.contrib import admin
from django.urls import include, path

from paperwire.api.api import api

# The admin signs in through allauth's log-in page, with its rate limits (per IP address and
# per account), instead of Django's own admin log-in form, which has none.
admin.site.login = secure_admin_login(admin.site.login)  # type: ignore[method-assign]

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
    path("", include("paperwire.citations.urls")),
    path("", include("paperwire.portability.urls")),
    path("", include("paperwire.search.urls")),
    path("", include("paperwire.appearance.urls")),
    path("", include("paperwire.personal.urls")),
]
