"""The outbox's tables: who receives events, what is waiting to go out, and what each story last
looked like to the outside (so the next change is named right: updated, corrected, killed)."""

from __future__ import annotations

from django.db import models
from django.utils import timezone

EVENTS = ("published", "updated", "corrected", "killed")


class Subscriber(models.Model):
    """A partner system receiving stories as they are published, by signed webhook."""

    name = models.CharField(max_length=200, unique=True)
    url = models.URLField(max_length=2000, help_text="Where events are POSTed (ninjs JSON).")
    # Fernet-sealed (wiredesk.newsroom.sealed): signing needs the secret itself, not a hash.
    secret = models.CharField(max_length=500, editable=False)
    events = models.JSONField(default=list, blank=True,
                              help_text="Events sent: published, updated, corrected, killed "
                                        "(empty: all).")
    sections = models.JSONField(default=list, blank=True,
                                help_text="Only stories in these section slugs (empty: all).")
    sources = models.JSONField(default=list, blank=True,
                               help_text="Only stories from these source slugs (empty: all).")
    topics = models.JSONField(default=list, blank=True,
                              help_text="Only stories with one of these IPTC subject codes, "
                                        "e.g. medtop:04000000 (empty: all).")
    rules = models.JSONField(default=list, blank=True,
                             help_text="Only stories one of these routing rules matched, by name "
                                       "(empty: all).")
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return self.name


class Delivery(models.Model):
    """One event for one subscriber, or one hub ping: kept until delivered, retried with
    backoff, and dead-lettered (kept, shown in the admin, replayable) when it never gets
    through. Its id orders a story's events: the next is not sent before the previous is."""

    class Kind(models.TextChoices):
        WEBHOOK = "webhook", "Webhook event"
        WEBSUB = "websub", "WebSub hub ping"
        ALERT = "alert", "Source health notice"
        PURGE = "purge", "Front cache refresh or purge"

    class State(models.TextChoices):
        PENDING = "pending", "Waiting to be delivered"
        DELIVERED = "delivered", "Delivered"
        DEAD = "dead", "Dead letter: gave up"

    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.WEBHOOK)
    subscriber = models.ForeignKey(Subscriber, null=True, blank=True, on_delete=models.CASCADE,
                                   related_name="deliveries")
    target = models.URLField(max_length=2000)
    story_id = models.BigIntegerField(null=True, blank=True)
    event = models.CharField(max_length=20, blank=True)
    # Sent as webhook-id on every attempt, so a receiver can drop a repeat.
    event_id = models.CharField(max_length=40, blank=True)
    body = models.BinaryField()
    state = models.CharField(max_length=10, choices=State.choices, default=State.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    delivered_at = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=500, blank=True)

    class Meta:
        verbose_name_plural = "deliveries"
        indexes = [
            # The delivery loop's queue: only what is waiting, in due order.
            models.Index(fields=["next_attempt_at", "id"], name="delivery_due",
                         condition=models.Q(state="pending")),
            # A story's earlier events for the same subscriber (per-story order).
            models.Index(fields=["subscriber", "story_id", "id"], name="delivery_story_order",
                         condition=models.Q(state="pending")),
            models.Index(fields=["-created_at"], name="delivery_dead",
                         condition=models.Q(state="dead")),
            # Delivered rows past their keeping time, for pruning.
            models.Index(fields=["delivered_at"], name="delivery_done",
                         condition=models.Q(state="delivered")),
        ]

    def __str__(self) -> str:
        return f"{self.event or self.kind} -> {self.target} ({self.state})"


class SentState(models.Model):
    """What the outside last saw of a story: the version and whether it was public, and its
    correction time. The next change is named against it."""

    story_id = models.BigIntegerField(primary_key=True)
    version_id = models.BigIntegerField(default=0)
    public = models.BooleanField(default=False)
    corrected_at = models.DateTimeField(null=True, blank=True)
