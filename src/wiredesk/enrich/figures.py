"""Key figures of a story: numbers with their unit and what they count.

"Border agents made 2.8 million arrests at the U.S.-Mexico border" should yield 2,800,000
*arrests at the U.S.-Mexico border*. A tagger would help with the "what it counts" phrase, but
news copy is regular enough that a light pattern parse does: the noun phrase right after the
number plus a few linking phrases (of/at/to/...), cut at time expressions ("in May", "last
year") and clause words ("since", "after"); when no noun follows ("up from 18,000"), the
figure borrows what the previous figure in the sentence counted, or the clause's subject
("unemployment fell to 3.5%"). Numbers that are not quantities — years, dates, times, ages,
phone and street numbers, rankings ("No. 2"), scores and identifiers ("Bill C-48") — are
skipped. The rest are ranked (money and percentages first, then large or scaled counts, and
figures with a clear counted noun) and the best ``limit`` returned in reading order.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from wiredesk.core.lexicon.words import MONTH_ABBREVIATIONS, MONTHS, lower

__all__ = ["Figure", "extract_figures", "key_figures"]


def _words(text: str) -> frozenset[str]:
    """A word list written as one whitespace-separated string (easier to read and extend)."""
    return frozenset(text.split())


@dataclass(frozen=True, slots=True)
class Figure:
    """One figure: ``value`` in base units (3.4e9 for "$3.4 billion"), ``display`` as written,
    ``unit`` ("USD", "EUR", "%", "" for a plain count), ``counts`` what it counts ("" when no
    clear phrase), and its ``start``/``end`` offsets in the text."""

    value: float
    display: str
    unit: str
    counts: str
    start: int
    end: int
    # What it counts was read by a rule that is rarely wrong (a plural noun after the number, the
    # subject of a verb of movement, the figure it is compared with); only such figures are shown
    # in "By the numbers" (:func:`key_figures`).
    confident: bool = False


_SCALES = {
    "thousand": 10**3, "million": 10**6, "billion": 10**9, "trillion": 10**12,
    "mln": 10**6, "bln": 10**9, "bn": 10**9, "tn": 10**12, "k": 10**3, "m": 10**6, "b": 10**9,
}
_CURRENCY_PREFIX = {
    "$": "USD", "us$": "USD", "c$": "CAD", "ca$": "CAD", "a$": "AUD", "au$": "AUD",
    "nz$": "NZD", "hk$": "HKD", "€": "EUR", "£": "GBP", "¥": "JPY", "₹": "INR",
}
_CURRENCY_WORD = {
    "dollars": "USD", "dollar": "USD", "euros": "EUR", "euro": "EUR", "pounds": "GBP",
    "yen": "JPY", "pesos": "MXN", "yuan": "CNY", "rupees": "INR",
}
_NUMBER = re.compile(
    r"(?P<cur>US\$|C\$|CA\$|A\$|AU\$|NZ\$|HK\$|[$€£¥₹])?\s?"
    r"(?<![\w.,\-/#])(?P<num>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)(?!(?![kmb]\b)[\w/]|[.,:\-]\d|-[A-Za-z])"
    r"(?:\s?(?P<scale>thousand|million|billion|trillion|mln|bln|bn|tn)\b"
    r"|(?P<short>[kmb])\b(?<=\d[kmb]))?"
    r"(?P<pct>\s?(?:%|percent\b|per cent\b|percentage points?\b))?"
)
_MONTHS = lower(MONTHS + MONTH_ABBREVIATIONS)
_TIME_WORDS = frozenset(_MONTHS) | _words(
    """
    monday tuesday wednesday thursday friday saturday sunday today yesterday tomorrow year
    years month months week weeks day days decade decades morning afternoon evening night last
    this next past recent earlier later ago spring summer fall autumn winter quarter
    """
)
_STREET = re.compile(
    r"\s+(?:[A-Z][a-z]+\s+){1,3}(?:Street|St|Avenue|Ave|Road|Rd|Boulevard|Blvd|Drive|Dr|Lane|Ln"
    r"|Way|Place|Pl|Court|Ct|Crescent|Cres|Highway|Hwy|Terrace|Parkway)\b"
)
_PHONE = re.compile(r"\(?\b\d{3}\)?[\s.\-]\d{3}[\s.\-]\d{4}\b")
# A dash is a token (it ends what a number counts: "$316 million -- only about 60 per cent").
_WORD = re.compile(r"[A-Za-z][\w'’.\-]*|\d[\d,.]*%?|[,;:()\"“”—–]")  # noqa: RUF001
_STOP = _words(
    """
    since after before during while when as and but or than compared versus vs because
    although though if up down over under about around nearly almost roughly some more
    less fewer was were is are be been has have had will would could should may might
    can said says according which where per a an the this that these those its their his
    her our
    """
)
_PREPS = _words(
    """
    along near by through within without outside inside beyond toward towards amid
    despite via like until including
    """
)
_LINKS = _words(
    """
    of at on for in to from with into across against among between
    """
)
_RELATIVE = _words(
    """
    who that which
    """
)
_SKIP_BEFORE = _words(
    """
    no no. number #
    """
)
_VERBISH = _words(
    """
    rose fell increased decreased grew dropped climbed jumped reached totaled totalled
    hit stood was were is are has had made gained lost declined slipped surged soared
    plunged slid sank tumbled dipped eased edged advanced rallied added shed slumped
    retreated rebounded fall falls rise rises grow grows gain gains lose loses drop drops
    """
)


_INITIALISM = re.compile(r"(?:[A-Za-z]\.){2,}")  # "U.S.": its last dot ends no sentence


def _plain(word: str) -> str:
    """A word without its sentence-final dot (initialisms such as "U.S." keep theirs)."""
    return word if _INITIALISM.fullmatch(word) else word.rstrip(".")


def _plural_head(word: str) -> bool:
    return len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is"))


# A lone word after a number that says nothing about what it counts ("7.4% higher", "$386 each",
# "41% three years ago"): better no label than a misleading one.
_NOT_WHAT = _words("""
    higher lower more less fewer bigger smaller larger greater each apiece per cent percent
    one two three four five six seven eight nine ten dozen hundred thousand up down above below
    over under than times
