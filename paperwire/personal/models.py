"""What one member keeps for themselves: library, not-interested marks, follows, mutes, their model."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from paperwire.papers.models import Paper

USER = settings.AUTH_USER_MODEL


class LibraryItem(models.Model):
    """A paper a member saved to their library, with its reading status."""

    STATUSES = [("to-read", "To read"), ("read", "Read")]

    user = models.ForeignKey(USER, on_delete=models.CASCADE, related_name="library")
    paper = models.ForeignKey(Paper, on_delete=models.CASCADE, related_name="+")
    status = models.CharField(max_length=10, choices=STATUSES, default="to-read")
    saved_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "paper"], name="library_once")]
        indexes = [models.Index(fields=["user", "-saved_at"], name="library_user_time")]

    def __str__(self) -> str:
        return f"{self.user_id} saved {self.paper_id}"


class NotInterested(models.Model):
    """A member's "not interested" mark: a negative signal that also hides the paper for them."""

    user = models.ForeignKey(USER, on_delete=models.CASCADE, related_name="not_interested")
    paper = models.ForeignKey(Paper, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "paper"], name="not_interested_once")]

    def __str__(self) -> str:
        return f"{self.user_id} not interested in {self.paper_id}"


class Collection(models.Model):
    """A named list of papers, private to its owner or public with a page and a feed."""

    user = models.ForeignKey(USER, on_delete=models.CASCADE, related_name="collections")
    name = models.CharField(max_length=120)
    public = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    papers = models.ManyToManyField(Paper, through="CollectionItem", related_name="+")

    def __str__(self) -> str:
        return self.name


class CollectionItem(models.Model):
    """A paper in a collection, with the owner's note on it."""

    collection = models.ForeignKey(Collection, on_delete=models.CASCADE, related_name="items")
    paper = models.ForeignKey(Paper, on_delete=models.CASCADE, related_name="+")
    note = models.CharField(max_length=1000, blank=True)
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["collection", "paper"], name="collection_item_once")]

    def __str__(self) -> str:
        return f"{self.paper_id} in {self.collection_id}"


FOLLOW_KINDS = [("author", "Author"), ("category", "Category"), ("query", "Query")]
MUTE_KINDS = [("author", "Author"), ("category", "Category"), ("word", "Word or phrase")]


class Follow(models.Model):
    """A member following an author (as arXiv writes the name), a category or a query."""

    user = models.ForeignKey(USER, on_delete=models.CASCADE, related_name="follows")
    kind = models.CharField(max_length=10, choices=FOLLOW_KINDS)
    value = models.CharField(max_length=200)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "kind", "value"], name="follow_once")]

    def __str__(self) -> str:
        return f"{self.user_id} follows {self.kind} {self.value}"


class Mute(models.Model):
    """A member's mute rule: papers by an author, in a category or with a word are hidden for them."""

    user = models.ForeignKey(USER, on_delete=models.CASCADE, related_name="mutes")
    kind = models.CharField(max_length=10, choices=MUTE_KINDS)
    value = models.CharField(max_length=200)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "kind", "value"], name="mute_once")]

    def __str__(self) -> str:
        return f"{self.user_id} mutes {self.kind} {self.value}"


class Seen(models.Model):
    """A paper already put before a member (in a digest), shown as "seen" on /for-you."""

    user = models.ForeignKey(USER, on_delete=models.CASCADE, related_name="+")
    paper = models.ForeignKey(Paper, on_delete=models.CASCADE, related_name="+")
    seen_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "paper"], name="seen_once")]

    def __str__(self) -> str:
        return f"{self.user_id} saw {self.paper_id}"


class Taste(models.Model):
    """A member's learned model: the weights of their classifier, kept until their signals change.

    `version` counts changes of the signals kept here; the model is good while `trained_key`
    equals the key of the current signals (this version plus the member's upvotes).
    """

    user = models.OneToOneField(USER, on_delete=models.CASCADE, related_name="taste")
    version = models.PositiveIntegerField(default=0)
    trained_key = models.CharField(max_length=64, blank=True)
    weights = models.BinaryField(blank=True, default=b"")  # float32 vector weights, little-endian
    bias = models.FloatField(default=0.0)
    words = models.JSONField(default=dict, blank=True)  # {word: weight} of the title-word model
    positives = models.PositiveIntegerField(default=0)
    negatives = models.PositiveIntegerField(default=0)
    trained_at = models.DateTimeField(null=True, blank=True)
    hide_seen = models.BooleanField(default=False)
    reset_at = models.DateTimeField(null=True, blank=True)  # signals older than this no longer teach

    def __str__(self) -> str:
        return f"taste of {self.user_id} (v{self.version})"


class ApiToken(models.Model):
    """A personal API token; only its SHA-256 is stored, so a database leak does not reveal it."""

    user = models.ForeignKey(USER, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=80)
    prefix = models.CharField(max_length=12)  # the first characters, shown so a member can tell tokens apart
    digest = models.CharField(max_length=64, unique=True)
    write = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"
