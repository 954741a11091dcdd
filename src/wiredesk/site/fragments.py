"""Teasers rendered once per version of their story and kept in the cache.

A listing page is mostly teasers (``site/_teaser.html``, ``site/_lead.html``), and a teaser is
the same on every page that shows its story: the home page's river and section blocks, the
section, the source, every entity page. Rendering one through Django's templates costs about half
a millisecond of Python, so a page of forty costs twenty. :func:`fragment` renders a teaser once
and keeps the HTML in Django's ``fragments`` cache under a key made of everything it is drawn
from:

- the story's id and ``changed_at``, which moves on every change of anything a surface shows of
  it (a new version, a correction, its pictures, a kill, a rename of its source or section:
  :mod:`wiredesk.newsroom.write.publishing`), its section and source ids (a deleted section
  leaves ``changed_at`` alone) and the picture the page attached to it (search attaches none);
- the template's file (a publisher's own ``site/_teaser.html`` replaces ours) and the options the
  page passes (heading level, picture sizes);
- what every page shows from settings (site name, base URL, time zone, brand) and the code version.

So a fragment is never served for another state of its story: a changed story gets a new key and
its old fragment is simply never asked for again (it ages out after :data:`TIMEOUT`). A killed
story leaves the listings through their queries and validators as before; its fragment is not
consulted. The first reader after a change renders the one changed teaser, the others come from
the cache. The fragments have a cache of their own, not the response bodies' (a few of which,
at ~80 KB, weigh as much as hundreds of teasers): filling one never evicts the other.

A fragment sees the story, the options and the site's values (``site_name``, ``base_url``,
``display_tz``, ``brand``), not the rest of the page's context: it is the same on every page.
With ``DEBUG`` on, templates reload from disk and nothing is kept.
"""

from __future__ import annotations

import hashlib
from typing import Any

from django.conf import settings
from django.core.cache import caches
from django.template import Context
from django.template.loader import get_template
from django.utils.safestring import SafeString, mark_safe

import wiredesk
from wiredesk.newsroom.models import Story
from wiredesk.site.http import BODY_TIMEOUT

CACHE = "fragments"  # the alias in settings.CACHES
PREFIX = "wiredesk:fragment:"
# As long as a response body: correctness never depends on it (a change gives a new key).
TIMEOUT = BODY_TIMEOUT
# The context values a fragment may use besides the story and its options.
SITE_VALUES = ("site_name", "base_url", "display_tz", "brand")
_SITE_KEY = "wiredesk_fragment_site"


def fragment(context: Context, template_name: str, story: Story,
             options: dict[str, Any]) -> SafeString:
    """``{% include template_name %}`` for one story, rendered once per version of the story."""
    template = get_template(template_name)
    values = {name: context.get(name) for name in SITE_VALUES}
    if settings.DEBUG:
        return mark_safe(template.render({**values, **options, "story": story}))
    # The file the engine found: a publisher's own template (WIREDESK_TEMPLATE_DIR) or ours.
    origin = str(getattr(getattr(template, "origin", None), "name", template_name))
    key = fragment_key(_site_key(context, values), origin, story, options)
    kept = caches[CACHE]
    html = kept.get(key)
    if html is None:
        html = template.render({**values, **options, "story": story})
        kept.set(key, str(html), TIMEOUT)
    # (Our own render's output, kept as a plain string: the cache may pickle without the mark.)
    return mark_safe(html)


def fragment_key(site: str, template: str, story: Story, options: dict[str, Any]) -> str:
    parts = [site, template, story_key(story),
             repr(sorted((name, option_key(value)) for name, value in options.items()))]
    return PREFIX + hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:40]


def story_key(story: Story) -> str:
    """What a fragment shows of a story is fixed by this (module docstring)."""
    changed = story.changed_at.isoformat() if story.changed_at else "-"
    # The lead picture a listing attached (wiredesk.site.pictures.attach; a page that attaches
    # none, search, shows none).
    picture = getattr(story, "picture", None)
    return (f"{story.pk}\x1e{changed}\x1e{story.section_id}\x1e{story.source_id}"
            f"\x1e{picture.src if picture else '-'}")


def option_key(value: Any) -> object:
    """An option as part of the key: a plain value as itself, anything else by its own
    ``fragment_key`` (say, a front-page entry: its story's and the event's state). A value that
    has none is refused: its repr need not change with what it shows."""
    if value is None or isinstance(value, str | int | float | bool):
        return value
    key = getattr(value, "fragment_key", None)
    if key is None:
        raise TypeError(f"a fragment option must be a plain value or have a fragment_key, "
                        f"not {type(value).__name__}")
    return key


def _site_key(context: Context, values: dict[str, Any]) -> str:
    """What every fragment of this page depends on besides its story, once per render."""
    # The outermost render context lives as long as the page's render (each include pushes
    # its own).
    page = context.render_context.dicts[0]
    known = page.get(_SITE_KEY)
    if known is None:
        site = "\x1f".join([wiredesk.__version__, *(repr(values[n]) for n in SITE_VALUES)])
        known = page[_SITE_KEY] = hashlib.sha256(site.encode()).hexdigest()
    return str(known)
