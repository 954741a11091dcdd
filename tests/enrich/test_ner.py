"""Named-entity recognition: the pinned model with its corrections, and the degraded fallback.

Sentences are written for these tests (no evaluation material is copied). The model is loaded once
for the module (about 2 s); tests of :func:`ner.build_recogniser` build their own.
"""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
from itertools import pairwise
from pathlib import Path

import pytest

from wiredesk.core.lexicon.places import gazetteer
from wiredesk.enrich import ner

STORY = (
    "FLOODS FORCE THOUSANDS FROM HOMES IN NORTHERN ITALY\n"
    "MILAN, Italy (Wiredesk) - Rescue crews led by Giulia Ferrante evacuated villages near Lake "
    "Como on Sunday, the civil protection agency said.\n"
    "Ferrante told reporters that the European Commission had offered help. Siemens and Fiat "
    "lent pumps."
)


def kinds(mentions: list[ner.Mention]) -> dict[str, str]:
    """Mention text -> kind (the last one wins; tests use unambiguous names)."""
    return {m.text: m.kind for m in mentions}


@pytest.fixture(scope="module")
def model() -> ner.SpacyRecogniser:
    """The pinned model, checked against its recorded SHA-256."""
    return ner.SpacyRecogniser()


def test_mentions_are_slices_of_the_text(model: ner.SpacyRecogniser) -> None:
    mentions = model.recognise(STORY)
    assert mentions
    for mention in mentions:
        assert STORY[mention.start : mention.end] == mention.text
        assert mention.kind in ner.KINDS
    starts = [m.start for m in mentions]
    assert starts == sorted(starts)
    assert all(a.end <= b.start for a, b in pairwise(mentions))


def test_people_organisations_and_places(model: ner.SpacyRecogniser) -> None:
    found = kinds(model.recognise(STORY))
    assert found["Giulia Ferrante"] == "person"
    assert found["European Commission"] == "organisation"
    assert found["Siemens"] == "organisation"
    assert found["Italy"] == "place"
    assert found["MILAN"] == "place"


def test_a_surname_alone_stays_the_person(model: ner.SpacyRecogniser) -> None:
    text = (
        "Chancellor Olaf Brenner flew to Washington on Monday for talks at the World Bank. "
        "Brenner said the International Monetary Fund would also attend."
    )
    found = model.recognise(text)
    assert [m.kind for m in found if m.text == "Brenner"] == ["person"]
    assert kinds(found)["Olaf Brenner"] == "person"
    assert kinds(found)["Washington"] == "place"
    assert kinds(found)["International Monetary Fund"] == "organisation"


def test_a_shouting_headline_is_read_like_the_body(model: ner.SpacyRecogniser) -> None:
    text = "KOWALCZYK WINS SECOND TERM AS MAYOR OF GDANSK\nPiotr Kowalczyk won easily in Gdansk."
    found = model.recognise(text)
    headline = [m for m in found if m.end <= text.index("\n")]
    assert ("KOWALCZYK", "person") in {(m.text, m.kind) for m in headline}
    assert kinds(found)["Piotr Kowalczyk"] == "person"


def test_the_article_and_sentence_edges_are_not_part_of_a_name(
    model: ner.SpacyRecogniser,
) -> None:
    text = "Exports to the United States fell, officials in the Netherlands said."
    found = kinds(model.recognise(text))
    assert found.get("United States") == "place"
    assert "the United States" not in found
    assert found.get("Netherlands") == "place"


def test_a_place_in_a_sports_result_is_a_team(model: ner.SpacyRecogniser) -> None:
    text = (
        "Premier league soccer results on Saturday:\n"
        "Leeds 2 Southampton 1\n"
        "Chelsea 0 Everton 0\n"
        "Manchester City striker Ade Mensah scored twice in the match in Leeds."
    )
    found = model.recognise(text)
    first_line = text.index("Leeds 2")
    teams = {m.text: m.kind for m in found if first_line <= m.start < text.index("Chelsea")}
    assert teams.get("Leeds") == "organisation"
    last = [m for m in found if m.text == "Leeds" and m.start > text.index("match")]
    assert [m.kind for m in last] == ["place"]  # "in Leeds" is the town


def test_a_month_before_a_day_is_not_a_person(model: ner.SpacyRecogniser) -> None:
    text = "Itinerary:\nMay 13 Arrive in Lisbon\nMay 14 Visit Porto"
    assert "May" not in kinds(model.recognise(text))


