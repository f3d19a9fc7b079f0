"""The staff page that shows how the ingestion runs went."""

from __future__ import annotations

from django.contrib.admin.views.decorators import staff_member_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from .queries import status_context


@staff_member_required
def status(request: HttpRequest) -> HttpResponse:
    """Show recent ingestion runs and harvest positions (staff only)."""
    return render(request, "ingest/status.html", status_context())
