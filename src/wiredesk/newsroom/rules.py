"""Routing rules as the desk stores them: the :class:`Rule` table, the compiled list the write
path reads (reloaded when a rule changes, in any process), the flag a rule gets when it fails on
an item, and the rules file (`wiredesk rules export|import`, TOML) a desk keeps in version
control. Compiling and evaluating are the core's (wiredesk.core.rules).
"""

from __future__ import annotations

import json
import logging
import tomllib
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

from django.db import connection, models, transaction
from django.db.models import F
from django.utils import timezone

from wiredesk.core.rules import (
    Failure,
    Item,
    RuleError,
    RuleSet,
    RuleSpec,
    compile_rule,
    compile_rules,
)
from wiredesk.newsroom.models import Story

log = logging.getLogger(__name__)


class HeldStory(Story):
    """The review queue in the admin (newsroom/review.py): the stories held for an editor."""

    class Meta:
        proxy = True
        app_label = "newsroom"
        verbose_name = "held story (review queue)"
        verbose_name_plural = "review queue"


class Rule(models.Model):
    """One routing rule: conditions (``when``) and actions (``then``), in the shapes of
    docs/rules.md, at a position in the desk's ordered list; global, or for one source."""

    name = models.CharField(max_length=200)
    position = models.IntegerField(default=0, help_text="Rules run in this order, lowest first.")
    source = models.ForeignKey("newsroom.Source", null=True, blank=True, on_delete=models.CASCADE,
                               related_name="rules",
                               help_text="Empty: every source's items. Else only this source's.")
    enabled = models.BooleanField(default=True)
    when = models.JSONField(default=dict, blank=True)
    then = models.JSONField(default=dict)
    note = models.TextField(blank=True, help_text="Why the rule exists (for the desk).")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)
    # A rule that raised on an item (a regular expression that ran too long on hostile text): the
    # item went on as if the rule had not matched, and the admin shows this.
    error_count = models.PositiveIntegerField(default=0)
    last_error = models.CharField(max_length=500, blank=True)
    last_error_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        app_label = "newsroom"
        ordering = ["position", "pk"]

    def __str__(self) -> str:
        return self.name

    def spec(self) -> RuleSpec:
        return RuleSpec(name=self.name, when=self.when or {}, then=self.then or {},
                        source=self.source.slug if self.source_id and self.source else "",
                        enabled=self.enabled, key=str(self.pk or ""))


def check(spec: RuleSpec) -> None:
    """Refuse a rule that cannot work, with a message naming the field: it must compile, and the
    section and source it names must exist."""
    from wiredesk.newsroom.models import Section, Source

    compile_rule(with_entities(spec, strict=True))
    section = spec.then.get("section")
    if section and not Section.objects.filter(slug=section).exists():
        raise RuleError(f"rule {spec.name!r}: then.section: there is no section {section!r} "
                        "(give its slug)")
    wanted = _named_sources(spec)
    known = set(Source.objects.filter(slug__in=wanted).values_list("slug", flat=True))
    if missing := sorted(wanted - known):
        raise RuleError(f"rule {spec.name!r}: there is no source {missing[0]!r} (give its slug)")


def with_entities(spec: RuleSpec, *, strict: bool = False) -> RuleSpec:
    """The rule with each entity key in an ``entity`` condition ("person:joe-biden", as the
    admin's entities list shows them) replaced by the entity's name and aliases; names stay as
    written. ``strict``: an unknown key is an error (at save), else it matches nothing."""
    from dataclasses import replace

    from wiredesk.newsroom.models import Entity

    def expand(when: Any) -> Any:
        if isinstance(when, list):
            return [expand(part) for part in when]
        if not isinstance(when, Mapping):
            return when
        out = {key: expand(value) for key, value in when.items()}
        names = out.get("entity")
        wanted = [names] if isinstance(names, str) else names
        if isinstance(wanted, list) and any(isinstance(n, str) and ":" in n for n in wanted):
            keys = [n for n in wanted if isinstance(n, str) and ":" in n]
            found = {entity.key: [entity.name, *map(str, entity.aliases or [])]
                     for entity in Entity.objects.filter(key__in=keys)}
            if strict and (missing := sorted(set(keys) - found.keys())):
                raise RuleError(f"rule {spec.name!r}: when.entity: there is no entity "
                                f"{missing[0]!r}")
            out["entity"] = [name for n in wanted
                             for name in (found.get(n, [n]) if isinstance(n, str) else [n])]
        return out

    return replace(spec, when=expand(dict(spec.when)))


