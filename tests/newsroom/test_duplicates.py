"""Duplicates across feeds, re-sends under new ids, event clusters and an editor's split, through
real payloads into the database and out through the site (issue 4's acceptance)."""

from __future__ import annotations

import threading

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from tests.newsroom.feeds import Entry, hours_ago, paragraphs, rss
from tests.support.factories import make_source
from wiredesk.newsroom.models import Section, Source, Story, StoryVersion
from wiredesk.newsroom.transports.ingest import IngestReport, process_payload, store_payload
from wiredesk.newsroom.write.desk import WriteDesk
from wiredesk.newsroom.write.deskstate import DuplicateKey
from wiredesk.newsroom.write.duplicates import PER_KEY, VERIFY
from wiredesk.newsroom.write.merging import MergeRefused, merge, split

pytestmark = pytest.mark.django_db

QUAKE_JAVA = paragraphs(
    "JAKARTA, Nov 27 (Test Wire) - A magnitude 6.1 earthquake struck off the southern coast of "
    "Java on Friday, shaking buildings in Jakarta and killing at least seven people, the "
    "national disaster agency said.",
    "The quake hit at a depth of 10 km about 90 km southwest of the city of Sukabumi, the "
    "meteorology agency said, and no tsunami warning was issued.",
    "Residents of Sukabumi ran into the streets as walls cracked and roofs fell in, and "
    "hospitals treated dozens of injured people in tents outside their wards.",
    "Indonesia sits on the Pacific Ring of Fire and is hit by frequent earthquakes; rescue "
    "teams were searching collapsed homes in three villages near the coast.",
)
QUAKE_PERU = paragraphs(
    "LIMA, Nov 27 (Test Wire) - A magnitude 5.8 earthquake shook the Andes of central Peru on "
    "Friday, damaging a colonial church in Huancayo and injuring 14 people, officials said.",
    "The tremor was centred 35 km north of Huancayo at a depth of 60 km, according to the "
    "Peruvian Geophysical Institute, and was felt in Lima, 200 km away.",
    "Civil defence teams inspected adobe houses in the Mantaro valley, where dozens of homes "
    "were left with cracked walls and the regional government declared an emergency.",
    "Peru's mountain towns suffer regular quakes; the 2007 Pisco earthquake killed hundreds.",
)
JAVA_FOLLOW_UP = paragraphs(
    "SUKABUMI, Indonesia, Nov 28 (Other Wire) - The death toll from Friday's magnitude 6.1 "
    "earthquake off Java rose to 12 on Saturday as rescue teams in Sukabumi pulled two more "
    "bodies from collapsed homes, Indonesia's disaster agency said.",
    "More than 300 homes were damaged near the Java coast, and hundreds of Sukabumi residents "
    "spent the night in tents fearing aftershocks from the quake.",
    "Jakarta office towers were evacuated briefly on Friday when the earthquake struck at a "
    "depth of 10 km southwest of Sukabumi.",
)


def ingest(source: Source, *entries: Entry, desk: WriteDesk | None = None) -> IngestReport:
    """Ingest a payload as a process with ``desk`` would (by default one just started)."""
    payload = store_payload(source, rss(*entries, title=source.name), origin="test")
    return process_payload(desk or WriteDesk(), payload)


@pytest.fixture
def wires(section: Section) -> tuple[Source, Source]:
    return (make_source("Test Wire", section=section),
            make_source("Partner Daily", slug="partner-daily", section=section))


def public(*, merged: bool = False) -> list[Story]:
    return list(Story.objects.filter(merged_into__isnull=not merged).order_by("pk"))


def test_the_same_story_through_two_feeds_is_one_article_listing_both_sources(
        client: Client, wires: tuple[Source, Source]) -> None:
    agency, partner = wires
    ingest(agency, Entry("tw-quake-1", "Strong quake off Java kills seven", QUAKE_JAVA))
    report = ingest(partner, Entry("https://partner.example/2026/quake",
                                   "Strong quake off Java kills seven", QUAKE_JAVA,
                                   link="https://partner.example/2026/quake"))
    assert report.merged == 1 and report.new == 0
    [story] = public()
    [copy] = public(merged=True)
    assert copy.merged_into == story and copy.merge_kind == Story.MergeKind.COPY
    assert copy.duplicate_check["outcome"] == "syndicated_copy"
    assert copy.duplicate_check["exact"] is True
    page = client.get(story.get_absolute_url())
    text = page.content.decode()
    assert "Also reported by" in text and "Partner Daily" in text
    assert 'href="https://partner.example/2026/quake"' in text
    # The copy's own address leads to the one article; listings and search show it once.
    assert client.get(copy.get_absolute_url()).url == story.get_absolute_url()
    home = client.get("/").content.decode()  # the front page may show a story twice (top, river)
    assert story.get_absolute_url() in home and copy.get_absolute_url() not in home
    api = client.get(f"/api/v1/stories/{copy.pk}")
    assert api.status_code == 301 and api.url == f"/api/v1/stories/{story.pk}"


