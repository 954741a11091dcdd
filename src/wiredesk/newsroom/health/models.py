"""Source health's tables: the learned rhythm and failure streak per source, a day's counts
(the admin's 30-day sparklines), and alerts (one row per incident)."""

from __future__ import annotations

from django.db import models
from django.utils import timezone

from wiredesk.newsroom.models import Source


class SourceHealth(models.Model):
    """What the desk has learned about one source (wiredesk.core.cadence) and its failures."""

    source = models.OneToOneField("newsroom.Source", primary_key=True, on_delete=models.CASCADE,
                                  related_name="rhythm")
    cadence = models.JSONField(default=dict, blank=True)
    # When the current run of failed fetches began (None while fetches succeed).
    failing_since = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "learned rhythm"

    def __str__(self) -> str:
        return f"health of source {self.source_id}"


class SourceDay(models.Model):
    """New items and fetch errors of one source on one day (UTC)."""

    source = models.ForeignKey("newsroom.Source", on_delete=models.CASCADE, related_name="days")
    day = models.DateField()
    items = models.PositiveIntegerField(default=0)
    errors = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["source", "day"], name="source_day")]


class SourceAlert(models.Model):
    """One incident: a source silent for longer than usual, failing, or disabled for failing.
    Opened once, noticed once, closed (with one recovery notice) when the source recovers."""

    class Kind(models.TextChoices):
        IDLE = "idle", "Silent for longer than usual"
        FAILING = "failing", "Failing repeatedly"
        DISABLED = "disabled", "Disabled after failing too long"

    source = models.ForeignKey("newsroom.Source", on_delete=models.CASCADE, related_name="alerts")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    message = models.TextField()
    opened_at = models.DateTimeField(default=timezone.now)
    closed_at = models.DateTimeField(null=True, blank=True)
    noticed = models.BooleanField(default=False, help_text="The alert's notice went out.")
    recovery_noticed = models.BooleanField(default=False)

    class Meta:
        indexes = [models.Index(fields=["source", "kind"], name="source_alert_open",
                                condition=models.Q(closed_at__isnull=True))]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.source}"


class SourceStatus(Source):
    """Every source as the admin's health view shows it (a proxy: no table of its own)."""

    class Meta:
        proxy = True
        verbose_name = "source health"
        verbose_name_plural = "source health"
