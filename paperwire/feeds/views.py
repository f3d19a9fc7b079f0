"""Saved-search actions from the member's settings page; thin: the work is in saved.py."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from . import saved as ops
from .models import SavedSearch

# The settings page (paperwire.digests) lists the saved searches beside the member's subscription.
SETTINGS_URL = "digests:settings"


def _problem(request: HttpRequest, title: str, text: str, status: int) -> HttpResponse:
    return render(request, "message.html", {"title": title, "text": text}, status=status)


def _back(anchor: str = "") -> HttpResponse:
    return redirect(reverse(SETTINGS_URL) + (f"#{anchor}" if anchor else ""))


def _own(request: HttpRequest, pk: int) -> SavedSearch:
    # Another member's saved search answers like one that does not exist: nothing is revealed.
    return get_object_or_404(SavedSearch, pk=pk, user=request.user)


@login_required
@require_POST
def save_search(request: HttpRequest) -> HttpResponse:
    """Save the search the form names (from the search page) under a name."""
    try:
        saved = ops.save_search(
            request.user,
            name=request.POST.get("name", ""),
            query=request.POST.get("q", ""),
            sort=request.POST.get("sort", ""),
            mode=request.POST.get("mode", ""),
        )
    except ops.BadSavedSearch as e:
        return _problem(request, "Not saved", str(e), 400)
    messages.success(request, f"Saved the search “{saved.name}”.")
    return _back(f"saved-{saved.pk}")


@login_required
@require_POST
def rename(request: HttpRequest, pk: int) -> HttpResponse:
    """Rename one of the member's saved searches."""
    saved = _own(request, pk)
    try:
        ops.rename(saved, request.POST.get("name", ""))
    except ops.BadSavedSearch as e:
        return _problem(request, "Not renamed", str(e), 400)
    messages.success(request, f"Renamed to “{saved.name}”.")
    return _back(f"saved-{saved.pk}")


@login_required
@require_POST
def delete(request: HttpRequest, pk: int) -> HttpResponse:
    """Delete one of the member's saved searches (its feed URLs stop working)."""
    saved = _own(request, pk)
    saved.delete()
    messages.success(request, f"Deleted the saved search “{saved.name}”.")
    return _back("saved")


@login_required
@require_POST
def new_token(request: HttpRequest, pk: int) -> HttpResponse:
    """Give a saved search new private feed URLs; the old ones stop working."""
    saved = ops.regenerate_token(_own(request, pk))
    messages.success(request, f"New feed addresses for “{saved.name}”; the old ones no longer work.")
    return _back(f"saved-{saved.pk}")


@login_required
@require_POST
def in_digest(request: HttpRequest, pk: int) -> HttpResponse:
    """Turn a saved search's section of the member's digest on or off."""
    saved = ops.set_in_digest(_own(request, pk), request.POST.get("on") == "1")
    state = "in" if saved.in_digest else "no longer in"
    messages.success(request, f"“{saved.name}” is {state} your digest.")
    return _back(f"saved-{saved.pk}")