def test_the_merge_policy_makes_another_feeds_copy_a_version(
        client: Client, wires: tuple[Source, Source]) -> None:
    agency, partner = wires
    partner.duplicate_policy = Source.DuplicatePolicy.MERGE
    partner.save()
    ingest(agency, Entry("tw-quake-1", "Strong quake off Java kills seven", QUAKE_JAVA,
                         pub_date=hours_ago(3)))
    longer = QUAKE_JAVA + paragraphs("The agency later raised the toll to nine.")
    ingest(partner, Entry("p-1", "Strong quake off Java kills nine", longer,
                          pub_date=hours_ago(2)))
    [story] = public()
    assert story.version_count == 2 and story.headline == "Strong quake off Java kills nine"
    assert story.current_version is not None
    assert story.current_version.from_story is not None
    text = client.get(story.get_absolute_url()).content.decode()
    assert "(from Partner Daily)" in text and "Also reported by" in text


def test_a_truncated_copy_never_replaces_the_full_text(wires: tuple[Source, Source]) -> None:
    agency, partner = wires
    partner.duplicate_policy = Source.DuplicatePolicy.MERGE
    partner.save()
    ingest(agency, Entry("tw-quake-1", "Strong quake off Java kills seven", QUAKE_JAVA,
                         pub_date=hours_ago(3)))
    first_two = "".join(QUAKE_JAVA.split("</p>")[:2]) + "</p>"
    ingest(partner, Entry("p-1", "Strong quake off Java kills seven", first_two,
                          pub_date=hours_ago(1)))
    [story] = public()
    assert story.current_version is not None
    assert story.current_version.from_story is None  # still the agency's full text
    assert story.versions.count() == 2  # the short copy is kept in the history
    assert StoryVersion.objects.get(story=story, number=2).is_superseded


def test_an_update_resent_under_a_new_id_is_a_new_version(
        client: Client, wires: tuple[Source, Source]) -> None:
    agency, _ = wires
    ingest(agency, Entry("tw-quake-1", "Strong quake off Java kills seven", QUAKE_JAVA,
                         pub_date=hours_ago(3)))
    update = QUAKE_JAVA.replace("at least seven", "at least nine") + paragraphs(
        "Officials said the toll could rise as rescuers reached remote villages.")
    report = ingest(agency, Entry("tw-quake-2", "UPDATE 1-Strong quake off Java kills nine",
                                  update, pub_date=hours_ago(2)))
    assert report.merged == 1
    [story] = public()
    assert story.version_count == 2
    assert story.headline == "UPDATE 1-Strong quake off Java kills nine"
    [resend] = public(merged=True)
    assert resend.merge_kind == Story.MergeKind.VERSION
    assert resend.duplicate_check["rule"] == "same-source"
    assert "UPDATE" in resend.duplicate_check["signals"][0].upper()
    page = client.get(story.get_absolute_url()).content.decode()
    assert "Version history" in page and "kills nine" in page


def test_two_different_earthquakes_on_the_same_day_are_two_articles_in_two_clusters(
        client: Client, wires: tuple[Source, Source]) -> None:
    agency, partner = wires
    ingest(agency, Entry("tw-java", "Strong quake off Java kills seven", QUAKE_JAVA),
           Entry("tw-peru", "Quake damages church in Peru's Andes", QUAKE_PERU))
    ingest(partner, Entry("p-java", "Java quake death toll rises to 12", JAVA_FOLLOW_UP))
    java, peru, follow_up = public()
    assert java.merged_into is None and follow_up.merged_into is None  # not duplicates
    assert java.cluster is not None and peru.cluster is not None
    assert java.cluster != peru.cluster
    assert follow_up.cluster == java.cluster
    page = client.get(java.get_absolute_url()).content.decode()
    assert "Related coverage" in page and "Java quake death toll rises to 12" in page
    assert "Quake damages church" not in page
    coverage = client.get(java.cluster.get_absolute_url())
    assert coverage.status_code == 200
    body = coverage.content.decode()
    assert "Full coverage" in body and "Partner Daily" in body and "Test Wire" in body
    assert "Quake damages church" not in body
    feed = client.get(f"/feeds/cluster/{java.cluster.pk}.rss").content.decode()
    assert "Java quake death toll rises to 12" in feed and "Peru" not in feed


