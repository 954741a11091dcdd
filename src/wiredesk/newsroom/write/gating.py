"""The publication gate on the write path: the desk's settings and a source's mode in, the core's
decision (wiredesk.core.gate) out, and what that decision does to a story's stored fields.

Settings are read per call from Django's settings when set there (tests override them), else
from the WIREDESK_* environment (wiredesk.config): cheap attribute reads.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.conf import settings

from wiredesk.config import env
from wiredesk.core.gate import GateConfig, GateResult, Outcome, judge
from wiredesk.core.items import Article
from wiredesk.core.rights import Mode, default_mode
from wiredesk.newsroom.models import Source, Story

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
           first_sight: bool = True) -> GateResult:
    """The gate's decision for an item (every check passed, in the source's mode, when the gate
    is switched off)."""
    mode = source_mode(source, payload_format)
    if not enabled():
        return GateResult(Outcome.PUBLISH if mode is Mode.FULL else Outcome(mode.value), mode,
                          article.language, True)
    return judge(article, source_mode=mode, now=now, config=config(),
                 first_sight=first_sight)


def stamp(story: Story, result: GateResult) -> list[str]:
    """Put the decision on the story's gate fields; the fields changed, for a save."""
    story.publication_mode = result.mode.value
    story.gate_outcome = result.outcome.value
    story.gate_reasons = [verdict.as_dict() for verdict in result.verdicts]
    story.timely = story.timely and result.timely
    return ["publication_mode", "gate_outcome", "gate_reasons", "timely"]


def held_reason(result: GateResult) -> str:
    return (HELD_BY_GATE + result.reason)[:500]
