"""Small RSS documents built in tests, so each test shows the exact input it feeds in."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from xml.sax.saxutils import escape


def hours_ago(hours: float) -> str:
    """An RFC 822 date this many hours before now (news sitemaps only list the last 48 hours)."""
    return format_datetime(datetime.now(UTC) - timedelta(hours=hours))


@dataclass(frozen=True)
class Entry:
    guid: str
    title: str
    body: str
    pub_date: str = hours_ago(3)
    link: str = ""
    author: str = ""


def rss(*entries: Entry, title: str = "Test Wire") -> bytes:
    items = "".join(
        f"<item><guid isPermaLink=\"false\">{escape(e.guid)}</guid><title>{escape(e.title)}</title>"
        f"<link>{escape(e.link or 'https://wire.example/' + e.guid)}</link>"
        f"<pubDate>{e.pub_date}</pubDate>"
        + (f"<author>{escape(e.author)}</author>" if e.author else "")
        + f"<description>{escape(e.body)}</description></item>"
        for e in entries
    )
    return (f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
            f"<title>{escape(title)}</title><link>https://wire.example/</link>"
            f"<description>test</description>{items}</channel></rss>").encode()


def paragraphs(*texts: str) -> str:
    return "".join(f"<p>{escape(text)}</p>" for text in texts)


STORY_A = Entry("a-1", "Harbour strike ends after talks",
                paragraphs("LISBON, Nov 24 (Test Wire) - Dock workers ended a strike on Tuesday.",
                           "\"We have a deal,\" union leader Rita Sousa said.",
                           "The port handles 2.8 million containers a year."))
STORY_B = Entry("b-1", "Rain floods valley towns",
                paragraphs("Heavy rain flooded three towns in the valley on Monday.",
                           "Officials said 70,000 people were without power."))
STORY_C = Entry("c-1", "Chess prodigy wins open",
                paragraphs("A 14-year-old won the city open chess tournament."))
