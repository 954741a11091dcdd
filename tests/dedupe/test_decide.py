"""The decision function alone, on hand-made matches."""

from datetime import UTC, datetime

import pytest

from wiredesk.dedupe import Match, NewItem, Outcome, Policy, Scores, decide, parse_headline

NOW = datetime(2026, 3, 4, 12, tzinfo=UTC)
ITEM = NewItem("reuters", parse_headline("UPDATE 1-Quake kills 31 in Peru"), NOW)


def match(doc_id: str, story: str, source: str, containment: float = 0.8,
          exact: bool = False) -> Match:
    scores = Scores(exact=exact, jaccard=0.5, containment=containment, headline=0.4,
                    headlines_known=True, gap_seconds=3600.0, same_kind=True, new_size=300,
                    old_size=320)
    return Match(doc_id, story, source, scores, "exact" if exact else "near-copy")


def test_no_match_is_a_new_story() -> None:
    decision = decide(ITEM, [], Policy.ALSO_REPORTED)
    assert (decision.outcome, decision.story_id, decision.evidence.rule) == (
        Outcome.NEW, None, "no-match")
    assert decision.evidence.signals == ("update",)


@pytest.mark.parametrize(("policy", "outcome"), [
    (Policy.MERGE, Outcome.SAME_STORY_NEW_VERSION),
    (Policy.ALSO_REPORTED, Outcome.SAME_STORY_NEW_VERSION),
    (Policy.KEEP_BOTH, Outcome.KEEP_BOTH),
])
def test_own_source_match_is_a_version_unless_keep_both(policy: Policy, outcome: Outcome) -> None:
    decision = decide(ITEM, [match("v1", "s1", "reuters")], policy)
    assert decision.outcome is outcome
    assert decision.story_id == (None if outcome is Outcome.KEEP_BOTH else "s1")


@pytest.mark.parametrize(("policy", "outcome"), [
    (Policy.MERGE, Outcome.SAME_STORY_NEW_VERSION),
    (Policy.ALSO_REPORTED, Outcome.SYNDICATED_COPY),
    (Policy.KEEP_BOTH, Outcome.KEEP_BOTH),
])
def test_other_source_match_follows_the_policy(policy: Policy, outcome: Outcome) -> None:
    assert decide(ITEM, [match("x", "s2", "partner")], policy).outcome is outcome


def test_own_source_is_preferred_over_a_better_scoring_copy() -> None:
    matches = [match("x", "s2", "partner", exact=True), match("v1", "s1", "reuters", 0.7)]
    decision = decide(ITEM, matches, Policy.ALSO_REPORTED)
    assert (decision.outcome, decision.story_id) == (Outcome.SAME_STORY_NEW_VERSION, "s1")


def test_forbidden_stories_are_skipped() -> None:
    matches = [match("v1", "s1", "reuters"), match("x", "s2", "partner", 0.6)]
    decision = decide(ITEM, matches, Policy.ALSO_REPORTED, forbidden={"s1"})
    assert (decision.outcome, decision.story_id) == (Outcome.SYNDICATED_COPY, "s2")
    assert decide(ITEM, matches[:1], Policy.MERGE, forbidden={"s1"}).outcome is Outcome.NEW


def test_evidence_is_flat_and_json_ready() -> None:
    import json
    evidence = decide(ITEM, [match("v1", "s1", "reuters")], Policy.MERGE).evidence
    data = evidence.as_dict()
    assert json.loads(json.dumps(data)) == data
    assert data["matched_doc"] == "v1" and data["match_rule"] == "near-copy"
    assert data["rule"] == "same-source" and data["containment"] == 0.8