""")


_VAGUE_SUBJECTS = _words("figure number amount total it this that which rate increase rise")


def _scan_phrase(words: list[str], count: bool = True) -> str:
    """What a number counts, from the words right after it (and its scale/unit); "" when the
    words there do not say. ``count``: a bare number (no currency or per cent)."""
    phrase = _scan_words(words, count)
    return "" if phrase.lower() in _NOT_WHAT else phrase


def _scan_words(words: list[str], count: bool) -> str:
    out: list[str] = []
    i = 0
    words = [_plain(w) for w in words]
    # the head noun phrase: up to four content words
    while i < len(words) and len(out) < 4:
        w = words[i]
        lw = w.lower().rstrip(".")
        if lw in _STOP or lw in _LINKS or lw in _RELATIVE or lw in _TIME_WORDS or lw in _PREPS:
            break  # "1.1% by late afternoon": a preposition starts a when or how, not a what
        if not re.match(r"[A-Za-z]", w):
            break
        out.append(w)
        i += 1
        if _plural_head(lw):
            break  # "40 percent of voters backed ...": a plural noun ends the phrase
    if not out:
        return ""
    links = 0
    while i < len(words) and links < 3:
        lw = words[i].lower()
        if lw in _RELATIVE:
            nxt = words[i + 1] if i + 1 < len(words) else ""
            if re.fullmatch(r"[a-z]+", nxt) and nxt not in _STOP:
                out += [words[i], nxt]
                break
            # "860,000 youth across Canada who aren't working": the clause says which ones are
            # counted, and a label without it says more than the story does. (A sum's clause
            # describes what it pays for: "$3.4 million project that will involve ...".)
            return "" if count else " ".join(out).strip(" ,")
        if lw not in _LINKS:
            break
        part: list[str] = []
        j = i + 1
        while j < len(words) and len(part) < 4:
            w = words[j]
            lw2 = w.lower().rstrip(".")
            if lw2 in ("the", "a", "an") and not part:
                part.append(w)
                j += 1
                continue
            if lw2 in _TIME_WORDS or re.search(r"(?:^|\D)(?:19|20)\d\d$", lw2):
                if len(part) <= 1 or part[-1].endswith(("'s", "\N{RIGHT SINGLE QUOTATION MARK}s")):
                    # "in May", "last year": a time, not part of what is counted; "at the
                    # bank's December meeting" cut at the month would end on a dangling "bank's"
                    part = []
                break
            if (lw2 in _STOP or lw2 in _LINKS or lw2 in _RELATIVE or lw2 in _PREPS
                    or not re.match(r"[A-Za-z]", w)):
                break
            part.append(w)
            j += 1
        if not [w for w in part if w.lower() not in ("the", "a", "an")]:
            break
        if len(part) == 1 and j < len(words) and words[j].lower() in _LINKS:
            # "in addition to", "on behalf of": a preposition of several words, whose object
            # (what it is about) was cut off; the label would say something else.
            return ""
        out += [words[i], *part]
        i = j
        links += 1
    return " ".join(out).strip(" ,")


_AUXILIARIES = _words("has have had is are was were will would could should may might can")
_OPINION_VERBS = _words(
    """expected expect expects forecast forecasts predicted predict predicts estimated estimate
    estimates said say says see sees think thinks believe believes hoped hope want wants told
    polled projected project projects"""
)


def _subject(clause: str) -> str:
    """The subject noun phrase at the start of a clause, with one prepositional phrase, when it
    is what the clause's verb moves or measures ("The unemployment rate fell to ...", "Shares in
    Japanese equipment makers fell 5%"); "" when the subject is someone expecting or saying
    ("Economists had expected 0.2%") or no such verb follows it."""
    words = _WORD.findall(clause)
    out: list[str] = []
    link: list[str] = []
    verb, after = "", ""
    for i, w in enumerate(words[:14]):
        lw = w.lower()
        if lw in ("the", "a", "an") and not out:
            continue
        if (lw in _LINKS or lw == "by") and out and not link and lw != "to":
            link.append(w)
            continue
        if lw == "and" and len(link) > 1:  # "in Taiwanese and Japanese equipment makers"
            link.append(w)
            continue
        if lw in _VERBISH or lw in _STOP or lw in _LINKS or not re.match(r"[A-Za-z]", w):
            verb, after = lw, (words[i + 1].lower() if i + 1 < len(words) else "")
            break
        if link:
            link.append(w)
        else:
            out.append(w)
    if verb not in _VERBISH or (verb in _AUXILIARIES and after in _OPINION_VERBS):
        return ""
    while link and link[-1].lower() == "and":
        link.pop()
    if len(out) > 4 or len(link) > 7:
        return ""  # too long to be one noun phrase: something else was read as one
    return " ".join(out + link if len(link) > 1 else out)


_ABBREVIATIONS = _words("co. inc. corp. ltd. st. no. mr. mrs. ms. dr. gen. gov. sen. rep. jr. sr.")


def _to_sentence_end(words: list[str]) -> list[str]:
    """The words up to the one that ends the sentence ("... from mid-2027." ends it; "U.S."
    and "Inc." do not)."""
    for i, word in enumerate(words):
        if word.endswith((".", "!", "?")) and len(word) > 1 \
                and not _INITIALISM.fullmatch(word) \
                and word.lower() not in _ABBREVIATIONS:
            return words[: i + 1]
    return words


def _per_unit(words: list[str]) -> str:
    """The unit of a price ("a barrel", "per share", "an ounce"), or ""."""
    if len(words) < 2 or words[0].lower() not in ("a", "an", "per"):
        return ""
    unit = _plain(words[1])
    ends = len(words) == 2 or unit != words[1] or not re.match(r"[A-Za-z]", words[2]) \
        or words[2].lower() in _STOP or words[2].lower() in _LINKS
    if not ends or not re.fullmatch(r"[a-z]+", unit):
        return ""
    return unit


def _is_noise(text: str, m: re.Match[str], value: float) -> bool:
    """Years, dates, times, ages, rankings, street numbers: numbers that are not quantities."""
    start, end = m.start("num"), m.end()
    num = m.group("num")
    before = text[max(0, start - 24) : start]
    after = text[end : end + 30]
    unit = m.group("cur") or m.group("scale") or m.group("short") or m.group("pct")
    if unit:
        return False
    if re.fullmatch(r"1[89]\d\d|20\d\d", num):
        return True  # a year
    prev_word = re.search(r"([\w.#]+)\s*$", before)
    pw = prev_word.group(1).lower() if prev_word else ""
    if pw in _SKIP_BEFORE or before.endswith(("#", "No.", "no.")):
        return True
    if pw.rstrip(".") in _MONTHS or re.match(r"\s*(?:" + "|".join(_MONTHS) + r")\b", after, re.I):
        return True  # "May 5", "5 May"
    if re.match(r"\s*(?:a\.m\.|p\.m\.|am\b|pm\b|o'clock)", after, re.I):
        return True
    if re.match(r"-?(?:year|month|week|day)s?-old", after) or pw in ("aged", "age"):
        return True
    if re.search(r"[A-Z][\w'’]+,\s*$", before) and re.match(r"\s*[,)]", after):  # noqa: RUF001
        return True  # "Brooks, 54," — an age after a name
    if _STREET.match(after) and value < 100000:
        return True
    if re.match(r"\s*(?:st|nd|rd|th)\b", after):
        return True
    return bool(re.match(r"-\d", after) or re.search(r"\d-$", before))  # scores, ranges


_UP = _words("rose increased grew climbed jumped gained advanced rallied surged soared rebounded"
              " higher up")
_DOWN = _words("fell decreased dropped declined slipped plunged slid sank tumbled dipped eased"
               " retreated slumped lost shed weakened lower down")
_DURATIONS = _words("second seconds minute minutes hour hours day days week weeks month months"
                    " year years")


def _movement(clause: str) -> str:
    """ "rise" or "fall" when the clause's verb moves its subject ("Exports fell 3%"), else ""."""
    for word in clause.lower().split():
        if word in _UP:
            return "rise"
        if word in _DOWN:
            return "fall"
    return ""


