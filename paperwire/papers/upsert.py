"""Write paper records into the database: an idempotent upsert keyed by the versionless id."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from .models import Paper, PaperCategory
from .records import PaperRecord

# Fields a record sets; community counters (upvotes, comments, hidden) are never touched.
RECORD_FIELDS = [
    "title",
    "abstract",
    "authors",
    "categories",
    "primary_category",
    "published",
    "updated",
    "announced",
    "listing_day",
    "versions",
    "latest_version",
    "comments",
    "journal_ref",
    "doi",
    "license",
    "submitter",
    "withdrawn",
    "revised_at",
    "source_hash",
    "modified_at",
]
HUB_FIELDS = [
    "hf_upvotes",
    "github_repo",
    "github_stars",
    "project_page",
    "ai_summary",
    "ai_keywords",
    "submitted_at",
    "submitted_by",
]


@dataclass
class UpsertCounts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0

    def add(self, other: UpsertCounts) -> None:
        """Add other's counts to these."""
        self.created += other.created
        self.updated += other.updated
        self.unchanged += other.unchanged


def listing_day_for(record: PaperRecord, existing: Paper | None) -> dt.date:
    """Return the day a paper is listed: announced, else hub submission day, else v1 date."""
    if record.announced:
        return record.announced
    if existing is not None and existing.submitted_at is not None:
        return existing.submitted_at.date()
    if record.hub and record.hub.submitted_at:
        return record.hub.submitted_at.date()
    if record.published:
        return record.published
    if existing is not None:
        return existing.listing_day
    return timezone.now().date()


def _merge_versions(old: list[dict], new: list[dict]) -> list[dict]:
    """Return the union of two version histories, ordered by version number."""
    by_number = {v["version"]: v for v in old}
    for v in new:
        by_number[v["version"]] = {**by_number.get(v["version"], {}), **{k: x for k, x in v.items() if x}}
    return [by_number[n] for n in sorted(by_number)]


def _record_version(record: PaperRecord) -> int | None:
    """Return the newest version a record describes, or None when its source names none."""
    return max([v.version for v in record.versions] + [record.latest_version or 0]) or None


def _apply(paper: Any, record: PaperRecord, existing: Paper | None, digest: str | None = None) -> None:
    """Copy a record's fields onto paper (new or existing; digest: the record's, when known)."""
    rec_version = _record_version(record)
    known = existing.latest_version if existing is not None else None
    was_withdrawn = bool(existing and existing.withdrawn)
    # An older version (or a source that names no version, such as the HF list) must not
    # overwrite the text of a newer version we already have; it only adds to the history.
    older = bool(known and rec_version is not None and rec_version < known)
    keep_text = older or bool(known and rec_version is None)
    if not keep_text:
        paper.title = record.title
        paper.abstract = record.abstract
        paper.authors = list(record.authors)
        if record.categories or existing is None:  # the HF list names no categories: keep arXiv's
            paper.categories = list(record.categories)
            paper.primary_category = record.categories[0] if record.categories else ""
    # By hand: dataclasses.asdict deep-copies and cost a bulk import 6 % of its time.
    versions: list[dict[str, Any]] = [
        {"version": v.version, "date": v.date, "size": v.size} for v in record.versions
    ]
    if existing is not None:
        versions = _merge_versions(existing.versions or [], versions)
        # A source that knows fewer facts must not erase what an earlier one told us.
        paper.published = record.published or existing.published
        paper.updated = existing.updated if older else (record.updated or existing.updated)
        paper.announced = record.announced or existing.announced
        paper.comments = existing.comments if keep_text else (record.comments or existing.comments)
        paper.journal_ref = record.journal_ref or existing.journal_ref
        paper.doi = record.doi or existing.doi
        paper.license = record.license or existing.license
        paper.submitter = record.submitter or existing.submitter
    else:
        paper.published = record.published
        paper.updated = record.updated
        paper.announced = record.announced
        paper.comments = record.comments
        paper.journal_ref = record.journal_ref
        paper.doi = record.doi
        paper.license = record.license
        paper.submitter = record.submitter
    paper.versions = versions
    numbers = [v["version"] for v in versions]
    paper.latest_version = max([*numbers, record.latest_version or 0]) or None
    if older:
        paper.withdrawn = bool(existing and existing.withdrawn)
    else:
        paper.withdrawn = record.withdrawn or bool(existing and existing.withdrawn and rec_version is None)
    if existing is not None and (
        (paper.latest_version or 0) > (known or 0) or (paper.withdrawn and not was_withdrawn)
    ):
        paper.revised_at = timezone.now()  # a new version or a withdrawal, not a new paper
    hub = record.hub
    if hub is not None:
        paper.hf_upvotes = max(hub.upvotes, 0)
        paper.github_repo = hub.github_repo or paper.github_repo
        paper.github_stars = hub.github_stars if hub.github_stars is not None else paper.github_stars
        paper.project_page = hub.project_page or paper.project_page
        paper.ai_summary = hub.ai_summary or paper.ai_summary
        paper.ai_keywords = list(hub.ai_keywords) or paper.ai_keywords
        if paper.submitted_at is None and hub.submitted_at is not None:
            paper.submitted_at = hub.submitted_at
            paper.submitted_by = hub.submitter
    paper.listing_day = listing_day_for(record, existing)
    paper.source_hash = digest or record.content_hash()
    paper.modified_at = timezone.now()


