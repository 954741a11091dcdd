"""After an enricher upgrade, ``wiredesk enrich --all`` redoes the archive and republishes only
the stories whose public result changed (issue 13, point 5), on SQLite and PostgreSQL alike.

The archive is made by enriching real stories, then marking their stored results as an older
enricher's: one exactly as the new code finds it (only the version differs), one with what an
older enricher published and this one does not (a page for "Digital", a different key figure).
"""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command

from tests.newsroom.feeds import Entry, paragraphs, rss
from wiredesk.enrich.pipeline import ENRICHER_VERSION, Enricher
from wiredesk.newsroom.models import Enrichment, Source, Story, StoryEntity
from wiredesk.newsroom.sources import local_source
from wiredesk.newsroom.transports.ingest import process_payload, store_payload
from wiredesk.newsroom.workers.enrichment import enrich_story, pending
from wiredesk.newsroom.write.desk import WriteDesk

pytestmark = pytest.mark.django_db

OLD_VERSION = "an-older-enricher"

PORT = paragraphs(
    "LISBON, Nov 27 (Test Wire) - Portuguese Prime Minister Helena Marques Duarte on Friday "
    "opened talks with Spain's government on a $2.1 billion plan to deepen the port of Sines.",
    "Union leader Rui Tavares said 1,200 jobs were at risk at the Port of Sines Authority.",
)
BANK = paragraphs(
    "MEXICO CITY, Nov 20 (Test Wire) - Money sent home by Mexicans working abroad rose to a "
    "record $6.1 billion in October, Bank of Mexico data showed on Friday.",
    "Digital transfers grew fastest, said Gabriela Montiel, an economist at Casas & Vidal.",
)


def _publish(source: Source, guid: str, headline: str, body: str) -> Story:
    process_payload(WriteDesk(), store_payload(source, rss(Entry(guid, headline, body)),
                                               origin="test://"))
    return Story.objects.get(external_id=guid)


def _as_an_older_enricher_left_it(story: Story, *, published_junk: bool) -> None:
    record = Enrichment.objects.get(story=story)
    data = dict(record.data, version=OLD_VERSION)
    if published_junk:
        data["entities"] = [*data["entities"], {
            "key": "organisation:digital", "name": "Digital", "kind": "organisation",
            "count": 1, "aliases": [], "country_code": "", "linked": True, "confidence": 0.9,
            "needs_support": False}]
        data["figures"] = [{"value": 58.0, "display": "58%", "unit": "%",
                            "counts": "all remittances", "confident": True, "key": True}]
    Enrichment.objects.filter(pk=record.pk).update(version=OLD_VERSION, data=data)


def test_enrich_all_redoes_the_archive_and_republishes_only_what_changed(
        enricher: Enricher) -> None:
    source = local_source("Test Wire")
    same = _publish(source, "port", "Portugal opens talks on Sines port plan", PORT)
    junk = _publish(source, "bank", "Remittances to Mexico hit record", BANK)
    for story in (same, junk):
        assert enrich_story(enricher, story.pk).changed
    expected = {s.pk: Enrichment.objects.get(story=s).data for s in (same, junk)}
    _as_an_older_enricher_left_it(same, published_junk=False)
    _as_an_older_enricher_left_it(junk, published_junk=True)
    changed_at = {s.pk: Story.objects.get(pk=s.pk).changed_at for s in (same, junk)}
    assert list(pending()) == []  # the queue does not know yet

    out = StringIO()
    call_command("enrich", "--all", stdout=out)

    assert "2 stories enriched; 0 still to do" in out.getvalue()
    for story in (same, junk):  # both redone by this enricher, with its results
        record = Enrichment.objects.get(story=story)
        assert record.version == ENRICHER_VERSION
        assert {k: v for k, v in record.data.items() if k != "methods"} == \
            {k: v for k, v in expected[story.pk].items() if k != "methods"}
    # Only the story whose public result changed was republished.
    assert Story.objects.get(pk=same.pk).changed_at == changed_at[same.pk]
    assert Story.objects.get(pk=junk.pk).changed_at > changed_at[junk.pk]
    assert "Digital" not in StoryEntity.objects.filter(story=junk, linked=True).values_list(
        "entity__name", flat=True)
    # A second run finds nothing to do and republishes nothing.
    after = {s.pk: Story.objects.get(pk=s.pk).changed_at for s in (same, junk)}
    again = StringIO()
    call_command("enrich", "--all", stdout=again)
    assert "0 stories enriched; 0 still to do" in again.getvalue()
    assert {s.pk: Story.objects.get(pk=s.pk).changed_at for s in (same, junk)} == after
