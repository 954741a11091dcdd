"""Folding: the forms in which two spellings of one word or name compare equal.

There is no single right fold, so each meaning is its own function, named for what it keeps and
what it drops; all start from :func:`strip_accents`. Which one a caller uses is part of its
behaviour (its tests and benchmark figures were measured with it), so they are not merged:

=====================  ===========================================  ============================
function               what compares equal                          used for
=====================  ===========================================  ============================
``strip_accents``      "São" / "Sao" (case kept)                    the base of the others
``fold_accents``       "López" / "lopez"                            speaker and person names
``fold_words``         "Straße  Nord" / "strasse nord"              tag names, entity aliases
``fold_word``          "Gen." / "gen", "Pérez" / "perez"            one word of a name
``fold_place_name``    "U.S." / "US", "São Paulo" / "sao paulo"     place and country lookups
``fold_for_compare``   "Biden's  PLAN" / "bidens plan"             duplicate detection (NFKC)
``to_ascii``           "Łódź" / "Lodz", "Straße" / "Strasse"        URL slugs
=====================  ===========================================  ============================

``lower`` and ``casefold`` differ on purpose: ``casefold`` turns "ß" into "ss" (tags and
duplicate detection want "Straße" == "Strasse"); ``lower`` keeps it, and the name folds were
measured so.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

RSQUO = "\N{RIGHT SINGLE QUOTATION MARK}"


def strip_accents(text: str) -> str:
    """``text`` in NFKD with its combining marks dropped: "São Paulo" -> "Sao Paulo"."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def fold_accents(text: str) -> str:
    """Lower case, accents stripped: "López" and "Lopez" compare equal."""
    return strip_accents(text).lower()


def fold_words(text: str) -> str:
    """Accents stripped, case folded (``casefold``: "ß" is "ss"), words one space apart."""
    return " ".join(strip_accents(text).casefold().split())


@lru_cache(maxsize=16_384)
def fold_word(word: str) -> str:
    """Lower case, accents stripped, no trailing full stop: for comparing words ("Gen." ==
    "gen")."""
    return strip_accents(word).lower().rstrip(".")


@lru_cache(maxsize=16_384)
def fold_place_name(text: str) -> str:
    """Lower case, accents stripped, full stops dropped, curly apostrophes straight, words one
    space apart: "U.S." == "US", "Sao" == "São", curly "Côte d'Ivoire" == "cote d'ivoire"."""
    bare = strip_accents(text)
    return " ".join(bare.replace(".", "").replace(RSQUO, "'").lower().split())


_APOSTROPHES = re.compile("['`\u2018\u2019\u02bc\u2032]")
_NON_WORD = re.compile(r"[\W_]+")


def fold_for_compare(text: str) -> str:
    """Case, Unicode forms, quotes and punctuation folded away; words separated by one space.

    NFKC (not NFKD: accents are kept, two copies of one story differ in typography, not in
    spelling) makes full-width and compatibility characters plain; apostrophes, straight or
    curly, are dropped inside words ("Biden's" becomes "bidens") and every other non-word
    character separates words, so typographic quotes, dashes and spacing never make two copies
    differ.
    """
    folded = unicodedata.normalize("NFKC", text).casefold()
    return " ".join(_NON_WORD.sub(" ", _APOSTROPHES.sub("", folded)).split())


# Letters NFKD does not decompose into an ASCII base letter; without this table "Straße" would
# become "strae" and "Łódź" would become "odz".
_TRANSLITERATE = str.maketrans(
    {
        "ß": "ss", "ẞ": "SS", "æ": "ae", "Æ": "AE", "œ": "oe", "Œ": "OE", "ø": "o", "Ø": "O",
        "đ": "d", "Đ": "D", "ð": "d", "Ð": "D", "þ": "th", "Þ": "TH", "ł": "l", "Ł": "L",
        "\N{LATIN SMALL LETTER DOTLESS I}": "i", "ħ": "h", "Ħ": "H",
    }
)


def to_ascii(text: str) -> str:
    """``text`` in ASCII letters: transliterated where NFKD has no base letter ("Straße" ->
    "Strasse", "Łódź" -> "Lodz"), accents dropped, anything else left out. Case is kept."""
    return (
        unicodedata.normalize("NFKD", text.translate(_TRANSLITERATE))
        .encode("ascii", "ignore")
        .decode("ascii")
    )