def _insert_categories(rows: list[tuple[int, str, bool]]) -> None:
    """Insert (paper id, code, primary) rows; plain executemany, as the ORM's bulk_create spent
    more time compiling SQL than the database spent writing (2 of every 3 rows an import writes)."""
    if not rows:
        return
    table = connection.ops.quote_name(PaperCategory._meta.db_table)
    primary = connection.ops.quote_name("primary")
    with connection.cursor() as cursor:
        cursor.executemany(f"INSERT INTO {table} (paper_id, code, {primary}) VALUES (%s, %s, %s)", rows)  # noqa: S608  # table and column names are ours, values are parameters


def upsert_records(records: Sequence[PaperRecord]) -> UpsertCounts:
    """Create or update papers from records in one transaction; unchanged records write nothing."""
    counts = UpsertCounts()
    if not records:
        return counts
    # The last record for an id wins, as if the records had been applied one by one.
    latest: dict[str, PaperRecord] = {}
    for record in records:
        # Every source ends here: control characters from any of them are stripped once, here.
        latest[record.arxiv_id] = record.clean()
    with transaction.atomic():
        existing = {p.arxiv_id: p for p in Paper.objects.filter(arxiv_id__in=list(latest))}
        to_create: list[Paper] = []
        to_update: list[Paper] = []
        for arxiv_id, record in latest.items():
            old = existing.get(arxiv_id)
            if old is None:
                paper = Paper(arxiv_id=arxiv_id)
                _apply(paper, record, None)
                to_create.append(paper)
            elif old.source_hash == record.content_hash():
                counts.unchanged += 1
            else:
                before = {f: getattr(old, f) for f in RECORD_FIELDS + HUB_FIELDS if f != "modified_at"}
                before.pop("source_hash")
                _apply(old, record, old)
                after = {f: getattr(old, f) for f in before}
                if after == before:
                    # Same facts from another source: remember the hash, report unchanged.
                    Paper.objects.filter(pk=old.pk).update(source_hash=old.source_hash)
                    counts.unchanged += 1
                else:
                    to_update.append(old)
        Paper.objects.bulk_create(to_create, batch_size=500)
        if to_create and to_create[0].pk is None:  # backends that return no ids (none today)
            ids = dict(
                Paper.objects.filter(arxiv_id__in=[p.arxiv_id for p in to_create]).values_list(
                    "arxiv_id", "pk"
                )
            )
            for p in to_create:
                p.pk = ids[p.arxiv_id]
        if to_update:
            Paper.objects.bulk_update(to_update, RECORD_FIELDS + HUB_FIELDS, batch_size=500)
            PaperCategory.objects.filter(paper__in=[p.pk for p in to_update]).delete()
        _insert_categories(
            [(p.pk, code, i == 0) for p in (*to_create, *to_update) for i, code in enumerate(p.categories)]
        )
    counts.created += len(to_create)
    counts.updated += len(to_update)
    return counts
