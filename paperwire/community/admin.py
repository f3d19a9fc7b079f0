"""The moderators' tools in Django's admin: papers, comments, submissions, reports, members."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from paperwire.papers.models import Paper

from . import moderation
from .models import Comment, Member, Report, Submission, Vote


def _done(request: HttpRequest, n: int, what: str) -> None:
    messages.success(request, f"{n} {what}.")


class PaperAdmin(admin.ModelAdmin):
    list_display = [
        "arxiv_id",
        "title",
        "listing_day",
        "upvotes",
        "hf_upvotes",
        "num_comments",
        "submitted_by",
        "hidden",
    ]
    list_filter = ["hidden", "listing_day"]
    search_fields = ["arxiv_id", "title"]
    readonly_fields = ["upvotes", "num_comments"]
    actions = ["hide", "restore"]

    @admin.action(description="Hide the selected papers")
    def hide(self, request: HttpRequest, qs: QuerySet[Paper]) -> None:
        _done(request, moderation.set_papers_hidden(qs.values_list("pk", flat=True), True), "papers hidden")

    @admin.action(description="Restore the selected papers")
    def restore(self, request: HttpRequest, qs: QuerySet[Paper]) -> None:
        _done(
            request, moderation.set_papers_hidden(qs.values_list("pk", flat=True), False), "papers restored"
        )


# Paper belongs to the papers app, which has no admin of its own; register it once.
if not admin.site.is_registered(Paper):
    admin.site.register(Paper, PaperAdmin)


@admin.register(Comment)
class CommentAdmin(admin.ModelAdmin):
    list_display = ["id", "paper", "author", "created_at", "hidden", "deleted"]
    list_filter = ["hidden", "deleted"]
    search_fields = ["body", "author__username", "paper__arxiv_id"]
    raw_id_fields = ["paper", "author", "parent"]
    readonly_fields = ["html", "created_at", "edited_at"]
    actions = ["hide", "restore"]

    @admin.action(description="Hide the selected comments")
    def hide(self, request: HttpRequest, qs: QuerySet[Comment]) -> None:
        _done(
            request, moderation.set_comments_hidden(qs.values_list("pk", flat=True), True), "comments hidden"
        )

    @admin.action(description="Restore the selected comments")
    def restore(self, request: HttpRequest, qs: QuerySet[Comment]) -> None:
        _done(
            request,
            moderation.set_comments_hidden(qs.values_list("pk", flat=True), False),
            "comments restored",
        )

    def save_model(self, request: HttpRequest, obj: Comment, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        moderation.recount([obj.paper_id])

    def delete_model(self, request: HttpRequest, obj: Comment) -> None:
        super().delete_model(request, obj)
        moderation.recount([obj.paper_id])

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Comment]) -> None:
        papers = set(queryset.values_list("paper_id", flat=True))
        super().delete_queryset(request, queryset)
        moderation.recount(papers)


@admin.register(Submission)
class SubmissionAdmin(admin.ModelAdmin):
    list_display = ["paper", "user", "submitted_at", "fetched", "hidden"]
    list_filter = ["hidden", "fetched"]
    raw_id_fields = ["paper", "user"]
    actions = ["hide", "restore"]

    @admin.action(description="Hide the selected submissions (and their papers)")
    def hide(self, request: HttpRequest, qs: QuerySet[Submission]) -> None:
        _done(
            request,
            moderation.set_submissions_hidden(qs.values_list("pk", flat=True), True),
            "submissions hidden",
        )

    @admin.action(description="Restore the selected submissions (and their papers)")
    def restore(self, request: HttpRequest, qs: QuerySet[Submission]) -> None:
        n = moderation.set_submissions_hidden(qs.values_list("pk", flat=True), False)
        _done(request, n, "submissions restored")


@admin.register(Report)
class ReportAdmin(admin.ModelAdmin):
    list_display = ["comment", "reason", "reporter", "created_at", "resolved"]
    list_filter = ["resolved", "reason"]
    raw_id_fields = ["comment", "reporter"]
    actions = ["hide_comment", "resolve"]

    @admin.action(description="Hide the reported comments and resolve the reports")
    def hide_comment(self, request: HttpRequest, qs: QuerySet[Report]) -> None:
        n = moderation.set_comments_hidden(qs.values_list("comment_id", flat=True), True)
        qs.update(resolved=True)
        _done(request, n, "comments hidden")

    @admin.action(description="Resolve the selected reports (leave the comments)")
    def resolve(self, request: HttpRequest, qs: QuerySet[Report]) -> None:
        _done(request, qs.update(resolved=True), "reports resolved")


@admin.register(Member)
class MemberAdmin(admin.ModelAdmin):
    list_display = ["user", "display_name", "suspended", "suspended_at"]
    list_filter = ["suspended"]
    search_fields = ["user__username", "user__email", "display_name"]
    readonly_fields = ["suspended", "suspended_at"]
    actions = ["suspend", "reinstate"]

    @admin.action(description="Suspend the selected members (votes stop counting, comments hide)")
    def suspend(self, request: HttpRequest, qs: QuerySet[Member]) -> None:
        _done(request, moderation.set_suspended(qs, True, "suspended by a moderator"), "members suspended")

    @admin.action(description="Reinstate the selected members")
    def reinstate(self, request: HttpRequest, qs: QuerySet[Member]) -> None:
        _done(request, moderation.set_suspended(qs, False), "members reinstated")


@admin.register(Vote)
class VoteAdmin(admin.ModelAdmin):
    list_display = ["paper", "user", "created_at"]
    raw_id_fields = ["paper", "user"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # votes change only through set_vote, which keeps the counter exact

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
