"""Enrichment after publication, through the database and out through every surface (issue 5).

The story below is written for these tests (fictional people and events). The shared sample story
runs too when ``../shared`` is present (the acceptance list of issue 5).
"""

from __future__ import annotations

import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import Client

from tests.newsroom.feeds import Entry, paragraphs, rss
from wiredesk.enrich import ner, pipeline
from wiredesk.enrich.pipeline import Enricher
from wiredesk.enrich.result import Enrichment as EnrichmentResult
from wiredesk.enrich.result import StoryText
from wiredesk.newsroom.models import Enrichment, Entity, Source, Story, StoryEntity, StoryQuote
from wiredesk.newsroom.sources import local_source
from wiredesk.newsroom.transports.ingest import process_payload, store_payload
from wiredesk.newsroom.workers import claims, enrichment
from wiredesk.newsroom.workers.enrichment import (
    enrich_pending,
    enrich_story,
    pending,
    requeue_outdated,
)
from wiredesk.newsroom.write.desk import WriteDesk

pytestmark = pytest.mark.django_db

HARBOUR = paragraphs(
    "LISBON, Nov 27 (Test Wire) - Portuguese Prime Minister Helena Marques Duarte on Friday "
    "opened talks with Spain's government on a $2.1 billion plan to deepen the port of Sines, "
    "as dock workers' unions warned of strikes over automation.",
    "\"We will not build the port of the future on the backs of its workers,\" Marques Duarte "
    "told reporters after meeting union leaders in Lisbon.",
    "The plan would let the port handle 4.5 million containers a year, up from 2.8 million "
    "last year, officials said.",
    "Union leader Rui Tavares said 1,200 jobs were at risk. \"Nobody asked us,\" Tavares said. "
    "\"We read about it in the newspapers.\"",
    "Spanish Transport Minister Carlos Ibarra said Madrid would take part in the financing.",
)


@pytest.fixture
def source() -> Source:
    return local_source("Test Wire")


def publish(source: Source, guid: str = "sines-1", body: str = HARBOUR,
            headline: str = "Portugal opens talks on $2.1 billion Sines port plan") -> Story:
    process_payload(WriteDesk(), store_payload(source, rss(Entry(guid, headline, body)),
                                               origin="test://"))
    return Story.objects.get(external_id=guid)


def test_a_published_story_is_enriched_after_publication(enricher: Enricher, client: Client,
                                                          source: Source) -> None:
    story = publish(source)
    assert client.get(story.get_absolute_url()).status_code == 200  # online before enrichment
    assert list(pending()) == [story]
    [outcome] = enrich_pending(enricher)
    assert outcome.changed and not outcome.stale
    assert list(pending()) == []
    record = Enrichment.objects.get(story=story)
    assert record.version == pipeline.ENRICHER_VERSION
    assert record.content_hash == story.current_version.content_hash  # type: ignore[union-attr]
    people = {e.name for e in Entity.objects.filter(kind="person")}
    assert {"Helena Marques Duarte", "Rui Tavares", "Carlos Ibarra"} <= people
    countries = set(Entity.objects.filter(kind="country").values_list("code", flat=True))
    assert {"PT", "ES"} <= countries
    quotes = {q.text: q.speaker.name if q.speaker else "" for q in StoryQuote.objects.all()}
    assert quotes["We will not build the port of the future on the backs of its workers,"] == \
        "Helena Marques Duarte"
    assert quotes["Nobody asked us,"] == "Rui Tavares"


def test_the_article_page_shows_numbers_quotes_and_links(enricher: Enricher, client: Client,
                                                         source: Source) -> None:
    story = publish(source)
    enrich_story(enricher, story.pk)
    page = client.get(story.get_absolute_url()).content.decode()
    assert "By the numbers" in page and "$2.1 billion" in page and "4.5 million" in page
    assert "Quotes" in page and "Nobody asked us," in page
    person = Entity.objects.get(name="Helena Marques Duarte")
    assert f'href="{person.get_absolute_url()}"' in page
    assert "economy, business and finance" in page or "labour" in page


def test_entity_pages_quote_index_and_feeds(enricher: Enricher, client: Client,
                                            source: Source) -> None:
    story = publish(source)
    enrich_story(enricher, story.pk)
    person = Entity.objects.get(name="Rui Tavares")
    page = client.get(person.get_absolute_url()).content.decode()
    assert story.headline in page and "What Rui Tavares said" in page
    quotes = client.get(f"/entity/{person.slug}/quotes/").content.decode()
    assert "Nobody asked us," in quotes and story.headline in quotes
    feed = client.get(f"/feeds/entity/{person.slug}/quotes.rss").content.decode()
    assert "Nobody asked us," in feed and "#q-" in feed
    portugal = Entity.objects.get(key="country:pt")
    assert story.headline in client.get(portugal.get_absolute_url()).content.decode()
    stories_feed = client.get(f"/feeds/entity/{portugal.slug}.rss").content.decode()
    assert story.headline in stories_feed
    topic = Entity.objects.filter(kind="topic").first()
    assert topic is not None and topic.code.startswith("medtop:")
    assert client.get(f"/feeds/entity/{topic.slug}.json").json()["items"]


