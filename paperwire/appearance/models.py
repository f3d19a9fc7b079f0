"""The theme a member chose, so it follows them to every browser they log in from."""

from __future__ import annotations

from django.conf import settings
from django.db import models

THEMES = ("light", "dark")


class ThemeChoice(models.Model):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="theme_choice"
    )
    theme = models.CharField(max_length=8, choices=[(t, t) for t in THEMES])

    def __str__(self) -> str:
        return f"{self.user_id}: {self.theme}"