def _named_sources(spec: RuleSpec) -> set[str]:
    named = {spec.source} if spec.source else set()
    stack: list[Any] = [spec.when]
    while stack:
        part = stack.pop()
        if isinstance(part, Mapping):
            value = part.get("source")
            named |= {value} if isinstance(value, str) else set(value or [])
            stack += [part.get("not"), *(part.get("any") or [])]
    return named


# -- the list the write path reads --------------------------------------------------------------

@dataclass(slots=True)
class _Loaded:
    version: tuple[object, ...] = ()
    rules: RuleSet | None = None


_loaded = _Loaded()


# The list as read once for a batch of items (see :func:`read_once`): a one-element list, empty
# until the batch's first item asks.
_pinned: ContextVar[list[RuleSet] | None] = ContextVar("wiredesk_rules_pinned", default=None)


@contextmanager
def read_once() -> Iterator[None]:
    """Within: :func:`current` asks the database once, at the first item, and every later item
    of the batch (a payload, a recovered backlog) is judged by the same list. A rule saved
    meanwhile applies from the next batch, as if it had been saved a moment later; without
    this, a payload of 200 items asked 200 times (one round trip each, ~8% of recovering a
    backlog on PostgreSQL). Per thread and task (a context variable), so the threads
    processing pushes each hold their own."""
    token = _pinned.set([])
    try:
        yield
    finally:
        _pinned.reset(token)


def current() -> RuleSet:
    """The compiled list, re-read whenever a rule was added, changed or deleted (one small
    aggregate query tells; inside :func:`read_once`, once per batch). A stored rule that no
    longer compiles (edited in the database by hand, or a section deleted) is left out and
    flagged, never fatal."""
    pinned = _pinned.get()
    if pinned:
        return pinned[0]
    rules = _current()
    if pinned is not None:
        pinned.append(rules)
    return rules


def _current() -> RuleSet:
    # Plain SQL: this runs for every batch (every item outside one), and the ORM's aggregate
    # costs ten times the query.
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COUNT(*), MAX(updated_at) FROM {Rule._meta.db_table}")
        version = tuple(cursor.fetchone() or ())
    if _loaded.rules is None or version != _loaded.version:
        _loaded.rules = _compile(Rule.objects.filter(enabled=True).select_related("source"))
        _loaded.version = version
    return _loaded.rules


def _compile(rules: Iterable[Rule]) -> RuleSet:
    good = []
    for rule in rules:
        try:
            good.append(compile_rule(with_entities(rule.spec())))
        except RuleError as exc:
            log.warning("rule %s left out: %s", rule.pk, exc)
            Rule.objects.filter(pk=rule.pk).update(last_error=str(exc)[:500],
                                                   last_error_at=timezone.now())
    return RuleSet(tuple(good))


def forget() -> None:
    """Drop the compiled list (tests; a new process starts without one)."""
    _loaded.rules, _loaded.version = None, ()


def flag(failures: Sequence[Failure]) -> None:
    """Mark rules that failed on an item, for the admin. ``update`` without ``auto_now``: a flag
    is not an edit, so the compiled list stays."""
    for failure in failures:
        log.warning("rule %r failed on an item: %s", failure.rule, failure.error)
        if failure.key.isdigit():
            Rule.objects.filter(pk=int(failure.key)).update(
                error_count=F("error_count") + 1, last_error=failure.error[:500],
                last_error_at=timezone.now())


# -- the rules file -----------------------------------------------------------------------------

HEADER = ("# Wiredesk routing rules (docs/rules.md). Rules run in this order; the first rule\n"
          "# that decides (publish, hold, drop) ends the list.\n")


def export_text() -> str:
    """Every rule, in order, as TOML."""
    parts = [HEADER]
    for rule in Rule.objects.select_related("source").order_by("position", "pk"):
        lines = ["", "[[rule]]", f"name = {_value(rule.name)}"]
        if rule.source_id and rule.source:
            lines.append(f"source = {_value(rule.source.slug)}")
        if not rule.enabled:
            lines.append("enabled = false")
        if rule.note:
            lines.append(f"note = {_value(rule.note)}")
        lines += _table("rule.when", rule.when or {})
        lines += _table("rule.then", rule.then or {})
        parts.append("\n".join(lines) + "\n")
    return "".join(parts)


