"""Wire copy as readers see it, delivered as an RSS item: subheads, quotes and the note survive.

The shared sample (Reuters copy, not vendored) runs when ``../shared`` is present; a self-written
story of the same shape runs always.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from django.test import Client
from lxml import html

from wiredesk.newsroom.models import Story
from wiredesk.newsroom.sources import local_source
from wiredesk.newsroom.transports.ingest import process_payload, store_payload
from wiredesk.newsroom.write.desk import WriteDesk

from .feeds import Entry, paragraphs, rss

pytestmark = pytest.mark.django_db

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "sample_story_paragraphs.txt"


def publish(text: str, client: Client) -> html.HtmlElement:
    blocks = [block.strip() for block in text.split("\n\n") if block.strip()]
    entry = Entry("sample-1", "Sample wire story", paragraphs(*blocks))
    process_payload(WriteDesk(), store_payload(local_source("Wire"), rss(entry), origin="test://sample"))
    story = Story.objects.get(external_id="sample-1")
    response = client.get(story.get_absolute_url())
    assert response.status_code == 200
    return html.fromstring(response.content)


def article_text(page: html.HtmlElement) -> str:
    return " ".join(page.xpath("//article")[0].text_content().split())


def test_the_shared_sample_story(shared_data: Path, client: Client) -> None:
    sample = shared_data.parent / "samples" / "wire-story-biden-lopez-obrador.txt"
    page = publish(sample.read_text(), client)
    assert [h.text_content() for h in page.xpath("//h2[@class='subhead']")] == [
        "LONGSTANDING PARTNERSHIP"]
    text = article_text(page)
    assert '"We know we have to meet these challenges together," Biden said.' in text
    assert '"The main thing is the defense of our migrant countrymen," he said.' in text
    assert "to meet that demand. LONGSTANDING" in text  # the subhead was split off the paragraph
    assert "'LONGSTANDING PARTNERSHIP'" not in text
    notes = page.xpath("//*[contains(@class, 'not-edited-note')]")
    assert len(notes) == 1 and "not been edited by Testdesk staff" in notes[0].text_content()
    assert "Devdiscourse" not in text


def test_a_self_written_story_of_the_same_shape(client: Client) -> None:
    page = publish(FIXTURE.read_text(), client)
    assert [h.text_content() for h in page.xpath("//h2[@class='subhead']")] == [
        "TALKS STALLED", "WHAT COMES NEXT"]
    text = article_text(page)
    assert ('"We are not against machines, we are against being replaced without a plan," '
            "said Marta Soares") in text
    assert "“premature and unnecessary”" in text and "‘We’ll keep the door open,’" in text
    assert "Example Times" not in text
    assert len(page.xpath("//*[contains(@class, 'not-edited-note')]")) == 1