def test_a_split_stays_split_after_re_ingest(client: Client,
                                             wires: tuple[Source, Source]) -> None:
    agency, partner = wires
    ingest(agency, Entry("tw-quake-1", "Strong quake off Java kills seven", QUAKE_JAVA))
    wrong = Entry("p-1", "Strong quake off Java kills seven", QUAKE_JAVA)
    ingest(partner, wrong)
    [copy] = public(merged=True)
    root = split(WriteDesk(), copy, "editor")
    assert len(public()) == 2 and root.merged_into is None
    copy.refresh_from_db()
    assert copy.merge_locked and copy.merged_by == "editor"
    # The same payload again, then a new version of the partner's story under the same id.
    ingest(partner, wrong)
    ingest(partner, Entry("p-1", "Strong quake off Java kills eight",
                          QUAKE_JAVA.replace("seven", "eight")))
    ingest(partner, wrong, desk=WriteDesk())  # and after a restart: a new process's desk
    assert len(public()) == 2 and public(merged=True) == []
    copy.refresh_from_db()
    # The old text again is a re-send of an earlier version: history, not current.
    assert copy.headline == "Strong quake off Java kills eight"
    assert client.get(copy.get_absolute_url()).status_code == 200


def test_an_editor_merges_by_hand(wires: tuple[Source, Source]) -> None:
    agency, partner = wires
    ingest(agency, Entry("tw-java", "Strong quake off Java kills seven", QUAKE_JAVA))
    ingest(partner, Entry("p-java", "Java quake death toll rises to 12", JAVA_FOLLOW_UP))
    java, follow_up = public()
    desk = WriteDesk()
    assert merge(desk, follow_up, java, "editor") == java
    follow_up.refresh_from_db()
    assert follow_up.merged_into == java and follow_up.merge_locked
    with pytest.raises(MergeRefused):
        merge(desk, java, follow_up, "editor")  # into its own duplicate: the root is itself
    with pytest.raises(MergeRefused):
        split(desk, java, "editor")


def test_a_new_process_takes_the_same_decisions_without_replay(
        wires: tuple[Source, Source]) -> None:
    """The duplicate and cluster state is in the database: a desk that has just started (reset,
    as a new process's would be) loads nothing and reads no story text, yet recognises the copy
    and puts the follow-up in the stored story's cluster."""
    agency, partner = wires
    ingest(agency, Entry("tw-java", "Strong quake off Java kills seven", QUAKE_JAVA),
           Entry("tw-peru", "Quake damages church in Peru's Andes", QUAKE_PERU))
    assert StoryVersion.objects.filter(fingerprint__isnull=False).count() == 2
    desk = WriteDesk()  # a new process's
    with CaptureQueriesContext(connection) as start, desk.session():
        pass
    texts = [q["sql"] for q in start.captured_queries if "body_html" in q["sql"]]
    assert texts == [] and len(start.captured_queries) <= 12  # a few counters and keys
    report = ingest(partner, Entry("p-java", "Strong quake off Java kills seven", QUAKE_JAVA),
                    Entry("p-java-2", "Java quake death toll rises to 12", JAVA_FOLLOW_UP),
                    desk=desk)
    assert report.merged == 1
    java, peru, follow_up = public()
    assert [copy.merged_into for copy in public(merged=True)] == [java]
    assert follow_up.cluster == java.cluster != peru.cluster


def test_templated_copy_keeps_the_cost_of_a_decision_bounded(section: Section) -> None:
    """Hundreds of stored stories sharing the new one's buckets (one sentence frame, a different
    company each): each key reads at most PER_KEY stored versions and at most VERIFY candidates
    are verified, and the template still finds nothing it should not."""
    source = make_source("Results Wire", section=section)
    frame = paragraphs(
        "{name} reported quarterly results on Tuesday, with revenue and profit in line with "
        "the expectations of analysts polled by the agency, the company said in a statement.",
        "Shares of {name} were little changed in early trading, and the company kept its "
        "forecast for the full year, citing steady demand from customers in its main markets.",
        "The company will hold a call with analysts later on Tuesday to discuss the results.")
    entries = [Entry(f"r-{n}", f"Company{n} Corp reports quarterly results",
                     frame.format(name=f"Company{n} Corp")) for n in range(120)]
    ingest(source, *entries)
    desk = WriteDesk()
    report = ingest(source, Entry("r-new", "Newco Corp reports quarterly results",
                                  frame.format(name="Newco Corp")), desk=desk)
    assert report.new + report.merged == 1
    stats = desk.duplicates.stats
    assert stats.queries == 1 and 0 < stats.candidates <= VERIFY
    assert DuplicateKey.objects.count() > 120 * PER_KEY / 10  # the rows the lookup chose from


