"""Community pages and actions; every action is a POST, answered as htmx fragment or full page."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from paperwire.papers import queries
from paperwire.papers.ids import InvalidArxivId, parse_arxiv_id
from paperwire.papers.models import Paper
from paperwire.ratelimits.limits import RateLimited, consume, parse_limit

from . import comments, profiles, votes
from .arxiv import ArxivUnavailable
from .forms import CommentForm, ProfileForm, ReportForm, SubmitForm
from .members import member_of, refusal
from .models import Comment, Report
from .render import vote_button as render_vote_button
from .submissions import SubmissionRefused, submit


def is_htmx(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true"


def problem(request: HttpRequest, message: str, status: int) -> HttpResponse:
    """Answer a refused action: a message in the page's flash area (htmx) or a page of its own."""
    if is_htmx(request):
        response = render(
            request, "community/_flash.html", {"message": message, "level": "error"}, status=status
        )
        response["HX-Retarget"] = "#flash"
        response["HX-Reswap"] = "innerHTML"
        return response
    ctx = {"message": message, "back": _back(request, ""), "status": status}
    return render(request, "community/problem.html", ctx, status=status)


def _back(request: HttpRequest, default: str) -> str:
    """Return the page to go back to: a same-site `next` or Referer, else default."""
    for candidate in (request.POST.get("next", ""), request.headers.get("Referer", "")):
        if candidate and url_has_allowed_host_and_scheme(
            candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        ):
            return candidate
    return default


def _login_first(request: HttpRequest, then: str) -> HttpResponse:
    if is_htmx(request):
        response = HttpResponse(status=204)
        # Encoded: a raw "#comments" in next would end the query and be lost.
        response["HX-Redirect"] = f"{reverse('account_login')}?{urlencode({'next': then})}"
        return response
    return redirect_to_login(then)


def _paper(arxiv_id: str) -> Paper:
    try:
        parsed = parse_arxiv_id(arxiv_id)
    except InvalidArxivId as e:
        raise BadInput(str(e)) from None
    paper = queries.paper(parsed.id)
    if paper is None:
        raise Http404("No such paper")
    return paper


class BadInput(ValueError):
    """A malformed id in the URL or form; answered with 400 and the message."""


def _guard(request: HttpRequest, action: str, then: str) -> HttpResponse | None:
    """Return the answer refusing this action, or None when the member may go ahead."""
    if not request.user.is_authenticated:
        return _login_first(request, then)
    why = refusal(request.user)
    if why:
        return problem(request, why, 403)
    try:
        consume(action, f"user:{request.user.pk}")
    except RateLimited as e:
        response = problem(request, str(e), 429)
        response["Retry-After"] = str(e.retry_after)
        return response
    return None


def _comment_id(raw: str) -> int:
    if not (raw.isascii() and raw.isdigit()) or len(raw) > 18:  # "²".isdigit() is True too
        raise BadInput(f"{raw[:40]!r} is not a comment number.")
    return int(raw)


def handles_bad_input(view: Any) -> Any:
    """Turn BadInput raised by a view into a 400 answer with its message."""

    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            return view(request, *args, **kwargs)
        except BadInput as e:
            return problem(request, str(e), 400)

    wrapped.__name__ = view.__name__
    wrapped.__doc__ = view.__doc__
    return wrapped


@require_POST
@handles_bad_input
def vote(request: HttpRequest, arxiv_id: str) -> HttpResponse:
    """Add, remove or toggle the member's upvote of a paper."""
    paper = _paper(arxiv_id)
    here = reverse("paper", args=[paper.arxiv_id])
    refused = _guard(request, "vote", here)
    if refused:
        return refused
    state = request.POST.get("state", "")
    if state not in ("", "on", "off"):
        raise BadInput("state must be on or off.")
    result = votes.set_vote(request.user, paper, None if not state else state == "on")
    if is_htmx(request):
        button = render_vote_button(
            paper,
            result.voted,
            size=request.POST.get("size", ""),
            csrf_token=get_token(request),
            next_url=_back(request, here),
        )
        return HttpResponse(button)
    return redirect(_back(request, here))