def _level(lead: str) -> bool:
    """The number is where something moved to ("rose to $6.1 billion"), not by how much."""
    return re.search(r"\bto\s+(?:a\s+)?(?:record\s+|new\s+|about\s+|around\s+|nearly\s+)?$",
                     lead) is not None


def _lower_first(phrase: str, text: str) -> str:
    """``phrase`` with its first word in lower case when the story writes it so ("Money sent
    home" -> "money sent home"); a name keeps its capital ("Germany's DAX")."""
    first = phrase.split()[0]
    lower = first.lower()
    name = first.endswith(("'s", "\N{RIGHT SINGLE QUOTATION MARK}s")) or re.search(
        rf"[\w,;] {re.escape(first)}(?![\w-])", text) is not None  # capitalised mid-sentence
    return phrase if lower == first or name else lower + phrase[len(first):]


def _compared(text: str, end: int, found: list[Figure]) -> str:
    """ "7.4% higher than in the same month last year" after the story gave a figure: a rise
    in that figure's quantity; "" when there is no such figure or no direction."""
    after = text[end : end + 80].lower()
    m = re.match(r"\s+(higher|lower|up|down|more|less)\b", after)
    if m is None or not found or not found[-1].confident or found[-1].unit == "%":
        return ""
    direction = "rise" if m.group(1) in ("higher", "up", "more") else "fall"
    previous = _lower_first(found[-1].counts.split(",")[0], text)
    year = re.search(r"last year|a year (?:earlier|ago|before)|year[- ]on[- ]year", after)
    return f"{direction} in {previous}" + (" on a year earlier" if year else "")


