"""Members and papers for the community tests, made in the real database."""

from __future__ import annotations

from typing import Any

PASSWORD = "correct horse battery staple 42"


def make_member(
    username: str, *, verified: bool = True, suspended: bool = False, password: bool = True, **profile: Any
) -> Any:
    """Create a member account with a (verified) primary e-mail address (password=False: none, fast)."""
    from allauth.account.models import EmailAddress
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.create_user(
        username, f"{username}@example.org", PASSWORD if password else None
    )
    EmailAddress.objects.create(user=user, email=user.email, verified=verified, primary=True)
    if suspended or profile:
        from paperwire.community.models import Member

        Member.objects.filter(user=user).update(suspended=suspended, **profile)
        user.refresh_from_db()
    return user


def make_paper(arxiv_id: str = "2606.00001", **fields: Any) -> Any:
    """Create a paper listed today (or on the given listing_day)."""
    import datetime as dt

    from django.utils import timezone

    from paperwire.papers.models import Paper

    defaults: dict[str, Any] = {
        "title": f"A paper {arxiv_id}",
        "abstract": "We study things.",
        "authors": ["Ada Lovelace"],
        "categories": ["cs.LG"],
        "primary_category": "cs.LG",
        "listing_day": timezone.now().date(),
        "published": timezone.now().date() - dt.timedelta(days=1),
    }
    defaults.update(fields)
    return Paper.objects.create(arxiv_id=arxiv_id, **defaults)
