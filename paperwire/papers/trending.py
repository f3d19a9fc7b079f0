"""The trending order: how papers in a feed are ranked by the community's votes."""

from __future__ import annotations

from django.conf import settings
from django.db.models import ExpressionWrapper, F, FloatField, QuerySet

from .models import Paper

SORTS = ("trending", "newest")


def with_score(qs: QuerySet[Paper]) -> QuerySet[Paper]:
    """Annotate each paper with its trending score: local upvotes plus weighted HF upvotes."""
    return qs.annotate(
        score=ExpressionWrapper(
            F("upvotes") + F("hf_upvotes") * settings.HF_UPVOTE_WEIGHT, output_field=FloatField()
        )
    )


def ordered(qs: QuerySet[Paper], sort: str) -> QuerySet[Paper]:
    """Return qs in the named order: trending (score, then newest) or newest first."""
    if sort == "trending":
        return with_score(qs).order_by("-score", "-listing_day", "-arxiv_id")
    return qs.order_by("-listing_day", "-arxiv_id")