def test_a_kill_of_a_merged_copy_removes_it_from_also_reported(
        client: Client, wires: tuple[Source, Source]) -> None:
    agency, partner = wires
    ingest(agency, Entry("tw-quake-1", "Strong quake off Java kills seven", QUAKE_JAVA))
    ingest(partner, Entry("p-1", "Strong quake off Java kills seven", QUAKE_JAVA))
    [story] = public()
    [copy] = public(merged=True)
    copy.status = Story.Status.KILLED
    copy.save()
    assert "Also reported by" not in client.get(story.get_absolute_url()).content.decode()


def test_the_admin_shows_the_evidence_and_splits_and_merges(
        editor: Client, wires: tuple[Source, Source]) -> None:
    agency, partner = wires
    ingest(agency, Entry("tw-quake-1", "Strong quake off Java kills seven", QUAKE_JAVA))
    ingest(partner, Entry("p-1", "Strong quake off Java kills seven", QUAKE_JAVA))
    [story] = public()
    [copy] = public(merged=True)
    page = editor.get(f"/admin/newsroom/story/{story.pk}/change/").content.decode()
    assert "merged duplicates" in page.lower()
    assert "syndicated_copy (policy:also-reported" in page
    assert "exact copy" in page
    page = editor.get(f"/admin/newsroom/story/{copy.pk}/change/").content.decode()
    assert f"matched story {story.pk}" in page
    editor.post("/admin/newsroom/story/", {"action": "split", "_selected_action": [copy.pk]})
    assert len(public()) == 2
    form = editor.post("/admin/newsroom/story/", {"action": "merge",
                                                  "_selected_action": [copy.pk]})
    assert "Number of the story to merge into" in form.content.decode()
    editor.post("/admin/newsroom/story/", {"action": "merge", "_selected_action": [copy.pk],
                                           "target": str(story.pk), "apply": "Merge"})
    copy.refresh_from_db()
    assert copy.merged_into == story and copy.merged_by == "editor"


def test_the_api_and_export_carry_clusters_and_merges(
        client: Client, wires: tuple[Source, Source]) -> None:
    import json
    from io import StringIO

    from django.core.management import call_command

    agency, partner = wires
    ingest(agency, Entry("tw-java", "Strong quake off Java kills seven", QUAKE_JAVA),
           Entry("tw-peru", "Quake damages church in Peru's Andes", QUAKE_PERU))
    ingest(partner, Entry("p-java", "Strong quake off Java kills seven", QUAKE_JAVA))
    java, peru = public()
    [copy] = public(merged=True)
    assert java.cluster is not None and peru.cluster is not None
    detail = client.get(f"/api/v1/stories/{java.pk}").json()
    assert detail["cluster"]["id"] == java.cluster.pk
    assert detail["cluster"]["title"] == java.cluster.title
    assert detail["cluster"]["uri"].endswith(f"/cluster/{java.cluster.pk}/")
    assert detail["merged_into"] is None
    assert [(c["id"], c["source"]["slug"], c["kind"]) for c in detail["also_reported_by"]] == [
        (copy.pk, "partner-daily", "copy")]
    listed = client.get(f"/api/v1/stories?cluster={peru.cluster.pk}").json()
    assert [item["headline"] for item in listed["items"]] == [peru.headline]
    out = StringIO()
    call_command("export", stdout=out)
    records = {record["uri"].rstrip("/").rsplit("/", 1)[-1]: record
               for record in map(json.loads, out.getvalue().splitlines())}
    assert records[str(copy.pk)]["merged_into"]["id"] == java.pk
    assert records[str(copy.pk)]["merged_into"]["kind"] == "copy"
    assert records[str(copy.pk)]["cluster"]["id"] == java.cluster.pk
    assert records[str(peru.pk)]["cluster"]["title"] == peru.cluster.title


