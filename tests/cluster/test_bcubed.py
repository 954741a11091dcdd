"""BCubed on examples small enough to compute by hand."""

from __future__ import annotations

import pytest

from wiredesk.cluster.bcubed import bcubed, item_scores, mean_scores

GOLD = {"a": "x", "b": "x", "c": "x", "d": "y", "e": "y"}


def test_a_hand_computed_example() -> None:
    # Predicted {a, b} {c, d, e}. Precision per item: a 2/2, b 2/2, c 1/3, d 2/3, e 2/3 -> 11/15.
    # Recall per item: a 2/3, b 2/3, c 1/3, d 2/2, e 2/2 -> 11/15.
    score = bcubed({"a": 1, "b": 1, "c": 2, "d": 2, "e": 2}, GOLD)
    assert score.precision == pytest.approx(11 / 15)
    assert score.recall == pytest.approx(11 / 15)
    assert score.f1 == pytest.approx(11 / 15)
    assert score.items == 5


def test_everything_in_one_cluster() -> None:
    # Precision: a, b, c 3/5 and d, e 2/5 -> 13/25; recall 1.
    score = bcubed(dict.fromkeys(GOLD, 0), GOLD)
    assert score.precision == pytest.approx(13 / 25)
    assert score.recall == 1.0
    assert score.f1 == pytest.approx(2 * 0.52 / 1.52)


def test_all_singletons() -> None:
    # Precision 1; recall: a, b, c 1/3 and d, e 1/2 -> 2/5.
    score = bcubed({item: item for item in GOLD}, GOLD)
    assert (score.precision, score.recall) == (1.0, pytest.approx(2 / 5))


def test_per_topic_means_use_the_whole_predicted_clusters() -> None:
    scores = item_scores({"a": 1, "b": 1, "c": 2, "d": 2, "e": 2}, GOLD)
    assert mean_scores(scores, ["d", "e"]).precision == pytest.approx(2 / 3)
    assert mean_scores(scores, []).items == 0


def test_clusterings_must_cover_the_same_items() -> None:
    with pytest.raises(ValueError, match="same items"):
        bcubed({"a": 1}, GOLD)
