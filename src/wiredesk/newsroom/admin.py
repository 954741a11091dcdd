"""The desk editor's admin: source health, stories with their versions, payloads, tombstones."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.contrib import admin, messages
from django.db import models, transaction
from django.db.models import Count, Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.defaultfilters import pluralize
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import ngettext

from wiredesk.newsroom.admin_pictures import PictureInline
from wiredesk.newsroom.health import admin as health_admin  # noqa: F401  (registers)
from wiredesk.newsroom.models import (
    Cluster,
    Entity,
    RawPayload,
    Section,
    Source,
    Story,
    StoryEvent,
    StoryVersion,
    Tombstone,
)
from wiredesk.newsroom.outbox import admin as outbox_admin  # noqa: F401  (registers)
from wiredesk.newsroom.transports import inbox
from wiredesk.newsroom.transports.push import push_path
from wiredesk.newsroom.write import editorial, gating, merging
from wiredesk.newsroom.write.desk import WriteDesk
from wiredesk.newsroom.write.entities import merge_entities
from wiredesk.newsroom.write.publishing import publish_change, touch


@admin.register(Section)
class SectionAdmin(admin.ModelAdmin[Section]):
    list_display = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}

    def save_model(self, request: HttpRequest, obj: Section, form: object, change: bool) -> None:
        super().save_model(request, obj, form, change)
        # Pages, feeds and the API show the section's name: their validators must move.
        touch(obj.stories.all())


@admin.register(Source)
class SourceAdmin(admin.ModelAdmin[Source]):
    list_display = ["name", "transport", "mode", "section", "is_active", "health",
                    "last_success_at", "error_count", "item_errors", "last_error_short",
                    "items_24h"]
    list_filter = ["is_active", "transport", "publication_mode", "section"]
    search_fields = ["name", "url"]
    prepopulated_fields = {"slug": ["name"]}
    readonly_fields = ["push_endpoint", "push_credentials", "etag", "last_modified",
                       "next_check_at", "lease_until", "error_count", "last_error",
                       "last_error_at", "item_errors", "last_item_problem",
                       "last_item_problem_at", "last_success_at", "last_fetch_at", "redirect_url",
                       "redirect_seen", "created_at"]
    # Push secrets are made and replaced with `wiredesk source add-push` / `push-token`, which
    # show them once; the admin only says whether they are set.
    exclude = ["push_token_hash", "push_hmac_key"]
    actions = ["fetch_soon"]
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}

    @admin.display(description="publication mode", ordering="publication_mode")
    def mode(self, source: Source) -> str:
        """The mode set, else the default its transport and format give (marked so)."""
        if source.publication_mode:
            return source.publication_mode
        return f"{gating.source_mode(source).value} (default)"

    def get_queryset(self, request: HttpRequest) -> QuerySet[Source]:
        since = timezone.now() - timedelta(hours=24)
        return super().get_queryset(request).annotate(
            recent_items=Count("stories__versions",
                               filter=Q(stories__versions__received_at__gte=since)))

    @admin.display(description="items (24 h)", ordering="recent_items")
    def items_24h(self, source: Source) -> int:
        return getattr(source, "recent_items", 0)

    @admin.display(description="health")
    def health(self, source: Source) -> str:
        if not source.is_active:
            return "disabled"
        if source.error_count:
            return format_html('<span style="color:#b00">failing ({})</span>', source.error_count)
        if source.last_item_problem:  # read, but not whole: "recovered 24 of 25 items; ..."
            return format_html('<span style="color:#a60">partial: {}</span>',
                               source.last_item_problem[:120])
        return "ok" if source.last_success_at else "not fetched yet"

    @admin.display(description="last error")
    def last_error_short(self, source: Source) -> str:
        return source.last_error[:120]

    @admin.display(description="push URL")
    def push_endpoint(self, source: Source) -> str:
        if source.transport != Source.Transport.PUSH or not source.pk:
            return "-"
        return settings.WIREDESK_BASE_URL + push_path(source)

    @admin.display(description="push credentials")
    def push_credentials(self, source: Source) -> str:
        kinds = [kind for kind, value in (("bearer token", source.push_token_hash),
                                          ("HMAC key", source.push_hmac_key)) if value]
        given = " and ".join(kinds) + " set" if kinds else "none"
        return f"{given} (replace with `wiredesk source push-token {source.pk or 'ID'}`)"

    def save_model(self, request: HttpRequest, obj: Source, form: object, change: bool) -> None:
        super().save_model(request, obj, form, change)
        # The name, attribution note and canonical policy show on every story of the source.
        if change:
            touch(obj.stories.all())

    @admin.action(description="Fetch at the next scheduler tick")
    def fetch_soon(self, request: HttpRequest, queryset: QuerySet[Source]) -> None:
        count = queryset.update(next_check_at=timezone.now())
        self.message_user(request, ngettext("%(count)d source will be fetched at the next tick.",
                                            "%(count)d sources will be fetched at the next tick.",
                                            count) % {"count": count})


class StoryVersionInline(admin.TabularInline[StoryVersion, Story]):
    model = StoryVersion
    fk_name = "story"
    extra = 0
    can_delete = False
    fields = ("number", "received_at", "headline", "published_at", "source_updated_at",
              "is_superseded", "date_is_fallback", "content_hash")
    readonly_fields = fields
    ordering = ["-number"]

    def has_add_permission(self, request: HttpRequest, obj: Story | None = None) -> bool:
        return False


class StoryEventInline(admin.TabularInline[StoryEvent, Story]):
    """The story's life: every version, signal and status change, with time and cause."""

    model = StoryEvent
    extra = 0
    can_delete = False
    fields = ("at", "action", "status", "version", "cause")
    readonly_fields = fields
    ordering = ["at", "pk"]
    verbose_name_plural = "lifecycle"

    def has_add_permission(self, request: HttpRequest, obj: Story | None = None) -> bool:
        return False


