"""Pure text helpers for wire copy: slugs, plain text, summaries, subheads, datelines, bylines.

Everything here takes and returns strings; nothing reads settings or touches the network. The wire
conventions recognised (ALL-CAPS subheads, "CITY, Month Day (Agency) -" datelines, "By ..." bylines)
are the ones agencies actually send; each function documents what it deliberately does *not* match,
because a false positive here silently rewrites published copy.
"""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser

from wiredesk.core.lexicon.folding import to_ascii
from wiredesk.core.lexicon.words import MONTH_ABBREVIATIONS, MONTHS

# Typographic characters, spelled out so that the code cannot be misread.
LSQUO = "\N{LEFT SINGLE QUOTATION MARK}"
RSQUO = "\N{RIGHT SINGLE QUOTATION MARK}"
LDQUO = "\N{LEFT DOUBLE QUOTATION MARK}"
RDQUO = "\N{RIGHT DOUBLE QUOTATION MARK}"
EN_DASH = "\N{EN DASH}"
EM_DASH = "\N{EM DASH}"
# What may close a sentence after its full stop: He said "no." / (as planned.)
CLOSING_MARKS = "\"')]" + RDQUO + RSQUO
OPENING_MARKS = "\"'(" + LDQUO + LSQUO

# -------------------------------------------------------------------------------------------- slugs

SLUG_MAX_LENGTH = 80
SLUG_FALLBACK = "story"

# Apostrophes are dropped rather than turned into separators: "Biden's" -> "bidens", not "biden-s".
_APOSTROPHES = re.compile(f"['`{LSQUO}{RSQUO}\N{MODIFIER LETTER APOSTROPHE}]")
_NON_ALNUM = re.compile(r"[^a-z0-9]+")


def slugify(headline: str) -> str:
    """An ASCII, lower-case, hyphenated slug of at most ``SLUG_MAX_LENGTH`` chars; never empty."""
    ascii_text = headline if headline.isascii() else to_ascii(headline)
    slug = _NON_ALNUM.sub("-", _APOSTROPHES.sub("", ascii_text).lower()).strip("-")
    if len(slug) > SLUG_MAX_LENGTH:
        cut = slug[: SLUG_MAX_LENGTH + 1]
        # Cut at the last whole word; a single giant "word" is cut hard rather than left empty.
        slug = cut.rsplit("-", 1)[0] if "-" in cut else slug[:SLUG_MAX_LENGTH]
        slug = slug.strip("-")
    return slug or SLUG_FALLBACK


# ------------------------------------------------------------------------------------ html to text

# Elements whose boundaries separate paragraphs of text. Inline elements (a, em, span...) do not.
_BLOCK_TAGS = frozenset(
    {
        "address", "article", "aside", "blockquote", "caption", "dd", "div", "dl", "dt",
        "figcaption", "figure", "footer", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hr", "li",
        "main", "ol", "p", "pre", "section", "table", "td", "th", "tr", "ul",
    }
)
# Their text is code or metadata, never prose a reader sees.
_INVISIBLE_TAGS = frozenset({"script", "style", "template", "noscript", "head", "title"})
_PARAGRAPH_BREAK = re.compile(r"\n\s*\n")


def html_to_text(html: str) -> str:
    """Readable plain text of an HTML fragment: entities decoded, a blank line between paragraphs.

    Whitespace inside a paragraph is collapsed to single spaces. Text that contains no markup at all
    comes back with its whitespace collapsed the same way.
    """
    if not html.strip():
        return ""
    if "<" in html or "&" in html:
        collector = _TextCollector()
        collector.feed(html)
        collector.close()
        raw = "".join(collector.pieces)
    else:
        raw = html  # no tags and no character references: the parser would hand it back whole
    paragraphs = (" ".join(chunk.split()) for chunk in _PARAGRAPH_BREAK.split(raw))
    return "\n\n".join(p for p in paragraphs if p)


# A tag or a comment; script and style elements with their content.
_TAG = re.compile(r"<(?:!--.*?--|[/!?]?[A-Za-z][^>]*)>", re.DOTALL)
_SCRIPT_STYLE = re.compile(r"<(script|style)\b.*?</\1\s*>", re.DOTALL | re.IGNORECASE)
_ASCII_SPACE = re.compile(r"[ \t\n\r\f\v]+")