def _says_what(counts: str, unit: str) -> bool:
    """A phrase after a number that says what it counts: not a duration ("48 hours"), and for a
    bare number a plural noun or several words ("4.1 million containers", "jobs at risk")."""
    words = counts.lower().split()
    if words[0] in _DURATIONS or words[-1] in _DANGLING:
        return False
    first = counts.split()[0]
    if first[:1].isupper() and not first.isupper():
        return False  # "$44.5 million Cloverdale Sport ...": a name cut short, not a quantity
    if words[0] in _CURRENCY_WORD or (len(words) == 1 and words[0] in _VAGUE_HEADS):
        return False  # "7.6% rise", "$186.7 billion total": of what, it does not say
    if len(words) == 1 and words[0].endswith("ed"):
        return False  # "$3 million combined": a verb or an adjective, not what is counted
    if len(words) > 1 and words[0].endswith("ing") and (words[1] in _LINKS or words[1] in _PREPS):
        return False  # "$4 million depending on how many ...": a participle's clause
    return bool(unit) or len(words) > 1 or _plural_head(words[0]) or words[0] in _PLURALS


_VAGUE_HEADS = _words("""rise increase decrease total goal left drop gain decline jump fall
    target amount sum figure more less""")
_DANGLING = _words("who that which came to of in at for and or the a an")


