"""The whole instance's community data out and back in, between any two databases.

Rows name each other by natural keys (usernames, arXiv ids, addresses), never by database ids,
except comments, which have no other name: their ids are mapped to new ones on import. Papers
are not part of it (they come back from arXiv or `paperwire import`); their community state
(hidden by a moderator, who submitted them when) is. Counters are recounted after an import.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.db import models, transaction
from django.utils import timezone

from paperwire.community.models import Comment, Member, Report, Submission, Vote
from paperwire.community.moderation import recount
from paperwire.digests.models import Subscription
from paperwire.feeds.models import SavedSearch
from paperwire.papers.models import Paper

from . import personal_rows

FORMAT = "paperwire-community"
VERSION = 1
USER_FIELDS = ("email", "password", "first_name", "last_name", "is_active", "is_staff", "is_superuser")
MEMBER_FIELDS = ("display_name", "show_upvotes", "suspended", "suspended_reason")
SUBSCRIPTION_FIELDS = ("email", "frequency", "status", "confirm_nonce", "unsubscribe_nonce", "bounces")
SAVED_FIELDS = ("name", "query", "sort", "mode", "in_digest", "feed_token")


class BadExport(ValueError):
    """Raised for a file that is not a community export this version reads."""


def _t(value: dt.datetime | None) -> str | None:
    return value.astimezone(dt.UTC).isoformat().replace("+00:00", "Z") if value else None


def _parse(value: str | None) -> dt.datetime | None:
    return dt.datetime.fromisoformat(value.replace("Z", "+00:00")) if value else None


def _when(value: str | None) -> dt.datetime:
    """Return a required time (now when the file left it out)."""
    return _parse(value) or timezone.now()


def export_community() -> dict[str, Any]:
    """Return every member, vote, comment, submission, report, subscription, saved search, and the
    members' libraries, collections, follows, mutes and "not interested" marks."""
    users = get_user_model().objects.order_by("username")
    emails: dict[int, list[dict[str, Any]]] = {}
    for e in EmailAddress.objects.order_by("email"):
        emails.setdefault(e.user_id, []).append(
            {"email": e.email, "verified": e.verified, "primary": e.primary}
        )
    members = {m.user_id: m for m in Member.objects.all()}
    out_members = []
    for u in users:
        m = members.get(u.pk)
        row = {"username": u.get_username(), **{f: getattr(u, f) for f in USER_FIELDS}}
        row |= {
            "date_joined": _t(u.date_joined),
            "last_login": _t(u.last_login),
            "emails": emails.get(u.pk, []),
        }
        if m is not None:
            row |= {f: getattr(m, f) for f in MEMBER_FIELDS} | {"suspended_at": _t(m.suspended_at)}
        out_members.append(row)
    # Comments are numbered 1, 2, … in the export's order (oldest first), so an export of a
    # re-imported instance is the same file even though the database gave them new ids.
    rows = list(Comment.objects.select_related("paper", "author").order_by("created_at", "pk"))
    number = {c.pk: i for i, c in enumerate(rows, 1)}
    comments = [
        {
            "id": number[c.pk],
            "paper": c.paper.arxiv_id,
            "author": c.author.get_username(),
            "parent": number.get(c.parent_id) if c.parent_id else None,
            "body": c.body,
            "html": c.html,
            "created_at": _t(c.created_at),
            "edited_at": _t(c.edited_at),
            "deleted": c.deleted,
            "hidden": c.hidden,
        }
        for c in rows
    ]
    reports = [
        {
            "comment": number[c],
            "reporter": r,
            "reason": why,
            "note": n,
            "created_at": _t(at),
            "resolved": done,
        }
        for c, r, why, n, at, done in Report.objects.order_by("comment_id", "reporter__username").values_list(
            "comment_id", "reporter__username", "reason", "note", "created_at", "resolved"
        )
    ]
    return {
        "format": FORMAT,
        "version": VERSION,
        "members": out_members,
        "papers": [
            {"paper": a, "hidden": h, "submitted_at": _t(s), "submitted_by": b}
            for a, h, s, b in Paper.objects.filter(
                models.Q(hidden=True) | models.Q(submitted_at__isnull=False)
            )
            .order_by("arxiv_id")
            .values_list("arxiv_id", "hidden", "submitted_at", "submitted_by")
        ],
        "votes": [
            {"user": u, "paper": p, "created_at": _t(at)}
            for u, p, at in Vote.objects.order_by("user__username", "paper__arxiv_id").values_list(
                "user__username", "paper__arxiv_id", "created_at"
            )
        ],
        "comments": comments,
        "submissions": [
            {"paper": p, "user": u, "submitted_at": _t(at), "fetched": f, "hidden": h}
            for p, u, at, f, h in Submission.objects.order_by("paper__arxiv_id").values_list(
                "paper__arxiv_id", "user__username", "submitted_at", "fetched", "hidden"
            )
        ],
        "reports": sorted(reports, key=lambda r: (r["comment"], r["reporter"])),
        "subscriptions": [
            {
                **{f: getattr(s, f) for f in SUBSCRIPTION_FIELDS},
                "user": s.user.get_username() if s.user else None,
                "created_at": _t(s.created_at),
                "confirmed_at": _t(s.confirmed_at),
                "unsubscribed_at": _t(s.unsubscribed_at),
            }
            for s in Subscription.objects.select_related("user").order_by("email")
        ],
        "saved_searches": [
            {
                **{f: getattr(s, f) for f in SAVED_FIELDS},
                "user": s.user.get_username(),
                "created_at": _t(s.created_at),
            }
            for s in SavedSearch.objects.select_related("user").order_by(
                "user__username", "name", "feed_token"
            )
        ],
        **personal_rows.export_personal(_t),
    }


