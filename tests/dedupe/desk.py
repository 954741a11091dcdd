"""A minimal newsroom for the scenario tests: the documented integration loop, in memory."""

from __future__ import annotations

from dataclasses import dataclass, field

from tests.dedupe.labelled import Document
from wiredesk.dedupe import (
    Decision,
    DocMeta,
    Fingerprinter,
    NearDuplicateIndex,
    NewItem,
    Outcome,
    Policy,
    decide,
    parse_headline,
)

FINGERPRINTER = Fingerprinter()  # shared by the tests: it only caches permutations


@dataclass
class Desk:
    policies: dict[str, Policy] = field(default_factory=dict)
    index: NearDuplicateIndex = field(default_factory=NearDuplicateIndex)
    stories: dict[str, list[str]] = field(default_factory=dict)  # story id -> document ids
    also_reported: dict[str, list[str]] = field(default_factory=dict)  # story id -> sources

    def ingest(self, document: Document, forbidden: frozenset[str] = frozenset()) -> Decision:
        fingerprint = FINGERPRINTER.fingerprint(document.text)
        headline = parse_headline(document.headline)
        matches = self.index.matches(fingerprint,
                                     DocMeta("", document.source, document.time, headline))
        policy = self.policies.get(document.source, Policy.ALSO_REPORTED)
        decision = decide(NewItem(document.source, headline, document.time), matches, policy,
                          forbidden)
        story = decision.story_id or document.id
        if decision.outcome is Outcome.SYNDICATED_COPY:
            self.also_reported.setdefault(story, []).append(document.source)
        self.stories.setdefault(story, []).append(document.id)
        self.index.add(document.id, fingerprint,
                       DocMeta(story, document.source, document.time, headline))
        return decision
