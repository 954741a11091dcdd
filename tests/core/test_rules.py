"""Routing rules in the core: every condition and action, the order they run in, what they do to
the gate's decision, and rules that cannot compile or that fail on one item."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from wiredesk.core.gate import GateResult, Outcome, Verdict
from wiredesk.core.rights import Mode
from wiredesk.core.routing import apply_routing
from wiredesk.core.rules import (
    Decision,
    Item,
    RuleError,
    RuleSpec,
    compile_rule,
    compile_rules,
    route,
)

NOON = datetime(2026, 11, 28, 12, tzinfo=UTC)
TEXT = ("Lava reached the outskirts of the town on Saturday, and the authorities ordered "
        "hundreds of residents to leave their homes as the eruption grew stronger.")


def item(**changes: Any) -> Item:
    fields: dict[str, Any] = {
        "source": "wire", "format": "ninjs", "language": "en", "section": "world",
        "topics": ["medtop:06000000", "environment"], "headline": "Volcano erupts near town",
        "text": TEXT, "urgency": 4, "has_image": False, "received": NOON}
    return Item(**{**fields, **changes})


def matches(when: dict[str, Any], **changes: Any) -> bool:
    rule = compile_rule(RuleSpec("r", when=when, then={"tags": ["x"]}))
    return rule.matches(item(**changes))


@pytest.mark.parametrize(("when", "changes", "expected"), [
    ({"source": "wire"}, {}, True),
    ({"source": ["other", "wire"]}, {}, True),
    ({"source": "other"}, {}, False),
    ({"format": "ninjs"}, {}, True),
    ({"format": "rss"}, {"format": "rss2.0"}, True),  # a family matches its versions
    ({"language": ["de", "en"]}, {}, True),
    ({"language": "de"}, {}, False),
    ({"section": "world"}, {}, True),
    ({"topic": "medtop:06000000"}, {}, True),
    ({"topic": "Environment"}, {}, True),  # a subject's name, ignoring case
    ({"topic": "medtop:15000000"}, {}, False),
    ({"entity": ["Mount Etna", "volcano"]}, {}, True),
    ({"words": "lava"}, {}, True),
    ({"words": "lav"}, {}, False),  # whole words only
    ({"words": ["the town"]}, {}, True),  # a phrase
    ({"words": ["town the"]}, {}, False),
    ({"headline_words": "lava"}, {}, False),  # the headline only
    ({"headline_words": "VOLCANO"}, {}, True),
    ({"body_words": "volcano"}, {}, False),  # the body only
    ({"body_words": "eruption"}, {}, True),
    ({"regex": r"erupt(s|ion)"}, {}, True),
    ({"headline_regex": r"^volcano\b"}, {}, True),
    ({"body_regex": r"^volcano\b"}, {}, False),
    ({"urgency": "1-3"}, {}, False),
    ({"urgency": "<=4"}, {}, True),
    ({"priority": 4}, {}, True),
    ({"urgency": "1-3"}, {"urgency": None}, False),  # no urgency: no match
    ({"length": ">=20"}, {}, True),
    ({"length": "<20"}, {}, False),
    ({"has_image": True}, {}, False),
    ({"has_image": False}, {}, True),
    ({"time": "11:00-13:00"}, {}, True),
    ({"time": "22:00-06:00"}, {}, False),
    ({"time": "22:00-06:00"}, {"received": NOON.replace(hour=23)}, True),  # across midnight
    ({"time": "12:30-14:00 Europe/Berlin"}, {}, True),  # 13:00 in Berlin
    ({"not": {"language": "de"}}, {}, True),
    ({"not": {"language": "en"}}, {}, False),
    ({"any": [{"language": "de"}, {"words": "lava"}]}, {}, True),
    ({"any": [{"language": "de"}, {"words": "ash"}]}, {}, False),
    ({"source": "wire", "words": "ash"}, {}, False),  # every condition must hold
])
def test_each_condition(when: dict[str, Any], changes: dict[str, Any], expected: bool) -> None:
    assert matches(when, **changes) is expected


@pytest.mark.parametrize(("spec", "message"), [
    (RuleSpec("r", when={"colour": "red"}, then={"action": "hold"}),
     "rule 'r': unknown condition 'colour'"),
    (RuleSpec("r", when={"regex": "(unclosed"}, then={"action": "hold"}),
     "rule 'r': when.regex: bad regular expression '(unclosed'"),
    (RuleSpec("r", when={"not": {"headline_regex": "[z-a]"}}, then={"action": "hold"}),
     "rule 'r': when.not.headline_regex: bad regular expression"),
    (RuleSpec("r", when={"words": []}, then={"action": "hold"}),
     "when.words must be a text or a list of texts"),
    (RuleSpec("r", when={"urgency": "soon"}, then={"action": "hold"}),
     "when.urgency: 'soon' is not a number or a range"),
    (RuleSpec("r", when={"time": "9 to 5"}, then={"action": "hold"}),
     "when.time must look like"),
    (RuleSpec("r", when={"time": "09:00-17:00 Mars/Olympus"}, then={"action": "hold"}),
     "unknown time zone 'Mars/Olympus'"),
    (RuleSpec("r", when={"has_image": "yes"}, then={"action": "hold"}),
     "when.has_image must be true or false"),
    (RuleSpec("r", then={"action": "maybe"}), "then.action must be publish, hold or drop"),
    (RuleSpec("r", then={"colour": "red"}), "unknown action 'colour'"),
    (RuleSpec("r", then={}), "'then' has no action"),
    (RuleSpec("r", then={"mode": "partial"}), "then.mode must be full, excerpt or headline"),
    (RuleSpec("r", then={"strip_prefix": "(UPDATE"}), "then.strip_prefix: bad regular"),
    (RuleSpec("r", then={"delay": -5}), "then.delay must be a whole number"),
    (RuleSpec("r", then={"priority": 12}), "then.priority must be a whole number from 0 to 9"),
    (RuleSpec("r", then={"tags": ["x"], "release_after": 30}),
     "then.release_after goes with action = \"hold\""),
    (RuleSpec(" ", then={"action": "hold"}), "a rule needs a name"),
])
def test_a_rule_that_cannot_compile_is_refused_with_a_clear_message(spec: RuleSpec,
                                                                    message: str) -> None:
    with pytest.raises(RuleError, match=message.replace("(", r"\(").replace("[", r"\[")):
        compile_rule(spec)


def test_matching_rules_apply_in_order_and_the_first_decision_ends_the_list() -> None:
    rules = compile_rules([
        RuleSpec("world", when={"words": "lava"}, then={"section": "world", "tags": ["lava"]}),
        RuleSpec("science", when={"words": "eruption"},
                 then={"section": "science", "tags": ["volcanoes", "lava"], "mode": "excerpt"}),
        RuleSpec("off", enabled=False, when={}, then={"action": "drop"}),
        RuleSpec("hold", when={"source": "wire"}, then={"action": "hold", "reason": "check",
                                                        "release_after": 30}),
        RuleSpec("never", when={}, then={"action": "drop"}),
    ])
    routing = rules.route(item())
    assert (routing.section, routing.tags, routing.mode) == (
        "science", ("lava", "volcanoes"), "excerpt")  # a later section wins; tags add up
    assert (routing.decision, routing.decided_by, routing.reason, routing.release_after) == (
        Decision.HOLD, "hold", "check", 30)
    assert [name for name, _ in routing.matched] == ["world", "science", "hold"]


def test_a_rule_for_one_source_leaves_the_others_alone() -> None:
    rules = compile_rules([RuleSpec("afp only", source="afp", then={"action": "drop"})])
    assert rules.route(item(source="wire")).decision is None
    assert rules.route(item(source="afp")).decision is Decision.DROP


@pytest.mark.parametrize(("headline", "stripped"), [
    ("UPDATE 2-Volcano erupts near town", "Volcano erupts near town"),
    ("BREAKING: volcano erupts", "Volcano erupts"),
    ("Volcano erupts", None),  # nothing to strip: the headline stays
    ("BREAKING:", None),  # never stripped to nothing
])
def test_strip_a_headline_prefix(headline: str, stripped: str | None) -> None:
    rules = compile_rules([RuleSpec("prefixes", then={
        "strip_prefix": [r"UPDATE \d+-", "BREAKING:"]})])
    routing = rules.route(item(headline=headline), headline)
    assert routing.headline == (stripped or headline)


def test_pin_priority_and_delay() -> None:
    rules = compile_rules([
        RuleSpec("flash", when={"urgency": "1-2"}, then={"pin": 3}),
        RuleSpec("raise", when={"urgency": "<=5"}, then={"priority": 4, "delay": 15}),
    ])
    assert (rules.route(item(urgency=1)).pin_hours, rules.route(item(urgency=1)).priority) == (
        3, 4)
    assert rules.route(item(urgency=4)).delay == 15
    assert rules.route(item(urgency=9)).changes is False


def test_a_rule_that_fails_on_an_item_is_skipped_for_it_and_reported() -> None:
    """A pattern that backtracks without end on hostile text runs out of time on that item: the
    rule is skipped (as if it had not matched) and the next rules still run."""
    rules = compile_rules([
        RuleSpec("runaway", key="7", when={"body_regex": r"(\w|\w\w)+$"},
                 then={"action": "drop"}),
        RuleSpec("tag", when={"words": "lava"}, then={"tags": ["lava"]}),
    ])
    hostile = item(text="lava " + "ab" * 30 + "!")
    routing = rules.route(hostile)
    assert routing.decision is None and routing.tags == ("lava",)
    [failure] = routing.failures
    assert (failure.rule, failure.key) == ("runaway", "7")
    assert "ran longer than" in failure.error
    assert rules.route(item(text="lava flows")).decision is Decision.DROP  # fine elsewhere


def gate(outcome: Outcome, *verdicts: Verdict, mode: Mode = Mode.FULL) -> GateResult:
    return GateResult(outcome, mode, "en", True, verdicts)


def routed(result: GateResult, *specs: RuleSpec, source_mode: Mode = Mode.FULL) -> GateResult:
    return apply_routing(result, route(compile_rules(list(specs)).rules, item()), source_mode)


def test_a_hold_or_drop_rule_holds_or_drops_and_says_which_rule() -> None:
    result = routed(gate(Outcome.PUBLISH), RuleSpec("advisories", then={
        "action": "hold", "reason": "advisory"}))
    assert result.outcome is Outcome.HOLD and not result.public
    assert result.verdicts[-1].as_dict() == {"check": "rule advisories", "outcome": "hold",
                                             "reason": "hold: advisory"}
    assert routed(gate(Outcome.PUBLISH), RuleSpec("d", then={"action": "drop"})).outcome is \
        Outcome.DROP


def test_publish_overrides_the_checks_but_never_the_items_rights() -> None:
    language = Verdict("language", Outcome.HOLD, "written in 'de'")
    rights = Verdict("rights", Outcome.HOLD, "usage terms forbid online publication")
    publish = RuleSpec("german wire", then={"action": "publish"})
    assert routed(gate(Outcome.HOLD, language), publish).outcome is Outcome.PUBLISH
    assert routed(gate(Outcome.HOLD, language, rights), publish).outcome is Outcome.HOLD


def test_a_rules_mode_replaces_the_sources_and_the_checks_still_restrict_it() -> None:
    full = RuleSpec("licensed", then={"mode": "full"})
    assert routed(gate(Outcome.EXCERPT, mode=Mode.EXCERPT), full,
                  source_mode=Mode.EXCERPT).outcome is Outcome.PUBLISH
    teaser = Verdict("teaser", Outcome.EXCERPT, "ends with 'Read more'")
    result = routed(gate(Outcome.EXCERPT, teaser, mode=Mode.EXCERPT), full,
                    source_mode=Mode.EXCERPT)
    assert (result.outcome, result.mode) == (Outcome.EXCERPT, Mode.EXCERPT)
    headline = routed(gate(Outcome.PUBLISH), RuleSpec("h", then={"mode": "headline"}))
    assert (headline.outcome, headline.mode) == (Outcome.HEADLINE, Mode.HEADLINE)


def test_no_matching_rule_leaves_the_gates_decision_as_it_was() -> None:
    result = gate(Outcome.PUBLISH)
    assert routed(result, RuleSpec("r", when={"language": "de"}, then={"action": "drop"})) \
        is result
