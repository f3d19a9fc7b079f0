"""Give every new user account its member profile."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db.models.signals import post_save
from django.dispatch import receiver

from .models import Member


@receiver(post_save, sender=settings.AUTH_USER_MODEL)
def create_member(sender: Any, instance: Any, created: bool, **kwargs: Any) -> None:
    """Create the profile of a user account when the account is created."""
    if created:
        Member.objects.get_or_create(user=instance)
