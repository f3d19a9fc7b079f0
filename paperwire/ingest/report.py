"""What an ingestion did, returned by every source and printed by the command."""

from __future__ import annotations

from dataclasses import dataclass, field

from paperwire.papers.upsert import UpsertCounts

MAX_KEPT_REASONS = 200  # invalid records kept one by one; the rest are only counted


@dataclass
class IngestReport:
    source: str
    fetched: int = 0  # records read from the service (valid or not, duplicates included)
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    invalid: int = 0
    duplicates: int = 0  # records seen earlier in the same run (pages shift while we read)
    pages: int = 0
    reasons: list[str] = field(default_factory=list)  # "where: why" for invalid records
    notes: list[str] = field(default_factory=list)  # what happened along the way (resumed, retried…)
    error: str = ""  # set when the run stopped early; the pages written before it stay written

    def add_counts(self, counts: UpsertCounts) -> None:
        """Add an upsert's counts to the report."""
        self.created += counts.created
        self.updated += counts.updated
        self.unchanged += counts.unchanged

    def add_invalid(self, where: str, reason: str) -> None:
        """Count one invalid record and keep its reason."""
        self.invalid += 1
        if len(self.reasons) < MAX_KEPT_REASONS:
            self.reasons.append(f"{where}: {reason}")

    def merge(self, other: IngestReport) -> None:
        """Add another report (a category, a date) into this one."""
        for name in ("fetched", "created", "updated", "unchanged", "invalid", "duplicates", "pages"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.reasons.extend(other.reasons[: max(0, MAX_KEPT_REASONS - len(self.reasons))])
        self.notes.extend(other.notes)
        if other.error and not self.error:
            self.error = other.error

    @property
    def ok(self) -> bool:
        return not self.error

    def summary(self) -> str:
        """Return the one-line summary a person reads at the end of an ingestion."""
        text = (
            f"fetched {self.fetched}, created {self.created}, updated {self.updated}, "
            f"unchanged {self.unchanged}, invalid {self.invalid}"
        )
        if self.duplicates:
            text += f", duplicates skipped {self.duplicates}"
        return f"{text} ({self.pages} page{'s' if self.pages != 1 else ''})"
