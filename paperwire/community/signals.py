"""Give every new account its member profile; keep counters right when an account is deleted."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models.signals import post_save, pre_delete
from django.dispatch import receiver

from .models import Member


@receiver(post_save, sender=settings.AUTH_USER_MODEL)
def create_member(sender: Any, instance: Any, created: bool, **kwargs: Any) -> None:
    """Create the profile of a user account when the account is created."""
    if created:
        Member.objects.get_or_create(user=instance)


@receiver(pre_delete, sender=settings.AUTH_USER_MODEL)
def recount_after_account_deletion(sender: Any, instance: Any, **kwargs: Any) -> None:
    """Recount the papers a deleted account voted on or discussed, once its rows are gone."""
    from .moderation import recount, touched_papers

    papers = touched_papers([instance.pk])
    if papers:
        transaction.on_commit(lambda: recount(papers))