@require_POST
@handles_bad_input
def comment_create(request: HttpRequest, arxiv_id: str) -> HttpResponse:
    """Post a comment or a reply on a paper."""
    paper = _paper(arxiv_id)
    here = reverse("paper", args=[paper.arxiv_id])
    refused = _guard(request, "comment", here + "#comments")
    if refused:
        return refused
    form = CommentForm(request.POST)
    try:
        body = _comment_body(form)
        raw_parent = form.cleaned_data.get("parent") or ""
        parent_id = _comment_id(raw_parent) if raw_parent else None
        comment = comments.create(request.user, paper, body, parent_id)
    except comments.CommentError as e:
        return render(
            request,
            "community/comment_form.html",
            {"paper": paper, "form": form, "error": str(e), "action": "comment"},
            status=400,
        )
    return redirect(f"{here}#comment-{comment.pk}")


def _comment_body(form: CommentForm) -> str:
    """Return the form's checked comment body, or raise CommentError with what was wrong."""
    if not form.is_valid():
        if not str(form.data.get("body", "")).strip():
            return ""  # comments.check_body says the comment is empty
        errors = [str(m) for field in form.errors.values() for m in field]
        raise comments.CommentError(" ".join(errors) or "The comment could not be read.")
    return str(form.cleaned_data["body"])


def _own_comment(request: HttpRequest, raw_id: str, verb: str) -> Comment | HttpResponse:
    """Return the signed-in member's own comment, or the answer refusing them."""
    comment = Comment.objects.select_related("paper", "author__member").filter(pk=_comment_id(raw_id)).first()
    if comment is None or comment.deleted or comment.paper.hidden:
        raise Http404("No such comment")
    if not request.user.is_authenticated:
        return _login_first(request, request.path)
    if comment.author_id != request.user.pk:
        return problem(request, f"You can only {verb} your own comments.", 403)
    why = refusal(request.user)
    if why:
        return problem(request, why, 403)
    return comment


@require_http_methods(["GET", "POST"])
@handles_bad_input
def comment_edit(request: HttpRequest, comment_id: str) -> HttpResponse:
    """Show and save the edit form of the member's own comment."""
    found = _own_comment(request, comment_id, "edit")
    if isinstance(found, HttpResponse):
        return found
    comment = found
    if request.method == "POST":
        try:
            consume("comment", f"user:{request.user.pk}")
            comments.edit(comment, _comment_body(CommentForm(request.POST)))
        except RateLimited as e:
            return problem(request, str(e), 429)
        except comments.CommentError as e:
            form = CommentForm(request.POST)
            return render(
                request,
                "community/comment_form.html",
                {"paper": comment.paper, "form": form, "error": str(e), "action": "edit", "comment": comment},
                status=400,
            )
        return redirect(f"{reverse('paper', args=[comment.paper.arxiv_id])}#comment-{comment.pk}")
    form = CommentForm(initial={"body": comment.body})
    return render(
        request,
        "community/comment_form.html",
        {"paper": comment.paper, "form": form, "action": "edit", "comment": comment},
    )


@require_POST
@handles_bad_input
def comment_delete(request: HttpRequest, comment_id: str) -> HttpResponse:
    """Delete the member's own comment."""
    found = _own_comment(request, comment_id, "delete")
    if isinstance(found, HttpResponse):
        return found
    comments.delete(found)
    messages.success(request, "Your comment was deleted.")
    return redirect(f"{reverse('paper', args=[found.paper.arxiv_id])}#comments")


