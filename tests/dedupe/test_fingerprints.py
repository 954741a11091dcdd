"""Fingerprints: exact hash, shingles, signatures, and their storage format."""

import random

import numpy as np
import pytest

from tests.dedupe.desk import FINGERPRINTER
from wiredesk.dedupe.fingerprints import (
    EMPTY_HASH,
    FingerprintConfig,
    Fingerprinter,
    fingerprint_from_bytes,
    fingerprint_to_bytes,
    shingle_hashes,
    signature_from_bytes,
    signature_to_bytes,
)
from wiredesk.dedupe.similarity import containment, jaccard_estimate

TEXT = ("The regional council approved a new budget on Tuesday after a long debate, raising "
        "spending on schools and roads while cutting the cost of running its own offices.\n\n"
        "Opposition members said the plan relied on optimistic forecasts for tax revenue.")


def test_boilerplate_only_differences_hash_alike() -> None:
    wrapped = ("LONDON, May 2 (Reuters) - " + TEXT + "\n\n(Reporting by A. Writer; Editing by "
               "B. Editor)\n\n© 2026 Example Media")
    plain = FINGERPRINTER.fingerprint(TEXT).exact_hash
    assert FINGERPRINTER.fingerprint(wrapped).exact_hash == plain
    assert FINGERPRINTER.fingerprint(TEXT + " Extra.").exact_hash != plain


def test_fingerprints_are_deterministic_across_instances() -> None:
    first, second = Fingerprinter().fingerprint(TEXT), Fingerprinter().fingerprint(TEXT)
    assert np.array_equal(first.signature, second.signature)
    assert np.array_equal(first.shingles, second.shingles)
    assert first.signature.dtype == np.uint32 and first.signature.size == 128


def test_shingles_respect_word_order_and_short_texts() -> None:
    assert not np.array_equal(shingle_hashes(["dog", "bites", "man", "today"], 4),
                              shingle_hashes(["man", "bites", "dog", "today"], 4))
    assert shingle_hashes(["one", "two"], 4).size == 1  # shorter than a shingle: one shingle
    assert shingle_hashes([], 4).size == 0
    assert shingle_hashes(["a", "b", "c", "d", "a", "b", "c", "d"], 4).size == 4  # unique, sorted
    assert np.all(np.diff(shingle_hashes(TEXT.split(), 4).astype(np.int64)) > 0)


def test_truncated_copy_is_contained_though_its_jaccard_is_low() -> None:
    rng = random.Random(5)
    words = [f"word{rng.randrange(5000)}" for _ in range(300)]
    full = FINGERPRINTER.fingerprint(" ".join(words))
    head = FINGERPRINTER.fingerprint(" ".join(words[: int(len(words) * 0.6)]))
    assert containment(head, full) == 1.0
    assert 0.45 < jaccard_estimate(head, full) < 0.75  # about 0.6


def test_empty_text_has_an_empty_fingerprint() -> None:
    empty = FINGERPRINTER.fingerprint("(Reporting by A. Writer)")
    assert (empty.exact_hash, empty.lead_key) == (EMPTY_HASH, "")
    assert empty.size == empty.word_count == 0


def test_lead_key_ignores_a_corrected_figure() -> None:
    lead = "officials said the storm killed 12 people and destroyed homes across the region "
    rest = "while rescuers searched for survivors in the mountains " * 3
    first = FINGERPRINTER.fingerprint(lead + rest)
    corrected = FINGERPRINTER.fingerprint(lead.replace("12", "13") + rest)
    assert first.lead_key and first.lead_key == corrected.lead_key
    assert first.exact_hash != corrected.exact_hash


def test_fingerprint_round_trips_through_bytes() -> None:
    fingerprint = FINGERPRINTER.fingerprint(TEXT)
    restored = fingerprint_from_bytes(fingerprint_to_bytes(fingerprint))
    assert restored.exact_hash == fingerprint.exact_hash
    assert restored.lead_key == fingerprint.lead_key
    assert restored.word_count == fingerprint.word_count and restored.seed == fingerprint.seed
    assert np.array_equal(restored.shingles, fingerprint.shingles)
    assert np.array_equal(restored.signature, fingerprint.signature)
    empty = FINGERPRINTER.fingerprint("")
    assert fingerprint_from_bytes(fingerprint_to_bytes(empty)).exact_hash == EMPTY_HASH


def test_signature_round_trips_and_refuses_other_formats() -> None:
    signature = FINGERPRINTER.fingerprint(TEXT).signature
    data = signature_to_bytes(signature, seed=FingerprintConfig().seed)
    values, seed = signature_from_bytes(data)
    assert np.array_equal(values, signature) and seed == FingerprintConfig().seed
    with pytest.raises(ValueError):
        fingerprint_from_bytes(b"\x09" + fingerprint_to_bytes(FINGERPRINTER.fingerprint(TEXT))[1:])
