"""The incremental index: add, remove, expire, rebuild, and a cost that does not grow."""

import random
from datetime import UTC, datetime, timedelta

import pytest

from tests.dedupe.desk import FINGERPRINTER
from wiredesk.dedupe import (
    DocMeta,
    Fingerprint,
    NearDuplicateIndex,
    fingerprint_from_bytes,
    fingerprint_to_bytes,
    parse_headline,
)

T0 = datetime(2026, 3, 4, 8, tzinfo=UTC)
WORDS = [f"word{i}" for i in range(5000)]


def story(seed: int, length: int = 200) -> str:
    rng = random.Random(seed)
    return " ".join(rng.choice(WORDS) for _ in range(length))


def meta(story_id: str, minutes: int = 0, headline: str = "A headline about something") -> DocMeta:
    return DocMeta(story_id, "source", T0 + timedelta(minutes=minutes), parse_headline(headline))


def fp(text: str) -> Fingerprint:
    return FINGERPRINTER.fingerprint(text)


def test_add_then_match_then_remove() -> None:
    index = NearDuplicateIndex()
    index.add("a", fp(story(1)), meta("a"))
    index.add("b", fp(story(2)), meta("b"))
    copy = fp(" ".join(story(1).split()[:150]))  # a truncated copy of "a"
    assert [m.doc_id for m in index.matches(copy, meta("?", 30))] == ["a"]
    assert index.remove("a") and not index.remove("a")
    assert index.matches(copy, meta("?", 30)) == []
    assert "a" not in index and len(index) == 1


def test_adding_an_id_again_replaces_it() -> None:
    index = NearDuplicateIndex()
    index.add("a", fp(story(1)), meta("a"))
    index.add("a", fp(story(3)), meta("a"))
    assert len(index) == 1
    assert index.matches(fp(story(1)), meta("?")) == []
    assert [m.doc_id for m in index.matches(fp(story(3)), meta("?"))] == ["a"]


def test_documents_of_one_bucket_are_kept_apart_on_removal() -> None:
    index = NearDuplicateIndex()
    for doc_id in ("a", "b", "c"):  # three copies share every LSH bucket
        index.add(doc_id, fp(story(1)), meta(doc_id))
    index.remove("b")
    assert index.candidates(fp(story(1))) == ["a", "c"]
    index.remove("a")
    index.remove("c")
    assert index.candidates(fp(story(1))) == []


def test_expire_forgets_documents_older_than_the_window() -> None:
    index = NearDuplicateIndex()
    index.add("old", fp(story(1)), meta("old", minutes=0))
    index.add("new", fp(story(2)), meta("new", minutes=60 * 80))
    assert index.expire(T0 + timedelta(hours=1)) == 1
    assert "old" not in index and "new" in index


def test_rebuild_from_stored_fingerprints_gives_the_same_answers() -> None:
    index = NearDuplicateIndex()
    stored = []
    for number in range(50):
        fingerprint = fp(story(number))
        index.add(f"d{number}", fingerprint, meta(f"d{number}", number))
        stored.append((f"d{number}", fingerprint_to_bytes(fingerprint), meta(f"d{number}", number)))
    rebuilt = NearDuplicateIndex.rebuild(
        (doc_id, fingerprint_from_bytes(blob), m) for doc_id, blob, m in stored)
    assert len(rebuilt) == len(index) == 50
    for number in range(0, 50, 7):
        probe = fp(" ".join(story(number).split()[:120]))
        assert ([m.doc_id for m in rebuilt.matches(probe, meta("?", 60))]
                == [m.doc_id for m in index.matches(probe, meta("?", 60))] == [f"d{number}"])


def test_a_signature_of_another_size_is_refused() -> None:
    from wiredesk.dedupe import FingerprintConfig, Fingerprinter
    small = Fingerprinter(FingerprintConfig(num_perm=64)).fingerprint(story(1))
    with pytest.raises(ValueError):
        NearDuplicateIndex().add("a", small, meta("a"))


def test_cost_per_lookup_does_not_grow_with_the_corpus() -> None:
    """Counts work, not time: candidates examined per lookup at 200 and at 2,000 documents."""
    index = NearDuplicateIndex()

    def examined_per_lookup(start: int, count: int) -> float:
        before_candidates, before_queries = index.stats.candidates, index.stats.queries
        for number in range(start, start + count):
            fingerprint = fp(story(number))
            index.matches(fingerprint, meta(f"d{number}"))
            index.add(f"d{number}", fingerprint, meta(f"d{number}"))
        return (index.stats.candidates - before_candidates) / (
            index.stats.queries - before_queries)

    examined_per_lookup(0, 200)
    small = examined_per_lookup(200, 100)
    examined_per_lookup(300, 1700)
    large = examined_per_lookup(2000, 100)
    assert len(index) == 2100
    assert small <= 1 and large <= 1  # unrelated stories are (almost) never candidates
    assert index.stats.scored <= index.stats.candidates