class MergedStoryInline(admin.TabularInline[Story, Story]):
    """The duplicates merged into this story, with the evidence the desk decided on."""

    model = Story
    fk_name = "merged_into"
    extra = 0
    can_delete = False
    fields = ("source", "headline", "merge_kind", "merged_by", "first_published_at",
              "evidence")
    readonly_fields = fields
    verbose_name = "merged duplicate"
    verbose_name_plural = "merged duplicates (select one in the list and use “Split” to undo)"

    def has_add_permission(self, request: HttpRequest, obj: Story | None = None) -> bool:
        return False

    @admin.display(description="evidence")
    def evidence(self, story: Story) -> str:
        return evidence_text(story.duplicate_check)


def evidence_text(check: dict[str, object]) -> str:
    """The duplicate check in one line: outcome, rule, scores and the story it matched."""
    if not check:
        return "-"
    scores = ", ".join(f"{name} {check[name]}" for name in ("jaccard", "containment", "headline")
                       if check.get(name))
    matched = f"; matched story {check['matched_story']}" if check.get("matched_story") else ""
    exact = "; exact copy" if check.get("exact") else ""
    signals = f"; headline marks {check['signals']}" if check.get("signals") else ""
    return (f"{check.get('outcome', '?')} ({check.get('rule', '?')}, "
            f"{check.get('match_rule') or 'no match'}){exact}{': ' + scores if scores else ''}"
            f"{matched}{signals}")


