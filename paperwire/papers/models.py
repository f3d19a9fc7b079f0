"""Papers as paperwire stores them: one row per arXiv paper, keyed by its versionless id."""

from __future__ import annotations

from django.db import models
from django.db.models import Q

# The columns of the paper_day_walk index: the newest order's keys, then what it filters and returns.
WALK_FIELDS = ("listing_day", "arxiv_id", "hidden", "upvotes", "hf_upvotes", "id")


class Paper(models.Model):
    """An arXiv paper: metadata, listing day, version history and community counters."""

    arxiv_id = models.CharField(max_length=64, unique=True)  # versionless: 2211.01095, hep-th/9302046
    title = models.TextField()
    abstract = models.TextField()
    authors = models.JSONField(default=list)  # names in paper order
    categories = models.JSONField(default=list)  # codes, primary first
    # Not indexed: category filters read PaperCategory (category_paper), never this column.
    primary_category = models.CharField(max_length=32)

    published = models.DateField(null=True, blank=True)  # first-version (v1) date
    updated = models.DateField(null=True, blank=True)  # latest-version date
    announced = models.DateField(null=True, blank=True)  # first arXiv daily listing
    # The day the paper appears in the feed: announced, else the day it was submitted to
    # the hub, else the first-version date. Every feed page is a range of listing days.
    listing_day = models.DateField()  # indexed first in paper_day_walk and paper_day_visible
    submitted_at = models.DateTimeField(null=True, blank=True)  # put on the daily list (hub or HF)
    submitted_by = models.CharField(max_length=150, blank=True)  # username that put it there

    versions = models.JSONField(default=list)  # [{"version": 1, "date": "...", "size": "..."}]
    latest_version = models.PositiveIntegerField(null=True, blank=True)
    comments = models.TextField(blank=True)
    journal_ref = models.TextField(blank=True)
    doi = models.CharField(max_length=255, blank=True)
    license = models.CharField(max_length=255, blank=True)
    submitter = models.CharField(max_length=255, blank=True)  # arXiv's submitter name
    withdrawn = models.BooleanField(default=False)
    # When a source last brought a newer version or a withdrawal of a paper already here: the
    # "updated papers you follow" digest section lists those revised in its period.
    revised_at = models.DateTimeField(null=True, blank=True, db_index=True)

    github_repo = models.URLField(max_length=500, blank=True)
    github_stars = models.PositiveIntegerField(null=True, blank=True)
    project_page = models.URLField(max_length=500, blank=True)
    ai_summary = models.TextField(blank=True)
    ai_keywords = models.JSONField(default=list, blank=True)

    upvotes = models.PositiveIntegerField(default=0)  # local members' votes (kept by community)
    hf_upvotes = models.PositiveIntegerField(default=0)  # imported from Hugging Face, kept apart
    num_comments = models.PositiveIntegerField(default=0)
    hidden = models.BooleanField(default=False)  # hidden by a moderator

    source_hash = models.CharField(max_length=32, blank=True)  # digest of the last imported record
    created_at = models.DateTimeField(auto_now_add=True)
    modified_at = models.DateTimeField(auto_now=True, db_index=True)  # feeds the search index

    class Meta:
        indexes = [
            # The newest order's walk (and the unvoted tail of trending): every column it filters
            # on and the id it returns ride in the index, so PostgreSQL scans it index-only and
            # a deep page skips index entries, not rows. (SQLite keys every index on the rowid.)
            models.Index(fields=[*WALK_FIELDS], name="paper_day_walk"),
            # The few papers with votes, which trending ranks by score before the rest.
            models.Index(
                fields=["listing_day"], name="paper_voted", condition=Q(upvotes__gt=0) | Q(hf_upvotes__gt=0)
            ),
            # Covers what a period's counts, category counts and trending order read (the id
            # rides along), so they never fetch the wide rows (abstracts, author lists).
            models.Index(fields=["listing_day", "hidden", "upvotes", "hf_upvotes"], name="paper_day_visible"),
        ]

    def __str__(self) -> str:
        return f"{self.arxiv_id}: {self.title[:60]}"

    @property
    def abs_url(self) -> str:
        return f"https://arxiv.org/abs/{self.arxiv_id}"

    @property
    def pdf_url(self) -> str:
        return f"https://arxiv.org/pdf/{self.arxiv_id}"


class PaperCategory(models.Model):
    """One category a paper is listed in, primary or cross-list, for filtering."""

    # Not indexed alone: paper_category_once (paper, code) leads with it.
    paper = models.ForeignKey(Paper, on_delete=models.CASCADE, related_name="category_rows", db_index=False)
    code = models.CharField(max_length=32)
    primary = models.BooleanField(default=False)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["paper", "code"], name="paper_category_once")]
        indexes = [models.Index(fields=["code", "paper"], name="category_paper")]

    def __str__(self) -> str:
        return f"{self.code} ({'primary' if self.primary else 'cross-list'})"


class DayCount(models.Model):
    """How many visible papers a listing day has, in all (code "") and per category.

    Database triggers keep it (migration 0004), whoever writes the papers: the import, the
    daily ingestion, a submission, a moderator. Period totals, category counts and the
    neighbouring periods then read a few rows per day instead of every paper of the period.
    Rows are never deleted: a day whose papers all went keeps n = 0.
    """

    listing_day = models.DateField()
    code = models.CharField(max_length=32)  # a category code, or "" for all the day's papers
    n = models.IntegerField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["listing_day", "code"], name="day_count_once")]
        indexes = [models.Index(fields=["code", "listing_day"], name="day_count_code")]

    def __str__(self) -> str:
        return f"{self.listing_day} {self.code or 'all'}: {self.n}"


class ImportCheckpoint(models.Model):
    """How far `paperwire import` got in a file, saved in each batch's own transaction.

    A rerun of the same file (same size, time and first bytes) starts from here: what the
    database holds and where the file is read from can never disagree, so a run killed
    at any point is resumed with nothing lost or doubled. Deleted when the file is done.
    """

    path = models.CharField(max_length=1000, unique=True)  # resolved path of the file
    fingerprint = models.CharField(max_length=64)  # size, mtime and a digest of the first MiB
    offset = models.BigIntegerField()  # bytes of the (uncompressed) file read and written
    line = models.PositiveIntegerField()  # lines read
    row = models.PositiveIntegerField()  # non-blank lines read (the row of the next vector)
    read = models.PositiveIntegerField(default=0)
    created = models.PositiveIntegerField(default=0)
    updated = models.PositiveIntegerField(default=0)
    unchanged = models.PositiveIntegerField(default=0)
    invalid = models.PositiveIntegerField(default=0)
    saved_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{self.path} at line {self.line}"
