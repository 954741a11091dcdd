"""Text normalisation for comparison: what two copies of one story have in common, and nothing else.

The same wire story reaches us wrapped differently by every feed: a Reuters "(Reporting by ...;
Editing by ...)" credit line and its "Our Standards" footer, a partner's copyright line, our own
"has not been edited by ... staff" note, AP's "___" separators and "contributed to this report"
lines, AFP's initials signature ("bur-jm/dl"), and a dateline ("WASHINGTON, July 12 (Reuters) -")
that one feed keeps in the text and another moves into metadata. None of it says anything about the
story, and all of it would make an exact copy look different. This module removes it and then
normalises what is left (Unicode compatibility forms, quotes, case, punctuation, whitespace).

The output is for comparison only -- it is never displayed -- so a rule that occasionally drops a
real sentence costs a little evidence, not published copy. Rules are therefore allowed to be
broad, but each one must match a *whole paragraph* (or, for datelines, the start of the first
one), never a fragment in the middle of prose.

The rules are data: :data:`PARAGRAPH_RULES` (paragraphs dropped wherever they occur) and
:data:`LEAD_RULES` (paragraphs dropped only among the first few: bylines, editors' notes).
Adding a feed's boilerplate is one entry with a name and a reason.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from wiredesk.core.lexicon.folding import fold_for_compare
from wiredesk.core.text import split_dateline

# How many leading paragraphs may hold bylines, photo lines and editors' notes.
LEAD_PARAGRAPHS = 4
# A paragraph longer than this is prose, whatever it starts with: no rule may drop it.
MAX_BOILERPLATE_CHARS = 400

# Agencies whose credit appears in datelines ("(Reuters)", "(AP)", "(أ ف ب)").
AGENCY_CREDITS = (
    "Reuters", "AP", "AFP", "dpa", "DPA", "PTI", "IANS", "ANI", "UNI", "Xinhua", "Bloomberg",
    "EFE", "ANSA", "AAP", "PA", "Kyodo", "Yonhap", "UPI", "CNA", "Bernama", "TASS", "IRNA",
    "Anadolu", "APA", "NTB", "TT", "STT", "Ritzau", "Belga", "KNA", "epd", "SID",
    # AFP and Reuters in Arabic, spelled with escapes so that the letters cannot be misread.
    "\u0623 \u0641 \u0628", "\u0627 \u0641 \u0628", "\u0631\u0648\u064a\u062a\u0631\u0632",
)


@dataclass(frozen=True, slots=True)
class Rule:
    """One kind of boilerplate: a pattern that must match a whole paragraph, and why it exists."""

    name: str
    pattern: re.Pattern[str]
    why: str

    def matches(self, paragraph: str) -> bool:
        return self.pattern.fullmatch(paragraph) is not None


def _rule(name: str, pattern: str, why: str) -> Rule:
    return Rule(name, re.compile(pattern, re.IGNORECASE | re.DOTALL), why)


PARAGRAPH_RULES: tuple[Rule, ...] = (
    _rule("credits", r"\(\s*(?:additional\s+)?(?:reporting|writing|editing|compiled|graphics|"
          r"research|production|translated|text)\b.{0,300}\)\s*\.?",
          "Reuters/partner credit lines: '(Reporting by ...; Editing by ...)'."),
    _rule("standards", r"our standards\s*:.*",
          "Reuters footer: 'Our Standards: The Thomson Reuters Trust Principles.'"),
    _rule("not-edited-note", r"\(?\s*this (?:story|article) has not been edited by .{1,120}\)?",
          "Auto-publishing sites' note, ours included: '(This story has not been edited by ...)'."),
    _rule("copyright", r"(?:©|\(c\)|copyright\b|all rights reserved).{0,250}",
          "Copyright lines: '© 2026 ...', 'Copyright ...', '(c) Copyright Thomson Reuters ...'."),
    _rule("rights-reserved", r".{0,120}\ball rights reserved\.?",
          "'Thomson Reuters. All rights reserved.' as its own paragraph."),
    _rule("restrictions", r".{0,160}click for restrictions.{0,160}",
          "Reuters legal footer with a restrictions link."),
    _rule("contributed", r".{0,200}\bcontributed (?:to this (?:report|story|article)|reporting)"
          r".{0,120}",
          "AP/partner lines: 'Associated Press writer Jane Doe contributed to this report.'"),
    _rule("ap-trailer", r"\^?ap-[a-z]{2}-\d\d-\d\d-\d\d\s+\d{4}\s*gmt\s*<?",
          "AP ANPA trailer code: 'AP-WF-08-29-16 1626GMT'."),
    _rule("separator", r"[\s_\-=*#~.+]{3,}", "Separators: '___', '---', '###', '* * *'."),
    _rule("more-end", r"[-(\s]*(?:more|more to follow|ends?|end of story|nnnn)[-)\s.]*",
          "Take markers: '(MORE)', 'ENDS', '-30-' style lines."),
    _rule("signature", r"[^\s/.,;:!?()]{1,8}(?:\s?[^\s/.,;:!?()]{1,8})?"
          r"(?:/[^\s/.,;:!?()]{1,8}(?:\s[^\s/.,;:!?()]{1,8})?){1,5}",
          "AFP-style staff initials: 'bur-jm/dl', 'ffa/xyz', 'ففف/ح س/كام'."),
    _rule("follow", r"(?:follow|like)\s+(?:us|[\w@.]+)\s+on\s+(?:twitter|x|facebook|instagram|"
          r"threads|bluesky|linkedin)\b.{0,200}",
          "Social media plugs appended by publishers."),
    _rule("read-more", r"(?:read more|click here|sign up|download the app)\b.{0,200}"
          r"|(?:related|see also|more on this story|more from|subscribe)\s*[:>].{0,200}",
          "Publishers' cross-links and newsletter plugs."),
    _rule("keywords", r"(?:keywords?|tags?|topics?)\s*:.{0,300}", "Keyword and tag lines."),
)

LEAD_RULES: tuple[Rule, ...] = (
    _rule("byline", r"by\s+[^.!?\n]{2,80}", "Bylines left in the body: 'By JANE DOE'."),
    _rule("agency-name", r"(?:the\s+)?(?:associated press|reuters|agence france-presse|afp)\s*=?",
          "AP's second byline line: 'Associated Press'."),
    _rule("photo-line", r"(?:ap|afp|reuters)\s+(?:photos?|video)\b.{0,200}",
          "AP's photo lines: 'AP Photo XNP101, XNP102'."),
    _rule("eds-note", r"\(?\s*(?:eds|ed\.?\s*note|editor'?s note)\s*:.{0,400}",
          "Editors' notes: 'Eds: Updates with ...'. They describe the version, not the story."),
)

_AGENCIES = "|".join(re.escape(agency) for agency in AGENCY_CREDITS)
# "CHATHAM, Mass. (AP) _ ", "مدريد (أ ف ب) - ", "Berlin (dpa) - ": a dateline that ends with an
# agency credit needs no capitals to be recognised, so it catches what split_dateline leaves.
_AGENCY_DATELINE = re.compile(
    rf"^[^()\n]{{1,80}}?\(\s*(?:{_AGENCIES})\s*\)\s*(?:[-_:\u2013\u2014]+\s*)?",
)
_PARAGRAPH_SPLIT = re.compile(r"\n\s*\n|\n")


def strip_boilerplate(text: str) -> list[str]:
    """The story's own paragraphs: boilerplate paragraphs dropped, the dateline cut off.

    ``text`` is plain text with paragraphs on separate lines (what ``html_to_text`` returns).
    """
    paragraphs = [" ".join(p.split()) for p in _PARAGRAPH_SPLIT.split(text)]
    kept: list[str] = []
    for position, paragraph in enumerate(p for p in paragraphs if p):
        if _is_boilerplate(paragraph, lead=position < LEAD_PARAGRAPHS):
            continue
        if not kept:
            paragraph = strip_dateline(paragraph)
            if not paragraph:
                continue
        kept.append(paragraph)
    return kept


def _is_boilerplate(paragraph: str, *, lead: bool) -> bool:
    if len(paragraph) > MAX_BOILERPLATE_CHARS:
        return False
    rules = PARAGRAPH_RULES + LEAD_RULES if lead else PARAGRAPH_RULES
    return any(rule.matches(paragraph) for rule in rules)


def strip_dateline(paragraph: str) -> str:
    """The paragraph without a leading wire dateline, in either of the two recognised shapes."""
    dateline, rest = split_dateline(paragraph)
    if dateline:
        return rest.strip()
    match = _AGENCY_DATELINE.match(paragraph)
    return paragraph[match.end():].strip() if match else paragraph


def normalise_text(text: str) -> str:
    """The comparison form of a story's plain text: boilerplate removed, then folded."""
    return fold_for_compare(" ".join(strip_boilerplate(text)))


def comparison_tokens(text: str) -> list[str]:
    """The words of :func:`normalise_text`, in order: what shingles are built from."""
    return normalise_text(text).split()
