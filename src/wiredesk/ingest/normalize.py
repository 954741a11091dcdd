"""FeedItem -> Article: what a wire editor does to copy before it runs, the same way every time.

The body is sanitised (:mod:`wiredesk.ingest.sanitize`) and then edited as an lxml tree:

1. loose text becomes paragraphs (plain-text bodies are split on blank lines, HTML on double <br>);
2. a source's own "This story has not been edited by ... staff" note is removed -- the site adds
   its own, and two would be printed otherwise;
3. a lead image that is also one of the item's images is removed from the body, so the page
   does not show the same picture twice;
4. a leading "By ..." paragraph is removed (and used as the byline when the item has no author);
5. the dateline is cut from the first paragraph into ``Article.dateline``;
6. wire subheads -- ALL-CAPS paragraphs, or an ALL-CAPS line glued to the end of a paragraph when
   copy was flattened ("...that demand. 'LONGSTANDING PARTNERSHIP'") -- become
   ``<h2 class="subhead">``.

Text is never re-typeset: straight and curly quotation marks come out exactly as they went in.
Pure: no I/O, no settings; the caller passes the time received and the iframe policy.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import lxml.etree
import lxml.html

from wiredesk.core.items import Article, FeedItem, Image
from wiredesk.core.text import (
    CLOSING_MARKS,
    ELLIPSIS,
    SUBHEAD_MAX_CHARS,
    clean_byline,
    html_to_text,
    is_subhead,
    slugify,
    split_dateline,
    strip_wrapping_quotes,
    summarize,
)
from wiredesk.ingest.sanitize import (
    DEFAULT_IFRAME_HOSTS,
    absolute_url,
    is_empty,
    remove_empty,
    sanitize_tree,
    serialize_fragment,
    text_of,
    wrap_inline_runs,
)

__all__ = ["DEFAULT_IFRAME_HOSTS", "normalize"]

SUMMARY_MAX_CHARS = 300
# A date this far past the time received is a wrong clock or a wrong parse, not news from tomorrow.
FUTURE_TOLERANCE = timedelta(days=1)
HEADLINE_FALLBACK_WORDS = 12
HEADLINE_FALLBACK_CHARS = 80
UNTITLED = "Untitled story"
SUBHEAD_CLASS = "subhead"

# Any of these means the body is HTML with structure; without them it is text (maybe inline-marked).
_BLOCK_MARKUP = re.compile(
    r"<\s*(?:p|div|br|h[1-6]|ul|ol|li|blockquote|table|figure|pre|section|article|hr)\b",
    re.IGNORECASE,
)
_BLANK_LINE = re.compile(r"\n[ \t\r\f\v]*\n")
_MARKUP = re.compile(r"<[A-Za-z/!?][^>]*>")
# The attribution note syndication sites print under every story. Matched generally (any site
# name, parenthesised or not, on its own or glued to a paragraph) because we add our own.
_SOURCE_NOTE = re.compile(
    r"\s*\(?\s*This (?:story|article|report) has not been edited by .{1,100}? staff"
    r" and is auto-generated from a syndicated feed\.?\s*\)?\.?",
    re.IGNORECASE | re.DOTALL,
)
# Words every source note contains, matched the same way: one search of the whole body tells
# whether any text in it needs the full pattern (most bodies have no note at all).
_SOURCE_NOTE_WORDS = "has not been edited by "
_SOURCE_NOTE_CLUE = re.compile(re.escape(_SOURCE_NOTE_WORDS), re.IGNORECASE)
# "By Jane Doe", "BY: JANE DOE AND JOHN ROE", "By Jane Doe, Reuters": a short line, not a sentence.
_BYLINE_PARAGRAPH = re.compile(r"^\s*(?:By|BY):?\s+(?P<names>\S.{0,98})$", re.DOTALL)
_BYLINE_MAX_WORDS = 12
# Lower-case words that occur inside bylines ("Jane Doe and Ana de la Cruz in Madrid").
_NAME_PARTICLES = frozenset(
    {"and", "in", "with", "de", "da", "del", "della", "der", "di", "du", "la", "le", "van", "von",
     "y", "e", "et", "und", "bin", "al", "&"}
)
# Where a flattened subhead may begin: after a sentence's final punctuation and closing quotes.
_SENTENCE_BOUNDARY = re.compile(f"[.!?][{re.escape(CLOSING_MARKS)}]*\\s+")
# BCP 47 shape: a two- or three-letter language, then subtags ("en", "en-GB", "zh-Hant-TW").
_LANGUAGE_TAG = re.compile(r"^[A-Za-z]{2,3}(?:-[A-Za-z0-9]{1,8})*$")


def normalize(
    item: FeedItem,
    *,
    received_at: datetime,
    allowed_iframe_hosts: frozenset[str] = DEFAULT_IFRAME_HOSTS,
) -> Article:
    """Turn a parsed feed item into a sanitised, attributed article ready to store."""
    base_url = item.base_url or item.link
    images = _absolute_images(item.images, base_url)
    root = _body_tree(_source_html(item), base_url, allowed_iframe_hosts)
    images = _drop_duplicate_lead_image(root, images)
    body_byline = _take_byline(root)
    dateline = _take_dateline(root)
    _mark_subheads(root)
    if dateline:
        # An inline wrapper can be left empty by the dateline's removal. No other step here
        # empties an element (the sanitiser removed the empty ones), so otherwise this is skipped.
        remove_empty(root)
    headline = _headline(item.title, root)
    summary = _summary(item, root)
    published_at, updated_at, date_is_fallback = _dates(item, received_at)
    return Article(
        headline=headline,
        body_html=_serialize_blocks(root),
        summary=summary,
        slug=slugify(headline),
        byline=clean_byline(item.author) or body_byline,
        dateline=dateline,
        link=(absolute_url(item.link, item.base_url) or "") if item.link else "",
        language=_language(item.language),
        images=images,
        categories=_categories(item.categories),
        published_at=published_at,
        updated_at=updated_at,
        date_is_fallback=date_is_fallback,
        unparsed_dates=tuple(item.unparsed_dates),
        rights=" ".join(item.rights.split())[:1000],
    )


# ------------------------------------------------------------------------------------------- body


def _source_html(item: FeedItem) -> str:
    """The fullest body the item has, as HTML with block structure."""
    html = item.content_html if item.content_html.strip() else item.summary_html
    if not html.strip() or _BLOCK_MARKUP.search(html):
        return html
    return _paragraphs_from_text(html)


def _paragraphs_from_text(text: str) -> str:
    # Blank lines separate paragraphs; a text with none has one paragraph per line instead.
    text = text.strip()
    chunks = _BLANK_LINE.split(text) if _BLANK_LINE.search(text) else text.splitlines()
    return "".join(f"<p>{' '.join(chunk.split())}</p>" for chunk in chunks if chunk.strip())


def _body_tree(
    html: str, base_url: str, allowed_iframe_hosts: frozenset[str]
) -> lxml.html.HtmlElement:
    root = sanitize_tree(html, base_url=base_url, allowed_iframe_hosts=allowed_iframe_hosts)
    wrap_inline_runs(root)
    if _may_hold_source_note(text_of(root)):
        _remove_source_notes(root)
        remove_empty(root)  # a paragraph that was only the note
    return root


def _may_hold_source_note(text: str) -> bool:
    if text.isascii():
        # For ASCII text, lower-casing gives the pattern's answer several times faster. Not
        # beyond: IGNORECASE also matches letters that lower() leaves alone, such as the long s
        # (U+017F) for "s".
        return _SOURCE_NOTE_WORDS in text.lower()
    return _SOURCE_NOTE_CLUE.search(text) is not None


def _remove_source_notes(root: lxml.html.HtmlElement) -> None:
    for element in root.iter():
        if element.text:
            element.text = _SOURCE_NOTE.sub("", element.text)
        if element.tail and element is not root:
            element.tail = _SOURCE_NOTE.sub("", element.tail)


def _serialize_blocks(root: lxml.html.HtmlElement) -> str:
    # One block per line: the stored HTML diffs readably between versions of a story.
    root.text = None
    for block in root:
        block.tail = "\n"
    if len(root):
        root[-1].tail = None
    return serialize_fragment(root)


def _first_text_paragraph(
    root: lxml.html.HtmlElement,
) -> tuple[lxml.html.HtmlElement, str] | None:
    """The first top-level block that carries text, with its text, if that block is a paragraph."""
    for block in root:
        text = text_of(block)
        if text.strip():
            return (block, text) if block.tag == "p" else None
    return None


def _body_text(root: lxml.html.HtmlElement, at_least: int | None = None) -> str:
    """The paragraphs' text on one line.

    With ``at_least``, only the paragraphs it takes for that many characters (spaces between
    words included): a prefix of the whole, enough for a summary, and much quicker to make.
    """
    pieces: list[str] = []
    length = -1  # of the words so far, one space apart
    for paragraph in root.iterchildren("p"):
        text = " ".join(text_of(paragraph).split())
        pieces.append(text)
        if text:
            length += len(text) + 1
        if at_least is not None and length >= at_least:
            break
    return " ".join(pieces)


# ------------------------------------------------------------------------------------- lead image


def _drop_duplicate_lead_image(
    root: lxml.html.HtmlElement, images: tuple[Image, ...]
) -> tuple[Image, ...]:
    """Remove a body-leading picture that is also an item image; returns the images, captioned."""
    lead = _lead_image_block(root)
    if lead is None:
        return images
    block, img = lead
    src = img.get("src", "")
    for position, image in enumerate(images):
        if _same_url(image.url, src):
            block.drop_tree()
            return _with_caption(images, position, block)
    return images


def _lead_image_block(
    root: lxml.html.HtmlElement,
) -> tuple[lxml.html.HtmlElement, lxml.html.HtmlElement] | None:
    """The first block if it is only a picture (img, or p/figure holding one), with that img."""
    if not len(root):
        return None
    block = root[0]
    if block.tag == "img":
        return block, block
    if block.tag not in ("p", "figure"):
        return None
    pictures = list(block.iter("img"))
    if len(pictures) != 1:
        return None
    captions = list(block.iter("figcaption"))
    caption_text = "".join(text_of(c) for c in captions)
    if text_of(block).replace(caption_text, "", 1).strip():
        return None  # the picture sits in prose; removing it would remove text
    return block, pictures[0]


def _with_caption(
    images: tuple[Image, ...], position: int, block: lxml.html.HtmlElement
) -> tuple[Image, ...]:
    # The body's figcaption is the only caption we would otherwise lose with the figure.
    image = images[position]
    caption = " ".join("".join(text_of(c) for c in block.iter("figcaption")).split())
    if image.caption or not caption:
        return images
    return (*images[:position], replace(image, caption=caption), *images[position + 1 :])


def _same_url(first: str, second: str) -> bool:
    # The same picture is often linked once over http and once over https.
    return first.split(":", 1)[-1] == second.split(":", 1)[-1]


def _absolute_images(images: Iterable[Image], base_url: str) -> tuple[Image, ...]:
    result: list[Image] = []
    seen: set[str] = set()
    for image in images:
        url = absolute_url(image.url, base_url)
        if url is None or url.startswith("mailto:") or url in seen:
            continue
        seen.add(url)
        result.append(image if url == image.url else replace(image, url=url))
    return tuple(result)


# ------------------------------------------------------------------------------ byline & dateline


def _take_byline(root: lxml.html.HtmlElement) -> str:
    """Remove a leading "By ..." paragraph and return the byline it held (or "")."""
    first = _first_text_paragraph(root)
    if first is None:
        return ""
    paragraph, text = first
    if not text.lstrip().startswith(("By", "BY")):
        return ""  # the pattern's first test, made before collapsing a whole paragraph's spaces
    match = _BYLINE_PARAGRAPH.match(" ".join(text.split()))
    if match is None or not _looks_like_names(match.group("names")):
        return ""
    paragraph.drop_tree()
    return clean_byline(match.group("names"))


def _looks_like_names(text: str) -> bool:
    # "By Tuesday, officials said..." must stay in the story: names are capitalised, and short.
    words = text.split()
    if len(words) > _BYLINE_MAX_WORDS or text.rstrip().endswith(("!", "?", ":")):
        return False
    return words[0][0].isupper() and all(
        not word[0].islower() or word in _NAME_PARTICLES for word in words
    )


def _take_dateline(root: lxml.html.HtmlElement) -> str:
    """Cut the dateline off the first paragraph and return it (or "")."""
    first = _first_text_paragraph(root)
    if first is None:
        return ""
    paragraph, text = first
    dateline, rest = split_dateline(text)
    if not dateline:
        return ""
    _drop_leading_chars(paragraph, len(text) - len(rest))
    _drop_leading_breaks(paragraph)
    if is_empty(paragraph):
        paragraph.drop_tree()
    return dateline


def _drop_leading_chars(paragraph: lxml.html.HtmlElement, count: int) -> None:
    """Delete the first ``count`` characters of a paragraph's text, across inline markup."""
    for element, slot in list(_text_slots(paragraph)):
        if count <= 0:
            break
        value = getattr(element, slot) or ""
        setattr(element, slot, value[count:] or None)
        count -= min(count, len(value))
    # An inline wrapper that held only the dateline (<strong>WASHINGTON</strong> -) is now empty.
    for child in list(paragraph.iterdescendants()):
        if child.tag not in ("br", "img", "iframe") and is_empty(child):
            child.drop_tree()


