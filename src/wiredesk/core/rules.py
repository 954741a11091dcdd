"""Routing rules: the publisher's ordered list of "when these conditions hold, do this".

A rule is plain data (a :class:`RuleSpec`: a name, an optional source, ``when`` conditions and
``then`` actions, the shapes docs/rules.md lists). :func:`compile_rule` turns it into predicates
once, refusing what cannot work (unknown field, bad regular expression, bad value) with a
:class:`RuleError` that says which rule and which field; :func:`route` runs a compiled list over an
item's fields (:class:`Item`) and says what the rules decided (:class:`Routing`). Nothing here
touches a database: the newsroom stores the rules (newsroom/rules.py) and applies the routing at
the publication gate (newsroom/write/gating.py).

Speed: a desk evaluates every rule on every item, so conditions are compiled to closures, the
cheap ones (source, format, language, numbers) are tested before text, and words are looked up in
a set of the item's words built once per item, on first need. Regular expressions run under a
time limit (the ``regex`` module's timeout): feed text is hostile, and a pattern that backtracks
without end on one item fails that rule on that item -- reported in :attr:`Routing.failures` --
instead of stalling ingest.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from operator import attrgetter
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import regex

from wiredesk.core.errors import WiredeskError

# Seconds one regular expression may run on one item before the rule fails on it.
REGEX_TIMEOUT = 0.05


class RuleError(WiredeskError):
    """A rule that cannot compile: the message names the rule, the field and what is wrong."""


class Decision(enum.StrEnum):
    """What a rule may decide about an item; the first rule that decides ends the list."""

    PUBLISH = "publish"  # publish, whatever the gate's checks found (never against the rights)
    HOLD = "hold"  # wait in the review queue
    DROP = "drop"  # never public: kept as a raw payload and a stored, non-public story


MODES = ("full", "excerpt", "headline")


@dataclass(frozen=True, slots=True)
class RuleSpec:
    """A rule as stored and as written in a rules file."""

    name: str
    when: Mapping[str, Any] = field(default_factory=dict)
    then: Mapping[str, Any] = field(default_factory=dict)
    source: str = ""  # a source's slug: the rule applies to that source's items only
    enabled: bool = True
    key: str = ""  # the stored rule's id, so a failure can be flagged on it


class Item:
    """What rules read of an item, prepared once: lower-cased text (words are looked for in it
    as text, then checked for word boundaries only where found), the word count on first need,
    the time of day per time zone on first need."""

    __slots__ = ("_clock", "_length", "format", "has_image", "headline", "language", "local",
                 "section", "source", "text", "topics", "urgency")

    def __init__(self, *, source: str = "", format: str = "", language: str = "",
                 section: str = "", topics: Sequence[str] = (), headline: str = "",
                 text: str = "", urgency: int | None = None, length: int | None = None,
                 has_image: bool = False, received: datetime | None = None) -> None:
        self.source = source
        self.format = format.lower()
        self.language = language.lower().split("-")[0]
        self.section = section
        self.topics = frozenset(topic.strip().lower() for topic in topics if topic.strip())
        self.headline = headline.lower()
        self.text = text.lower()
        self.urgency = urgency
        self._length = length
        self.has_image = has_image
        self.local = received  # timezone-aware; each time condition reads it in its own zone
        self._clock: dict[ZoneInfo, time] = {}

    @property
    def length(self) -> int:
        """Words of body text."""
        if self._length is None:
            self._length = len(self.text.split())
        return self._length

    def clock(self, zone: ZoneInfo) -> time | None:
        """The time of day the item arrived, in ``zone``."""
        if self.local is None:
            return None
        found = self._clock.get(zone)
        if found is None:
            found = self._clock[zone] = self.local.astimezone(zone).time()
        return found


_WORD = re.compile(r"\w+")

Predicate = Callable[[Item], bool]


@dataclass(frozen=True, slots=True)
class Actions:
    """What a matching rule does (every field optional)."""

    decision: Decision | None = None
    reason: str = ""
    release_after: int | None = None  # minutes a hold waits before the desk releases it
    section: str = ""
    tags: tuple[str, ...] = ()
    mode: str = ""
    pin_hours: int = 0  # at the top of the home page for this many hours
    priority: int = 0  # raised above unraised stories at the top of the home page, for a day
    delay: int = 0  # minutes before publication
    strip: tuple[regex.Pattern[str], ...] = ()  # headline prefixes to remove

    def describe(self) -> str:
        """The actions in a few words, for reasons, the admin and the preview."""
        parts = [str(self.decision)] if self.decision else []
        parts += [f"section {self.section}"] if self.section else []
        parts += [f"tags {', '.join(self.tags)}"] if self.tags else []
        parts += [f"mode {self.mode}"] if self.mode else []
        parts += [f"pin {self.pin_hours} h"] if self.pin_hours else []
        parts += [f"priority {self.priority}"] if self.priority else []
        parts += [f"delay {self.delay} min"] if self.delay else []
        parts += ["strip headline prefix"] if self.strip else []
        parts += [f"release after {self.release_after} min"] if self.release_after else []
        return ", ".join(parts) or "nothing"


@dataclass(frozen=True, slots=True)
class Rule:
    """A compiled rule."""

    spec: RuleSpec
    matches: Predicate  # every condition, cheapest first, in one call
    actions: Actions
    described: str  # what the actions do, in a few words


@dataclass(frozen=True, slots=True)
class Failure:
    """A rule that raised on an item: it is skipped for that item (the item goes on as if the
    rule had not matched) and flagged where the rule is stored."""

    rule: str  # the rule's name
    key: str  # the stored rule's id
    error: str


@dataclass(frozen=True, slots=True)
class Routing:
    """What the rules decided about one item."""

    decision: Decision | None = None
    decided_by: str = ""  # the rule's name
    reason: str = ""
    release_after: int | None = None
    section: str = ""
    tags: tuple[str, ...] = ()
    mode: str = ""
    pin_hours: int = 0
    priority: int = 0
    delay: int = 0
    headline: str | None = None  # the headline with prefixes stripped, when a rule stripped one
    matched: tuple[tuple[str, str], ...] = ()  # (rule name, what it did), in order
    failures: tuple[Failure, ...] = ()

    @property
    def changes(self) -> bool:
        return bool(self.matched)


NO_ROUTING = Routing()


# -- compiling --------------------------------------------------------------------------------

def compile_rule(spec: RuleSpec) -> Rule:
    """Compile a rule, or raise :class:`RuleError` saying what is wrong with it."""
    name = spec.name.strip()
    if not name:
        raise RuleError("a rule needs a name")
    try:
        if not isinstance(spec.when, Mapping) or not isinstance(spec.then, Mapping):
            raise RuleError("'when' and 'then' must be tables of fields")
        tests = _conditions(spec.when, "when")
        actions = _actions(spec.then)
    except RuleError as exc:
        raise RuleError(f"rule {name!r}: {exc}") from None
    return Rule(spec, _all(tests), actions, actions.describe())


def _all(tests: list[Predicate]) -> Predicate:
    """One predicate for a list (a rule's conditions): no loop when there are one or two."""
    if not tests:
        return lambda item: True
    if len(tests) == 1:
        return tests[0]
    if len(tests) == 2:
        first, second = tests
        return lambda item: first(item) and second(item)
    return lambda item: all(test(item) for test in tests)


def compile_rules(specs: Sequence[RuleSpec]) -> RuleSet:
    """Compile a list (disabled rules are checked but left out); the first error raises."""
    return RuleSet(tuple(rule for spec in specs if (rule := compile_rule(spec)).spec.enabled))


# Conditions, cheapest first: a rule's tests run in this order and stop at the first false one.
_ORDER = ("source", "format", "language", "section", "urgency", "priority", "has_image",
          "length", "time", "topic", "headline_words", "headline_regex", "words", "entity",
          "body_words", "regex", "body_regex", "any", "not")
CONDITIONS = frozenset(_ORDER)
ACTIONS = frozenset({"action", "reason", "release_after", "section", "tags", "mode", "pin",
                     "priority", "delay", "strip_prefix"})


def _conditions(when: Mapping[str, Any], where: str) -> list[Predicate]:
    unknown = sorted(set(when) - CONDITIONS)
    if unknown:
        raise RuleError(f"unknown condition {unknown[0]!r} in '{where}' (known: "
                        f"{', '.join(sorted(CONDITIONS))})")
    return [_condition(key, when[key], f"{where}.{key}") for key in _ORDER if key in when]


def _condition(key: str, value: Any, where: str) -> Predicate:
    if key in ("source", "section"):
        wanted = _strings(value, where)
        return (lambda item: item.source in wanted) if key == "source" else \
            (lambda item: item.section in wanted)
    if key == "format":
        prefixes = tuple(text.lower() for text in _strings(value, where))
        return lambda item: item.format.startswith(prefixes)
    if key == "language":
        languages = frozenset(text.lower() for text in _strings(value, where))
        return lambda item: item.language in languages
    if key in ("urgency", "priority"):
        low, high = _range(value, where)
        return lambda item: item.urgency is not None and low <= item.urgency <= high
    if key == "length":
        low, high = _range(value, where)
        return lambda item: low <= item.length <= high
    if key == "has_image":
        if not isinstance(value, bool):
            raise RuleError(f"{where} must be true or false")
        return lambda item: item.has_image is value
    if key == "time":
        return _time_of_day(value, where)
    if key == "topic":
        topics = frozenset(text.lower() for text in _strings(value, where))
        return lambda item: not topics.isdisjoint(item.topics)
    if key in ("words", "headline_words", "body_words", "entity"):
        return _words(key, _strings(value, where))
    if key in ("regex", "headline_regex", "body_regex"):
        return _regex(key, value, where)
    if key == "not":
        if not isinstance(value, Mapping) or not value:
            raise RuleError(f"{where} must be a table of conditions")
        inner = _all(_conditions(value, where))
        return lambda item: not inner(item)
    # "any": at least one of several tables of conditions.
    if not isinstance(value, list) or not value or \
            not all(isinstance(part, Mapping) and part for part in value):
        raise RuleError(f"{where} must be a list of tables of conditions")
    alternatives = [_all(_conditions(part, f"{where}[{n}]")) for n, part in enumerate(value)]
    return lambda item: any(test(item) for test in alternatives)


def _strings(value: Any, where: str) -> frozenset[str]:
    values = [value] if isinstance(value, str) else value
    if not isinstance(values, list) or not values or \
            not all(isinstance(text, str) and text.strip() for text in values):
        raise RuleError(f"{where} must be a text or a list of texts")
    return frozenset(text.strip() for text in values)


_RANGE = re.compile(r"^\s*(?:(<=|>=|<|>)\s*(-?\d+)|(-?\d+)\s*(?:-\s*(-?\d+))?)\s*$")


def _range(value: Any, where: str) -> tuple[float, float]:
    """``3``, ``"1-3"``, ``"<=3"``, ``">=300"``: an inclusive range."""
    if isinstance(value, bool) or not isinstance(value, (int, str)):
        raise RuleError(f"{where} must be a number or a range such as \"1-3\" or \">=300\"")
    match = _RANGE.match(str(value))
    if match is None:
        raise RuleError(f"{where}: {value!r} is not a number or a range such as \"1-3\" or "
                        "\">=300\"")
    operator, bound, low, high = match.groups()
    inf = float("inf")
    if operator:
        n = int(bound)
        return {"<=": (-inf, n), "<": (-inf, n - 1), ">=": (n, inf), ">": (n + 1, inf)}[operator]
    first, last = int(low), int(high) if high is not None else int(low)
    if first > last:
        raise RuleError(f"{where}: the range {value!r} is empty")
    return first, last


_CLOCK = re.compile(r"^\s*(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})(?:\s+(\S+))?\s*$")


def _time_of_day(value: Any, where: str) -> Predicate:
    """``"22:00-06:00"`` (UTC) or ``"22:00-06:00 Europe/Berlin"``; a range may cross midnight."""
    match = _CLOCK.match(value) if isinstance(value, str) else None
    if match is None:
        raise RuleError(f"{where} must look like \"22:00-06:00\" or \"08:00-18:00 "
                        "Europe/Berlin\"")
    h1, m1, h2, m2, zone = match.groups()
    try:
        start, end = time(int(h1), int(m1)), time(int(h2), int(m2))
        tz = ZoneInfo(zone or "UTC")
    except ValueError as exc:
        raise RuleError(f"{where}: {exc}") from None
    except ZoneInfoNotFoundError:
        raise RuleError(f"{where}: unknown time zone {zone!r}") from None

    def test(item: Item) -> bool:
        now = item.clock(tz)
        if now is None:
            return False
        return start <= now < end if start <= end else (now >= start or now < end)
    return test


def _words(key: str, phrases: frozenset[str]) -> Predicate:
    """Any of the words or phrases, as whole words, ignoring case: each is looked for as text
    (``str.find``, in C) and, where found, checked for word boundaries."""
    lowered = tuple(sorted({phrase.lower() for phrase in phrases}))
    if not any(_WORD.search(phrase) for phrase in lowered):
        raise RuleError(f"{key} has no word in it")
    fields = {"headline_words": ("headline",), "body_words": ("text",)}.get(
        key, ("headline", "text"))
    getters = [attrgetter(name) for name in fields]

    def test(item: Item) -> bool:
        for get in getters:
            text = get(item)
            for phrase in lowered:
                if phrase in text and _bounded(text, phrase):
                    return True
        return False
    return test


def _bounded(text: str, phrase: str) -> bool:
    """``phrase`` occurs in ``text`` as whole words (not "art" in "party")."""
    size, end_of_text = len(phrase), len(text)
    check_start, check_end = _wordish(phrase[0]), _wordish(phrase[-1])
    start = text.find(phrase)
    while start >= 0:
        end = start + size
        if not (check_start and start > 0 and _wordish(text[start - 1])) and \
                not (check_end and end < end_of_text and _wordish(text[end])):
            return True
        start = text.find(phrase, start + 1)
    return False


def _wordish(char: str) -> bool:
    return char.isalnum() or char == "_"


def _regex(key: str, value: Any, where: str) -> Predicate:
    if not isinstance(value, str) or not value:
        raise RuleError(f"{where} must be a regular expression")
    try:
        pattern = regex.compile(value, regex.IGNORECASE | regex.V0)
    except (regex.error, ValueError, OverflowError) as exc:
        raise RuleError(f"{where}: bad regular expression {value!r}: {exc}") from None
    if key == "headline_regex":
        return lambda item: pattern.search(item.headline, timeout=REGEX_TIMEOUT) is not None
    if key == "body_regex":
        return lambda item: pattern.search(item.text, timeout=REGEX_TIMEOUT) is not None
    return lambda item: (pattern.search(item.headline, timeout=REGEX_TIMEOUT) is not None
                         or pattern.search(item.text, timeout=REGEX_TIMEOUT) is not None)


def _actions(then: Mapping[str, Any]) -> Actions:
    unknown = sorted(set(then) - ACTIONS)
    if unknown:
        raise RuleError(f"unknown action {unknown[0]!r} in 'then' (known: "
                        f"{', '.join(sorted(ACTIONS))})")
    if not then:
        raise RuleError("'then' has no action")
    decision = None
    if "action" in then:
        try:
            decision = Decision(str(then["action"]).strip().lower())
        except ValueError:
            raise RuleError(f"then.action must be publish, hold or drop, not "
                            f"{then['action']!r}") from None
    mode = str(then.get("mode", "")).strip().lower()
    if mode and mode not in MODES:
        raise RuleError(f"then.mode must be full, excerpt or headline, not {mode!r}")
    release = then.get("release_after")
    if release is not None and decision is not Decision.HOLD:
        raise RuleError("then.release_after goes with action = \"hold\"")
    strip = then.get("strip_prefix", [])
    patterns = []
    for text in ([strip] if isinstance(strip, str) else strip):
        try:
            patterns.append(regex.compile(rf"^\s*(?:{text})\s*", regex.IGNORECASE | regex.V0))
        except (regex.error, ValueError, OverflowError, TypeError) as exc:
            raise RuleError(f"then.strip_prefix: bad regular expression {text!r}: "
                            f"{exc}") from None
    return Actions(
        decision=decision, reason=_text(then, "reason"),
        release_after=_count(then, "release_after") if release is not None else None,
        section=_text(then, "section"),
        tags=tuple(sorted(_strings(then["tags"], "then.tags"))) if "tags" in then else (),
        mode=mode, pin_hours=_count(then, "pin"), priority=_count(then, "priority", top=9),
        delay=_count(then, "delay"), strip=tuple(patterns))


def _text(then: Mapping[str, Any], key: str) -> str:
    value = then.get(key, "")
    if not isinstance(value, str):
        raise RuleError(f"then.{key} must be a text")
    return value.strip()


def _count(then: Mapping[str, Any], key: str, top: int = 10_000) -> int:
    value = then.get(key, 0)
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= top:
        raise RuleError(f"then.{key} must be a whole number from 0 to {top}")
    return value


# -- evaluating -------------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class RuleSet:
    """A compiled, ordered list of rules; each source's share is picked once and kept."""

    rules: tuple[Rule, ...]
    _by_source: dict[str, tuple[Rule, ...]] = field(default_factory=dict, compare=False)

    def for_source(self, source: str) -> tuple[Rule, ...]:
        found = self._by_source.get(source)
        if found is None:
            found = tuple(rule for rule in self.rules if rule.spec.source in ("", source))
            self._by_source[source] = found
        return found

    def route(self, item: Item, headline: str = "") -> Routing:
        return route(self.for_source(item.source), item, headline)


EMPTY = RuleSet(())


def route(rules: Sequence[Rule], item: Item, headline: str = "") -> Routing:
    """Run the rules in order over the item. Every matching rule's actions apply, a later rule's
    section, mode, pin, priority and delay replacing an earlier one's and tags adding up; the
    first rule that decides (publish, hold, drop) ends the list. A rule that raises is skipped
    for this item and reported in ``failures``. ``headline`` is the item's headline as written,
    for prefix stripping."""
    matched: list[tuple[str, str]] = []
    failures: list[Failure] = []
    found: dict[str, Any] = {}
    tags: list[str] = []
    stripped: str | None = None
    decided: Rule | None = None
    for rule in rules:
        try:
            if not rule.matches(item):
                continue
        except Exception as exc:  # one rule's failure never stops ingest
            failures.append(Failure(rule.spec.name, rule.spec.key, _error(exc)))
            continue
        actions = rule.actions
        try:
            if actions.strip:
                stripped = _strip(stripped if stripped is not None else headline, actions.strip)
        except Exception as exc:  # one rule's failure never stops ingest
            failures.append(Failure(rule.spec.name, rule.spec.key, _error(exc)))
            continue
        matched.append((rule.spec.name, rule.described))
        for name in ("section", "mode", "pin_hours", "priority", "delay"):
            if value := getattr(actions, name):
                found[name] = value
        tags += [tag for tag in actions.tags if tag not in tags]
        if actions.decision is not None:
            decided = rule
            break
    if not matched and not failures:
        return NO_ROUTING
    decision = decided.actions if decided is not None else None
    return Routing(
        decision=decision.decision if decision else None,
        decided_by=decided.spec.name if decided is not None else "",
        reason=decision.reason if decision else "",
        release_after=decision.release_after if decision else None,
        tags=tuple(tags), headline=stripped, matched=tuple(matched),
        failures=tuple(failures), **found)


def _strip(headline: str, patterns: tuple[regex.Pattern[str], ...]) -> str:
    for pattern in patterns:
        rest = pattern.sub("", headline, count=1, timeout=REGEX_TIMEOUT)
        if rest.strip():  # never strip a headline to nothing
            headline = rest
    return headline[:1].upper() + headline[1:] if headline else headline


def _error(exc: Exception) -> str:
    if isinstance(exc, TimeoutError):
        return f"a regular expression ran longer than {REGEX_TIMEOUT * 1000:.0f} ms on this item"
    return f"{type(exc).__name__}: {exc}"[:300]


def delay_until(now: datetime, routing: Routing) -> datetime | None:
    """When a delayed item may be published (None: no delay)."""
    return now + timedelta(minutes=routing.delay) if routing.delay else None
