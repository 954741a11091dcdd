"""The publication gate on the write path: the desk's settings and a source's mode in, the core's
decision (wiredesk.core.gate) and the publisher's routing rules (wiredesk.core.rules, stored by
newsroom/rules.py) out, and what that decision does to a story's stored fields.

Settings are read per call from Django's settings when set there (tests override them), else
from the WIREDESK_* environment (wiredesk.config): cheap attribute reads.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.conf import settings

from wiredesk.config import env
from wiredesk.core import rules
from wiredesk.core.gate import GateConfig, GateResult, Outcome, judge
from wiredesk.core.items import Article
from wiredesk.core.rights import Mode, default_mode
from wiredesk.core.routing import apply_routing
from wiredesk.core.text import html_to_text, slugify
from wiredesk.newsroom import rules as stored_rules
from wiredesk.newsroom.models import Section, Source, Story

# A gate hold reads like this in status_reason, so a later version that passes may release it
# (an editor's hold says "set by ..." and is never released by the desk).
HELD_BY_GATE = "held by the publication gate: "


def _setting(name: str) -> str:
    value: Any = getattr(settings, name, None)
    if value is None:
        return env(name)
    if isinstance(value, (list, tuple, set, frozenset)):
        return ",".join(str(part) for part in value)
    return str(value)


def enabled() -> bool:
    return _setting("WIREDESK_GATE").strip().lower() in {"1", "true", "yes", "on"}


def config() -> GateConfig:
    languages = frozenset(part.strip().lower() for part in _setting("WIREDESK_LANGUAGES")
                          .split(",") if part.strip())
    return GateConfig(min_words=int(_setting("WIREDESK_GATE_MIN_WORDS")),
                      stale_hours=int(_setting("WIREDESK_GATE_STALE_HOURS")),
                      languages=languages)


def source_mode(source: Source, payload_format: str = "") -> Mode:
    """The source's own mode, else the default for its transport and format (a publisher feed
    polled or imported: WIREDESK_FEED_MODE, excerpt unless changed)."""
    if source.publication_mode:
        return Mode(source.publication_mode)
    fmt = source.format if source.format != Source.Format.AUTO else (payload_format or "auto")
    mode = default_mode(source.transport, fmt)
    if mode is Mode.EXCERPT:
        return Mode(_setting("WIREDESK_FEED_MODE").strip().lower() or "excerpt")
    return mode


def decide(source: Source, article: Article, now: datetime, *, payload_format: str = "",
           first_sight: bool = True, language: str | None = None) -> GateResult:
    """The gate's decision for an item (every check passed, in the source's mode, when the gate
    is switched off). ``language``: detected already (see :func:`wiredesk.core.gate.judge`)."""
    mode = source_mode(source, payload_format)
    if not enabled():
        result = GateResult(Outcome.PUBLISH if mode is Mode.FULL else Outcome(mode.value), mode,
                            article.language, True)
    else:
        result = judge(article, source_mode=mode, now=now, config=config(),
                       first_sight=first_sight, language=language)
    return route(source, article, result, mode, now, payload_format)


def route(source: Source, article: Article, result: GateResult, mode: Mode, now: datetime,
          payload_format: str = "") -> GateResult:
    """Run the desk's routing rules over the item and fold what they decided into the gate's
    result. The article takes the rules' headline (prefix stripped) and tags here; the story's
    section, front-page place and delay are set by :func:`place`. A rule that fails on the item
    is skipped for it and flagged for the admin: ingest goes on."""
    chosen = stored_rules.current().for_source(source.slug)
    if not chosen:
        return result
    routing = rules.route(chosen, rule_item(source, article, result.language, now,
                                            payload_format), article.headline)
    if routing.failures:
        stored_rules.flag(routing.failures)
    if routing.headline:
        article.headline = routing.headline
        article.slug = slugify(routing.headline)
    if routing.tags:
        article.categories = (*article.categories,
                              *(tag for tag in routing.tags if tag not in article.categories))
    return apply_routing(result, routing, mode)


def rule_item(source: Source, article: Article, language: str, now: datetime,
              payload_format: str = "", text: str | None = None) -> rules.Item:
    """What the rules read of an item (wiredesk.core.rules.Item)."""
    wire = article.wire
    topics = [part for subject in wire.subjects for part in (subject.code, subject.name)]
    section = source.section.slug if source.section_id and source.section else ""
    return rules.Item(
        source=source.slug, format=payload_format or source.format,
        language=language or article.language, section=section,
        topics=[*topics, *article.categories], headline=article.headline,
        text=html_to_text(article.body_html) if text is None else text,
        urgency=wire.urgency, has_image=bool(article.images), received=now)


def stamp(story: Story, result: GateResult, now: datetime | None = None) -> list[str]:
    """Put the decision on the story's gate fields (and, given the time, what the rules set:
    section, front-page place, release time); the fields changed, for a save."""
    story.publication_mode = result.mode.value
    story.gate_outcome = result.outcome.value
    story.gate_reasons = [verdict.as_dict() for verdict in result.verdicts]
    story.timely = story.timely and result.timely
    fields = ["publication_mode", "gate_outcome", "gate_reasons", "timely"]
    if now is not None:
        fields += place(story, result, now)
    return fields


def place(story: Story, result: GateResult, now: datetime, *, first_sight: bool = False
          ) -> list[str]:
    """What the routing rules set on the story besides the gate's fields: its section, its
    place at the top of the home page, when the review queue releases it, and (on first sight
    only) a delay before publication, kept as an embargo the timed jobs lift."""
    routing = result.routing
    fields = ["release_at"]
    if routing.section:
        section = Section.objects.filter(slug=routing.section).values_list("pk", flat=True)
        if section:
            story.section_id = section[0]
            fields.append("section")
    if routing.pin_hours or routing.priority:
        story.front_priority = PINNED if routing.pin_hours else routing.priority
        story.front_until = now + timedelta(hours=routing.pin_hours or RAISED_HOURS)
        fields += ["front_priority", "front_until"]
    story.release_at = _release_at(result, now)
    if first_sight and routing.delay and story.status == Story.Status.PUBLISHED:
        until = rules.delay_until(now, routing)
        story.status = Story.Status.EMBARGOED
        story.embargoed_until = max(until, story.embargoed_until) \
            if story.embargoed_until and until else until
        story.status_reason = f"publication delayed {routing.delay} minutes by a routing rule"
    return fields


# A pinned story's front priority; a raised one has 1-9 and keeps it this long.
PINNED = 10
RAISED_HOURS = 24


def _release_at(result: GateResult, now: datetime) -> datetime | None:
    """When the desk releases a held item nobody decided on: the holding rule's
    ``release_after``, else WIREDESK_REVIEW_RELEASE_MINUTES (0: never). Never an item held for
    its rights, nor a drop."""
    if result.outcome is not Outcome.HOLD or \
            any(v.check == "rights" and v.outcome is Outcome.HOLD for v in result.verdicts):
        return None
    routing = result.routing
    minutes = routing.release_after if routing.decision is rules.Decision.HOLD and \
        routing.release_after is not None else int(_setting("WIREDESK_REVIEW_RELEASE_MINUTES"))
    return now + timedelta(minutes=minutes) if minutes > 0 else None


def held_reason(result: GateResult) -> str:
    return (HELD_BY_GATE + result.reason)[:500]
