"""Error pages that look like the rest of the site (and answer JSON to JSON clients)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render


def not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """Return the 404 page."""
    if request.path.startswith("/api/") or request.GET.get("format") == "json":
        return JsonResponse({"error": "Not found"}, status=404)
    return render(request, "404.html", status=404)


def server_error(request: HttpRequest) -> HttpResponse:
    """Return the 500 page."""
    return render(request, "500.html", status=500)