def test_the_api_and_export_carry_the_enrichment(enricher: Enricher, client: Client,
                                                 source: Source) -> None:
    story = publish(source)
    before = client.get(f"/api/v1/stories/{story.pk}").json()
    assert before["entities"] == [] and before["enrichment"] is None
    enrich_story(enricher, story.pk)
    detail = client.get(f"/api/v1/stories/{story.pk}").json()
    people = {e["name"]: e["id"] for e in detail["entities"] if e["type"] == "person"}
    assert people["Helena Marques Duarte"] == "person:helena-marques-duarte"
    quote = next(q for q in detail["quotes"] if q["text"].startswith("Nobody asked us"))
    assert quote["speaker"] == "Rui Tavares" and quote["speaker_id"] == "person:rui-tavares"
    figures = {f["display"]: f for f in detail["figures"]}
    assert figures["$2.1 billion"]["value"] == 2.1e9 and figures["$2.1 billion"]["unit"] == "USD"
    assert {"PT", "ES"} <= {p["country_code"] for p in detail["places"] if p["type"] == "country"}
    assert all(t["qcode"].startswith("medtop:") for t in detail["topics"]) and detail["topics"]
    assert detail["tags"] and detail["summary"]
    assert detail["enrichment"]["version"] == pipeline.ENRICHER_VERSION
    listed = client.get("/api/v1/stories").json()["items"][0]
    assert listed["entities"] == detail["entities"]
    out = StringIO()
    call_command("export", stdout=out)
    record = json.loads(out.getvalue().splitlines()[0])
    assert record["quotes"] == detail["quotes"] and record["topics"] == detail["topics"]


def test_enrichment_is_idempotent_versioned_and_follows_new_versions(
        enricher: Enricher, source: Source, monkeypatch: pytest.MonkeyPatch) -> None:
    story = publish(source)
    enrich_story(enricher, story.pk)
    changed_at = Story.objects.get(pk=story.pk).changed_at
    # The same result again: nothing republished.
    assert enrich_story(enricher, story.pk).changed is False
    assert Story.objects.get(pk=story.pk).changed_at == changed_at
    # An upgraded enricher redoes the archive, but republishes only what it changes.
    monkeypatch.setattr(pipeline, "ENRICHER_VERSION", "test-upgrade")
    monkeypatch.setattr("wiredesk.newsroom.workers.enrichment.ENRICHER_VERSION", "test-upgrade")
    assert list(pending()) == []  # nothing is redone until the upgrade is noticed
    assert requeue_outdated("test-upgrade") == 1
    assert requeue_outdated("test-upgrade") == 0  # queued once, not once per pass
    assert list(pending()) == [story]
    assert enrich_story(enricher, story.pk).changed is False
    assert Enrichment.objects.get(story=story).version == "test-upgrade"
    assert Story.objects.get(pk=story.pk).changed_at == changed_at
    # A new version of the story is enriched again.
    publish(source, body=HARBOUR.replace("Rui Tavares", "Rui Tavares Lopes").replace(
        "Tavares said", "Tavares Lopes said"))
    assert list(pending()) == [story]
    assert enrich_story(enricher, story.pk).changed
    assert "Rui Tavares Lopes" in StoryEntity.objects.filter(story=story).values_list(
        "entity__name", flat=True)


def test_the_enrich_command_reports_its_methods_and_progress(source: Source) -> None:
    publish(source)
    publish(source, guid="other", headline="Chess prodigy wins city open",
            body=paragraphs("A 14-year-old from Porto won the city open chess tournament."))
    out = StringIO()
    call_command("enrich", "--all", stdout=out)
    text = out.getvalue()
    assert f"enricher {pipeline.ENRICHER_VERSION}" in text and "spacy" in text
    assert "2 stories enriched; 0 still to do" in text


def test_without_the_model_enrichment_degrades_and_says_so(source: Source) -> None:
    story = publish(source)
    enrich_story(Enricher(ner.FallbackRecogniser()), story.pk)
    record = Enrichment.objects.get(story=story)
    assert "DEGRADED" in record.data["methods"]["entities"]
    assert "Rui Tavares" in {e["name"] for e in record.data["entities"]}  # simpler, not blind


