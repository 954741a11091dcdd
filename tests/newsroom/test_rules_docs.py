"""The example rules files in docs/rules.md import as they are, and do what the text says."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

import pytest

from wiredesk.core.rules import Decision, Item, RuleSet, compile_rules
from wiredesk.newsroom.models import Section, Source
from wiredesk.newsroom.rules import import_text, parse_text

pytestmark = pytest.mark.django_db

DOC = Path(__file__).resolve().parents[2] / "docs" / "rules.md"


def examples() -> list[str]:
    return re.findall(r"```toml\n(.*?)```", DOC.read_text(), re.S)


@pytest.fixture(autouse=True)
def desk() -> None:
    for slug in ("sport", "world", "opinion", "business"):
        Section.objects.create(name=slug.capitalize(), slug=slug)
    for slug in ("dpa", "example-business"):
        Source.objects.create(name=slug, slug=slug)


def compiled(text: str) -> RuleSet:
    return compile_rules([spec for spec, _ in parse_text(text)])


def test_every_example_imports() -> None:
    found = examples()
    assert len(found) == 2
    for text in found:
        assert import_text(text) == len(re.findall(r"^\[\[rule\]\]", text, re.M))


def test_the_wire_desk_example() -> None:
    rules = compiled(examples()[0])
    advisory = rules.route(Item(source="ap", headline="ADVISORY: schedule change"))
    assert advisory.decision is Decision.DROP
    flash = rules.route(Item(source="ap", headline="URGENT: Quake hits Tokyo", urgency=1),
                        "URGENT: Quake hits Tokyo")
    assert (flash.headline, flash.pin_hours, flash.tags) == ("Quake hits Tokyo", 2,
                                                             ("breaking",))
    night = Item(source="ap", headline="Man charged", text="He was charged on Monday.",
                 received=datetime(2026, 11, 28, 23, 30, tzinfo=UTC))
    assert (rules.route(night).decision, rules.route(night).release_after) == (Decision.HOLD, 420)
    german = rules.route(Item(source="dpa", language="de", headline="Haushalt beschlossen"))
    assert (german.decision, german.section) == (Decision.PUBLISH, "world")


def test_the_aggregator_example() -> None:
    rules = compiled(examples()[1])
    assert rules.route(Item(headline="Sponsored: the best phones")).decision is Decision.DROP
    live = rules.route(Item(headline="Live updates: election night", text="x " * 40))
    assert live.mode == "headline"
    opinion = rules.route(Item(headline="Opinion: Cities need trees", text="x " * 40),
                          "Opinion: Cities need trees")
    assert (opinion.section, opinion.headline) == ("opinion", "Cities need trees")
    assert rules.route(Item(headline="Short", text="Too short.")).decision is Decision.HOLD
