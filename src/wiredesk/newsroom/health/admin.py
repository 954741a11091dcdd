"""The admin's health view: per source, 30 days of new items and errors as a sparkline, the last
payload's outcome, the next poll, and the open alerts; and the alerts themselves."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.contrib import admin
from django.db.models import Exists, OuterRef
from django.http import HttpRequest, HttpResponse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

from wiredesk.newsroom import clock
from wiredesk.newsroom.health.models import SourceAlert, SourceDay, SourceStatus
from wiredesk.newsroom.models import RawPayload

DAYS = 30
WIDTH, HEIGHT = 120, 24


def sparkline(items: list[int], errors: list[int]) -> SafeString:
    """An inline SVG: new items per day as a line, days with errors as red ticks below."""
    top = max([*items, 1])
    step = WIDTH / (len(items) - 1)
    points = " ".join(f"{n * step:.1f},{HEIGHT - 4 - (value / top) * (HEIGHT - 6):.1f}"
                      for n, value in enumerate(items))
    ticks = "".join(f'<rect x="{n * step - 1:.1f}" y="{HEIGHT - 3}" width="2" height="3" '
                    f'fill="#c00"/>' for n, value in enumerate(errors) if value)
    label = f"{sum(items)} new items, {sum(1 for e in errors if e)} days with errors, {DAYS} days"
    return mark_safe(
        f'<svg width="{WIDTH}" height="{HEIGHT}" role="img" aria-label="{label}">'
        f'<title>{label}</title><polyline points="{points}" fill="none" stroke="#2a6" '
        f'stroke-width="1.5"/>{ticks}</svg>')


@admin.register(SourceStatus)
class SourceHealthAdmin(admin.ModelAdmin[SourceStatus]):
    """Read-only: what each source has done lately and what is wrong with it."""

    list_display = ["name", "state", "last_30_days", "last_payload", "next_check_at",
                    "alerts"]
    list_filter = ["is_active", "transport"]
    search_fields = ["name", "url"]
    list_per_page = 50

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def get_ordering(self, request: HttpRequest) -> list[Any]:
        """Sources with something wrong first, then by name."""
        troubled = SourceAlert.objects.filter(source_id=OuterRef("pk"), closed_at__isnull=True)
        return [Exists(troubled).desc(), "name"]

    def changelist_view(self, request: HttpRequest,
                        extra_context: dict[str, Any] | None = None) -> HttpResponse:
        return super().changelist_view(request, {"title": "Source health",
                                                 **(extra_context or {})})

    @admin.display(description="state")
    def state(self, source: SourceStatus) -> str:
        if not source.is_active:
            return format_html('<strong style="color:#b00">off</strong>')
        if source.error_count:
            return format_html('<span style="color:#b00">failing ({})</span>',
                               source.error_count)
        return "ok" if source.last_success_at or source.transport != "poll" else "not fetched"

    @admin.display(description="new items and errors, 30 days")
    def last_30_days(self, source: SourceStatus) -> SafeString:
        today = clock.now().date()
        first = today - timedelta(days=DAYS - 1)
        days: dict[date, tuple[int, int]] = {
            day: (items, errors) for day, items, errors in SourceDay.objects.filter(
                source_id=source.pk, day__gte=first).values_list("day", "items", "errors")}
        span = [first + timedelta(days=n) for n in range(DAYS)]
        return sparkline([days.get(d, (0, 0))[0] for d in span],
                         [days.get(d, (0, 0))[1] for d in span])

    @admin.display(description="last payload")
    def last_payload(self, source: SourceStatus) -> str:
        payload = (RawPayload.objects.filter(source_id=source.pk).order_by("-pk")
                   .only("outcome", "received_at", "item_count", "error").first())
        if payload is None:
            return "none yet"
        text = f"{payload.get_outcome_display()}, {payload.item_count} items, " \
               f"{payload.received_at:%Y-%m-%d %H:%M}"
        return text + (f": {payload.error[:80]}" if payload.error else "")

    @admin.display(description="open alerts")
    def alerts(self, source: SourceStatus) -> SafeString | str:
        open_alerts = SourceAlert.objects.filter(source_id=source.pk, closed_at__isnull=True)
        if not open_alerts:
            return "none"
        return format_html_join(mark_safe("<br>"), '<span style="color:#b00">{}</span>: {}',
                                ((alert.get_kind_display(), alert.message)
                                 for alert in open_alerts))


@admin.register(SourceAlert)
class SourceAlertAdmin(admin.ModelAdmin[SourceAlert]):
    list_display = ["source", "kind", "opened_at", "closed_at", "noticed", "recovery_noticed",
                    "message"]
    list_filter = ["kind", ("closed_at", admin.EmptyFieldListFilter)]
    ordering = ["-opened_at"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False
