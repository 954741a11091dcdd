"""IPTC Media Topics: subject-code mapping and text classification on self-written copy."""

from __future__ import annotations

import time

import pytest

from wiredesk.enrich import topics
from wiredesk.enrich.topics import Topic, classify, topics_from_subjects

POLITICS = "medtop:11000000"
SOCIETY = "medtop:14000000"
SPORT = "medtop:15000000"


def qcodes(found: list[Topic]) -> list[str]:
    return [t.qcode for t in found]


def test_seventeen_top_level_topics() -> None:
    assert len(topics.TOP_LEVEL) == 17
    assert topics.TOP_LEVEL["medtop:01000000"] == "arts, culture, entertainment and media"
    assert topics.TOP_LEVEL["medtop:16000000"] == "conflict, war and peace"
    assert topics.TOP_LEVEL["medtop:17000000"] == "weather"
    assert set(topics.NAMES.values()) == set(topics.TOP_LEVEL)


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("medtop:11000000", POLITICS),
        ("http://cv.iptc.org/newscodes/mediatopic/15000000", SPORT),
        ("medtop:20001065", SPORT),  # football, a known narrower topic
        ("medtop:20000533", "medtop:09000000"),  # unemployment -> labour
        ("subj:15054000", SPORT),  # legacy Subject Code: first two digits
        ("iptc:04008024", "medtop:04000000"),
        ("http://cv.iptc.org/newscodes/subjectcode/11003000", POLITICS),
        ("11003000", POLITICS),  # bare Subject Code as some agencies send it
        ("medtop:04016014", "medtop:04000000"),  # below 20000000: subject numbering
    ],
)
def test_subject_codes_map_to_their_top_level(code: str, expected: str) -> None:
    found = topics_from_subjects([code])
    assert qcodes(found) == [expected]
    assert found[0].source == "subject"
    assert found[0].score == 1.0


def test_unknown_and_private_codes_are_skipped_not_guessed() -> None:
    # A Media Topic from 20000000 up says nothing about its ancestor in its digits.
    assert topics_from_subjects(["medtop:20009999", "subj:99000000", "dpasubject:sport", ""]) == []
    assert topics_from_subjects(["medtop:18000000", "medtop:123"]) == []


def test_subject_codes_are_deduplicated_in_order_with_detail() -> None:
    found = topics_from_subjects(["subj:15000000", "medtop:11000000", "medtop:20001065"])
    assert qcodes(found) == [SPORT, POLITICS]
    assert found[0].detail == "football"
    assert found[0].detail_qcode == "medtop:20001065"
    assert found[0].name == "sport / football"


FOOTBALL = (
    "United snatch late win as striker scores twice",
    "The striker scored twice in the second half as United came from behind to beat City 2-1 "
    "in the Premier League on Saturday. The midfielder was booked before halftime, and the "
    "goalkeeper made three saves. The win lifts the club to third in the standings, two points "
    "behind the leaders with a match in hand. The coach praised his players after the game.",
)

ELECTION = (
    "Opposition wins snap election as turnout soars",
    "Voters handed the opposition party a clear majority in parliament in Sunday's snap "
    "election, ending a decade of coalition government. The prime minister conceded defeat "
    "late on Sunday. Turnout was the highest in twenty years, the electoral commission said, "
    "and the new government is expected to form a cabinet within a week. Lawmakers will vote "
    "on the budget bill next month.",
)

BORDER = (
    "Minister defends new asylum rules as migrant crossings rise",
    "The interior minister defended the government's new asylum rules in parliament on "
    "Tuesday as the number of migrants crossing the border reached a record. Refugee groups "
    "said the policy would leave families without shelter, and opposition lawmakers accused "
    "the government of failing to manage migration. Border patrol officers detained more than "
    "4,000 migrants last month, officials said, and deportation flights will resume.",
)


def test_football_match_report_is_sport() -> None:
    found = classify(*FOOTBALL)
    assert found[0].qcode == SPORT
    assert found[0].source == "text"
    assert found[0].detail == "football"
    assert found[0].detail_qcode == "medtop:20001065"


def test_election_story_is_politics() -> None:
    found = classify(*ELECTION)
    assert found[0].qcode == POLITICS
    assert found[0].detail == "elections"
    assert found[0].detail_qcode == ""  # named, but no IPTC code claimed