@admin.register(Story)
class StoryAdmin(admin.ModelAdmin[Story]):
    list_display = ["headline", "source", "section", "status", "publication_mode", "gate",
                    "first_published_at", "last_updated_at", "embargoed_until", "version_count",
                    "duplicate_of", "cluster"]
    list_filter = ["status", "publication_mode", "gate_outcome", "timely", "merge_kind",
                   "source", "section"]
    search_fields = ["headline", "external_id"]
    date_hierarchy = "first_published_at"
    list_select_related = ["source", "section", "merged_into", "cluster"]
    readonly_fields = ["source", "external_id", "identity_basis", "current_version", "headline",
                       "summary", "first_published_at", "last_updated_at", "version_count",
                       "changed_at", "status", "status_reason", "embargoed_until", "expires_at",
                       "corrected_at", "correction_note", "merged_into", "merge_kind",
                       "merged_by", "merge_locked", "duplicate_evidence", "cluster",
                       "cluster_score", "publication_mode", "gate_outcome", "gate_findings",
                       "timely"]
    fields = ["headline", "status", "status_reason", "publication_mode", "gate_outcome",
              "gate_findings", "timely", "section", "slug", "source", "external_id",
              "identity_basis", "current_version", "first_published_at", "last_updated_at",
              "embargoed_until", "expires_at", "corrected_at", "correction_note",
              "version_count", "changed_at", "summary", "merged_into", "merge_kind", "merged_by",
              "merge_locked", "duplicate_evidence", "cluster", "cluster_score"]
    inlines = [MergedStoryInline, StoryEventInline, StoryVersionInline, PictureInline]
    actions = ["hold", "unpublish", "republish", "kill", "split", "merge"]

    @admin.display(description="duplicate of", ordering="merged_into")
    def duplicate_of(self, story: Story) -> str:
        if story.merged_into is None:
            return ""
        return f"#{story.merged_into_id} ({story.get_merge_kind_display().split(':')[0]})"

    @admin.display(description="publication gate", ordering="gate_outcome")
    def gate(self, story: Story) -> str:
        """The gate's outcome and the checks behind it, e.g. "excerpt (teaser)"."""
        checks = ", ".join(finding.get("check", "") for finding in story.gate_reasons or [])
        return f"{story.gate_outcome} ({checks})" if checks else story.gate_outcome

    @admin.display(description="gate findings")
    def gate_findings(self, story: Story) -> str:
        return "; ".join(f"{finding.get('check')}: {finding.get('outcome')} — "
                         f"{finding.get('reason')}" for finding in story.gate_reasons or []) \
            or "passed every check"

    @admin.display(description="duplicate check")
    def duplicate_evidence(self, story: Story) -> str:
        return evidence_text(story.duplicate_check)

    @admin.action(description="Split from the story it was merged into")
    def split(self, request: HttpRequest, queryset: QuerySet[Story]) -> None:
        editor, desk = request.user.get_username(), WriteDesk()
        for story in queryset:
            try:
                root = merging.split(desk, story, editor)
            except merging.MergeRefused as refused:
                self.message_user(request, str(refused), messages.WARNING)
            else:
                self.message_user(request, f"Story {story.pk} split from story {root.pk}: it "
                                           f"is published on its own and stays so.",
                                  messages.SUCCESS)

    @admin.action(description="Merge into another story (as also reported by)…")
    def merge(self, request: HttpRequest, queryset: QuerySet[Story]) -> HttpResponse | None:
        target = request.POST.get("target", "").strip()
        if "apply" in request.POST and target.isdigit():
            into = Story.objects.filter(pk=int(target)).first()
            if into is None:
                self.message_user(request, f"There is no story {target}.", messages.ERROR)
                return None
            editor, desk = request.user.get_username(), WriteDesk()
            for story in queryset:
                try:
                    root = merging.merge(desk, story, into, editor)
                except merging.MergeRefused as refused:
                    self.message_user(request, str(refused), messages.WARNING)
                else:
                    self.message_user(request, f"Story {story.pk} merged into story {root.pk}.",
                                      messages.SUCCESS)
            return None
        return render(request, "admin/newsroom/story/merge.html",
                      {**self.admin_site.each_context(request), "stories": list(queryset),
                       "title": "Merge stories"})

    def _set(self, request: HttpRequest, queryset: QuerySet[Story], status: Story.Status) -> None:
        done = sum(editorial.set_status(story, status, editor=request.user.get_username())
                   for story in queryset)
        self.message_user(request, ngettext("%(count)d story: %(status)s.",
                                            "%(count)d stories: %(status)s.", done)
                          % {"count": done, "status": status.label.lower()}, messages.SUCCESS)
        if done < queryset.count():
            kept = queryset.count() - done
            self.message_user(request, ngettext("%(count)d killed story stays killed.",
                                                "%(count)d killed stories stay killed.", kept)
                              % {"count": kept}, messages.WARNING)

    @admin.action(description="Kill (withdraw for good, with a reason)")
    def kill(self, request: HttpRequest, queryset: QuerySet[Story]) -> HttpResponse | None:
        reason = request.POST.get("reason", "").strip()
        if "apply" in request.POST and reason:
            stories = list(queryset)
            for story in stories:
                editorial.kill(story, reason=reason, editor=request.user.get_username())
            self.message_user(request, ngettext("%(count)d story killed.",
                                                "%(count)d stories killed.", len(stories))
                              % {"count": len(stories)}, messages.SUCCESS)
            return None
        return render(request, "admin/newsroom/story/kill.html",
                      {**self.admin_site.each_context(request), "stories": list(queryset),
                       "title": "Kill stories"})

    @admin.action(description="Hold (take off the site)")
    def hold(self, request: HttpRequest, queryset: QuerySet[Story]) -> None:
        self._set(request, queryset, Story.Status.HELD)

    @admin.action(description="Unpublish")
    def unpublish(self, request: HttpRequest, queryset: QuerySet[Story]) -> None:
        self._set(request, queryset, Story.Status.UNPUBLISHED)

    @admin.action(description="Republish")
    def republish(self, request: HttpRequest, queryset: QuerySet[Story]) -> None:
        self._set(request, queryset, Story.Status.PUBLISHED)

    def save_model(self, request: HttpRequest, obj: Story, form: object, change: bool) -> None:
        super().save_model(request, obj, form, change)
        publish_change(obj)

    def delete_model(self, request: HttpRequest, obj: Story) -> None:
        editorial.delete_for_good(obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Story]) -> None:
        for story in queryset:
            editorial.delete_for_good(story)


