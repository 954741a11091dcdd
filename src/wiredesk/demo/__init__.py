"""Bundled offline demo content: four fictional news outlets, one feed file each.

The quick start (``wiredesk demo`` / ``wiredesk run --demo``) imports these files from disk, with
no network access, so a newcomer sees a populated site straight away. Everything here is original
fiction written for Wiredesk: the outlets, reporters, companies and most places and people are
invented, and every web address is on the reserved ``.example`` top-level domain, so nothing
resolves and no real outlet is implied.

The four feeds, one per syndication format, are described by :data:`DEMO_SOURCES`:

* ``feeds/meridian-world.rss.xml``: Meridian Wire, World. RSS 2.0, full HTML body in
  ``<description>`` (CDATA), ``<author>`` in the RSS ``email (Name)`` form, one ``media:content``
  image. 8 items.
* ``feeds/harbor-business.atom.xml``: Harbor Business Daily, Business. Atom 1.0,
  ``<content type="html">`` plus a text ``<summary>``, one ``<link rel="enclosure">`` image.
  7 items, the last Meridian Wire's remittances story carried as syndicated.
* ``feeds/northfield-science.json``: Northfield Science Desk, Science. JSON Feed 1.1,
  ``content_html`` plus ``summary``, one item with an ``image``. 5 items.
* ``feeds/coastal-sports.rss.xml``: Coastal Sports Service, Sports. RSS 2.0 with
  ``content:encoded`` (full body), ``dc:creator`` bylines and a plain-text ``<description>``
  summary, one ``<enclosure>`` image. 5 items.

Images
------
Four items carry an illustration, a small SVG served by the site itself as a static file
(``site/static/wiredesk/demo/images/``). The feeds give absolute URLs on the default base URL,
``http://127.0.0.1:8000/static/wiredesk/demo/images/…``; the demo loader
(:func:`wiredesk.newsroom.demo.load_demo`) rewrites that prefix to ``WIREDESK_BASE_URL`` so the
pictures load wherever the demo is served. Captions and credits are in ``media:description`` /
``media:credit`` (RSS) and in the enclosure link's ``title`` (Atom). JSON Feed has no caption field,
so that image has none.

What the content exercises
--------------------------
* Datelines in several styles: ``LISBON, Nov 24 (Meridian Wire) - ``, ``NAIROBI — ``,
  ``VALPARAÍSO, Chile — `` (non-ASCII), ``ASHBURY, England, Nov 22 (Coastal Sports Service) - ``.
* Wire subheads as their own ALL-CAPS paragraph in 8 stories (``<p>HOLDOUTS REMAIN</p>``,
  ``<p>NEXT STEPS</p>``..., each at least two words, as ``core.text.is_subhead`` requires), and
  one flattened subhead glued to the end of a paragraph:
  ``...to meet that demand. 'LONGSTANDING PARTNERSHIP'`` (Harbor, Solenne/Kestrel story).
* Publication times from 19 to 26 November 2026 with offsets from -0800 to +1300 (including
  +0530), straight and curly quotes, ``&`` and other characters that need escaping.
* One shared event covered from two angles, for clustering: the Lisbon Ocean Compact
  (``urn:meridian-wire:story:MW-20261124-0412`` in the Meridian feed, the diplomatic story;
  ``tag:harbor-business.example,2026-11-25:/story/20418`` in the Harbor feed, the bond-market
  story). The Coastal football stories also share clubs (Ashbury Athletic, Northgate City).
* One syndicated copy, for duplicate detection: Meridian Wire's remittances story
  (``urn:meridian-wire:story:MW-20261120-0051``) again in the Harbor feed under Harbor's own id,
  link and summary; the site shows one article, "also reported by" Harbor Business Daily.

Notes for parsers
-----------------
* feedparser 6.0.x folds ``media:description`` into the entry's summary or content. The element
  order in the two RSS files keeps the full body as the first content value, but the summary it
  reports for the two captioned items is the caption. feedparser's e-mail pattern also only accepts
  2-4 letter top-level domains, so it splits ``a.ribeiro@meridian-wire.example (Ana Ribeiro)``
  wrongly. Neither matters to a namespace-aware lxml parser.
* The released feedparser (6.0.x) does not read JSON Feed at all, so the JSON file needs
  Wiredesk's own JSON Feed parser.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

__all__ = ["DEMO_DIR", "DEMO_SOURCES", "FEEDS_DIR", "DemoSource"]

DEMO_DIR = Path(__file__).resolve().parent
FEEDS_DIR = DEMO_DIR / "feeds"


@dataclass(frozen=True, slots=True)
class DemoSource:
    """One bundled demo feed: the outlet it pretends to be and the file that holds it."""

    name: str
    slug: str
    section: str
    filename: str  # inside FEEDS_DIR
    url: str  # the feed's (fictional, never fetched) address on an .example domain

    @property
    def path(self) -> Path:
        """The feed file on disk."""
        return FEEDS_DIR / self.filename


DEMO_SOURCES: tuple[DemoSource, ...] = (
    DemoSource(
        name="Meridian Wire",
        slug="meridian-wire",
        section="World",
        filename="meridian-world.rss.xml",
        url="https://meridian-wire.example/world.rss",
    ),
    DemoSource(
        name="Harbor Business Daily",
        slug="harbor-business-daily",
        section="Business",
        filename="harbor-business.atom.xml",
        url="https://harbor-business.example/feeds/business.atom",
    ),
    DemoSource(
        name="Northfield Science Desk",
        slug="northfield-science-desk",
        section="Science",
        filename="northfield-science.json",
        url="https://northfield-science.example/feed.json",
    ),
    DemoSource(
        name="Coastal Sports Service",
        slug="coastal-sports-service",
        section="Sports",
        filename="coastal-sports.rss.xml",
        url="https://coastal-sports.example/rss/latest.xml",
    ),
)
