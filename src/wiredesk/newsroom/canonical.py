"""Which page is a story's canonical one, and whether it belongs in our sitemaps: one rule for
every surface (the page's ``rel=canonical`` and ``og:url``, its JSON-LD, sitemap.xml,
news-sitemap.xml and the API's ``links``), so search engines are never told two things.

The rule (docs/site.md, "Canonical pages"):

- **full** (licensed) text: our page is canonical, unless the source's canonical policy is
  "the original" and the item links to an original article; then the original is canonical and
  our page stays out of our sitemaps (a page that names another as canonical is not ours to list).
- **excerpt**: the original is canonical; never in our sitemaps. Without a link to an original,
  our page names itself (there is nothing else to name) and is ``noindex``.
- **headline**: no page of ours (our URL redirects to the original); the original is canonical;
  never in our sitemaps.

:func:`in_sitemaps` says it for one story; :data:`IN_SITEMAPS` is the same rule as a filter, for
the sitemaps to read pages of a million-story archive in SQL. A test checks the two agree.
"""

from __future__ import annotations

from django.db.models import Q

from wiredesk.newsroom.models import Source, Story, StoryVersion
from wiredesk.newsroom.serialize import page_url, web_url


def original_url(version: StoryVersion | None) -> str:
    """The original article's URL, when the item gave an absolute http(s) link (else ""): read
    as :data:`IN_SITEMAPS` reads it in SQL."""
    link = version.link if version is not None else ""
    return link if link.lower().startswith(("http://", "https://")) and web_url(link) else ""


def ours(story: Story, version: StoryVersion | None) -> bool:
    """True when our page is the story's canonical page (and so, for a full story, listed in
    our sitemaps)."""
    if story.publication_mode == Source.Mode.HEADLINE:
        return False
    if not original_url(version):
        return True  # nothing else to name
    if story.publication_mode != Source.Mode.FULL:
        return False
    return story.source.canonical_policy == Source.Canonical.SELF


def canonical_url(story: Story, version: StoryVersion | None, base_url: str) -> str:
    """The story's canonical URL: our page or the original article (see the module's rule)."""
    if ours(story, version):
        return page_url(story, base_url)
    return original_url(version) or page_url(story, base_url)


def in_sitemaps(story: Story, version: StoryVersion | None) -> bool:
    """True when the story's page belongs in sitemap.xml (and, when timely and recent, the
    news sitemap): full text whose canonical page is ours. Public status is the caller's."""
    return story.publication_mode == Source.Mode.FULL and ours(story, version)


def indexable(story: Story, version: StoryVersion | None) -> bool:
    """False for an excerpt with no original to name: our page names itself but is not ours to
    have indexed (``noindex``), as it is not in our sitemaps."""
    return story.publication_mode == Source.Mode.FULL or not ours(story, version)


# An absolute http(s) link, as original_url() reads one.
_HAS_ORIGINAL = (Q(current_version__link__istartswith="http://")
                 | Q(current_version__link__istartswith="https://"))

# in_sitemaps() as a filter on Story: full text, and our page canonical (the source's policy, or
# no original). The source is a join on a small table; the link one primary-key lookup a row.
IN_SITEMAPS = Q(publication_mode=Source.Mode.FULL) & (
    Q(source__canonical_policy=Source.Canonical.SELF) | ~_HAS_ORIGINAL)
# Its part that is the story's own: full text with no original to name (our page is canonical
# whatever the source's policy). Kept on the story as Story.full_without_original.
FULL_WITHOUT_ORIGINAL = Q(publication_mode=Source.Mode.FULL) & ~_HAS_ORIGINAL