def _table(name: str, values: Mapping[str, Any]) -> list[str]:
    plain = {key: value for key, value in values.items() if not isinstance(value, Mapping)}
    nested = {key: value for key, value in values.items() if isinstance(value, Mapping)}
    lines = [f"[{name}]", *(f"{key} = {_value(value)}" for key, value in plain.items())]
    for key, value in nested.items():
        lines += _table(f"{name}.{key}", value)
    return lines


def _value(value: Any) -> str:
    """A TOML value: texts as basic strings (JSON's escapes are TOML's), numbers, booleans,
    arrays and inline tables."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float, str)):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, list):
        return "[" + ", ".join(_value(part) for part in value) + "]"
    if isinstance(value, Mapping):
        return "{" + ", ".join(f"{_key(key)} = {_value(part)}"
                               for key, part in value.items()) + "}"
    raise RuleError(f"cannot write {value!r} to a rules file")


def _key(key: str) -> str:
    return key if key.replace("_", "").isalnum() else json.dumps(key)


_FILE_KEYS = frozenset({"name", "source", "enabled", "note", "when", "then"})


def parse_text(text: str) -> list[tuple[RuleSpec, str]]:
    """The rules of a file, each with its note, checked; RuleError on the first problem (with
    the rule's number in the file), so that a bad file changes nothing."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise RuleError(f"not a rules file (TOML): {exc}") from None
    unknown = sorted(set(data) - {"rule"})
    if unknown:
        raise RuleError(f"unknown table {unknown[0]!r}: a rules file has [[rule]] tables only")
    found = data.get("rule", [])
    if not isinstance(found, list):
        raise RuleError("'rule' must be written [[rule]] (a list of rules)")
    specs = []
    for number, entry in enumerate(found, 1):
        where = f"rule {number} in the file"
        extra = sorted(set(entry) - _FILE_KEYS)
        if extra:
            raise RuleError(f"{where}: unknown key {extra[0]!r} (known: "
                            f"{', '.join(sorted(_FILE_KEYS))})")
        if not isinstance(entry.get("name"), str) or not entry["name"].strip():
            raise RuleError(f"{where}: a rule needs a name")
        if not isinstance(entry.get("enabled", True), bool):
            raise RuleError(f"{where}: enabled must be true or false")
        spec = RuleSpec(name=entry["name"].strip(), when=entry.get("when", {}),
                        then=entry.get("then", {}), source=str(entry.get("source", "")),
                        enabled=entry.get("enabled", True))
        check(spec)
        specs.append((spec, str(entry.get("note", ""))))
    names = [spec.name for spec, _ in specs]
    if duplicated := sorted({name for name in names if names.count(name) > 1}):
        raise RuleError(f"two rules are named {duplicated[0]!r}: names must differ (the "
                        "admin and the findings on each story go by name)")
    return specs


@transaction.atomic
def import_text(text: str) -> int:
    """Replace the desk's rules with the file's, all or nothing; returns how many."""
    from wiredesk.newsroom.models import Source

    specs = parse_text(text)
    compile_rules([spec for spec, _ in specs])
    sources = {source.slug: source for source in Source.objects.filter(
        slug__in={spec.source for spec, _ in specs if spec.source})}
    Rule.objects.all().delete()
    Rule.objects.bulk_create([
        Rule(name=spec.name, position=10 * number, source=sources.get(spec.source),
             enabled=spec.enabled, when=dict(spec.when), then=dict(spec.then), note=note)
        for number, (spec, note) in enumerate(specs, 1)])
    return len(specs)


# -- the admin's preview ------------------------------------------------------------------------

PREVIEW_ITEMS = 500
EXAMPLES = 10


@dataclass(frozen=True, slots=True)
class Example:
    story_id: int
    headline: str
    source: str
    before: str  # the outcome under the rules as stored
    after: str  # the outcome with the rule being edited in its place
    did: str  # what the edited rule did to it


@dataclass(slots=True)
class Preview:
    """What a rule, and the whole list with it, would have done to the recent items."""

    examined: int = 0
    matched: int = 0
    changed: int = 0
    before: dict[str, int] = field(default_factory=dict)
    after: dict[str, int] = field(default_factory=dict)
    matches: list[Example] = field(default_factory=list)
    changes: list[Example] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)
    # The whole list's preview: per rule, how many items it matched and a few of them.
    by_rule: dict[str, RuleMatches] = field(default_factory=dict)