def _drop_leading_breaks(paragraph: lxml.html.HtmlElement) -> None:
    # "WASHINGTON -<br>The ..." leaves a line break in front of the story once the dateline is gone.
    while not (paragraph.text or "").strip() and len(paragraph) and paragraph[0].tag == "br":
        paragraph.text = paragraph[0].tail
        paragraph.remove(paragraph[0])


def _text_slots(element: lxml.html.HtmlElement) -> Iterator[tuple[lxml.html.HtmlElement, str]]:
    """(element, "text" | "tail") for every piece of text inside ``element``, in reading order."""
    for event, node in lxml.etree.iterwalk(element, events=("start", "end")):
        if event == "start":
            yield node, "text"
        elif node is not element:
            yield node, "tail"


# -------------------------------------------------------------------------------------- subheads


def _mark_subheads(root: lxml.html.HtmlElement) -> None:
    for paragraph in list(root.iterchildren("p")):
        text = text_of(paragraph)
        if _is_whole_subhead(paragraph, text):
            subhead = _subhead(paragraph, text)
            subhead.tail = paragraph.tail
            root.replace(paragraph, subhead)
        elif _may_end_in_subhead(text):
            _split_glued_subhead(paragraph)


def _is_whole_subhead(paragraph: lxml.html.HtmlElement, text: str) -> bool:
    # "READ MORE" as a link, or a captioned picture, is not a heading even when it is in capitals.
    # (Text first: it rules out almost every paragraph, and more cheaply than looking for links.)
    if not is_subhead(text):
        return False
    return next(paragraph.iter("a", "img", "iframe"), None) is None


