"""`wiredesk source import|export` as OPML 2.0: Wiredesk's per-source settings round-trip, plain
feed-reader OPML imports, and a bad or hostile file is refused whole and adds nothing."""

from __future__ import annotations

from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from wiredesk.newsroom.models import Section, Source
from wiredesk.newsroom.sources import section_named

pytestmark = pytest.mark.django_db

SETTINGS = ("name", "url", "format", "publication_mode", "duplicate_policy", "canonical_policy",
            "is_active", "poll_interval", "retention_days", "attribution_note", "slug")


def run(*args: str) -> str:
    out = StringIO()
    call_command("source", *args, stdout=out)
    return out.getvalue()


def described() -> list[tuple[object, ...]]:
    return [(*(getattr(s, name) for name in SETTINGS), s.section.name if s.section else None)
            for s in Source.objects.filter(transport=Source.Transport.POLL).order_by("url")]


def test_export_then_import_gives_the_same_sources(tmp_path: Path) -> None:
    Source.objects.create(name="Daily Paper", slug="daily-paper", url="https://paper.example/rss",
                          format=Source.Format.RSS, section=section_named("World"),
                          publication_mode=Source.Mode.HEADLINE,
                          duplicate_policy=Source.DuplicatePolicy.KEEP_BOTH,
                          canonical_policy=Source.Canonical.SELF, poll_interval=600,
                          retention_days=30, attribution_note="From {site}'s partner & co.")
    Source.objects.create(name="Agency <Wire>", slug="agency", url="https://agency.example/a?b=1&c",
                          format=Source.Format.NINJS, is_active=False)
    Source.objects.create(name="Pushed", slug="pushed", transport=Source.Transport.PUSH)
    before = described()
    path = tmp_path / "sources.opml"
    run("export", "--output", str(path))
    text = path.read_text()
    assert 'xmlns:wiredesk="urn:wiredesk:opml:1"' in text and 'version="2.0"' in text
    assert 'wiredesk:mode="headline"' in text and "Pushed" not in text  # polled feeds only
    Source.objects.all().delete()
    Section.objects.all().delete()
    assert "2 sources added, 0 updated" in run("import", str(path))
    assert described() == before
    again = tmp_path / "again.opml"
    run("export", "--output", str(again))
    assert again.read_text().split("<body>")[1] == text.split("<body>")[1]


def test_a_feed_readers_opml_imports_with_folders_as_sections(tmp_path: Path) -> None:
    path = tmp_path / "reader.opml"
    path.write_text("""<?xml version="1.0"?>
<opml version="1.0"><head><title>My feeds</title></head><body>
  <outline text="Tech"><outline text="Ars" type="rss" xmlUrl="https://ars.example/feed"/></outline>
  <outline title="Loose" type="rss" xmlUrl="http://loose.example/rss.xml" htmlUrl="http://loose.example/"/>
</body></opml>""")
    assert "2 sources added" in run("import", str(path))
    ars = Source.objects.get(url="https://ars.example/feed")
    assert (ars.name, ars.section and ars.section.name, ars.publication_mode) == ("Ars", "Tech", "")
    assert Source.objects.get(url="http://loose.example/rss.xml").section is None
    assert "0 sources added, 2 updated" in run("import", str(path))  # idempotent


XXE = """<?xml version="1.0"?>
<!DOCTYPE opml [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
<opml version="2.0"><body><outline text="&secret;" xmlUrl="https://a.example/rss"/></body></opml>"""
LAUGHS = """<?xml version="1.0"?>
<!DOCTYPE opml [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>
<opml version="2.0"><body><outline text="&lol3;" xmlUrl="https://a.example/rss"/></body></opml>"""
GOOD = '<outline text="Good" xmlUrl="https://good.example/rss"/>'


@pytest.mark.parametrize(("content", "message"), [
    (XXE, "not a readable OPML file"),
    (LAUGHS, "not a readable OPML file"),
    ('<rss version="2.0"><channel><title>x</title></channel></rss>',
     "not OPML: the document's root element is <rss>"),
    ("<html><body>Not found</body></html>", "root element is <html>"),
    (f'<opml version="2.0"><body>{GOOD}<outline text="Bad" xmlUrl="file:///etc/passwd"/>'
     "</body></opml>", "feed 2 (Bad): not an http(s) feed URL"),
    (f'<opml version="2.0" xmlns:w="urn:wiredesk:opml:1"><body>{GOOD}'
     '<outline text="X" xmlUrl="https://x.example/rss" w:mode="everything"/></body></opml>',
     "wiredesk:mode must be one of excerpt, full, headline"),
    (f'<opml version="2.0"><body>{GOOD}{GOOD}</body></opml>', "is listed twice"),
    ('<opml version="2.0"><body><outline text="Unclosed"></body></opml>',
     "not a readable OPML file"),
    ('<opml version="2.0"><head/></opml>', "there is no <body>"),
])
def test_a_bad_or_hostile_file_is_refused_and_adds_nothing(tmp_path: Path, content: str,
                                                           message: str) -> None:
    path = tmp_path / "bad.opml"
    path.write_text(content)
    with pytest.raises(CommandError, match=message.replace("(", r"\(").replace(")", r"\)")):
        run("import", str(path))
    assert not Source.objects.exists() and not Section.objects.exists()
