"""Teaser text: a story's summary as listings show it, cut where a sentence ends and without the
raw links some feeds leave in their summaries (t.co and other shorteners, tracking addresses).

Pure string work; :mod:`wiredesk.site.templatetags.wiredesk_site` exposes it as the ``teaser``
filter.
"""

from __future__ import annotations

import re

# Any web address written out as text, and bare shortener links (t.co/abc, bit.ly/x).
_URL = re.compile(r"(?:https?://|www\.)\S+|\b(?:t\.co|bit\.ly|ow\.ly|buff\.ly|tinyurl\.com|"
                  r"dlvr\.it|trib\.al|goo\.gl|fb\.me|lnkd\.in)/\S*", re.IGNORECASE)
# "Read more", "Continue reading" and the like, and what is left of a stripped link's label.
_TRAILER = re.compile(r"\s*(?:\(\s*\)|\[\s*\]|(?:read|see) more\W*|continue reading\W*"
                      r"|via\s*[:@]?\s*$|[:|\-\u2013\u2014]\s*$)+$", re.IGNORECASE)
# How every text :data:`_TRAILER` matches ends (each of its alternatives' last characters,
# then what may follow them): a cheap test first, since searching for the trailer itself tries
# every alternative at every position of the text (a third of a teaser's cost).
_TRAILER_END = re.compile(r"(?:[)\]:|@\-\u2013\u2014]|more|reading|via)\W*$", re.IGNORECASE)
_SENTENCE_END = re.compile(r"[.!?\u2026][\"'\u201d\u2019)\]]*(?=\s|$)")


def without_links(text: str) -> str:
    # Every address :data:`_URL` matches holds a "/" or "www." (a cheap test first, as above).
    if "/" in text or "www." in text.lower():
        text = _URL.sub(" ", text)
    cleaned = " ".join(text.split())
    if not _TRAILER_END.search(cleaned):
        return cleaned
    return _TRAILER.sub("", cleaned).strip()


def teaser(text: str, words: int = 40) -> str:
    """At most ``words`` words of ``text`` without links: whole sentences when the first ones
    fill at least half of that, else cut at a word with an ellipsis."""
    text = without_links(text)
    parts = text.split()
    if len(parts) <= words:
        return text
    cut = " ".join(parts[:words])
    ends = [match.end() for match in _SENTENCE_END.finditer(cut)]
    if ends and len(cut[:ends[-1]].split()) >= words // 2:
        return cut[:ends[-1]]
    return cut.rstrip(" ,;:-\u2013\u2014") + " \u2026"