@admin.register(Entity)
class EntityAdmin(admin.ModelAdmin[Entity]):
    """People, organisations, places, countries and topics found by enrichment. The name can be
    corrected by hand (the page and feeds follow); the key is what stories link by."""

    list_display = ["name", "kind", "code", "stories", "created_at"]
    list_filter = ["kind"]
    search_fields = ["name", "key", "aliases"]
    readonly_fields = ["key", "kind", "code", "aliases", "created_at"]
    fields = ["name", "slug", "key", "kind", "code", "aliases", "created_at"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Entity]:
        return super().get_queryset(request).annotate(story_count=Count("story_links"))

    @admin.display(description="stories", ordering="story_count")
    def stories(self, entity: Entity) -> int:
        return int(getattr(entity, "story_count", 0))

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def save_model(self, request: HttpRequest, obj: Entity, form: object, change: bool) -> None:
        super().save_model(request, obj, form, change)
        touch(Story.objects.filter(entity_links__entity=obj))  # its pages show the name

    actions = ["merge"]

    @admin.action(description="Merge into another entity (the same person, organisation…)")
    def merge(self, request: HttpRequest, queryset: QuerySet[Entity]) -> HttpResponse | None:
        target = request.POST.get("target", "").strip()
        if "apply" in request.POST and target:
            into = Entity.objects.filter(key=target).first()
            if into is None:
                self.message_user(request, f"There is no entity {target!r}.", messages.ERROR)
                return None
            with transaction.atomic():
                merged = [entity for entity in queryset if entity.pk != into.pk]
                for entity in merged:
                    merge_entities(entity, into=into)
            self.message_user(request, f"{len(merged)} merged into {into.name}; their names "
                                       "now lead there in every story.", messages.SUCCESS)
            return None
        return render(request, "admin/newsroom/entity/merge.html",
                      {**self.admin_site.each_context(request), "entities": list(queryset),
                       "title": "Merge entities"})


@admin.register(Cluster)
class ClusterAdmin(admin.ModelAdmin[Cluster]):
    list_display = ["title", "story_count", "created_at", "changed_at"]
    search_fields = ["title"]
    readonly_fields = ["key", "title", "created_at", "changed_at", "story_count"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


@admin.register(RawPayload)
class RawPayloadAdmin(admin.ModelAdmin[RawPayload]):
    list_display = ["received_at", "source", "transport", "origin", "outcome", "error_short",
                    "format", "item_count", "size"]
    list_filter = ["outcome", "transport", "source"]
    list_select_related = ["source"]
    readonly_fields = ["source", "received_at", "transport", "origin", "content_type", "size",
                       "sha256", "outcome", "error", "warnings", "format", "item_count",
                       "body_preview"]
    exclude = ["compressed_body"]
    actions = ["reprocess"]

    @admin.display(description="error")
    def error_short(self, payload: RawPayload) -> str:
        return payload.error[:120]

    @admin.action(description="Re-process (parse again)", permissions=["reprocess"])
    def reprocess(self, request: HttpRequest, queryset: QuerySet[RawPayload]) -> None:
        results = inbox.reprocess(WriteDesk(), queryset.select_related("source").order_by("pk"))
        failures = [result for result in results if result.failed]
        self.message_user(request, f"{len(results)} payload{pluralize(len(results))} "
                                   f"re-processed, {len(failures)} still failing.",
                          messages.WARNING if failures else messages.SUCCESS)
        for result in failures[:10]:
            self.message_user(request, result.line(), messages.ERROR)

    def has_reprocess_permission(self, request: HttpRequest) -> bool:
        # Payloads themselves are read-only; re-processing changes stories, an editor's right.
        return request.user.has_perm("newsroom.change_story")

    @admin.display(description="body (first 20 kB)")
    def body_preview(self, payload: RawPayload) -> str:
        text = payload.body[:20_000].decode("utf-8", "replace")
        return format_html("<pre style='white-space:pre-wrap'>{}</pre>", text)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: RawPayload | None = None) -> bool:
        return False


@admin.register(Tombstone)
class TombstoneAdmin(admin.ModelAdmin[Tombstone]):
    list_display = ["source", "external_id", "reason", "created_at"]
    list_filter = ["source"]
    search_fields = ["external_id"]


# Routing rules and the review queue (issue 12) have their own module.
from wiredesk.newsroom import admin_rules  # noqa: E402, F401