def _may_end_in_subhead(text: str) -> bool:
    # is_subhead() refuses a lower-case letter or sentence punctuation at the end, which rules
    # out most paragraphs before their last sentences are looked at.
    last = text.rstrip()[-1:]
    return bool(last) and not last.islower() and last not in ".!?,;:"


def _split_glued_subhead(paragraph: lxml.html.HtmlElement) -> None:
    """"...to meet that demand. 'LONGSTANDING PARTNERSHIP'" -> the paragraph, then a subhead."""
    owner, slot = (paragraph[-1], "tail") if len(paragraph) else (paragraph, "text")
    text = getattr(owner, slot) or ""
    start = _glued_subhead_start(text)
    if start is None:
        return
    setattr(owner, slot, text[:start].rstrip())
    paragraph.addnext(_subhead(paragraph, text[start:]))


def _glued_subhead_start(text: str) -> int | None:
    """Where an ALL-CAPS line glued after the last sentence of ``text`` begins, if there is one.

    Takes the longest such tail, so a subhead with a full stop in it ("U.S. TIES") is not cut short.
    """
    # A subhead has no lower-case letters, and the text before it must (a run of capitals is not
    # "a paragraph plus a subhead"); so it starts after the last lower-case letter. Searching
    # from there skips every sentence of a long paragraph but the end.
    last_lower = _last_lowercase(text)
    if last_lower is None:
        return None
    best = None
    for boundary in reversed(list(_SENTENCE_BOUNDARY.finditer(text, last_lower + 1))):
        tail = text[boundary.end() :]
        if len(tail.strip()) > SUBHEAD_MAX_CHARS + 2:  # + 2 for wrapping quotes
            break  # too far back to be one heading
        if is_subhead(tail):
            best = boundary.end()
    return best