@dataclass
class ImportReport:
    created: dict[str, int] = field(default_factory=dict)
    skipped: list[str] = field(default_factory=list)  # rows naming a paper or member not here

    def summary(self) -> str:
        """Return the counts in one line."""
        made = ", ".join(f"{n} {kind}" for kind, n in self.created.items())
        return f"imported {made}; skipped {len(self.skipped)}"


@contextmanager
def _times_as_given(*model_types: type[models.Model]) -> Iterator[None]:
    """Let created_at and friends take the exported times: auto_now_add would overwrite them."""
    flipped = [
        f
        for m in model_types
        for f in m._meta.concrete_fields
        if isinstance(f, models.DateTimeField) and f.auto_now_add
    ]
    for f in flipped:
        f.auto_now_add = False  # type: ignore[attr-defined]
    try:
        yield
    finally:
        for f in flipped:
            f.auto_now_add = True  # type: ignore[attr-defined]


def import_community(data: dict[str, Any]) -> ImportReport:
    """Add an export's community rows to this instance's (papers must be here already)."""
    if data.get("format") != FORMAT or data.get("version") != VERSION:
        raise BadExport(f"not a {FORMAT} export of version {VERSION}")
    report = ImportReport()
    with (
        transaction.atomic(),
        _times_as_given(Vote, Comment, Submission, Report, Subscription, SavedSearch, *personal_rows.MODELS),
    ):
        _import_rows(data, report)
    return report


def _made(number: int, new_ids: dict[int, int], report: ImportReport) -> bool:
    """Return whether comment number was imported; note a report of one that was skipped."""
    if number not in new_ids:
        report.skipped.append(f"report of comment {number}, which was skipped")
    return number in new_ids