_PLURALS = _words("people children men women police cattle staff personnel")


def _score(fig: Figure, position: float) -> float:
    score = 0.0
    if fig.unit and fig.unit != "%":
        score += 3.0
    elif fig.unit == "%":
        score += 2.5
    if fig.counts:
        score += 2.0
    score += min(math.log10(abs(fig.value) + 1), 12) / 3
    if fig.value < 2 and not fig.unit:
        score -= 2
    return score - position  # earlier figures matter more, slightly


def extract_figures(text: str, limit: int = 8) -> list[Figure]:
    """The ``limit`` most informative figures of ``text``, in reading order."""
    if not text:
        return []
    masked = _PHONE.sub(lambda m: "#" * len(m.group()), text)
    found: list[Figure] = []
    sentence_figs: dict[int, Figure] = {}
    for m in _NUMBER.finditer(masked):
        num = m.group("num")
        try:
            exact = Decimal(num.replace(",", ""))
        except InvalidOperation:
            continue
        if _is_noise(masked, m, float(exact)):
            continue
        if m.group("short") and not m.group("cur"):
            continue  # "100m", "5k" without a currency are distances, not millions
        scale = (m.group("scale") or m.group("short") or "").lower()
        # Decimal keeps "4.1 million" exactly 4100000, not 4099999.999...
        value = float(exact * Decimal(_SCALES.get(scale, 1)))
        cur = (m.group("cur") or "").lower()
        unit = _CURRENCY_PREFIX.get(cur, "")
        if m.group("pct"):
            unit = "%"
        start = m.start("cur") if m.group("cur") else m.start("num")
        end = m.end("pct") if m.group("pct") else m.end()
        tail = text[end : end + 160].split("\n", 1)[0]
        # "... was $6.5 billion. Hence, ...": nothing after the number in its own sentence.
        words = [] if re.match(r"\s*[.!?\N{HORIZONTAL ELLIPSIS}]", tail) \
            else _to_sentence_end(_WORD.findall(tail))
        if not unit and words and _plain(words[0]).lower() in _CURRENCY_WORD:
            unit = _CURRENCY_WORD[_plain(words[0]).lower()]
            end += tail.index(words[0]) + len(_plain(words[0]))
            words = words[1:]
        if unit == "%" and words[:1] == ["of"]:
            words = words[1:]
        sent_start = max(text.rfind(". ", 0, start), text.rfind("\n", 0, start)) + 1
        per = _per_unit(words) if unit and unit != "%" else ""
        share = unit == "%" and text[end : end + 4] == " of "
        confident = False
        if per:
            # "$71.40 a barrel": a price; what is priced is the clause's subject
            subject = _subject(re.split(r"[,;:]\s", text[sent_start:start])[-1])
            counts = f"{subject}, per {per}" if subject else f"per {per}"
            confident = bool(subject)
        else:
            counts = _scan_phrase(words, count=not unit)
            # "58% of all remittances" is a share of them held by something the phrase does not
            # name; "4.1 million containers" says what it counts.
            confident = bool(counts) and not share and _says_what(counts, unit)
        lead = text[sent_start:start]
        if not counts:
            prev = sentence_figs.get(sent_start)
            compared = re.search(r"\b(from|to|than|of|versus|vs\.?)\s+(?:about\s+|"
                                 r"around\s+|roughly\s+|nearly\s+)?\S*$", lead)
            if prev is not None and compared:
                # "up from 18,000", "to 4.5 million from 2.8 million": the same quantity; "an
                # average of about $386" is not (an average, of something else).
                counts = prev.counts
                confident = prev.confident and compared.group(1) != "of"
                if compared.group(1) == "to" and counts.startswith(("rise in ", "fall in ")):
                    # "gained 0.5% to 11,130": the level reached, not the rise
                    counts, confident = "", False
            elif unit == "%" or prev is None:
                clause = re.split(r"[,;:]\s|\sand\s", lead)[-1]
                counts = _subject(clause)
                moved = _movement(clause)
                if counts.lower() in _VAGUE_SUBJECTS or not counts:
                    # "The figure was 7.4% higher than a year earlier": the figure the story
                    # just gave, compared; else which figure, it does not say.
                    counts, confident = _compared(text, end, found), False
                    confident = bool(counts)
                elif unit == "%" and moved and not _level(lead):
                    counts, confident = f"{moved} in {_lower_first(counts, text)}", True
                elif moved and _level(lead):
                    confident = True  # "Money sent home ... rose to a record $6.1 billion"
                elif unit != "%":
                    counts = ""
        fig = Figure(value, text[start:end].strip(), unit, counts, start, end, confident)
        found.append(fig)
        sentence_figs[sent_start] = fig
    n = max(1, len(text))
    ranked = sorted(found, key=lambda f: -_score(f, f.start / n))
    keep: list[Figure] = []
    seen: set[tuple[float, str]] = set()
    for f in ranked:
        key = (f.value, f.unit)
        if key in seen:
            continue
        seen.add(key)
        keep.append(f)
        if len(keep) >= limit:
            break
    return sorted(keep, key=lambda f: f.start)


KEY_FIGURES = 3


def key_figures(headline: str, text: str, limit: int = KEY_FIGURES) -> list[Figure]:
    """What "By the numbers" shows: the story's own news figures first, at most ``limit``, each
    saying what it counts; [] when the box would mislead.

    News figures are those of the lead (the first paragraph) and any the headline repeats; then
    figures of the rest, in reading order, that are money, a percentage or at least a thousand.
    The box's places go to the first ``limit`` of these, labelled or not, and only those labelled
    with confidence are shown: a figure that cannot be labelled leaves its place empty rather
    than giving it to a lesser number further down (whose label is as likely to be wrong), and
    the box is empty when the lead's first figure cannot be labelled.
    """
    figures = extract_figures(text, limit=32)
    if not figures:
        return []
    lead_end = text.find("\n\n")
    lead_end = len(text) if lead_end < 0 else lead_end
    in_headline = {f.display for f in extract_figures(headline, limit=8)}
    news = [f for f in figures if f.start < lead_end or f.display in in_headline]
    if news and not news[0].confident:
        return []
    rest = [f for f in figures if f not in news and (f.unit or abs(f.value) >= 1000)]
    return [f for f in (*news, *rest)[:limit] if f.confident]