@pytest.mark.django_db(transaction=True)
def test_one_story_through_many_feeds_at_once_is_one_article(section: Section) -> None:
    """Eight feeds bring the same story at the same moment, each ingested by a desk of its own
    on a connection of its own, as eight worker processes would: the gate and the fingerprints
    are worked out in parallel, but deciding and writing is one at a time, so exactly one story
    is shown and the seven others are merged into it."""
    sources = [make_source(f"Wire {n}", slug=f"wire-{n}", section=section) for n in range(8)]
    start = threading.Barrier(len(sources))
    reports: list[IngestReport] = []

    def ingest_alone(source: Source) -> None:
        try:
            payload = store_payload(source, rss(Entry(f"{source.slug}-quake",
                                                      "Strong quake off Java kills seven",
                                                      QUAKE_JAVA), title=source.name),
                                    origin="test")
            start.wait(timeout=30)
            reports.append(process_payload(WriteDesk(), payload))
        finally:
            connection.close()

    threads = [threading.Thread(target=ingest_alone, args=(source,)) for source in sources]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert sorted((r.new, r.merged) for r in reports) == [(0, 1)] * 7 + [(1, 0)]
    [story] = public()
    assert {copy.merged_into_id for copy in public(merged=True)} == {story.pk}


def key_reads(queries: list[dict[str, str]]) -> int:
    table = DuplicateKey._meta.db_table
    return sum(1 for q in queries if q["sql"].lstrip().upper().startswith("SELECT")
               and table in q["sql"])


def test_a_payloads_stored_candidates_are_read_in_one_statement(
        wires: tuple[Source, Source]) -> None:
    agency, partner = wires
    ingest(agency, Entry("tw-java", "Strong quake off Java kills seven", QUAKE_JAVA),
           Entry("tw-peru", "Quake damages church in Peru's Andes", QUAKE_PERU))
    desk = WriteDesk()
    with desk.session():
        pass  # the keys of the stored versions written (the catch-up), as a running desk has
    with CaptureQueriesContext(connection) as captured:
        report = ingest(partner, Entry("p-java", "Strong quake off Java kills seven", QUAKE_JAVA),
                        Entry("p-peru", "Quake damages church in Peru's Andes", QUAKE_PERU),
                        Entry("p-java-2", "Java quake death toll rises to 12", JAVA_FOLLOW_UP),
                        desk=desk)
    assert report.merged == 2 and report.new == 1
    assert key_reads(captured.captured_queries) == 1  # was one for each of the three items


def test_candidates_read_in_several_statements_decide_the_same(
        wires: tuple[Source, Source], monkeypatch: pytest.MonkeyPatch) -> None:
    from wiredesk.newsroom.write import duplicates

    monkeypatch.setattr(duplicates, "_SQLITE_KEYS", 7)
    monkeypatch.setattr(duplicates, "_ARRAY_KEYS", 7)
    agency, partner = wires
    ingest(agency, Entry("tw-java", "Strong quake off Java kills seven", QUAKE_JAVA),
           Entry("tw-peru", "Quake damages church in Peru's Andes", QUAKE_PERU))
    with CaptureQueriesContext(connection) as captured:
        report = ingest(partner, Entry("p-java", "Strong quake off Java kills seven", QUAKE_JAVA),
                        Entry("p-peru", "Quake damages church in Peru's Andes", QUAKE_PERU),
                        Entry("p-java-2", "Java quake death toll rises to 12", JAVA_FOLLOW_UP))
    assert report.merged == 2 and report.new == 1
    assert key_reads(captured.captured_queries) > 3
    java, peru, follow_up = public()
    assert {copy.merged_into for copy in public(merged=True)} == {java, peru}
    assert follow_up.cluster == java.cluster


def test_a_story_joining_an_event_counts_on_it_and_moves_its_time(
        wires: tuple[Source, Source]) -> None:
    agency, partner = wires
    ingest(agency, Entry("tw-java", "Strong quake off Java kills seven", QUAKE_JAVA),
           Entry("tw-peru", "Quake damages church in Peru's Andes", QUAKE_PERU))
    java, peru = public()
    assert java.cluster is not None and peru.cluster is not None
    first = java.cluster.changed_at
    assert java.cluster.story_count == peru.cluster.story_count == 1
    ingest(partner, Entry("p-java-2", "Java quake death toll rises to 12", JAVA_FOLLOW_UP))
    java.cluster.refresh_from_db()
    peru.cluster.refresh_from_db()
    assert java.cluster.story_count == 2 and java.cluster.changed_at > first
    assert peru.cluster.story_count == 1 and peru.cluster.changed_at == first
    assert "quake" in java.cluster.title.lower()