def test_the_shared_sample_story(enricher: Enricher, shared_data: Path, source: Source) -> None:
    sample = (shared_data.parent / "samples" / "wire-story-biden-lopez-obrador.txt").read_text()
    blocks = [block.strip() for block in sample.split("\n\n") if block.strip()]
    story = publish(source, guid="sample", body=paragraphs(*blocks),
                    headline="Biden and Lopez Obrador meet at the White House")
    enrich_story(enricher, story.pk)
    data = Enrichment.objects.get(story=story).data
    names = {e["name"] for e in data["entities"]} | {c["name"] for c in data["countries"]}
    assert {"Joe Biden", "Andres Manuel Lopez Obrador", "Kamala Harris", "Jill Biden",
            "Donald Trump", "Mexico", "United States", "Canada", "Cuba", "Venezuela",
            "Nicaragua"} <= names
    speakers = {q["text"]: q["speaker_key"] for q in data["quotes"]}
    assert speakers["We know we have to meet these challenges together,"] == "person:joe-biden"
    assert speakers["The main thing is the defense of our migrant countrymen,"] == \
        "person:andres-manuel-lopez-obrador"
    figures = {f["display"]: f["counts"] for f in data["figures"]}
    assert "arrests" in figures["2.8 million"] and "investment" in figures["$3.4 billion"]
    assert "arrests" in figures["70,000"] and "arrests" in figures["18,000"]
    assert "died" in figures["53"]
    topics = {(t["label"], t["detail"]) for t in data["topics"]}
    assert ("politics", "") in topics and ("society", "migration of people") in topics


def test_a_short_name_in_a_later_story_is_the_entity_named_in_full_before(
        enricher: Enricher, client: Client, source: Source) -> None:
    first = publish(source)
    enrich_story(enricher, first.pk)
    later = publish(source, guid="sines-2", headline="Port talks resume",
                    body=paragraphs("LISBON, Nov 28 (Test Wire) - Talks on the Sines port plan "
                                    "resumed on Saturday, and Marques Duarte said a deal was "
                                    "close.", "Unions said they would wait and see."))
    enrich_story(enricher, later.pk)
    person = Entity.objects.get(key="person:helena-marques-duarte")
    assert not Entity.objects.filter(key="person:marques-duarte").exists()
    assert set(person.story_links.values_list("story_id", flat=True)) == {first.pk, later.pk}
    detail = client.get(f"/api/v1/stories/{later.pk}").json()
    assert {"id": "person:helena-marques-duarte", "name": "Helena Marques Duarte"} in [
        {"id": e["id"], "name": e["name"]} for e in detail["entities"]]


def test_the_admin_lists_entities_with_their_story_counts(enricher: Enricher, editor: Client,
                                                          source: Source) -> None:
    story = publish(source)
    enrich_story(enricher, story.pk)
    page = editor.get("/admin/newsroom/entity/?q=Tavares").content.decode()
    assert "Rui Tavares" in page and '<td class="field-stories">1</td>' in page


def test_a_source_maps_topics_to_sections(enricher: Enricher, source: Source) -> None:
    from wiredesk.newsroom.models import Section

    business = Section.objects.create(name="Business", slug="business")
    source.topic_sections = {"medtop:09000000": "business"}  # labour news goes to Business
    source.save()
    story = publish(source)
    assert story.section is None
    enrich_story(enricher, story.pk)
    story.refresh_from_db()
    assert story.section == business


def test_the_api_filters_by_entity_and_lists_a_persons_quotes(enricher: Enricher, client: Client,
                                                              source: Source) -> None:
    story = publish(source)
    publish(source, guid="other", headline="Chess prodigy wins city open",
            body=paragraphs("A 14-year-old from Porto won the city open chess tournament."))
    for pending_story in pending():
        enrich_story(enricher, pending_story.pk)
    listed = client.get("/api/v1/stories?entity=person:rui-tavares").json()
    assert [item["headline"] for item in listed["items"]] == [story.headline]
    quotes = client.get("/api/v1/quotes?speaker=person:rui-tavares").json()
    assert quotes["speaker"]["name"] == "Rui Tavares" and quotes["total"] >= 1
    assert any(item["text"] == "Nobody asked us," for item in quotes["items"])
    assert quotes["items"][0]["story"]["headline"] == story.headline
    assert client.get("/api/v1/quotes").status_code == 400
    assert client.get("/api/v1/quotes?speaker=person:nobody").status_code == 404
    spec = client.get("/api/v1/openapi.json").json()
    assert "/api/v1/quotes" in spec["paths"]