def _last_lowercase(text: str) -> int | None:
    # Prose ends in lower case a character or two from the end, so this loop is short.
    for index in range(len(text) - 1, -1, -1):
        if text[index].islower():
            return index
    return None


def _subhead(paragraph: lxml.html.HtmlElement, text: str) -> lxml.html.HtmlElement:
    """An h2 subhead of ``text``, to go in place of or after ``paragraph``."""
    # Made in the paragraph's document: lxml.html.Element would make one of its own to move.
    heading: lxml.html.HtmlElement = paragraph.makeelement("h2", {"class": SUBHEAD_CLASS})
    heading.text = strip_wrapping_quotes(" ".join(text.split()))
    return heading


# ----------------------------------------------------------------------------------- text fields


def _headline(title: str, root: lxml.html.HtmlElement) -> str:
    """The item's title as one line of plain text, else the body's first words; never empty."""
    # Titles are text by contract, but feeds put markup in them anyway. Reading something tag-like
    # as markup costs a headline that *mentions* a tag ("<video>") its angle brackets; printing a
    # feed's "<b>" as text would be worse and far more common.
    if "<" in title and _MARKUP.search(title):  # (most titles have no "<" to look at)
        title = html_to_text(title)
    headline = " ".join(title.split())
    return headline or _first_words(_body_text(root)) or UNTITLED


