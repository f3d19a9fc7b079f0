"""One counter row per action, client and time window; counted with one atomic upsert."""

from __future__ import annotations

from django.db import models


class Counter(models.Model):
    """How many times one action was taken by one client (member or IP address) in one window."""

    key = models.CharField(max_length=200, primary_key=True)  # action:client:window number
    count = models.PositiveIntegerField(default=0)
    expires = models.DateTimeField(db_index=True)

    def __str__(self) -> str:
        return f"{self.key} = {self.count}"