def test_migration_and_border_story_is_politics_and_society() -> None:
    found = classify(*BORDER)
    assert POLITICS in qcodes(found)
    assert SOCIETY in qcodes(found)
    society = next(t for t in found if t.qcode == SOCIETY)
    assert society.name == "society / migration of people"


def test_leaders_summit_on_migration_gets_politics_and_migration() -> None:
    # Shaped like the wire sample: a presidents' meeting about the border, migration and trade.
    headline = ""
    text = (
        "The president on Tuesday called migration a shared regional challenge in a meeting "
        "with his neighbour's leader at the White House, as he faces political attacks from "
        "opposition lawmakers over his handling of the border. The two leaders agreed to invest "
        "in ports of entry and to work on illegal crossings. Border Patrol made about 70,000 "
        "arrests of migrants in May. The visiting president asked for more legal work visas and "
        "better protection for migrants and immigrants already in the country. Lawmakers from "
        "the opposition party criticised the administration's immigration policy before the "
        "midterm elections, and officials said the trade agreement could be used to cut tariffs."
    )
    found = classify(headline, text)
    names = [t.name for t in found]
    assert found[0].qcode == POLITICS
    assert "society / migration of people" in names


@pytest.mark.parametrize(
    ("headline", "text", "expected"),
    [
        (
            "Shares fall as profit warning hits chipmaker",
            "Shares in the company fell 12 percent after it cut its full-year profit forecast, "
            "blaming weak demand. Analysts said revenue would miss market expectations and "
            "investors sold the stock heavily on Wall Street.",
            "medtop:04000000",
        ),
        (
            "Earthquake kills dozens, rescuers search rubble",
            "A magnitude 6.8 earthquake struck the region before dawn, killing at least 40 "
            "people. Rescuers searched collapsed buildings for survivors and the death toll is "
            "expected to rise, the disaster agency said.",
            "medtop:03000000",
        ),
        (
            "Man charged with murder after fatal stabbing",
            "Police arrested a 34-year-old man who was charged with murder on Friday after a "
            "fatal stabbing. He will appear in court on Monday; prosecutors said the suspect "
            "was refused bail.",
            "medtop:02000000",
        ),
        (
            "Heavy rain and strong winds forecast for the weekend",
            "Forecasters expect heavy rain and high winds on Saturday, with temperatures "
            "falling to near freezing and snow on high ground, the weather service said.",
            "medtop:17000000",
        ),
    ],
)
def test_clear_cases_get_their_main_topic(headline: str, text: str, expected: str) -> None:
    assert classify(headline, text)[0].qcode == expected


def test_at_most_three_topics_best_first() -> None:
    text = " ".join([FOOTBALL[1], ELECTION[1], BORDER[1], "The earthquake killed many."])
    found = classify("", text)
    assert 1 <= len(found) <= 3
    assert [t.score for t in found] == sorted((t.score for t in found), reverse=True)


def test_no_evidence_no_topic() -> None:
    assert classify("", "") == []
    assert classify("Update", "More to follow.") == []


def test_subjects_come_first_and_text_adds_only_strong_topics() -> None:
    found = classify(*FOOTBALL, subjects=["medtop:11000000"])
    assert found[0].qcode == POLITICS
    assert found[0].source == "subject"
    # The match report is clearly sport, so the text adds it after the source's topic.
    assert qcodes(found)[1:] == [SPORT]
    assert found[1].source == "text"
    # A weak text signal is not added to the source's codes.
    weak = classify("Club statement", "The club said the coach would stay.", ["subj:04000000"])
    assert qcodes(weak) == ["medtop:04000000"]


def test_headline_counts_more_than_body() -> None:
    body = "The minister spoke. The police attended."
    assert classify("Police arrest suspect", body)[0].qcode == "medtop:02000000"
    assert classify("Minister resigns from cabinet", body)[0].qcode == POLITICS


def test_fast_enough_for_a_600_word_story() -> None:
    text = " ".join([BORDER[1], ELECTION[1], FOOTBALL[1]] * 5)
    text = " ".join(text.split()[:600])
    classify("", text)
    start = time.perf_counter()
    for _ in range(20):
        classify(BORDER[0], text)
    assert (time.perf_counter() - start) / 20 < 0.01
