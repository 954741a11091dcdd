"""The desk's own copies of story pictures (see :mod:`wiredesk.newsroom.images`).

A :class:`Picture` is one photo of a story as the desk hosts it: the feed may name it several times
(two sizes of one Guardian photo), it is one row, fetched once at its largest. A refused or failed
picture is a row too, with the reason, so the admin shows it; the story never waits for it.
:class:`PictureCheck` says which version of a story the picture job last went through, so the job
finds its work from stored state alone (a new version with new pictures is checked again).
"""

from __future__ import annotations

from typing import Any

from django.db import models
from django.utils import timezone


class Picture(models.Model):
    class Status(models.TextChoices):
        READY = "ready", "Stored"
        FAILED = "failed", "Refused or failed"

    story = models.ForeignKey("newsroom.Story", on_delete=models.CASCADE,
                              related_name="pictures")
    position = models.PositiveSmallIntegerField(help_text="Order in the story; 0 leads.")
    key = models.CharField(max_length=500, help_text="The photo's identity: its address with "
                                                     "size parameters left out.")
    url = models.URLField(max_length=2000, help_text="The address fetched (the largest named).")
    caption = models.TextField(blank=True)
    credit = models.CharField(max_length=300, blank=True)
    alt = models.CharField(max_length=500, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices)
    reason = models.CharField(max_length=500, blank=True,
                              help_text="Why the picture was refused or failed.")
    # The verified image: its pixel size after EXIF orientation, the source's bytes' hash and
    # format, and where its renditions are in the storage (relative names).
    width = models.PositiveIntegerField(null=True, blank=True)
    height = models.PositiveIntegerField(null=True, blank=True)
    sha256 = models.CharField(max_length=64, blank=True)
    source_format = models.CharField(max_length=10, blank=True)
    source_bytes = models.PositiveIntegerField(null=True, blank=True)
    original = models.CharField(max_length=300, blank=True)
    # [{"width": 640, "height": 427, "webp": "images/ab/.../640.webp", "jpeg": ".../640.jpg"}]
    renditions: models.JSONField[Any] = models.JSONField(default=list, blank=True)
    fetched_at = models.DateTimeField(default=timezone.now)
    seconds = models.FloatField(default=0.0, help_text="Fetch, verify and render time.")

    class Meta:
        ordering = ["story", "position"]
        constraints = [models.UniqueConstraint(fields=["story", "key"], name="picture_identity")]

    def __str__(self) -> str:
        return f"{self.url} ({self.status})"


class PictureCheck(models.Model):
    story = models.OneToOneField("newsroom.Story", primary_key=True, on_delete=models.CASCADE,
                                 related_name="picture_check")
    version_id = models.BigIntegerField(help_text="The story version last gone through.")
    checked_at = models.DateTimeField(default=timezone.now)
    note = models.CharField(max_length=300, blank=True,
                            help_text="Why no picture was fetched (rights), if so.")

    def __str__(self) -> str:
        return f"story {self.story_id} at version {self.version_id}"
