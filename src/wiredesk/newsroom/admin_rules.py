"""The admin's routing rules and review queue (issue 12): rules edited as the same TOML tables as
the rules file, refused at save when they cannot compile, previewed against the last 500 items
before saving; the held stories with their reasons and a preview, approved or rejected one at a
time or many at once; their counts on the admin index."""

from __future__ import annotations

import tomllib
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import URLPattern, path
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import ngettext

from wiredesk.core.rules import RuleError, RuleSpec
from wiredesk.core.text import html_to_text
from wiredesk.newsroom import review
from wiredesk.newsroom import rules as stored_rules
from wiredesk.newsroom.models import Story
from wiredesk.newsroom.rules import HeldStory, Rule

admin.site.index_template = "admin/newsroom/index.html"  # the review queue's counts on top


def _toml(values: dict[str, Any]) -> str:
    """A rule's table as the lines the rules file has under [rule.when] / [rule.then]."""
    return "\n".join(stored_rules._table("x", values)[1:]).replace("[x.", "[")


def _parse(text: str, field: str) -> dict[str, Any]:
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise forms.ValidationError(f"{field}: not TOML ({exc}); write one condition a line, "
                                    'e.g. words = ["advisory", "test"]') from None


class RuleForm(forms.ModelForm[Rule]):
    """Conditions and actions as TOML lines; the rule is compiled (and its section and sources
    looked up) before it is saved, and "Preview" runs it instead of saving it."""

    when_text = forms.CharField(
        label="When (conditions)", required=False,
        widget=forms.Textarea(attrs={"rows": 8, "cols": 80, "class": "vLargeTextField",
                                     "style": "font-family: monospace"}),
        help_text='One condition a line, all must hold, e.g. <code>language = "de"</code>, '
                  '<code>words = ["advisory", "test"]</code>, <code>urgency = "1-2"</code>; '
                  "empty: every item. See docs/rules.md.")
    then_text = forms.CharField(
        label="Then (actions)",
        widget=forms.Textarea(attrs={"rows": 6, "cols": 80, "class": "vLargeTextField",
                                     "style": "font-family: monospace"}),
        help_text='e.g. <code>action = "hold"</code>, <code>section = "sport"</code>, '
                  '<code>tags = ["flash"]</code>, <code>pin = 3</code>, '
                  '<code>strip_prefix = ["UPDATE \\\\d+-"]</code>.')

    class Meta:
        model = Rule
        fields = ["name", "position", "source", "enabled", "note"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["when_text"].initial = _toml(self.instance.when or {})
            self.fields["then_text"].initial = _toml(self.instance.then or {})
        self.preview: stored_rules.Preview | None = None

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.errors:
            return data
        when = _parse(data.get("when_text", ""), "When")
        then = _parse(data.get("then_text", ""), "Then")
        source = data.get("source")
        spec = RuleSpec(name=data.get("name", ""), when=when, then=then,
                        source=source.slug if source else "", enabled=data.get("enabled", True))
        try:
            stored_rules.check(spec)
        except RuleError as exc:
            raise forms.ValidationError(str(exc)) from None
        if Rule.objects.filter(name=spec.name).exclude(pk=self.instance.pk).exists():
            raise forms.ValidationError(f"there is already a rule named {spec.name!r}")
        data["when"], data["then"], data["spec"] = when, then, spec
        return data

    def is_valid(self) -> bool:
        """A valid form asked for a preview is run, not saved (the page shows it again)."""
        valid = super().is_valid()
        if valid and "_preview" in self.data:
            self.preview = stored_rules.preview(self.cleaned_data["spec"],
                                                self.cleaned_data.get("position") or 0,
                                                replaces=self.instance.pk)
            return False
        return valid

    def save(self, commit: bool = True) -> Rule:
        self.instance.when = self.cleaned_data["when"]
        self.instance.then = self.cleaned_data["then"]
        return super().save(commit)


@admin.register(Rule)
class RuleAdmin(admin.ModelAdmin[Rule]):
    form = RuleForm
    change_form_template = "admin/newsroom/rule/change_form.html"
    list_display = ["position", "name", "scope", "enabled", "conditions", "actions_done",
                    "errors"]
    list_display_links = ["name"]
    list_editable = ["position", "enabled"]
    list_filter = ["enabled", "source"]
    search_fields = ["name", "note"]
    readonly_fields = ["error_count", "last_error", "last_error_at", "updated_at"]
    fieldsets = [
        (None, {"fields": ["name", "position", "source", "enabled", "when_text", "then_text",
                           "note"]}),
        ("Errors on items", {"fields": ["error_count", "last_error", "last_error_at",
                                        "updated_at"]}),
    ]
    actions = ["clear_errors"]
    change_list_template = "admin/newsroom/rule/change_list.html"

    def get_urls(self) -> list[URLPattern]:
        preview = path("preview/", self.admin_site.admin_view(self.preview_list),
                       name="newsroom_rule_preview")
        return [preview, *super().get_urls()]

    def preview_list(self, request: HttpRequest) -> HttpResponse:
        """The whole list on the last 500 items, against the gate alone."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        found = stored_rules.preview_list()
        rules = [(rule, found.by_rule.get(rule.name)) for rule in
                 Rule.objects.filter(enabled=True).select_related("source")]
        return TemplateResponse(request, "admin/newsroom/rule/preview_list.html", {
            **self.admin_site.each_context(request), "title": "The rules on the last 500 items",
            "opts": self.model._meta, "preview": found, "rules": rules})

    @admin.display(description="applies to", ordering="source")
    def scope(self, rule: Rule) -> str:
        return rule.source.name if rule.source else "every source"

    @admin.display(description="when")
    def conditions(self, rule: Rule) -> str:
        return "; ".join(_toml(rule.when or {}).splitlines()) or "every item"

    @admin.display(description="then")
    def actions_done(self, rule: Rule) -> str:
        return "; ".join(_toml(rule.then or {}).splitlines())

    @admin.display(description="errors", ordering="error_count")
    def errors(self, rule: Rule) -> str:
        if not rule.last_error:
            return ""
        return format_html('<span class="rule-error" style="color:#b00">{}x — {}</span>',
                           rule.error_count, rule.last_error[:160])

    @admin.action(description="Clear the error flags")
    def clear_errors(self, request: HttpRequest, queryset: QuerySet[Rule]) -> None:
        queryset.update(error_count=0, last_error="", last_error_at=None)


@admin.register(HeldStory)
class ReviewQueueAdmin(admin.ModelAdmin[HeldStory]):
    """Every story held for an editor, oldest release first: approve publishes, reject drops."""

    list_display = ["headline_link", "source", "reasons", "excerpt", "held_since", "release_at",
                    "decide"]
    list_filter = ["source", "gate_outcome"]
    search_fields = ["headline"]
    list_select_related = ["source", "current_version"]
    actions = ["approve", "reject"]
    fields = ("headline", "source", "status", "status_reason", "reasons", "publication_mode",
              "release_at", "text")
    readonly_fields = fields
    change_form_template = "admin/newsroom/heldstory/change_form.html"

    def get_queryset(self, request: HttpRequest) -> QuerySet[HeldStory]:
        return HeldStory.objects.filter(pk__in=review.queue().values("pk")) \
            .select_related("source", "current_version").order_by("release_at", "-changed_at")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: HeldStory | None = None) -> bool:
        return False

    @admin.display(description="headline", ordering="headline")
    def headline_link(self, story: HeldStory) -> str:
        return format_html('<a href="{}/change/">{}</a>', story.pk, story.headline)

    @admin.display(description="held for")
    def reasons(self, story: HeldStory) -> str:
        return format_html_join("", '<div class="held-reason">{}</div>',
                                ((line,) for line in review.reasons(story)))

    @admin.display(description="preview")
    def excerpt(self, story: HeldStory) -> str:
        version = story.current_version
        words = html_to_text(version.body_html).split() if version else []
        return " ".join(words[:40]) + (" …" if len(words) > 40 else "")

    @admin.display(description="held since", ordering="changed_at")
    def held_since(self, story: HeldStory) -> Any:
        return story.changed_at

    @admin.display(description="decide")
    def decide(self, story: HeldStory) -> str:
        # Buttons of the list's own form (which carries the CSRF token): one click each.
        return format_html(
            '<button type="submit" class="button approve-one" name="approve_one" value="{}">'
            'Approve</button> <button type="submit" class="button reject-one" '
            'name="reject_one" value="{}">Reject</button>', story.pk, story.pk)

    @admin.display(description="text")
    def text(self, story: HeldStory) -> str:
        version = story.current_version
        if version is None:
            return "-"
        # The body was sanitised on the way in (nh3 allowlist): shown as a reader would see it.
        return format_html('<div class="held-preview" style="max-width:45em">{}</div>',
                           _safe(version.body_html))

    def changelist_view(self, request: HttpRequest, extra_context: dict[str, Any] | None = None
                        ) -> HttpResponse:
        for name, decide in (("approve_one", review.approve), ("reject_one", review.reject)):
            if request.method == "POST" and request.POST.get(name, "").isdigit():
                self._decide(request, [int(request.POST[name])], decide)
                return HttpResponseRedirect(request.get_full_path())
        return super().changelist_view(request, extra_context)

    def change_view(self, request: HttpRequest, object_id: str, form_url: str = "",
                    extra_context: dict[str, Any] | None = None) -> HttpResponse:
        if request.method == "POST" and ("_approve" in request.POST or "_reject" in request.POST):
            decide = review.approve if "_approve" in request.POST else review.reject
            if object_id.isdigit():
                self._decide(request, [int(object_id)], decide)
            return HttpResponseRedirect("../../")
        return super().change_view(request, object_id, form_url, extra_context)

    def _decide(self, request: HttpRequest, ids: list[int], decide: Any) -> None:
        if not request.user.has_perm("newsroom.change_story"):
            self.message_user(request, "You may not change stories.", messages.ERROR)
            return
        editor = request.user.get_username()
        done = sum(decide(story, editor) for story in Story.objects.filter(pk__in=ids))
        verb = "approved and published" if decide is review.approve else "rejected (dropped)"
        self.message_user(request, ngettext("%(count)d story %(verb)s.",
                                            "%(count)d stories %(verb)s.", done)
                          % {"count": done, "verb": verb}, messages.SUCCESS)

    @admin.action(description="Approve (publish)")
    def approve(self, request: HttpRequest, queryset: QuerySet[HeldStory]) -> None:
        self._decide(request, list(queryset.values_list("pk", flat=True)), review.approve)

    @admin.action(description="Reject (drop)")
    def reject(self, request: HttpRequest, queryset: QuerySet[HeldStory]) -> None:
        self._decide(request, list(queryset.values_list("pk", flat=True)), review.reject)


def _safe(html: str) -> SafeString:
    return mark_safe(html)  # the body was sanitised on the way in (wiredesk.ingest.sanitize)
