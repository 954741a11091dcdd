"""The admin's view of the desk's pictures: on each story (inline) and as a list of refusals, so a
failed picture is visible with its reason while the story itself is published."""

from __future__ import annotations

from django.contrib import admin
from django.core.files.storage import default_storage
from django.http import HttpRequest
from django.utils.html import format_html

from wiredesk.newsroom.imagemodels import Picture, PictureCheck
from wiredesk.newsroom.models import Story


def _preview(picture: Picture) -> str:
    small = min(picture.renditions or [{}], key=lambda r: int(r.get("width", 0) or 0))
    if picture.status != Picture.Status.READY or "jpeg" not in small:
        return "—"
    return format_html('<img src="{}" alt="" width="120" style="height:auto">',
                       default_storage.url(small["jpeg"]))


class PictureInline(admin.TabularInline[Picture, Story]):
    model = Picture
    extra = 0
    can_delete = False
    fields = readonly_fields = ("position", "preview", "status", "reason", "url", "width",
                                "height", "credit", "seconds")

    @admin.display(description="Picture")
    def preview(self, picture: Picture) -> str:
        return _preview(picture)

    def has_add_permission(self, request: HttpRequest, obj: Story | None = None) -> bool:
        return False


@admin.register(Picture)
class PictureAdmin(admin.ModelAdmin[Picture]):
    list_display = ["story", "status", "reason", "source_format", "width", "height",
                    "source_bytes", "seconds", "fetched_at"]
    list_filter = ["status", "source_format"]
    search_fields = ["url", "reason", "story__headline"]
    readonly_fields = [field.name for field in Picture._meta.fields] + ["preview"]
    list_select_related = ["story"]

    @admin.display(description="Picture")
    def preview(self, picture: Picture) -> str:
        return _preview(picture)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


@admin.register(PictureCheck)
class PictureCheckAdmin(admin.ModelAdmin[PictureCheck]):
    """Deleting a check makes the picture job go through the story again (a retry)."""

    list_display = ["story", "version_id", "checked_at", "note"]
    search_fields = ["story__headline", "note"]
    readonly_fields = ["story", "version_id", "checked_at", "note"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False
