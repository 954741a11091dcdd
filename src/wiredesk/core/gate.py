"""The publication gate: named checks an item passes before it becomes public.

Each check is a pure function of the item (and the desk's clock and settings) returning a
:class:`Verdict`: publish, publish as an excerpt, publish as a headline only, hold for an editor or
drop, with a reason. :func:`judge` runs them all, combines them with the rights of the source and
the item, and says what the desk does. The newsroom stores the result on the story
(newsroom/write/apply.py); nothing here touches a database.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from wiredesk.core.items import Article
from wiredesk.core.language import detect, detect_many, primary
from wiredesk.core.rights import Mode, read_rights, stricter
from wiredesk.core.rules import NO_ROUTING, Routing
from wiredesk.core.text import html_to_text


class Outcome(enum.StrEnum):
    """What a check (and the gate) decides, mildest first."""

    PUBLISH = "publish"
    EXCERPT = "excerpt"  # publish as an excerpt: headline, summary, link to the original
    HEADLINE = "headline"  # publish as a link to the original: no article page
    HOLD = "hold"  # not public until an editor releases it
    DROP = "drop"  # never public (kept as a raw payload and a stored, non-public story)


_SEVERITY = {outcome: rank for rank, outcome in enumerate(Outcome)}
_MODES = {Outcome.EXCERPT: Mode.EXCERPT, Outcome.HEADLINE: Mode.HEADLINE}


@dataclass(frozen=True, slots=True)
class GateConfig:
    """The gate's settings (WIREDESK_GATE_* in docs/settings.md); the defaults suit an
    unattended desk."""

    min_words: int = 15
    stale_hours: int = 48
    # Languages the site publishes (ISO 639-1); empty: every language.
    languages: frozenset[str] = frozenset({"en"})


@dataclass(frozen=True, slots=True)
class Verdict:
    """One check's finding. ``timely`` False keeps the story off the top of the home page and out
    of the news sitemap without holding it."""

    check: str
    outcome: Outcome
    reason: str
    timely: bool = True

    def as_dict(self) -> dict[str, str]:
        return {"check": self.check, "outcome": str(self.outcome), "reason": self.reason}


@dataclass(frozen=True, slots=True)
class Judged:
    """What the item is, read once: its plain text, word count and detected language."""

    article: Article
    text: str
    words: int
    language: str  # detected ISO 639-1 code, "" when the text is too short to tell
    now: datetime
    first_sight: bool


@dataclass(frozen=True, slots=True)
class GateResult:
    """The gate's decision: an outcome, the publication mode, the page's language and the
    findings that led there (empty when every check passed)."""

    outcome: Outcome
    mode: Mode
    language: str
    timely: bool
    verdicts: tuple[Verdict, ...] = field(default=())
    # What the publisher's routing rules decided besides (wiredesk.core.routing): section, tags,
    # front-page place, delay, headline.
    routing: Routing = NO_ROUTING

    @property
    def reason(self) -> str:
        return "; ".join(f"{v.check}: {v.reason}" for v in self.verdicts) or "passed every check"

    @property
    def public(self) -> bool:
        return self.outcome not in (Outcome.HOLD, Outcome.DROP)


_PLACEHOLDERS = re.compile(
    r"^\W*(test(ing)?|example|sample|untitled|placeholder|fake|dummy|lorem ipsum|"
    r"no title|hello world|todo|tbd|xxx+)(\s+(item|story|post|article|entry|headline|title|"
    r"\d+))*\W*$", re.IGNORECASE)


def placeholder(item: Judged, config: GateConfig) -> Verdict | None:
    """A placeholder rather than news: a headline such as "Test", "Example", "Untitled story",
    "Fake item", or a body of lorem ipsum. Dropped."""
    headline = item.article.headline.strip()
    if not headline or _PLACEHOLDERS.match(headline):
        return Verdict("placeholder", Outcome.DROP, f"placeholder headline {headline!r}")
    if item.text.lower().startswith("lorem ipsum"):
        return Verdict("placeholder", Outcome.DROP, "placeholder text (lorem ipsum)")
    return None


def thin(item: Judged, config: GateConfig) -> Verdict | None:
    """Too little body text to stand as an article page (fewer than ``min_words`` words): a
    headline linking to the original when there is one, else held."""
    if item.words >= config.min_words:
        return None
    reason = f"{item.words} words of body text (fewer than {config.min_words})"
    if item.article.link:
        return Verdict("thin", Outcome.HEADLINE, reason)
    return Verdict("thin", Outcome.HOLD, reason + " and no link to the original")


_TEASER_END = re.compile(
    r"(continue\s+reading|read\s+more|read\s+the\s+(full|rest)|full\s+story|more\s*»|"
    r"\[\s*(…|\.\.\.)\s*\]|\(\s*(…|\.\.\.)\s*\)|…|\.\.\.|\[more\]|keep\s+reading)\W*$",
    re.IGNORECASE)
_SENTENCE_END = re.compile(r"[.!?:;\"'\u201d\u2019\u00bb)\]]\s*$")


def teaser(item: Judged, config: GateConfig) -> Verdict | None:
    """A publisher's teaser, not the article: it ends with "Continue reading", "Read more",
    "[…]", or stops mid-sentence. Published as an excerpt linking to the original."""
    text = item.text.rstrip()
    if not text or item.words < config.min_words:
        return None  # a thin item is the thin check's
    if match := _TEASER_END.search(text[-80:]):
        return Verdict("teaser", Outcome.EXCERPT, f"ends with {match.group(0).strip()!r}")
    if not _SENTENCE_END.search(text):
        return Verdict("teaser", Outcome.EXCERPT, "cut off mid-sentence")
    return None


def strip_teaser(text: str) -> str:
    """The text without a teaser's closing link words ("Continue reading...", "[…]")."""
    text = text.rstrip()
    match = _TEASER_END.search(text[-80:])
    if match is None:
        return text
    return text[:len(text) - len(text[-80:]) + match.start()].rstrip()