def test_empty_and_blank_text(model: ner.SpacyRecogniser) -> None:
    assert model.recognise("") == []
    assert model.recognise(" \n ") == []
    assert model.recognise("no names at all here.") == []


def test_the_model_files_match_the_pinned_digest() -> None:
    assert ner.model_digest(ner.model_path()) == ner.MODEL_SHA256


def test_the_recogniser_built_is_the_model() -> None:
    recogniser = ner.build_recogniser()
    assert not recogniser.degraded
    assert ner.MODEL_DIR in recogniser.name
    assert kinds(recogniser.recognise("Angela Ruiz joined Reuters in Madrid."))["Angela Ruiz"] \
        == "person"


def test_an_enricher_owns_its_recogniser() -> None:
    """No recogniser is kept for the process: two enrichers built without one build their own,
    and one given a recogniser uses that one."""
    from wiredesk.enrich.pipeline import Enricher

    fallback = ner.FallbackRecogniser()
    assert Enricher(fallback).recogniser is fallback
    assert "DEGRADED" in Enricher(fallback).methods()["entities"]
    first, second = Enricher(), Enricher()
    assert first.recogniser is first.recogniser
    assert first.recogniser is not second.recogniser


# --- the fallback ---------------------------------------------------------------------------


def test_a_changed_model_is_refused_with_one_warning(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setattr(ner, "MODEL_SHA256", "0" * 64)
    with caplog.at_level(logging.WARNING, logger="wiredesk.enrich.ner"):
        recogniser = ner.build_recogniser()
        assert recogniser.degraded
        recogniser.recognise(STORY)
        recogniser.recognise(STORY)
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1
    assert "do not match the pinned SHA-256" in warnings[0].getMessage()
    assert "fallback" in warnings[0].getMessage()
    assert recogniser.name.startswith("fallback")


def test_a_missing_model_package_falls_back(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setattr(ner, "MODEL_PACKAGE", "wiredesk_no_such_model_package")
    with caplog.at_level(logging.WARNING, logger="wiredesk.enrich.ner"):
        recogniser = ner.build_recogniser()
        assert recogniser.degraded
    assert "is not installed" in caplog.text
    found = kinds(recogniser.recognise(STORY))
    assert found["Giulia Ferrante"] == "person"


def test_a_damaged_model_directory_is_refused(tmp_path: Path) -> None:
    (tmp_path / "config.cfg").write_text("not a spaCy config", encoding="utf-8")
    with pytest.raises(ner.ModelUnavailable):
        ner.SpacyRecogniser(tmp_path, expected_sha256=ner.MODEL_SHA256)
    with pytest.raises(ner.ModelUnavailable):
        ner.SpacyRecogniser(tmp_path, expected_sha256=None)


def test_fallback_recognises_by_gazetteer_and_cues() -> None:
    fallback = ner.FallbackRecogniser()
    assert fallback.degraded
    text = (
        "Chancellor Olaf Brenner flew to New York on Monday for talks at the World Bank. "
        "Brenner met NATO officials and the Ministry of Finance. Mr. Tanaka stayed in Kenya."
    )
    found = kinds(fallback.recognise(text))
    assert found["Olaf Brenner"] == "person"  # the title is not part of the name
    assert found["Brenner"] == "person"
    assert found["New York"] == "place"
    assert found["Kenya"] == "place"
    assert found["World Bank"] == "organisation"  # no full stop, no run into the next sentence
    assert found["NATO"] == "organisation"
    assert found["Ministry of Finance"] == "organisation"
    assert found["Tanaka"] == "person"
    assert "Monday" not in found


def test_fallback_mentions_are_slices_of_the_text() -> None:
    mentions = ner.FallbackRecogniser().recognise(STORY)
    assert mentions
    for mention in mentions:
        assert STORY[mention.start : mention.end] == mention.text
    assert ner.FallbackRecogniser().recognise("") == []


def test_recasing_keeps_every_offset() -> None:
    text = "İSTANBUL TALKS END\nTalks in Istanbul ended."
    recased = ner.recase_shouting(text, gazetteer().lookup)
    assert len(recased) == len(text)
    assert recased.endswith("Talks in Istanbul ended.")
    # "TALKS" as the body spells it; "END" unseen, so lower case; "İSTANBUL" would change length
    assert recased.split("\n")[0] == "İSTANBUL Talks end"


def test_an_appositive_says_what_a_name_is(model: ner.SpacyRecogniser) -> None:
    text = ("The selling was triggered by Hanseong Memory, a South Korean chipmaker, which said "
            "profit would fall. Hanseong Memory shares dropped. \"It is a crack,\" said Mei-Lin "
            "Adebayo, a portfolio manager at a Singapore-based fund.")
    found = kinds(model.recognise(text))
    assert found["Hanseong Memory"] == "organisation"
    assert found["Mei-Lin Adebayo"] == "person"


def test_a_speaker_after_a_comma_is_not_an_appositive(model: ner.SpacyRecogniser) -> None:
    text = ("The detention of dissident Wang Donghai was confirmed. Police held Wang Donghai, "
            "the New York-based pressure group Human Rights in China said on Saturday.")
    found = {m.kind for m in model.recognise(text) if m.text == "Wang Donghai"}
    assert "organisation" not in found and "person" in found


def test_a_market_benchmark_is_not_a_place_or_a_person(model: ner.SpacyRecogniser) -> None:
    text = ("Japan's Nikkei average lost 1.6%, while Brent crude futures fell to $71.40 a barrel "
            "and the Dow Jones industrial average rose. Brent has risen this year. Officials in "
            "Tokyo met bankers from Nomura Holdings.")
    found = kinds(model.recognise(text))
    assert not {"Brent", "Nikkei", "Dow Jones"} & set(found)
    assert found["Tokyo"] == "place" and found["Nomura Holdings"] == "organisation"


def test_a_common_word_starting_a_quote_is_not_a_name(model: ner.SpacyRecogniser) -> None:
    text = ("Chipmakers ran down their inventories this year. \"Inventory corrections in memory "
            "usually last two quarters,\" said Daniel Huang. Apple said sales of apples rose.")
    found = kinds(model.recognise(text))
    assert "Inventory" not in found
    assert found["Daniel Huang"] == "person"


def test_who_an_age_or_a_job_after_a_name_make_it_a_person(model: ner.SpacyRecogniser) -> None:
    text = ("Kenya's Esther Loyan won ahead of Ethiopia's Meron Assefa, who was second. \"We sell "
            "more,\" said Akosua Darko, 46, who farms cocoa. \"It could change,\" said Pieter van "
            "Hoorn, a commodities broker in Amsterdam. Chief Executive Naomi Hale signed it.")
    found = kinds(model.recognise(text))
    for name in ("Meron Assefa", "Akosua Darko", "Pieter van Hoorn", "Naomi Hale"):
        assert found[name] == "person", (name, found)
    assert "Chief" not in found and "Executive" not in found


def test_a_company_named_by_its_first_word_stays_the_company(model: ner.SpacyRecogniser) -> None:
    text = ("SAN JOSE, California - Solenne Microsystems said on Monday it had signed a $3.4 "
            "billion agreement to supply chips to Kestrel Motors. Under the deal, Solenne will "
            "provide chips for Kestrel's next two vehicle platforms. \"Carmakers learned the hard "
            "way,\" said Solenne Chief Executive Naomi Hale. Solenne shares rose 14% in New York. "
            "The Lisbon Ocean Compact was signed in Lisbon.")
    mentions = model.recognise(text)
    assert {m.kind for m in mentions if m.text == "Solenne"} == {"organisation"}
    found = kinds(mentions)
    assert found["Naomi Hale"] == "person"
    assert found["Lisbon"] == "place"
    assert not [m for m in mentions if "Chief" in m.text]


def test_the_same_text_gives_the_same_mentions_in_every_process() -> None:
    # Re-enrichment republishes only what changed, so a process's hash seed must change nothing.
    # "Jordan" below is both a known part of a person's name and a country in the gazetteer.
    script = ("import json; from wiredesk.enrich.corrections import Span, refine; "
              "from wiredesk.core.lexicon.places import gazetteer; "
              "text = 'Michael Jordan flew home. Fans in Amman cheered when Jordan landed.'; "
              "spans = refine(text, [Span(0, 14, 'person')], gazetteer()); "
              "print(json.dumps([(s.start, s.end, s.kind) for s in spans]))")
    outputs = {
        subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True,
                       env={**os.environ, "PYTHONHASHSEED": str(seed)}).stdout
        for seed in range(1, 9)
    }
    assert len(outputs) == 1, outputs
    assert [53, 59, "person"] in json.loads(outputs.pop())
