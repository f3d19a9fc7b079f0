"""The member's own pages and actions: signals, /for-you, interests. Each page has a JSON twin."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.middleware.csrf import get_token
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.views.decorators.http import require_POST

from paperwire.citations.exports import maybe_export
from paperwire.community import votes
from paperwire.community.views import BadInput, _back, _guard, _paper, handles_bad_input, is_htmx
from paperwire.middleware import bad_request
from paperwire.papers import queries
from paperwire.papers.periods import BadPeriod, Period, parse_period
from paperwire.params import page_number, wants_json

from . import interests, model, pages, ranking, signals, tokens
from . import render as buttons
from .interests import BadRule
from .models import ApiToken


def _state(request: HttpRequest) -> bool | None:
    state = request.POST.get("state", "")
    if state not in ("", "on", "off"):
        raise BadInput("state must be on or off.")
    return None if not state else state == "on"


def _target(request: HttpRequest, arxiv_id: str) -> tuple[Any, str, HttpResponse | None]:
    """Return the paper, its page's address, and a refusal when the member may not give signals."""
    paper = _paper(arxiv_id)
    here = reverse("paper", args=[paper.arxiv_id])
    return paper, here, _guard(request, "vote", here)


@require_POST
@handles_bad_input
def save(request: HttpRequest, arxiv_id: str) -> HttpResponse:
    """Save a paper to the member's library, or take it out (a toggle)."""
    paper, here, refused = _target(request, arxiv_id)
    if refused:
        return refused
    saved = signals.set_saved(request.user, paper, _state(request))
    if is_htmx(request):
        size = request.POST.get("size", "")
        token, back = get_token(request), _back(request, here)
        return HttpResponse(buttons.save_button(paper, saved, csrf_token=token, next_url=back, size=size))
    return redirect(_back(request, here))


@require_POST
@handles_bad_input
def not_interested(request: HttpRequest, arxiv_id: str) -> HttpResponse:
    """Mark a paper "not interested" (hidden for the member, a negative signal), or undo it."""
    paper, here, refused = _target(request, arxiv_id)
    if refused:
        return refused
    marked = signals.set_not_interested(request.user, paper, _state(request))
    if is_htmx(request):
        size = request.POST.get("size", "")
        token, back = get_token(request), _back(request, here)
        if size == "wide":
            return HttpResponse(
                buttons.not_interested_button(paper, marked, csrf_token=token, next_url=back, size=size)
            )
        if marked:
            return HttpResponse(buttons.collapsed_card(paper, csrf_token=token, next_url=back))
        return HttpResponse(render_to_string("papers/_card.html", {"paper": paper}, request=request))
    return redirect(_back(request, here))


@require_POST
@handles_bad_input
def reading_status(request: HttpRequest, arxiv_id: str) -> HttpResponse:
    """Set a library paper's reading status: to-read or read."""
    paper, here, refused = _target(request, arxiv_id)
    if refused:
        return refused
    try:
        signals.set_status(request.user, paper, request.POST.get("status", ""))
    except ValueError as e:
        raise BadInput(str(e)) from None
    return redirect(_back(request, here))


def _period(request: HttpRequest) -> Period | None:
    for kind in ("date", "week", "month"):
        if request.GET.get(kind):
            return parse_period(kind, request.GET[kind])
    day = queries.latest_day()
    return parse_period("date", day.isoformat()) if day else None


@login_required
def for_you(request: HttpRequest) -> HttpResponse:
    """Show the period's papers ranked for the member, each with why."""
    try:
        period = _period(request)
    except BadPeriod as e:
        return bad_request(request, str(e))
    if period is None:
        if wants_json(request):
            return JsonResponse({"papers": [], "total": 0})
        return render(request, "papers/empty.html")
    page = page_number(request)
    size = settings.PAGE_SIZE
    taste = model.taste_row(request.user)
    hide_seen = request.GET.get("hide_seen", "1" if taste.hide_seen else "0") == "1"

    def everything(limit: int) -> list[Any]:
        picks = ranking.for_you(request.user, period, hide_seen=hide_seen, offset=0, limit=limit).picks
        return [p.paper for p in picks]

    exported = maybe_export(request, everything, f"For you, {period.label}", f"for-you-{period.slug}")
    if exported is not None:
        return exported
    result = ranking.for_you(
        request.user,
        period,
        reveal=request.GET.get("show_hidden") == "1",
        hide_seen=hide_seen,
        offset=(page - 1) * size,
        limit=size,
    )
    ctx = pages.for_you_context(result, page, size, hide_seen)
    if wants_json(request):
        return JsonResponse(pages.for_you_json(ctx, request))
    # The upvote buttons ask once for the whole page (their tag only looks ahead on feed pages).
    pks = [p.paper.pk for p in result.picks]
    voted = votes.voted_ids(request.user, pks)
    request._paperwire_voted = {pk: pk in voted for pk in pks}  # type: ignore[attr-defined]
    request._paperwire_marks = {pk: result.marks for pk in pks}  # type: ignore[attr-defined]
    return render(request, "personal/for_you.html", ctx)