def test_a_short_form_entity_is_absorbed_when_the_full_name_appears(
        enricher: Enricher, client: Client, source: Source) -> None:
    early = publish(source, guid="sines-0", headline="Port plan talks set",
                    body=paragraphs("Talks on the Sines port plan will open on Friday, Prime "
                                    "Minister Marques Duarte said on Thursday.",
                                    "\"It is a good plan,\" Marques Duarte told reporters."))
    enrich_story(enricher, early.pk)
    assert Entity.objects.filter(key="person:marques-duarte").exists()
    full = publish(source)
    enrich_story(enricher, full.pk)
    assert not Entity.objects.filter(key="person:marques-duarte").exists()
    person = Entity.objects.get(key="person:helena-marques-duarte")
    assert set(person.story_links.values_list("story_id", flat=True)) == {early.pk, full.pk}
    assert person.quotes.filter(story=early).exists()
    detail = client.get(f"/api/v1/stories/{early.pk}").json()
    assert "person:helena-marques-duarte" in {e["id"] for e in detail["entities"]}


def test_an_editor_merges_two_entities(enricher: Enricher, editor: Client, source: Source) -> None:
    story = publish(source)
    enrich_story(enricher, story.pk)
    tavares = Entity.objects.get(key="person:rui-tavares")
    ibarra = Entity.objects.get(key="person:carlos-ibarra")
    editor.post("/admin/newsroom/entity/", {"action": "merge", "_selected_action": [ibarra.pk],
                                            "target": tavares.key, "apply": "Merge"})
    assert not Entity.objects.filter(pk=ibarra.pk).exists()
    assert "Carlos Ibarra" in Entity.objects.get(pk=tavares.pk).aliases
    data = Enrichment.objects.get(story=story).data
    keys = [e["key"] for e in data["entities"]]
    assert "person:carlos-ibarra" not in keys and keys.count("person:rui-tavares") == 1


def test_a_story_that_fails_is_set_aside_and_the_others_go_on(
        enricher: Enricher, source: Source, monkeypatch: pytest.MonkeyPatch) -> None:
    publish(source, guid="sines")
    publish(source, guid="storm", headline="Storm closes schools in Porto", body=paragraphs(
        "PORTO, Nov 28 (Test Wire) - The mayor of Porto closed 30 schools on Friday after a "
        "storm flooded the old town and cut power to 12,000 homes."))
    publish(source, guid="wine", headline="Douro wine harvest shrinks", body=paragraphs(
        "REGUA, Nov 28 (Test Wire) - Growers in the Douro valley picked a fifth fewer grapes "
        "this autumn after a dry summer, the regional wine institute said."))
    *broken, last = pending().values_list("pk", flat=True)  # the queue's order
    broken_headlines = {Story.objects.get(pk=pk).current_version.headline  # type: ignore[union-attr]
                        for pk in broken}

    class Failing(Enricher):
        def enrich(self, story: StoryText) -> EnrichmentResult:
            if story.headline in broken_headlines:
                raise ValueError("cannot enrich this")
            return super().enrich(story)

    failing = Failing(enricher.recogniser)
    now = [1000.0]
    set_aside = enrichment.SetAside(retry_after=600.0, now=lambda: now[0])
    assert enrich_pending(failing, limit=2, set_aside=set_aside) == []  # the first two fail
    # ... and no longer stand in front of the third
    [outcome] = enrich_pending(failing, limit=2, set_aside=set_aside)
    assert outcome.story_id == last
    now[0] += 599.0
    assert enrich_pending(failing, limit=2, set_aside=set_aside) == []  # not retried every pass
    now[0] += 1.0
    assert len(enrich_pending(enricher, limit=2, set_aside=set_aside)) == 2  # due, and fixed
    assert list(pending()) == []


def test_a_story_claimed_by_another_enricher_is_left_to_it(enricher: Enricher,
                                                           source: Source) -> None:
    story = publish(source)
    with claims.claim(enrichment.ENRICH_CLAIM, story.pk) as mine:
        assert mine
        assert enrich_pending(enricher) == []  # another thread of this worker holds it
        with claims.claim(enrichment.ENRICH_CLAIM, story.pk) as again:
            assert not again
    if connection.vendor == "postgresql":
        # Another worker process: its session-level advisory lock on the story.
        import psycopg

        settings = connection.settings_dict
        with psycopg.connect(host=settings["HOST"], port=settings["PORT"] or 5432,
                             user=settings["USER"], password=settings["PASSWORD"] or None,
                             dbname=settings["NAME"], autocommit=True) as other:
            other.execute("SELECT pg_advisory_lock(%s, %s)", [enrichment.ENRICH_CLAIM, story.pk])
            assert enrich_pending(enricher) == []
            other.execute("SELECT pg_advisory_unlock(%s, %s)",
                          [enrichment.ENRICH_CLAIM, story.pk])
    [outcome] = enrich_pending(enricher)
    assert outcome.story_id == story.pk and list(pending()) == []