def _import_rows(data: dict[str, Any], report: ImportReport) -> None:
    user_model = get_user_model()
    users: dict[str, Any] = {}
    for row in data["members"]:
        user = user_model(username=row["username"], **{f: row[f] for f in USER_FIELDS})
        user.date_joined = _parse(row["date_joined"]) or timezone.now()
        user.last_login = _parse(row["last_login"])
        user.save()  # the post_save signal makes the member profile
        Member.objects.filter(user=user).update(
            **{f: row[f] for f in MEMBER_FIELDS if f in row}, suspended_at=_parse(row.get("suspended_at"))
        )
        EmailAddress.objects.bulk_create([EmailAddress(user=user, **e) for e in row["emails"]])
        users[row["username"]] = user
    report.created["members"] = len(users)
    named = {r["paper"] for key in ("papers", "votes", "comments", "submissions") for r in data[key]}
    papers = dict(Paper.objects.filter(arxiv_id__in=named).values_list("arxiv_id", "pk"))

    def known(kind: str, row: dict[str, Any], *names: str) -> bool:
        missing = [n for n in names if n not in papers and n not in users]
        if missing:
            report.skipped.append(f"{kind} naming {', '.join(missing)}")
        return not missing

    for row in data["papers"]:
        if known("paper state", row, row["paper"]):
            Paper.objects.filter(pk=papers[row["paper"]]).update(
                hidden=row["hidden"],
                submitted_at=_parse(row["submitted_at"]),
                submitted_by=row["submitted_by"],
            )
    votes = [
        Vote(user=users[r["user"]], paper_id=papers[r["paper"]], created_at=_when(r["created_at"]))
        for r in data["votes"]
        if known("vote", r, r["user"], r["paper"])
    ]
    Vote.objects.bulk_create(votes)
    report.created["votes"] = len(votes)
    new_ids: dict[int, int] = {}
    for r in data["comments"]:  # oldest first, so a parent is made before its replies
        if not known("comment", r, r["author"], r["paper"]):
            continue
        comment = Comment.objects.create(
            paper_id=papers[r["paper"]],
            author=users[r["author"]],
            parent_id=new_ids.get(r["parent"]) if r["parent"] else None,
            **{f: r[f] for f in ("body", "html", "deleted", "hidden")},
            created_at=_when(r["created_at"]),
            edited_at=_parse(r["edited_at"]),
        )
        new_ids[r["id"]] = comment.pk
    report.created["comments"] = len(new_ids)
    subs = [
        Submission(
            paper_id=papers[r["paper"]],
            user=users[r["user"]],
            submitted_at=_when(r["submitted_at"]),
            fetched=r["fetched"],
            hidden=r["hidden"],
        )
        for r in data["submissions"]
        if known("submission", r, r["user"], r["paper"])
    ]
    Submission.objects.bulk_create(subs)
    report.created["submissions"] = len(subs)
    reports = [
        Report(
            comment_id=new_ids[r["comment"]],
            reporter=users[r["reporter"]],
            reason=r["reason"],
            note=r["note"],
            created_at=_when(r["created_at"]),
            resolved=r["resolved"],
        )
        for r in data["reports"]
        if known("report", r, r["reporter"]) and _made(r["comment"], new_ids, report)
    ]
    Report.objects.bulk_create(reports)
    report.created["reports"] = len(reports)
    subscriptions = [
        Subscription(
            **{f: r[f] for f in SUBSCRIPTION_FIELDS},
            user=users.get(r["user"]) if r["user"] else None,
            created_at=_when(r["created_at"]),
            confirmed_at=_parse(r["confirmed_at"]),
            unsubscribed_at=_parse(r["unsubscribed_at"]),
        )
        for r in data["subscriptions"]
    ]
    Subscription.objects.bulk_create(subscriptions)
    report.created["subscriptions"] = len(subscriptions)
    saved = [
        SavedSearch(
            **{f: r[f] for f in SAVED_FIELDS}, user=users[r["user"]], created_at=_when(r["created_at"])
        )
        for r in data["saved_searches"]
        if known("saved search", r, r["user"])
    ]
    SavedSearch.objects.bulk_create(saved)
    report.created["saved searches"] = len(saved)
    report.created.update(personal_rows.import_personal(data, users, _when, _parse, report.skipped))
    recount(papers.values())
