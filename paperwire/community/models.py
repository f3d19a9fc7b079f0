"""What members add to paperwire: profiles, votes, comments, submissions and reports."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from paperwire.papers.models import Paper


class Member(models.Model):
    """A member's public profile and standing, one per user account."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="member")
    display_name = models.CharField(max_length=60, blank=True)
    show_upvotes = models.BooleanField(default=False, help_text="List my upvotes on my public profile.")
    suspended = models.BooleanField(default=False, help_text="Votes stop counting and comments are hidden.")
    suspended_reason = models.CharField(max_length=500, blank=True)
    suspended_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return self.user.get_username()

    @property
    def name(self) -> str:
        """Return the name shown beside the member's comments."""
        return self.display_name or self.user.get_username()


class Vote(models.Model):
    """One member's upvote of one paper; Paper.upvotes counts those of members in good standing."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="votes")
    paper = models.ForeignKey(Paper, on_delete=models.CASCADE, related_name="votes")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "paper"], name="one_vote_per_member")]
        indexes = [models.Index(fields=["paper", "user"], name="vote_paper_user")]

    def __str__(self) -> str:
        return f"{self.user_id} ▲ {self.paper_id}"


class Comment(models.Model):
    """A Markdown comment on a paper, or a reply to one (one level deep)."""

    paper = models.ForeignKey(Paper, on_delete=models.CASCADE, related_name="discussion")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="comments")
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="replies"
    )
    body = models.TextField()  # the Markdown the author wrote
    html = models.TextField()  # body rendered and sanitised once, when saved
    created_at = models.DateTimeField(auto_now_add=True)
    edited_at = models.DateTimeField(null=True, blank=True)
    deleted = models.BooleanField(default=False)  # deleted by its author but kept for its replies
    hidden = models.BooleanField(default=False, help_text="Hidden by a moderator.")

    class Meta:
        indexes = [models.Index(fields=["paper", "created_at"], name="comment_paper_time")]

    def __str__(self) -> str:
        return f"#{self.pk} on {self.paper_id}: {self.body[:40]}"


class Submission(models.Model):
    """A member putting a paper on the day's feed; one per paper."""

    paper = models.OneToOneField(Paper, on_delete=models.CASCADE, related_name="submission")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="submissions")
    submitted_at = models.DateTimeField(auto_now_add=True)
    fetched = models.BooleanField(default=False, help_text="The paper was fetched from arXiv for it.")
    hidden = models.BooleanField(default=False, help_text="Hidden by a moderator (hides the paper too).")

    def __str__(self) -> str:
        return f"{self.paper.arxiv_id} by {self.user}"


class Report(models.Model):
    """A member flagging a comment for the moderators."""

    REASONS = [
        ("spam", "Spam"),
        ("abuse", "Abusive or harassing"),
        ("off-topic", "Off topic"),
        ("other", "Other"),
    ]

    comment = models.ForeignKey(Comment, on_delete=models.CASCADE, related_name="reports")
    reporter = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reports")
    reason = models.CharField(max_length=20, choices=REASONS)
    note = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    resolved = models.BooleanField(default=False)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["comment", "reporter"], name="one_report_per_member")]

    def __str__(self) -> str:
        return f"report of #{self.comment_id} ({self.reason})"