def undated(item: Judged, config: GateConfig) -> Verdict | None:
    """No readable date: the time received stands in, so the story never outranks dated ones at
    the top of the home page and stays out of the news sitemap."""
    if item.article.published_at is None or item.article.date_is_fallback:
        return Verdict("undated", Outcome.PUBLISH, "no date from the source; shown as received",
                       timely=False)
    return None


def stale(item: Judged, config: GateConfig) -> Verdict | None:
    """First seen more than ``stale_hours`` after its date (an old item in a new feed): kept off
    the top of the home page and the news sitemap. Later versions are not judged by age."""
    published = item.article.published_at
    if not item.first_sight or published is None or item.article.date_is_fallback:
        return None
    age = item.now - published
    if age > timedelta(hours=config.stale_hours):
        return Verdict("stale", Outcome.PUBLISH,
                       f"dated {age.total_seconds() / 3600:.0f} hours before it arrived",
                       timely=False)
    return None


def language(item: Judged, config: GateConfig) -> Verdict | None:
    """Written in a language the site does not publish (detected from the text, whatever the
    feed claims): held."""
    if not config.languages or not item.language or item.language in config.languages:
        return None
    claimed = primary(item.article.language)
    said = f" (the feed says {claimed!r})" if claimed and claimed != item.language else ""
    return Verdict("language", Outcome.HOLD,
                   f"written in {item.language!r}{said}, not a language this site publishes")


def languages(articles: Sequence[Article]) -> list[str]:
    """The language :func:`judge` detects for each article, for a batch at once
    (:func:`wiredesk.core.language.detect_many`: the same answers, sooner)."""
    return detect_many([_language_text(article.headline, html_to_text(article.body_html))
                        for article in articles])


def _language_text(headline: str, text: str) -> str:
    return f"{headline}. {text}"


Check = Callable[[Judged, GateConfig], Verdict | None]
CHECKS: tuple[Check, ...] = (placeholder, thin, teaser, undated, stale, language)


def judge(article: Article, *, source_mode: Mode, now: datetime,
          config: GateConfig = GateConfig(), first_sight: bool = True,
          language: str | None = None) -> GateResult:
    """Run every check and the rights; the strictest outcome wins, and the publication mode is
    the strictest of the source's, the item's rights (``article.rights``) and the checks'.
    ``language``: the item's :func:`languages` answer, when the caller detected a batch's at
    once; else it is detected here."""
    text = html_to_text(article.body_html)
    if language is None:
        language = detect(_language_text(article.headline, text))
    item = Judged(article, text, len(text.split()), language, now, first_sight)
    verdicts = [found for check in CHECKS if (found := check(item, config)) is not None]
    granted = read_rights(article.rights)
    if granted.forbids:
        verdicts.append(Verdict("rights", Outcome.HOLD, granted.reason))
    elif granted.mode is not Mode.FULL:
        verdicts.append(Verdict("rights", Outcome.EXCERPT if granted.mode is Mode.EXCERPT
                                else Outcome.HEADLINE, granted.reason))
    outcome = max((v.outcome for v in verdicts), key=_SEVERITY.__getitem__,
                  default=Outcome.PUBLISH)
    mode = stricter(source_mode, *(_MODES[v.outcome] for v in verdicts if v.outcome in _MODES))
    if outcome in (Outcome.PUBLISH, Outcome.EXCERPT, Outcome.HEADLINE):
        outcome = {Mode.FULL: Outcome.PUBLISH, Mode.EXCERPT: Outcome.EXCERPT,
                   Mode.HEADLINE: Outcome.HEADLINE}[mode]
    return GateResult(outcome, mode, item.language or primary(article.language),
                      all(v.timely for v in verdicts), tuple(verdicts))
