"""Rules and the review queue in the admin: a rule that cannot compile is refused at save with a
clear message; "Preview" shows what a rule would have done to recent items without saving it; held
stories are listed with reasons and approved or rejected, one or many; the index shows counts;
a failing rule is flagged."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from pytest_django.fixtures import Settings as SettingsWrapper

from wiredesk.newsroom import rules as stored_rules
from wiredesk.newsroom.models import Source, Story
from wiredesk.newsroom.rules import Rule
from wiredesk.newsroom.sources import local_source, section_named

from .test_gate_publication import GERMAN, LAVA, item
from .wire import deliver

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("desk_clock")]

FLOODS = ("<p>Rivers burst their banks across the region overnight, cutting roads and railway "
          "lines, and rescuers in boats reached families trapped on the upper floors.</p>")


@pytest.fixture(autouse=True)
def gate(settings: SettingsWrapper) -> SettingsWrapper:
    settings.WIREDESK_GATE = "true"
    stored_rules.forget()
    return settings


@pytest.fixture
def wire() -> Source:
    source = local_source("Wire")
    source.section = section_named("World")
    source.format = Source.Format.NINJS
    source.save()
    return source


def form(**changes: Any) -> dict[str, Any]:
    return {"name": "Hold volcanoes", "position": "10", "source": "", "enabled": "on",
            "note": "", "when_text": 'words = ["lava"]', "then_text": 'action = "hold"',
            **changes}


ADD = "/admin/newsroom/rule/add/"


def test_a_rule_is_saved_from_toml_lines(editor: Client) -> None:
    response = editor.post(ADD, form())
    assert response.status_code == 302, response.content.decode()[:2000]
    saved = Rule.objects.get()
    assert (saved.when, saved.then) == ({"words": ["lava"]}, {"action": "hold"})
    page = editor.get(f"/admin/newsroom/rule/{saved.pk}/change/").content.decode()
    assert "words = [&quot;lava&quot;]" in page


@pytest.mark.parametrize(("changes", "message"), [
    ({"when_text": 'regex = "(unclosed"'},
     "rule &#x27;Hold volcanoes&#x27;: when.regex: bad regular expression &#x27;(unclosed&#x27;"),
    ({"when_text": 'colour = "red"'}, "unknown condition &#x27;colour&#x27;"),
    ({"then_text": 'section = "nowhere"'}, "there is no section &#x27;nowhere&#x27;"),
    ({"then_text": "action = hold"}, "Then: not TOML"),
])
def test_a_rule_that_cannot_compile_is_refused_at_save(editor: Client, changes: dict[str, str],
                                                       message: str) -> None:
    response = editor.post(ADD, form(**changes))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Rule.objects.exists()


def test_preview_shows_what_the_rule_would_do_and_saves_nothing(editor: Client,
                                                                wire: Source) -> None:
    deliver(wire, item("lava"), item("floods", headline="Floods in Valencia", body=FLOODS))
    response = editor.post(ADD, {**form(), "_preview": "Preview"})
    page = response.content.decode()
    assert response.status_code == 200 and not Rule.objects.exists()
    assert "Of the last 2 items, this rule matches\n    <strong class=\"preview-matched\">1" in page
    assert 'class="preview-changed">1</strong>' in page
    assert "Volcano erupts near coastal town" in page and "publish → hold" in page
    assert "Floods in Valencia" not in page.split('class="preview-matches"')[1]
    # The edited text is still in the form, ready to be saved.
    assert "words = [&quot;lava&quot;]" in page


def test_preview_of_an_edit_replaces_the_stored_rule(editor: Client, wire: Source) -> None:
    deliver(wire, item("lava"))
    rule = Rule.objects.create(name="Hold volcanoes", when={"words": ["lava"]},
                               then={"action": "hold"})
    response = editor.post(f"/admin/newsroom/rule/{rule.pk}/change/",
                           {**form(then_text='action = "drop"'), "_preview": "Preview"})
    page = response.content.decode()
    # Now: the stored rule holds it; with the edit in its place (not beside it), it is dropped.
    assert "hold → drop" in page and 'class="preview-matched">1</strong>' in page
    rule.refresh_from_db()
    assert rule.then == {"action": "hold"}


def test_the_review_queue_lists_held_items_with_reasons_and_decides(editor: Client,
                                                                    wire: Source) -> None:
    Rule.objects.create(name="Hold volcanoes", when={"words": ["lava"]},
                        then={"action": "hold", "reason": "check the figures"})
    deliver(wire, item("lava"), item("german", headline="Stadtrat beschließt Haushalt",
                                     body=GERMAN),
            item("floods", headline="Floods in Valencia", body=FLOODS))
    page = editor.get("/admin/newsroom/heldstory/").content.decode()
    assert "hold: check the figures" in page and "written in &#x27;de&#x27;" in page
    assert "Lava reached the outskirts" in page  # the preview
    assert "Floods in Valencia" not in page  # published, not held
    index = editor.get("/admin/").content.decode()
    assert '<strong class="review-waiting">2</strong> held for review' in index
    lava = Story.objects.get(external_id="lava")
    editor.post("/admin/newsroom/heldstory/", {"approve_one": str(lava.pk)})
    lava.refresh_from_db()
    assert lava.status == Story.Status.PUBLISHED
    assert editor.get(lava.get_absolute_url()).status_code == 200
    german = Story.objects.get(external_id="german")
    editor.post(f"/admin/newsroom/heldstory/{german.pk}/change/", {"_reject": "Reject"})
    german.refresh_from_db()
    assert (german.status, german.gate_outcome) == (Story.Status.HELD, "drop")
    assert "german" not in editor.get("/admin/newsroom/heldstory/").content.decode()
    index = editor.get("/admin/").content.decode()
    assert '<strong class="review-waiting">0</strong>' in index


def test_many_at_once(editor: Client, wire: Source) -> None:
    Rule.objects.create(name="Hold all", then={"action": "hold"})
    deliver(wire, item("lava"), item("floods", headline="Floods in Valencia", body=FLOODS))
    ids = [str(pk) for pk in Story.objects.values_list("pk", flat=True)]
    editor.post("/admin/newsroom/heldstory/", {"action": "reject", "_selected_action": ids})
    assert set(Story.objects.values_list("gate_outcome", flat=True)) == {"drop"}


def test_a_failing_rule_is_flagged_in_the_admin(editor: Client, wire: Source) -> None:
    Rule.objects.create(name="runaway", when={"body_regex": r"(\w|\w\w)+$"},
                        then={"action": "drop"})
    deliver(wire, item("hostile", body="<p>" + "ab" * 30 + "!</p>" + LAVA))
    page = editor.get("/admin/newsroom/rule/").content.decode()
    assert 'class="rule-error"' in page and "ran longer than 50 ms" in page
    assert "1 rule with errors" in editor.get("/admin/").content.decode()


def test_the_whole_list_previewed_against_the_gate_alone(editor: Client, wire: Source) -> None:
    Rule.objects.create(name="Hold volcanoes", position=1, when={"words": ["lava"]},
                        then={"action": "hold"})
    Rule.objects.create(name="Tag floods", position=2, when={"words": ["rivers"]},
                        then={"tags": ["floods"]})
    deliver(wire, item("lava"), item("floods", headline="Floods in Valencia", body=FLOODS))
    assert 'href="/admin/newsroom/rule/preview/"' in editor.get(
        "/admin/newsroom/rule/").content.decode()
    page = editor.get("/admin/newsroom/rule/preview/").content.decode()
    assert 'class="preview-changed">1</strong>' in page  # the volcano: publish -> hold
    rows = page.split('id="list-preview-rules"')[1]
    assert rows.index("Hold volcanoes") < rows.index("Tag floods")
    assert "Volcano erupts near coastal town <small>(Wire: publish → hold)" in rows
    assert "Floods in Valencia <small>(Wire: publish → publish)" in rows