def html_to_line(markup: str) -> str:
    """Plain text of a one-line HTML fragment (a title, a name, a caption): tags removed,
    entities decoded, ASCII whitespace collapsed to single spaces.

    RSS titles are "plain text" by the spec but carry escaped HTML in practice; this reads both.
    Why not :func:`html_to_text`, which is for bodies: a line has no paragraphs to keep, so every
    tag, inline or block, becomes one space ("Rates<span>Bonds</span>" and "Rates<p>Bonds</p>" are
    both "Rates Bonds", where ``html_to_text`` gives "RatesBonds" and two paragraphs); and a
    no-break or thin space is typography the author chose and stays (``html_to_text`` folds all
    whitespace). The feed parsers' titles and their conformance tests were measured with this.
    """
    if "<" in markup:
        markup = _TAG.sub(" ", _SCRIPT_STYLE.sub(" ", markup))
    if "&" in markup:
        markup = html.unescape(markup)
    return _ASCII_SPACE.sub(" ", markup).strip()


class _TextCollector(HTMLParser):
    """Collects the visible text of a stream of tags.

    The standard library's streaming parser rather than a tree: it has no nesting limit (libxml2
    stops at 256 levels and drops the rest of the document), and text needs no tree.
    """

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.pieces: list[str] = []
        self._hidden_depth = 0  # how many invisible elements we are inside

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _INVISIBLE_TAGS:
            self._hidden_depth += 1
        elif tag in _BLOCK_TAGS:
            self.pieces.append("\n\n")
        elif tag == "br":
            self.pieces.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in _INVISIBLE_TAGS:
            self._hidden_depth = max(0, self._hidden_depth - 1)
        elif tag in _BLOCK_TAGS:
            self.pieces.append("\n\n")

    def handle_data(self, data: str) -> None:
        if not self._hidden_depth:
            self.pieces.append(data)


# --------------------------------------------------------------------------------------- summaries

ELLIPSIS = "…"
# Tokens ending in a full stop that do not end a sentence: titles, months, "U.S.", initials.
_ABBREVIATIONS = frozenset(
    {
        "mr", "mrs", "ms", "dr", "prof", "sr", "jr", "st", "mt", "gen", "col", "lt", "sgt", "capt",
        "cmdr", "adm", "gov", "sen", "rep", "rev", "hon", "pres", "supt", "no", "vs", "etc", "inc",
        "corp", "co", "ltd", "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct",
        "nov", "dec", "approx", "dept", "est", "fig", "u.s", "u.k", "u.n", "e.g", "i.e",
    }
)
# A possible sentence end: terminal punctuation, optional closing quotes/brackets, then whitespace.
_SENTENCE_END = re.compile(f"[.!?][{re.escape(CLOSING_MARKS)}]*(?=\\s)")
_INITIALISM = re.compile(r"(?:[A-Za-z]\.)*[A-Za-z]$")  # "U.S", "J" -- the part before the last dot


def summarize(text: str, max_chars: int = 300) -> str:
    """The first sentence(s) of ``text`` that fit in ``max_chars`` characters.

    A summary that ends on a whole sentence needs no ellipsis; when even the first sentence is too
    long it is cut at a word boundary and ends with "…". The result never exceeds ``max_chars``.
    """
    text = " ".join(text.split())
    if len(text) <= max_chars:
        return text
    # Only ends within max_chars count, and seeing one needs just the character after it; looking
    # no further keeps a long body from being scanned for nothing.
    end = _last_sentence_end(text[: max_chars + 1])
    if end is not None:
        return text[:end]
    return _cut_at_word(text, max_chars)


def _last_sentence_end(text: str) -> int | None:
    """The offset just past the last sentence end, not counting abbreviations ("U.S.", "Jan.")."""
    for match in reversed(list(_SENTENCE_END.finditer(text))):
        if text[match.start()] == "." and _is_abbreviation(text[: match.start()]):
            continue
        return match.end()
    return None


def _is_abbreviation(before_dot: str) -> bool:
    words = before_dot.rsplit(maxsplit=1)  # only the last word matters
    if not words:
        return True
    word = words[-1].lstrip(OPENING_MARKS).lower()
    return word in _ABBREVIATIONS or bool(_INITIALISM.fullmatch(word))


