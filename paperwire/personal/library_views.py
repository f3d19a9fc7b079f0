"""The library and collection pages and actions; each page has a JSON twin."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from paperwire.citations.exports import maybe_export
from paperwire.community.arxiv import ArxivUnavailable
from paperwire.community.views import _back, _paper
from paperwire.papers.serialize import paper_json
from paperwire.params import DIGITS, wants_json

from . import library as lib
from .feeds import feed_token
from .models import Collection, CollectionItem, LibraryItem


def _item_json(i: LibraryItem, request: HttpRequest) -> dict[str, Any]:
    return {**paper_json(i.paper, request), "status": i.status, "saved_at": i.saved_at.isoformat()}


@login_required
def library_page(request: HttpRequest) -> HttpResponse:
    """Show the member's saved papers, newest first, filtered by collection, status and a query."""
    me: Any = request.user
    status = request.GET.get("status", "")
    if status not in ("", *dict(LibraryItem.STATUSES)):
        status = ""
    raw = request.GET.get("collection", "")
    collection = lib.visible_collection(me, int(raw)) if DIGITS.fullmatch(raw) else None
    if collection is not None and collection.user_id != me.pk:
        collection = None
    page = lib.library(me, query=request.GET.get("q", "")[:500], status=status, collection=collection)
    exported = maybe_export(
        request, lambda limit: [i.paper for i in page.items[:limit]], "Library", "library"
    )
    if exported is not None:
        return exported
    if wants_json(request):
        return JsonResponse(
            {
                "query": page.query,
                "status": page.status,
                "collection": collection.pk if collection else None,
                "papers": [_item_json(i, request) for i in page.items],
                "collections": [{"id": c.pk, "name": c.name, "public": c.public} for c in page.collections],
            }
        )
    feed = request.build_absolute_uri(reverse("for_you_atom", args=[feed_token(me)]))
    return render(request, "personal/library.html", {"library": page, "for_you_feed": feed})


@login_required
@require_POST
def import_papers(request: HttpRequest) -> HttpResponse:
    """Save the papers named in pasted arXiv ids or an uploaded BibTeX file to the library."""
    text = request.POST.get("ids", "")
    upload = request.FILES.get("bibtex")
    if upload is not None:
        text += "\n" + upload.read(2_000_000).decode("utf-8", "replace")
    if not lib.found_ids(text):
        messages.error(request, "No arXiv id found: paste ids such as 2406.01234 or upload a BibTeX file.")
        return redirect(reverse("library"))
    try:
        report = lib.import_ids(request.user, text)
    except ArxivUnavailable as e:
        messages.error(request, f"arXiv could not be reached ({e}); the papers already here were saved.")
        return redirect(reverse("library"))
    messages.success(request, report.summary())
    return redirect(reverse("library"))


@login_required
@require_POST
def create_collection(request: HttpRequest) -> HttpResponse:
    """Make a new collection."""
    try:
        c = lib.create_collection(
            request.user, request.POST.get("name", ""), request.POST.get("public") == "1"
        )
    except lib.CollectionRefused as e:
        messages.error(request, str(e))
        return redirect(reverse("library"))
    return redirect(reverse("collection", args=[c.pk]))


def collection_page(request: HttpRequest, pk: int) -> HttpResponse:
    """Show a collection: the owner's own, or anyone's public one (with its feeds)."""
    c = lib.visible_collection(request.user, pk)
    if c is None:
        raise Http404("No such collection")
    items = list(c.items.select_related("paper").order_by("-added_at"))
    mine = request.user.is_authenticated and c.user_id == request.user.pk
    exported = maybe_export(
        request, lambda limit: [i.paper for i in items[:limit]], c.name, f"collection-{c.pk}"
    )
    if exported is not None:
        return exported
    if wants_json(request):
        return JsonResponse(
            {
                "id": c.pk,
                "name": c.name,
                "public": c.public,
                "owner": c.user.get_username(),
                "papers": [{**paper_json(i.paper, request), "note": i.note} for i in items],
            }
        )
    return render(request, "personal/collection.html", {"collection": c, "items": items, "mine": mine})


@login_required
@require_POST
def collection_change(request: HttpRequest, pk: int) -> HttpResponse:
    """Add a paper (with a note), remove one, or make the collection public or private."""
    me: Any = request.user  # login_required: a signed-in member
    c = Collection.objects.filter(pk=pk, user=me).first()
    if c is None:
        raise Http404("No such collection")
    action = request.POST.get("action", "add")
    if action == "visibility":
        c.public = request.POST.get("public") == "1"
        c.save(update_fields=["public"])
    else:
        paper = _paper(request.POST.get("paper", "").strip())
        if action == "remove":
            CollectionItem.objects.filter(collection=c, paper=paper).delete()
        else:
            lib.add_to_collection(c, paper, request.POST.get("note", ""))
    return redirect(_back(request, reverse("collection", args=[c.pk])))
