"""The outbox in the admin: subscribers (a new secret is shown once), deliveries with the dead
letters first, and replaying them."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.forms import ModelForm
from django.http import HttpRequest
from django.utils.translation import ngettext

from wiredesk.newsroom.outbox.delivery import replay
from wiredesk.newsroom.outbox.models import Delivery, Subscriber
from wiredesk.newsroom.outbox.subscribers import (
    SubscriberError,
    check_url,
    new_subscriber_secret,
)


@admin.register(Subscriber)
class SubscriberAdmin(admin.ModelAdmin[Subscriber]):
    list_display = ["name", "url", "active", "events", "sections", "sources", "topics",
                    "rules"]
    list_filter = ["active"]
    actions = ["issue_secret"]

    def save_model(self, request: HttpRequest, obj: Subscriber, form: ModelForm[Any],
                   change: bool) -> None:
        try:
            check_url(obj.url)
        except SubscriberError as exc:
            # Saved inactive, with the reason: nothing is sent to a refused address.
            obj.active = False
            self.message_user(request, f"{exc}; the subscriber is inactive.", messages.ERROR)
        super().save_model(request, obj, form, change)
        if not change:
            secret = new_subscriber_secret(obj)
            self.message_user(request, f"Signing secret for {obj.name} (shown once; give it to "
                                       f"the receiver): {secret}", messages.WARNING)

    @admin.action(description="Issue a new signing secret")
    def issue_secret(self, request: HttpRequest, queryset: QuerySet[Subscriber]) -> None:
        for subscriber in queryset:
            self.message_user(request, f"New signing secret for {subscriber.name} (shown once): "
                                       f"{new_subscriber_secret(subscriber)}", messages.WARNING)


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin[Delivery]):
    list_display = ["id", "state", "event", "kind", "story_id", "subscriber", "attempts",
                    "next_attempt_at", "last_error", "created_at"]
    list_filter = ["state", "kind", "event", "subscriber"]
    ordering = ["-id"]
    actions = ["replay_dead"]
    readonly_fields = [field.name for field in Delivery._meta.get_fields()
                       if getattr(field, "concrete", False)]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    @admin.action(description="Send again (dead letters)")
    def replay_dead(self, request: HttpRequest, queryset: QuerySet[Delivery]) -> None:
        count = replay(queryset)
        self.message_user(request, ngettext("%(count)d dead letter queued again.",
                                            "%(count)d dead letters queued again.", count)
                          % {"count": count})
