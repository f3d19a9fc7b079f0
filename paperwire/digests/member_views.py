"""A member's digest settings: their subscription and their saved searches; thin: the work is in
members.py (subscription) and paperwire.feeds.saved (saved searches)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from paperwire.feeds import queries
from paperwire.feeds.saved import search_path

from . import members
from .models import Subscription


def _problem(request: HttpRequest, title: str, text: str, status: int) -> HttpResponse:
    return render(request, "message.html", {"title": title, "text": text}, status=status)


def _back(anchor: str = "") -> HttpResponse:
    return redirect(reverse("digests:settings") + (f"#{anchor}" if anchor else ""))


@login_required
@require_GET
def digest_settings(request: HttpRequest) -> HttpResponse:
    """Show the member's subscription and saved searches, with their private feed URLs."""
    member: Any = request.user  # signed in: a User (login_required)
    searches = queries.member_searches(member)
    for s in searches:
        s.search_url = search_path(s.query, s.sort, s.mode)  # type: ignore[attr-defined]
    return render(
        request,
        "digests/settings.html",
        {
            "sub": members.member_subscription(request.user),
            "address": members.verified_address(request.user),
            "frequencies": Subscription.FREQUENCIES,
            "searches": searches,
        },
    )


@login_required
@require_POST
def subscription(request: HttpRequest) -> HttpResponse:
    """Subscribe the member's verified address (no confirmation round trip), or unsubscribe it."""
    now = timezone.now()
    if request.POST.get("action") == "unsubscribe":
        members.unsubscribe_member(request.user, now=now)
        messages.success(request, "You will get no more digests.")
        return _back("subscription")
    try:
        sub = members.subscribe_member(request.user, request.POST.get("frequency", ""), now=now)
    except members.NotVerified as e:
        return _problem(request, "Not subscribed", str(e), 403)
    except members.BadFrequency as e:
        return _problem(request, "Not subscribed", str(e), 400)
    messages.success(request, f"{sub.email} gets the {sub.get_frequency_display().lower()} digest.")
    return _back("subscription")