def _first_words(text: str) -> str:
    words = text.split()
    head = " ".join(words[:HEADLINE_FALLBACK_WORDS])
    if len(head) > HEADLINE_FALLBACK_CHARS:
        return summarize(head, HEADLINE_FALLBACK_CHARS)
    return head + ELLIPSIS if len(words) > HEADLINE_FALLBACK_WORDS else head


def _summary(item: FeedItem, root: lxml.html.HtmlElement) -> str:
    """The source's own summary when it says something the body does not, else the body's lead."""
    if item.content_html.strip() and item.summary_html.strip():
        summary_text = html_to_text(item.summary_html)
        if _may_hold_source_note(summary_text):
            summary_text = _SOURCE_NOTE.sub("", summary_text)
        summary_text = split_dateline(" ".join(summary_text.split()))[1]
        if summary_text and not _is_teaser_of(summary_text, root):
            return summarize(summary_text, SUMMARY_MAX_CHARS)
    # summarize() reads no further than one character past the limit.
    return summarize(_body_text(root, at_least=SUMMARY_MAX_CHARS + 1), SUMMARY_MAX_CHARS)


def _is_teaser_of(summary: str, root: lxml.html.HtmlElement) -> bool:
    # Many feeds' "summary" is just the body's first N characters, cut with "..." or "[...]".
    stem = summary.rstrip(" .…[]").casefold()
    # Case folding never makes text shorter, so a body prefix as long as the stem decides it.
    return _body_text(root, at_least=len(stem)).casefold().startswith(stem)


def _categories(categories: Iterable[str]) -> tuple[str, ...]:
    result: list[str] = []
    seen: set[str] = set()
    for category in categories:
        name = " ".join(category.split())
        if name and name.casefold() not in seen:
            seen.add(name.casefold())
            result.append(name)
    return tuple(result)


def _language(tag: str) -> str:
    """A BCP 47 tag in its usual case ("EN_us" -> "en-US"); "" when it is not a language tag."""
    tag = tag.strip().replace("_", "-")
    if not _LANGUAGE_TAG.match(tag):
        return ""
    primary, *subtags = tag.split("-")
    return "-".join([primary.lower(), *(_subtag_case(subtag) for subtag in subtags)])


def _subtag_case(subtag: str) -> str:
    if len(subtag) == 2 and subtag.isalpha():
        return subtag.upper()  # region: US
    if len(subtag) == 4 and subtag.isalpha():
        return subtag.title()  # script: Hant
    return subtag.lower()


# ------------------------------------------------------------------------------------------ dates


def _dates(item: FeedItem, received_at: datetime) -> tuple[datetime, datetime, bool]:
    """(published, updated, is_fallback), all UTC.

    A missing date, or one more than FUTURE_TOLERANCE past the time received, is replaced by the
    time received and flagged, so the substitution is visible instead of silent.
    """
    received = _as_utc(received_at)
    latest_believable = received + FUTURE_TOLERANCE
    fallback = False
    source_published = item.published or item.updated
    published = _as_utc(source_published) if source_published else received
    if source_published is None or published > latest_believable:
        published, fallback = received, True
    updated = _as_utc(item.updated) if item.updated else published
    if updated > latest_believable:
        updated, fallback = received, True
    return published, max(updated, published), fallback


def _as_utc(moment: datetime) -> datetime:
    # Parsers hand over aware datetimes; a naive one can only mean UTC, the feed formats' default.
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)