def _cut_at_word(text: str, max_chars: int) -> str:
    room = max_chars - len(ELLIPSIS)
    if room <= 0:
        return ELLIPSIS[:max_chars]
    # Look one character past the room: if it is a space, the cut already falls between words.
    cut = text[: room + 1]
    head = cut.rsplit(" ", 1)[0] if " " in cut else cut[:room]  # one giant word: cut it hard
    return head.rstrip(" ,;:-" + EN_DASH + EM_DASH) + ELLIPSIS


# ---------------------------------------------------------------------------------------- subheads

SUBHEAD_MAX_CHARS = 60
SUBHEAD_MAX_WORDS = 8
# Straight and curly quotes a wire subhead may be wrapped in ('LONGSTANDING PARTNERSHIP').
_QUOTE_PAIRS = {"'": "'", '"': '"', LSQUO: RSQUO, LDQUO: RDQUO, RSQUO: RSQUO}
# A subhead is a heading, not a sentence or a dateline fragment ("WASHINGTON -").
_NOT_SUBHEAD_ENDINGS = (".", "!", "?", ",", ";", ":", "-", EN_DASH, EM_DASH)


def strip_wrapping_quotes(text: str) -> str:
    """``text`` without one pair of quotes around the whole of it: "'ALL CAPS'" -> "ALL CAPS"."""
    text = text.strip()
    if len(text) >= 2 and _QUOTE_PAIRS.get(text[0]) == text[-1]:
        return text[1:-1].strip()
    return text


def is_subhead(paragraph_text: str) -> bool:
    """Whether a paragraph is a wire subhead: a short line whose letters are all capitals.

    Requires at least two words, so a lone acronym ("USMCA", "AP") or a stray "(MORE)" is not a
    subhead; rejects anything ending in sentence punctuation or a dash (a heading is not a sentence,
    and "WASHINGTON -" is a dateline). Lower-case letters anywhere rule it out, so a sentence that
    merely contains acronyms never matches.
    """
    # Most paragraphs are prose, far too many words for a heading: count only as far as needed
    # to know (+ 2 for a quotation mark standing alone at each end, which stripping removes).
    if len(paragraph_text.split(maxsplit=SUBHEAD_MAX_WORDS + 2)) > SUBHEAD_MAX_WORDS + 2:
        return False
    text = strip_wrapping_quotes(" ".join(paragraph_text.split()))
    if not text or len(text) > SUBHEAD_MAX_CHARS or text.endswith(_NOT_SUBHEAD_ENDINGS):
        return False
    words = [word for word in text.split() if any(ch.isalpha() for ch in word)]
    if not 2 <= len(words) <= SUBHEAD_MAX_WORDS or len(text.split()) > SUBHEAD_MAX_WORDS:
        return False
    return not any(ch.islower() for ch in text)


# --------------------------------------------------------------------------------------- datelines

# Month names and their abbreviations (the lexicon's), the longest first.
_MONTHS = "(?:" + "|".join(sorted(MONTHS + MONTH_ABBREVIATIONS, key=len, reverse=True)) + ")"
_DATE = rf"(?:{_MONTHS}\.?\s+\d{{1,2}}|\d{{1,2}}\s+{_MONTHS}\.?)(?:,?\s+\d{{4}})?"
# A place word starts with a letter and may hold dots, apostrophes, hyphens and slashes
# ("BEIJING/SHANGHAI", "N'DJAMENA").
_PLACE_WORD = rf"[^\W\d_][\w.'{RSQUO}/&-]*"
_DATELINE = re.compile(
    rf"""
    ^\s*
    (?P<dateline>
        (?P<place>{_PLACE_WORD}(?:\s{_PLACE_WORD}){{0,4}})          # 1-5 words, checked: ALL CAPS
        (?:,\s+(?!{_DATE})(?P<region>{_PLACE_WORD}(?:\s{_PLACE_WORD}){{0,3}}))?  # ", Puerto Rico"
        (?:,\s+(?P<date>{_DATE}))?                                  # ", July 12" / ", 12 July"
        (?:\s*\((?P<agency>[^()\n]{{1,40}})\))?                     # "(Reuters)"
    )
    # An em/en dash may touch the words; a hyphen needs a space before it ("PARIS-based" is no
    # dateline) unless it follows the agency's closing parenthesis. None is needed after it: a
    # <br> after the dash leaves no space in the text ("WASHINGTON (Reuters) -The ...").
    (?:\s*[{EN_DASH}{EM_DASH}]\s*|\s+-{{1,2}}\s*|(?<=\))-{{1,2}}\s*)
    """,
    re.VERBOSE,
)

