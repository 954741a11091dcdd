"""The small pure functions the clusterer's features are made of."""

from __future__ import annotations

import pytest

from wiredesk.cluster.dates import lead_years, years_conflict
from wiredesk.cluster.entities import extract_entities
from wiredesk.cluster.index import InvertedIndex
from wiredesk.cluster.scoring import blend, time_decay
from wiredesk.cluster.split import best_split
from wiredesk.cluster.tokens import fold, term_profile, tokenize
from wiredesk.cluster.vocabulary import DocumentFrequencies


def test_tokens_drop_stop_words_and_fold_endings() -> None:
    assert tokenize("The Coach was checked; he said it's Smith's") == ["coach", "check", "smith"]
    assert fold("checks") == fold("checked") == fold("checking") == "check"
    assert fold("countries") == "country"
    assert fold("fired") == "fired"  # stems shorter than four letters are left alone
    assert fold("1,200") == "1,200"


def test_headline_words_weigh_more() -> None:
    profile = term_profile("Flood", "flood river river", headline_weight=2.0, body_words=10)
    assert profile["flood"] == 3.0 and profile["river"] > 1.0


def test_entities_are_names_and_numbers() -> None:
    keys = extract_entities(
        "Lindsay Lohan enters rehab",
        "Police said Lohan, 26, began a 90-day stay. Police escorted her in Palm Springs.")
    assert {"lindsay lohan", "lindsay", "lohan", "palm springs", "#26", "#90"} <= set(keys)
    assert "police" not in keys  # only ever capitalised because it starts a sentence
    assert "#5" not in extract_entities("", "She paid 5 dollars.")


def test_a_sentence_initial_word_alone_is_not_a_name() -> None:
    assert "officials" not in extract_entities("", "Officials said the road was shut.")
    assert "the" not in extract_entities("", "The Red Cross arrived.")


def test_lead_years_and_conflicts() -> None:
    years = lead_years("Storm of 2008 recalled", "Published May 3, 2013. Words " * 3, 10)
    assert years == ("2008", "2013")
    assert lead_years("x", "filler " * 50 + "in 1999", 10) == ()
    assert years_conflict(("2013",), {"2008": 2.0})
    assert not years_conflict(("2013",), {"2013": 1.0, "2008": 1.0})
    assert not years_conflict((), {"2008": 1.0})


def test_idf_grows_with_rarity() -> None:
    frequencies = DocumentFrequencies()
    for words in (["quake", "chile"], ["quake", "peru"], ["quake"]):
        frequencies.add(words)
    assert frequencies.idf("chile") > frequencies.idf("quake") > 0
    assert frequencies.idf("unseen") >= frequencies.idf("chile")


def test_rare_keys_are_forgotten_past_the_cap() -> None:
    frequencies = DocumentFrequencies(max_keys=3)
    frequencies.add(["a", "b"])
    frequencies.add(["a", "c", "d"])
    assert frequencies.counts == {"a": 2}
    assert frequencies.documents == 2


def test_decay_and_blend() -> None:
    assert time_decay(0.0, 48.0) == 1.0
    assert time_decay(48 * 3600.0, 48.0) == 0.5
    assert blend(0.4, 0.8, 0.5, comparable=True) == pytest.approx(0.6)
    assert blend(0.4, 0.0, 0.5, comparable=False) == 0.4


def test_index_lookup_ranks_by_shared_weight_and_forgets() -> None:
    index = InvertedIndex()
    index.put("c1", ["quake", "chile"])
    index.put("c2", ["quake", "peru"])
    assert index.lookup({"quake": 1.0, "peru": 0.5}, limit=5) == ["c2", "c1"]
    index.remove("c2")
    assert index.lookup({"peru": 1.0}, limit=5) == []
    assert len(index) == 1


def test_best_split_finds_two_blocks_and_keeps_the_founder_first() -> None:
    high, low = 0.8, 0.1
    events = ["a", "b", "a", "b", "a"]
    matrix = [[1.0 if i == j else high if events[i] == events[j] else low for j in range(5)]
              for i in range(5)]
    split = best_split(matrix, min_group=2)
    assert split is not None
    assert (split.keep, split.part) == ((0, 2, 4), (1, 3))
    assert split.within == pytest.approx(high) and split.between == pytest.approx(low)


def test_best_split_needs_enough_members_on_each_side() -> None:
    matrix = [[1.0, 0.1, 0.1], [0.1, 1.0, 0.9], [0.1, 0.9, 1.0]]
    assert best_split(matrix, min_group=2) is None  # one side would hold a single member
    uniform = [[1.0 if i == j else 0.5 for j in range(4)] for i in range(4)]
    assert best_split(uniform, min_group=2) is None  # ties stay with the founder: no two groups