@dataclass(slots=True)
class RuleMatches:
    count: int = 0
    examples: list[Example] = field(default_factory=list)


def preview(spec: RuleSpec, position: int, replaces: int | None = None,
            limit: int = PREVIEW_ITEMS) -> Preview:
    """Run the stored list, and the list with ``spec`` at ``position`` (replacing the stored
    rule ``replaces``), over the last ``limit`` items, from their stored versions and the gate's
    stored findings; nothing is written."""
    spec = with_entities(spec)
    edited = compile_rule(spec)
    stored = [rule for rule in _stored() if rule.pk != replaces]
    placed = sorted([(rule.position, rule.pk or 0, rule.spec()) for rule in stored] +
                    [(position, replaces or 10**12, spec)], key=lambda entry: entry[:2])
    new = RuleSet(tuple(edited if entry[2] is spec else compile_rule(with_entities(entry[2]))
                        for entry in placed if entry[2].enabled))
    return _compare(_compile(_stored()), new, limit, watched=spec.name)


def preview_list(limit: int = PREVIEW_ITEMS) -> Preview:
    """What the whole stored list does to the last ``limit`` items, against the gate alone:
    outcomes with and without the rules, and each rule's matches with examples."""
    return _compare(RuleSet(()), _compile(_stored()), limit)


def _stored() -> list[Rule]:
    return list(Rule.objects.filter(enabled=True).select_related("source"))


def _compare(old: RuleSet, new: RuleSet, limit: int, watched: str = "") -> Preview:
    """Route the last ``limit`` stories under two lists and count what differs. ``watched``: the
    rule whose matches are reported (every rule's, in ``by_rule``, when empty)."""
    from collections import Counter

    from wiredesk.core.routing import apply_routing, replay
    from wiredesk.core.text import html_to_text
    from wiredesk.newsroom.write.gating import source_mode

    result = Preview()
    before, after = Counter[str](), Counter[str]()
    stories = (Story.objects.filter(merged_into__isnull=True, current_version__isnull=False)
               .select_related("current_version", "source", "section").order_by("-pk")[:limit])
    for story in stories:
        version = story.current_version
        assert version is not None
        source = story.source
        topics = [str(part) for subject in version.subjects or [] if isinstance(subject, dict)
                  for part in (subject.get("code", ""), subject.get("name", ""))]
        item = Item(source=source.slug, format=source.format, language=version.language,
                    section=source.section.slug if source.section else "",
                    topics=[*topics, *map(str, version.categories or [])],
                    headline=version.headline, text=html_to_text(version.body_html),
                    urgency=version.urgency, has_image=bool(version.images),
                    received=version.received_at)
        mode = source_mode(source)
        gate = replay(story.gate_reasons or [], mode, version.language, story.timely)
        was = apply_routing(gate, old.route(item, version.headline), mode).outcome.value
        routed = new.route(item, version.headline)
        now = apply_routing(gate, routed, mode).outcome.value
        before[was] += 1
        after[now] += 1
        result.examined += 1
        did = dict(routed.matched)
        example = Example(story.pk, story.headline, source.name, was, now,
                          did.get(watched, "") if watched else "; ".join(did))
        if watched and watched in did:
            result.matched += 1
            if len(result.matches) < EXAMPLES:
                result.matches.append(example)
        for name in ([] if watched else did):
            counted = result.by_rule.setdefault(name, RuleMatches())
            counted.count += 1
            if len(counted.examples) < 3:
                counted.examples.append(example)
        if was != now:
            result.changed += 1
            if len(result.changes) < EXAMPLES:
                result.changes.append(example)
        result.failures += [f"{f.rule} on “{story.headline}”: {f.error}"
                            for f in routed.failures][:EXAMPLES - len(result.failures)]
    result.before, result.after = dict(before), dict(after)
    return result