@login_required
@require_POST
def hide_seen(request: HttpRequest) -> HttpResponse:
    """Switch hiding of already-seen papers on /for-you on or off."""
    taste = model.taste_row(request.user)
    taste.hide_seen = request.POST.get("hide") == "1"
    taste.save(update_fields=["hide_seen"])
    return redirect(_back(request, reverse("for_you")))


@login_required
def interests_page(request: HttpRequest) -> HttpResponse:
    """List and edit follows and mutes, and show what the model has learned."""
    ctx = pages.interests_context(request.user)
    if wants_json(request):
        return JsonResponse(pages.interests_json(ctx))
    return render(request, "personal/interests.html", ctx)


def _rule_change(request: HttpRequest, add: Any, remove: Any, noun: str) -> HttpResponse:
    back = _back(request, reverse("interests"))
    if not request.user.is_authenticated:
        return redirect(f"{reverse('account_login')}?next={reverse('interests')}")
    kind, value = request.POST.get("kind", ""), request.POST.get("value", "")
    try:
        if request.POST.get("action") == "remove":
            remove(request.user, kind, value)
            done = f"No longer {noun}: {value}."
        else:
            row = add(request.user, kind, value)
            done = f"{noun.capitalize()}: {row.value}."
    except BadRule as e:
        if wants_json(request):
            return JsonResponse({"error": str(e)}, status=400)
        messages.error(request, str(e))
        return redirect(back)
    if wants_json(request):
        return JsonResponse(pages.interests_json(pages.interests_context(request.user)))
    messages.success(request, done)
    return redirect(back)


@require_POST
def follows(request: HttpRequest) -> HttpResponse:
    """Follow (or, with action=remove, unfollow) an author, a category or a query."""
    return _rule_change(request, interests.follow, interests.unfollow, "following")


@require_POST
def mutes(request: HttpRequest) -> HttpResponse:
    """Add (or, with action=remove, lift) a mute rule for an author, a category or a word."""
    return _rule_change(request, interests.mute, interests.unmute, "muting")


@login_required
@require_POST
def reset(request: HttpRequest) -> HttpResponse:
    """Forget the learned model; with clear=1 also delete the saves and marks it learned from."""
    clear = request.POST.get("clear") == "1"
    model.forget(request.user, clear_signals=clear)
    messages.success(
        request,
        "Your model is forgotten"
        + (" and your saves and marks are cleared." if clear else "; your library is kept."),
    )
    return redirect(reverse("interests"))


def author(request: HttpRequest, name: str) -> HttpResponse:
    """Show an author's papers here, newest first, with a button to follow them."""
    name = " ".join(name.split())[:200]
    if not name:
        raise Http404("No such author")
    ctx = pages.author_context(request.user, name)
    if wants_json(request):
        return JsonResponse(pages.author_json(ctx, request))
    return render(request, "personal/author.html", ctx)


@login_required
def api_tokens(request: HttpRequest) -> HttpResponse:
    """List the member's API tokens and make a new one (shown once, right after it is made)."""
    made = ""
    if request.method == "POST":
        try:
            _, made = tokens.create(
                request.user, request.POST.get("name", ""), write=request.POST.get("write") == "1"
            )
        except tokens.TokenRefused as e:
            messages.error(request, str(e))
    me: Any = request.user  # login_required: a signed-in member
    rows = ApiToken.objects.filter(user=me).order_by("-created_at")
    return render(request, "personal/tokens.html", {"tokens": rows, "made": made})


@login_required
@require_POST
def revoke_token(request: HttpRequest, token_id: int) -> HttpResponse:
    """Revoke one of the member's API tokens."""
    if tokens.revoke(request.user, token_id):
        messages.success(request, "The token is revoked: requests that send it are refused from now on.")
    return redirect(reverse("api_tokens"))