@require_http_methods(["GET", "POST"])
@handles_bad_input
def comment_report(request: HttpRequest, comment_id: str) -> HttpResponse:
    """Show and send the form that flags a comment for the moderators."""
    comment = (
        comments.visible_comments()
        .select_related("paper", "author__member")
        .filter(pk=_comment_id(comment_id), paper__hidden=False)
        .first()
    )
    if comment is None:
        raise Http404("No such comment")
    if not request.user.is_authenticated:
        return _login_first(request, request.path)
    why = refusal(request.user)
    if why:
        return problem(request, why, 403)
    if comment.author_id == request.user.pk:
        return problem(request, "That is your own comment: edit or delete it instead.", 400)
    back = f"{reverse('paper', args=[comment.paper.arxiv_id])}#comment-{comment.pk}"
    if Report.objects.filter(comment=comment, reporter=request.user).exists():
        messages.info(request, "You have already reported this comment; the moderators will look at it.")
        return redirect(back)
    form = ReportForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            consume("comment", f"user:{request.user.pk}")
        except RateLimited as e:
            return problem(request, str(e), 429)
        report = form.save(commit=False)
        report.comment = comment
        report.reporter = request.user
        report.save()
        messages.success(request, "Thank you: the moderators will look at this comment.")
        return redirect(back)
    return render(
        request,
        "community/report.html",
        {"comment": comment, "form": form},
        status=400 if request.method == "POST" else 200,
    )


@require_http_methods(["GET", "POST"])
def submit_paper(request: HttpRequest) -> HttpResponse:
    """Show the submission form, and put the named paper on today's feed."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.path)
    form = SubmitForm(request.POST or None)
    ctx: dict[str, Any] = {
        "form": form,
        "max_age": settings.SUBMIT_MAX_AGE_DAYS,
        "refusal": refusal(request.user),
    }
    if request.method == "GET":
        return render(request, "community/submit.html", ctx)
    refused = _guard(request, "submit", request.path)
    if refused:
        return refused
    if not form.is_valid():
        ctx["error"] = "Paste an arXiv id or link (at most 300 characters)."
        return render(request, "community/submit.html", ctx, status=400)
    try:
        result = submit(request.user, form.cleaned_data["paper"])
    except SubmissionRefused as e:
        ctx["error"] = str(e)
        return render(request, "community/submit.html", ctx, status=400)
    except ArxivUnavailable as e:  # arXiv down or unreachable: say so, keep the form
        ctx["error"] = f"{e}. Please try again in a minute."
        return render(request, "community/submit.html", ctx, status=503)
    (messages.success if result.created else messages.info)(request, result.message)
    return redirect("paper", result.paper.arxiv_id)


@require_GET
def member_profile(request: HttpRequest, username: str) -> HttpResponse:
    """Show a member's submissions, comments and (if they allow it) upvotes."""
    user = get_user_model().objects.filter(username=username, is_active=True).select_related("member").first()
    if user is None:
        raise Http404("No such member")
    return render(request, "community/profile.html", profiles.profile_context(request, user))


@require_http_methods(["GET", "POST"])
def profile_settings(request: HttpRequest) -> HttpResponse:
    """Edit the signed-in member's display name and upvote visibility."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.path)
    member = member_of(request.user)
    form = ProfileForm(request.POST or None, instance=member)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, "Your profile was saved.")
        return redirect("member", request.user.get_username())
    return render(
        request,
        "community/profile_settings.html",
        {"form": form},
        status=400 if request.method == "POST" else 200,
    )


@require_GET
def about(request: HttpRequest) -> HttpResponse:
    """Explain paperwire and publish the trending formula with this instance's numbers."""
    return render(
        request,
        "community/about.html",
        {
            "hf_weight": settings.HF_UPVOTE_WEIGHT,
            "gravity": settings.TRENDING_GRAVITY,
            "max_age": settings.SUBMIT_MAX_AGE_DAYS,
            "limits": {k: parse_limit(v).describe() for k, v in settings.RATE_LIMITS.items()},
        },
    )