# The first word of a would-be place, read as _DATELINE reads it: nothing that can follow a place
# word in the pattern can continue one, so the pattern always takes the whole of this word.
_FIRST_PLACE_WORD = re.compile(rf"\s*({_PLACE_WORD})")


# Capitalised labels that open copy like a place would ("EXCLUSIVE - ...") but are not places.
_NOT_PLACES = frozenset(
    {
        "ANALYSIS", "BREAKING", "COLUMN", "CORRECTED", "CORRECTION", "EXCLUSIVE", "EXPLAINER",
        "FACTBOX", "FLASH", "INSIGHT", "OPINION", "REFILE", "UPDATE", "URGENT", "WRAPUP",
    }
)


def split_dateline(first_paragraph: str) -> tuple[str, str]:
    """Split a wire dateline off the start of a paragraph: ``(dateline, rest)``, or ``("", text)``.

    Recognises "WASHINGTON, July 12 (Reuters) - ", "NEW DELHI (PTI) -", "LONDON, Jan. 5 (AP) -",
    "SAN JUAN, Puerto Rico (AP) -" and "PARIS - ", with a hyphen, en dash or em dash. The dateline
    keeps the agency credit and loses the dash. ``rest`` is the exact remainder of
    ``first_paragraph`` (a suffix of it), so callers can remove the dateline by length.

    To keep false positives out, the place must be in capitals ("Biden said - ..." is no dateline)
    and the story must not go on in lower case ("NATO - the alliance said" is a sentence).
    """
    # Most paragraphs open with an ordinary word ("The"): lower case in the place rules a dateline
    # out at once, where the full pattern is slow to fail.
    first_word = _FIRST_PLACE_WORD.match(first_paragraph)
    if first_word is None or any(ch.islower() for ch in first_word[1]):
        return "", first_paragraph
    match = _DATELINE.match(first_paragraph)
    if match is None or not _is_place(match.group("place")):
        return "", first_paragraph
    rest = first_paragraph[match.end() :]
    if rest[:1].islower():
        return "", first_paragraph
    return " ".join(match.group("dateline").split()), rest


def _is_place(place: str) -> bool:
    letters = [ch for ch in place if ch.isalpha()]
    capitals = len(letters) >= 2 and all(ch.isupper() for ch in letters)
    return capitals and place not in _NOT_PLACES


# ----------------------------------------------------------------------------------------- bylines

_EMAIL = r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+"
# RSS 2.0's author element is "email (Name)"; mail headers give "Name <email>".
_EMAIL_THEN_NAME = re.compile(rf"^\s*(?:mailto:)?{_EMAIL}\s*\((?P<name>[^()]+)\)\s*$")
_NAME_THEN_EMAIL = re.compile(rf"^\s*(?P<name>[^<>]+?)\s*<\s*(?:mailto:)?{_EMAIL}\s*>\s*$")
_ANY_EMAIL = re.compile(rf"(?:mailto:)?{_EMAIL}")
_BY_PREFIX = re.compile(r"^\s*by\b\s*:?\s*", re.IGNORECASE)
_EMPTY_BRACKETS = re.compile(r"\(\s*\)|<\s*>|\[\s*\]")
_EDGE_JUNK = " \t\n,;:|/-\N{MIDDLE DOT}\N{BULLET}" + EN_DASH + EM_DASH


def clean_byline(raw: str) -> str:
    """A byline fit to print: "By Jane Doe and John Roe" -> "Jane Doe and John Roe".

    E-mail addresses are removed (we do not publish them); "jane@example.com (Jane Doe)" and
    "Jane Doe <jane@example.com>" become "Jane Doe". An address on its own becomes "".
    """
    text = " ".join(raw.split())
    if not text:
        return ""  # most items have no author
    for pattern in (_EMAIL_THEN_NAME, _NAME_THEN_EMAIL):
        match = pattern.match(text)
        if match:
            text = match.group("name")
            break
    text = _EMPTY_BRACKETS.sub("", _ANY_EMAIL.sub("", text))
    text = _BY_PREFIX.sub("", " ".join(text.split()))
    return text.strip(_EDGE_JUNK)
