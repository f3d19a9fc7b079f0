"""RSS 2.0 and Atom feeds of a member's /for-you (private, by a signed link) and of public collections."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.syndication.views import Feed
from django.core import signing
from django.http import Http404, HttpRequest
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed, Rss201rev2Feed, SyndicationFeed

from paperwire.papers import queries
from paperwire.papers.models import Paper
from paperwire.papers.periods import period_containing

from . import ranking
from .models import Collection, CollectionItem

SALT = "paperwire.personal.for-you-feed"
FEED_ITEMS = 30


def feed_token(user: Any) -> str:
    """Return the secret part of a member's /for-you feed address (changes when their model is reset)."""
    taste = ranking.model.taste_row(user)
    stamp = taste.reset_at.isoformat() if taste.reset_at else "-"
    return signing.Signer(salt=SALT).sign_object({"u": user.pk, "r": stamp}, compress=True)


def _member(token: str) -> Any:
    try:
        data = signing.Signer(salt=SALT).unsign_object(token)
    except signing.BadSignature:
        raise Http404("No such feed") from None
    user = get_user_model().objects.filter(pk=data.get("u"), is_active=True).first()
    if user is None or feed_token(user) != token:
        raise Http404("No such feed")
    return user


def _when(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(), tzinfo=dt.UTC)


class ForYouRss(Feed):
    """The member's /for-you of the latest listing day, with each paper's why in its description."""

    feed_type: type[SyndicationFeed] = Rss201rev2Feed
    title = "paperwire: for you"
    description = "New papers ranked for you"

    def get_object(self, request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        return _member(kwargs["token"])

    def link(self, obj: Any) -> str:
        return reverse("for_you")

    def items(self, obj: Any) -> list[ranking.Pick]:
        day = queries.latest_day()
        if day is None:
            return []
        return ranking.for_you(obj, period_containing("date", day), limit=FEED_ITEMS).picks

    def item_title(self, item: ranking.Pick) -> str:
        return " ".join(item.paper.title.split())

    def item_description(self, item: ranking.Pick) -> str:
        return "Why: " + "; ".join(item.why) + "\n\n" + item.paper.abstract

    def item_link(self, item: ranking.Pick) -> str:
        return reverse("paper", args=[item.paper.arxiv_id])

    def item_guid(self, item: ranking.Pick) -> str:
        return item.paper.abs_url

    def item_pubdate(self, item: ranking.Pick) -> dt.datetime:
        return _when(item.paper.listing_day)


class ForYouAtom(ForYouRss):
    feed_type = Atom1Feed
    subtitle = ForYouRss.description


class CollectionRss(Feed):
    """A public collection's papers, newest additions first, each with the owner's note."""

    feed_type: type[SyndicationFeed] = Rss201rev2Feed

    def get_object(self, request: HttpRequest, *args: Any, **kwargs: Any) -> Collection:
        c = Collection.objects.filter(pk=kwargs["pk"], public=True).first()
        if c is None:
            raise Http404("No such collection")
        return c

    def title(self, obj: Collection) -> str:
        return f"paperwire collection: {obj.name}"

    def description(self, obj: Collection) -> str:
        return f"Papers collected by {obj.user.get_username()}"

    def link(self, obj: Collection) -> str:
        return reverse("collection", args=[obj.pk])

    def items(self, obj: Collection) -> list[CollectionItem]:
        return list(obj.items.select_related("paper").order_by("-added_at")[:100])

    def item_title(self, item: CollectionItem) -> str:
        return " ".join(item.paper.title.split())

    def item_description(self, item: CollectionItem) -> str:
        return (f"Note: {item.note}\n\n" if item.note else "") + item.paper.abstract

    def item_link(self, item: CollectionItem) -> str:
        return reverse("paper", args=[item.paper.arxiv_id])

    def item_guid(self, item: CollectionItem) -> str:
        return item.paper.abs_url

    def item_pubdate(self, item: CollectionItem) -> dt.datetime:
        return item.added_at


class CollectionAtom(CollectionRss):
    feed_type = Atom1Feed

    def subtitle(self, obj: Collection) -> str:
        return self.description(obj)


__all__ = ["Paper"]
