"""The labelled self-written pairs meet the issue's targets (a regression guard; the figures
themselves come from benchmarks/dedupe_quality.py, which also runs the real-copy set)."""

import pytest

from tests.dedupe.desk import FINGERPRINTER
from tests.dedupe.labelled import load_documents, pairs
from wiredesk.dedupe import DocMeta, NearDuplicateIndex, parse_headline


@pytest.mark.parametrize("split", ["dev", "test"])
def test_duplicate_precision_and_recall_meet_the_targets(split: str) -> None:
    documents = load_documents(split)
    index = NearDuplicateIndex()
    fingerprints = {d.id: FINGERPRINTER.fingerprint(d.text) for d in documents}
    metas = {d.id: DocMeta(d.id, d.source, d.time, parse_headline(d.headline)) for d in documents}
    for document in documents:
        index.add(document.id, fingerprints[document.id], metas[document.id])
    matched = {d.id: {m.doc_id for m in index.matches(fingerprints[d.id], metas[d.id])}
               for d in documents}
    labelled = pairs(documents)
    predicted = [p.first.id in matched[p.second.id] for p in labelled]
    true_positives = sum(hit and p.duplicate for hit, p in zip(predicted, labelled, strict=True))
    precision = true_positives / sum(predicted)
    recall = true_positives / sum(p.duplicate for p in labelled)
    assert precision >= 0.98 and recall >= 0.95, (precision, recall)


def test_the_fixture_set_is_well_formed() -> None:
    documents = load_documents()
    assert len({d.id for d in documents}) == len(documents)
    assert {d.split for d in documents} == {"dev", "test"}
    families_per_topic: dict[str, set[str]] = {}
    for document in documents:
        families_per_topic.setdefault(document.topic, set()).add(document.family)
    # Every topic pairs at least two different stories: the hard negatives.
    assert all(len(families) >= 2 for families in families_per_topic.values())
