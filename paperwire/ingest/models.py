"""Ingestion runs (claimed by a conditional UPDATE, recorded with their counts) and harvest state."""

from __future__ import annotations

from django.db import models


class IngestRun(models.Model):
    """One ingestion: a scheduled daily slot or a command typed by a person."""

    PENDING, RUNNING, DONE, FAILED = "pending", "running", "done", "failed"
    STATUSES = [(s, s) for s in (PENDING, RUNNING, DONE, FAILED)]

    # daily:<source>:<YYYY-MM-DD> for the schedule (one row per slot, so a slot runs once);
    # command:<source>:<random> for `paperwire ingest`.
    key = models.CharField(max_length=200, unique=True)
    source = models.CharField(max_length=20, db_index=True)  # arxiv, oai, hf
    trigger = models.CharField(max_length=20, default="command")  # schedule or command
    params = models.JSONField(default=dict, blank=True)
    status = models.CharField(max_length=10, choices=STATUSES, default=PENDING, db_index=True)
    attempts = models.PositiveIntegerField(default=0)
    claimed_by = models.CharField(max_length=200, blank=True)  # host:pid:nonce of the worker

    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)  # refreshed after every page
    finished_at = models.DateTimeField(null=True, blank=True)

    fetched = models.PositiveIntegerField(default=0)
    created = models.PositiveIntegerField(default=0)
    updated = models.PositiveIntegerField(default=0)
    unchanged = models.PositiveIntegerField(default=0)
    invalid = models.PositiveIntegerField(default=0)
    duplicates = models.PositiveIntegerField(default=0)
    pages = models.PositiveIntegerField(default=0)
    reasons = models.JSONField(default=list, blank=True)  # invalid records: "where: why"
    notes = models.JSONField(default=list, blank=True)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.key} ({self.status})"

    @property
    def duration(self) -> float | None:
        if self.started_at and self.finished_at:
            return (self.finished_at - self.started_at).total_seconds()
        return None


class HarvestState(models.Model):
    """Where a paged harvest stands, saved in the same transaction as each page it wrote.

    OAI-PMH: the resumption token to send next and the last datestamp seen (to start again
    from after a badResumptionToken). arXiv categories: the newest `updated` time of the last
    complete pass, where the next pass stops."""

    key = models.CharField(
        max_length=500, unique=True
    )  # oai|<url>|<prefix>|<set>|<from>|<until>, arxiv|cs.LG
    source = models.CharField(max_length=20)  # oai or arxiv
    params = models.JSONField(default=dict, blank=True)
    resumption_token = models.TextField(blank=True)
    restart_from = models.CharField(max_length=10, blank=True)  # YYYY-MM-DD after a bad token
    last_datestamp = models.CharField(max_length=10, blank=True)
    watermark = models.DateTimeField(null=True, blank=True)
    pages = models.PositiveIntegerField(default=0)
    records = models.PositiveIntegerField(default=0)
    complete_list_size = models.PositiveIntegerField(null=True, blank=True)
    complete = models.BooleanField(default=False)
    claimed_by = models.CharField(max_length=200, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    started_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return self.key
