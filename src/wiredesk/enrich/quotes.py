"""Direct quotations and who said them, from a story's plain text.

Wire copy follows a handful of attribution conventions — ``"...," Biden said``, ``"...," said
Biden``, ``Biden told reporters: "..."``, ``according to X``, a bare quote paragraph that
continues the previous speaker, a quotation running over several paragraphs with no closing
mark until the last one — so a rule-based pass over quote marks, clause boundaries and a list of
speech verbs finds them reliably, in well under a millisecond per paragraph, with no model to
load. Speakers written as pronouns, surnames or roles are resolved to the full name the story
introduced (see :mod:`wiredesk.enrich.speakers`) so a later stage can map them to entities.

Partial quotations (``Biden called it a "hemispheric challenge", officials said``; ``The FBI
said on Wednesday it had "grave concerns" about the memo``) are quoted words embedded in the
reporter's own paraphrase. They are kept when the sentence attributes them to someone, with
``partial`` set and the whole reported clause as the text ("it had "grave concerns" about the
memo"), because the quoted words alone rarely stand on their own. They are **not
quotations to show**: a careful editor would not pull "grave concerns" out as a standalone
quote of the FBI, since only those two words are verbatim and the rest is the reporter's
summary; printed under a speaker's name as a quotation it claims more than the story does.
So the article page's Quotes block and a speaker's quote pages and feeds leave partial
quotes out, while the API keeps them with ``partial: true`` for consumers who want reported
speech. Scare quotes, titles and nicknames with no speech verb around them are not quotes
and are skipped.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from wiredesk.core.lexicon.folding import fold_accents
from wiredesk.core.lexicon.words import TITLES
from wiredesk.enrich.speakers import (
    PersonIndex,
    is_org_name,
    mask_abbreviations,
    sentence_starts,
)

__all__ = ["Quote", "extract_quotes"]


def _words(text: str) -> frozenset[str]:
    """A word list written as one whitespace-separated string (easier to read and extend)."""
    return frozenset(text.split())


@dataclass(frozen=True, slots=True)
class Quote:
    """One quotation.

    ``text`` is the quoted words without the outer quote marks (for a partial quote, the
    reported clause with its inner marks); ``start``/``end`` delimit it in the source text,
    marks included. ``speaker`` is the speaker's full name as the story writes it ("Joe Biden"
    for a later "Biden" or "he"), or a noun phrase such as "police" when no person is named,
    or "" when unknown; ``speaker_start``/``speaker_end`` point at the attributing mention
    (the "he" or "Biden" next to the quote), or are -1 when there is none. ``verb`` is the
    speech verb as written ("said", "told"), "" for unattributed continuation quotes. A
    quotation running over several paragraphs is returned one paragraph per ``Quote``, all with
    the same speaker. ``partial`` marks quoted words inside reported speech: kept for the API,
    never shown as a standalone quotation (see the module docstring).
    """

    text: str
    speaker: str
    speaker_start: int
    speaker_end: int
    start: int
    end: int
    verb: str
    partial: bool = False


_VERB_WORDS = """
said says say saying told tells tell telling added adds adding asked asks explained explains
explaining noted notes noting stated states wrote writes writing argued argues claimed claims
insisted insists warned warns warning acknowledged acknowledges conceded concedes continued
continues recalled recalls recalling declared declares announced announces replied replies
responded responds admitted admits suggested suggests urged urges emphasized emphasised
emphasizes emphasises stressed stresses observed observes remarked remarks commented comments
tweeted tweets posted posts joked jokes quipped quips testified testifies predicted predicts
cautioned cautions reiterated reiterates countered counters agreed agrees complained complains
lamented laments recounted recounts maintained maintains concluded concludes confirmed
confirms shouted shouts yelled yells screamed whispered exclaimed mused muses boasted boasts
chanted chants repeated repeats wondered wonders asserted asserts contended contends charged
alleged alleges vowed vows promised promises pledged pledges texted emailed offered offers
explain read reads
"""
_VERBS = sorted(set(_VERB_WORDS.split()), key=len, reverse=True)
_VERB_ALT = "|".join([*_VERBS, "pointed out", "points out", "went on", "goes on"])
_VERB_RE = re.compile(rf"\b(?:{_VERB_ALT})\b")
_ADV = (
    r"(?:(?:also|later|then|once|previously|recently|simply|just|further|has|had|have|would"
    r"|will|\w+ly)\s+)"
)

_DETERMINERS = _words(
    """
    the a an his her their its our one another some many both several two three four
    most other few this that these those each
    """
)
_SUBJ_PRONOUNS = _words(
    """
    he she they it i we
    """
)
_BAD_NP_WORDS = _words(
    """
    that which who whom whose when where while because if but and then than as not no
    there here this is was were are be been what how
    """
)
_NON_SPEAKER = _words(
    """
    monday tuesday wednesday thursday friday saturday sunday today yesterday tonight
    earlier later recently previously again once also last this next
    """
)
_ABBREV = _words(
    """
    mr mrs ms dr st jr sr no gov sen rep gen lt col capt sgt inc corp co ltd vs prof rev
    det jan feb mar apr jun jul aug sep sept oct nov dec ave blvd mt ft
    """
)

_OPENERS = "“«„"
_CLOSERS = "”»"
_PARA = re.compile(r"(?:[^\n]|\n(?![ \t]*\n))+")
_SENT_END = re.compile(r"[.!?]+[\"”’)]*\s+(?=[\"“‘(]?[A-Z0-9])")  # noqa: RUF001


def _sentence_breaks(text: str, lo: int, hi: int) -> list[int]:
    """Offsets in text[lo:hi] just after a sentence end (abbreviations and initials excluded)."""
    out = []
    # Search a little past ``hi`` so the look-ahead can see the opening mark of the next quote.
    for m in _SENT_END.finditer(text, lo, min(len(text), hi + 2)):
        if m.end() > hi:
            break
        out.append(m.end())
    return out


def _quote_marks(text: str, lo: int, hi: int, carried: bool) -> list[tuple[int, int]]:
    """Pair the double quote marks of one paragraph into (open, close) offsets.

    ``close`` is -1 for a quotation still open at the paragraph's end; ``open`` is -1 when the
    paragraph starts inside a quotation carried over from the previous paragraph (``carried``)
    and the first mark closes it.
    """
    spans: list[tuple[int, int]] = []
    open_at: int | None = None
    first = True
    for i in range(lo, hi):
        ch = text[i]
        if ch not in '"“”«»„':
            continue
        prev = text[i - 1] if i > lo else " "
        nxt = text[i + 1] if i + 1 < hi else " "
        looks_closing = not prev.isspace() and (nxt.isspace() or nxt in ",.;:!?)—-")
        if first and carried and (ch in _CLOSERS or (ch == '"' and looks_closing)):
            spans.append((-1, i))
            first = False
            continue
        first = False
        if open_at is None:
            if ch in _CLOSERS and looks_closing:
                continue  # stray closer
            open_at = i
        elif ch in _OPENERS and not looks_closing:
            open_at = i  # unbalanced opener: restart from the newer mark
        else:
            spans.append((open_at, i))
            open_at = None
    if open_at is not None:
        spans.append((open_at, -1))
    return spans


@dataclass(slots=True)
class _Seg:
    """A quoted stretch inside one paragraph, with its clause context."""

    open: int  # offset of the opening mark (or paragraph start when carried)
    close: int  # offset just after the closing mark (or paragraph end when still open)
    inner_start: int
    inner_end: int
    pre: str
    pre_start: int
    post: str
    post_start: int
    carried_in: bool
    carried_out: bool


_NP_SPLIT = re.compile(r"(?:[,;:()\"“”—]|\s-\s|\b(?:and|but|that|as|so|because|while|when)\b)")


def _np_before(text: str) -> tuple[str, int]:
    """The subject noun phrase at the end of ``text`` (just before a speech verb) and its offset.

    Handles an appositive between subject and verb ("Smith, a spokesman for X, said").
    """
    stripped = text.rstrip()
    if stripped.endswith(","):
        # The appositive may carry a relative clause of its own ("Donald Tusk, the president
        # of the European Council, which represents EU leaders, urged"): the subject is still
        # the name before the first comma (rule developed on GGT dev article 39, fold B).
        m = re.search(
            r"^(.*?[^\s,])\s*,\s*[^,\"“”]{2,120}"
            r"(?:,\s*(?:which|who|whose|where)\b[^,\"“”]{2,120})?,$",
            stripped,
        )
        if m and m.group(1)[-1:].isalnum():
            stripped = m.group(1)
    pieces = list(_NP_SPLIT.finditer(stripped))
    start = pieces[-1].end() if pieces else 0
    np_text = stripped[start:]
    lead = len(np_text) - len(np_text.lstrip())
    return np_text.strip(), start + lead


_DOC_NOUNS = _words(
    """
    statement letter email e-mail post tweet note message memo release report sign
    notice filing submission document website
    """
)
_PERSON_NOUNS = _words(
    """
    professor republican democrat liberal conservative veteran man woman father mother
    son daughter coach player official spokesman spokeswoman spokesperson lawyer founder
    owner executive researcher scientist expert economist analyst politician mp mla
    candidate athlete star singer actor actress author writer chef doctor physician
    nurse teacher
    """
)


def _valid_np(np_text: str, verb: str = "") -> bool:
    """Does this look like a speaker: pronoun, name, or a short determiner-led noun phrase."""
    words = np_text.split()
    if not 1 <= len(words) <= 8:
        return False
    low = [fold_accents(w) for w in words]
    if verb in ("read", "reads") and low[-1] not in _DOC_NOUNS:
        return False  # "a statement read", not "she read"
    if any(w in _BAD_NP_WORDS for w in low[1:]) or low[0] in _BAD_NP_WORDS - {"this", "that"}:
        return False
    if low[-1].strip(".") in _NON_SPEAKER:
        return False
    if len(words) == 1 and low[0] in _SUBJ_PRONOUNS:
        return True
    if any(w[:1].isupper() for w in words):
        return True
    if low[0] in _DETERMINERS:
        return True
    return len(words) <= 2 and (low[-1].endswith("s") or low[-1] in ("police", "staff"))


_QUOTED_AS = r"(?:(?:was|were|is|has been) quoted as\s+)?"
_POST_NP_VERB = re.compile(
    rf"^[\s,]*(?P<np>[^,.;:!?\"“”()]{{1,80}}?)\s+{_QUOTED_AS}{_ADV}{{0,2}}(?P<v>{_VERB_ALT})\b"
)
_POST_NP_APPOS_VERB = re.compile(
    rf"^[\s,]*(?P<np>[A-Z][^,.;:!?\"“”()]{{0,60}}?)\s*,\s*[^\"“”]{{2,120}}?,\s*{_ADV}{{0,2}}"
    rf"(?P<v>{_VERB_ALT})\b"
)
_POST_VERB_NP = re.compile(
    rf"^[\s,]*(?P<v>{_VERB_ALT})\s+(?P<np>[^,.;:!?\"“”()]{{1,80}}?)"
    r"(?=\s*(?:[,.;:!?\"“”()]|$|\s(?:in|on|at|during|after|before|who|when|while|as|to|of|"
    r"from|via|last|this|earlier|late|Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|"
    r"Sunday|with|about|told|adding|according)\b))"
)
_ACCORDING = re.compile(
    r"\baccording to\s+(?P<np>[^,.;:!?\"“”()]{2,80}?)"
    r"(?=\s*(?:[,.;:!?\"“”()]|$|\s(?:in|on|at|who)\b))"
)


# What sits between a speech verb and the reported clause: "said on Wednesday that it had"
# -> "it had". The time belongs to the saying, not to what was said.
_REPORTED_LEAD = re.compile(
    r"[\s,]*(?:(?:on\s+)?(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday"
    r"|yesterday|today|earlier|later|last\s+(?:week|month|year|night))\s*,?\s+)?(?:that\s+)?"
)


def _ends_sentence(inner: str, post: str) -> bool:
    """Do the quoted words end their sentence: a final stop inside the marks, then a capital."""
    return inner.rstrip().endswith((".", "!", "?")) and bool(re.match(r"\s+[A-Z]", post))


# Heads of descriptions that stand for an organisation named earlier ("the company said").
_ORG_HEADS = _words(
    """
    company firm agency department ministry organization organisation group union bureau
    corporation carrier airline retailer automaker broadcaster charity
    """
)
# A sentence subject that names an organisation: "(The) Capitalised Words" and then a verb.
_ORG_SUBJECT = re.compile(
    r"(?:The\s+)?(?P<name>(?P<first>[A-Z][\w.\u2024&'’\-]*)(?:\s+(?:of\s+|for\s+|and\s+)?"  # noqa: RUF001
    r"[A-Z][\w.\u2024&'’\-]*)*)\s+(?:also\s+|has\s+|had\s+)?"  # noqa: RUF001
    rf"(?:{_VERB_ALT}|\w+ed|has|had|is|was|will|would|declined)\b"
)
# Capitalised sentence openers that are not names.
_NOT_ORG_START = _words(
    """
    but and so still yet while when if as after before in on at for from with by during
    however meanwhile earlier later this that these those it its he she they we i there
    read watch what why how who
    """
)


class _Extractor:
    def __init__(self, text: str, people: Sequence[str]) -> None:
        self.text = text
        self.masked = mask_abbreviations(text)
        self.people = people
        self.segs: list[list[_Seg]] = []
        self._find_segments()
        quoted = [(s.inner_start, s.inner_end) for par in self.segs for s in par]
        self.index = PersonIndex(text, people, quoted)
        self.last_speaker = ""
        self.last_speaker_pos = -1

    # -- segmentation -------------------------------------------------------------------------

    def _find_segments(self) -> None:
        text = self.masked
        carried = False
        for pm in _PARA.finditer(text):
            lo, hi = pm.start(), pm.end()
            while lo < hi and text[lo].isspace():
                lo += 1
            while hi > lo and text[hi - 1].isspace():
                hi -= 1
            if lo >= hi:
                continue
            starts_with_quote = text[lo] in '"“«„'
            marks = _quote_marks(text, lo, hi, carried and not starts_with_quote)
            if carried and not starts_with_quote and not (marks and marks[0][0] == -1):
                carried = False
            par: list[_Seg] = []
            for j, (o, c) in enumerate(marks):
                carried_in = o == -1
                carried_out = c == -1
                open_pos = lo if carried_in else o
                inner_start = lo if carried_in else o + 1
                inner_end = hi if carried_out else c
                close_pos = hi if carried_out else c + 1
                prev_close = par[-1].close if par else lo
                pre_lo = prev_close
                breaks = _sentence_breaks(text, pre_lo, open_pos)
                pre_start = breaks[-1] if breaks else pre_lo
                next_open = marks[j + 1][0] if j + 1 < len(marks) else hi
                post_hi = next_open if next_open != -1 else hi
                post_breaks = _sentence_breaks(text, close_pos, post_hi)
                post_end = post_breaks[0] if post_breaks else post_hi
                par.append(
                    _Seg(
                        open_pos, close_pos, inner_start, inner_end,
                        text[pre_start:open_pos], pre_start,
                        text[close_pos:post_end], close_pos,
                        carried_in, carried_out,
                    )
                )
            carried = bool(par) and par[-1].carried_out
            self.segs.append(par)

    # -- speakers -----------------------------------------------------------------------------

    def _speaker(self, np_text: str, pos: int) -> tuple[str, int, int]:
        """Resolve a speaker noun phrase found at ``pos`` to (full form, mention start, end)."""
        np_text = self.text[pos : pos + len(np_text)].strip()
        np_text = re.sub(r"^(?:[Ss]aid|[Tt]old)\s+", "", np_text)
        end = pos + len(np_text)
        low = fold_accents(np_text)
        if low in ("he", "she"):
            who = self.index.resolve_pronoun(low, pos)
            return who, pos, end
        if low in ("they", "it", "we", "i"):
            if self.last_speaker and self.last_speaker not in self.index.persons:
                return self.last_speaker, pos, end
            return "", pos, end
        inside = [m for m in self.index.mentions if pos <= m.start < end]
        # "MaRS director Adam Jagelewski": the person is the last name in the phrase; a lone
        # capitalised word ("the Canadian prime minister") is no name at all.
        people = [m for m in inside if self.index.is_person(m.full) or " " in m.full]
        if people or (inside and not fold_accents(np_text).startswith(("the ", "a ", "an "))):
            m = (people or inside)[-1]
            self.index.note_subject(m.full, m.start)
            return m.full, m.start, m.end
        words = low.split()
        if len(words) == 2 and words[0] in ("his", "her") and words[1] in _DOC_NOUNS:
            # "her statement read": the statement's author is who "she" refers to.
            who = self.index.resolve_pronoun("he" if words[0] == "his" else "she", pos)
            if who:
                return who, pos, end
        if words and words[-1] in TITLES:
            who = self.index.resolve_role(np_text, pos)
            if who:
                return who, pos, end
        head = words[-1].strip(",") if words else ""
        if words and words[0] == "the" and head in _ORG_HEADS:
            # "the company said": the organisation a recent sentence had as its subject.
            org = self._recent_org_subject(pos)
            if org:
                return org, pos, end
        if words and words[0] == "the" and (head in TITLES or head in _PERSON_NOUNS
                                            or re.fullmatch(r"\d+-year-old", head)):
            # "the Kentucky Republican said": a definite description of the person in focus.
            who = self.index.focus_person(pos)
            if who:
                return who, pos, end
        caps = re.findall(r"\b[A-Z][\w'’.\-]*(?:\s+[A-Z][\w'’.\-]*)*", np_text)  # noqa: RUF001
        if caps and (len(caps[0].split()) > 1 or np_text == caps[0]):
            name = re.sub(r"['’]s$", "", caps[0])  # noqa: RUF001
            return self.index.full_name(name, pos), pos, end
        return np_text, pos, end

    def _recent_org_subject(self, pos: int) -> str:
        """The organisation a definite description ("the company", "the agency") refers to.

        Wire copy names an organisation as a sentence's subject ("Google said Thursday...",
        "The U.S. State Department called for...") and then calls it "the company" / "the
        agency" when quoting it. So: the capitalised subject, followed by a verb, of one of
        the three sentences before the quote's, the most recent first; never a person, never
        a name in a quotation. Found nothing: the description stays as written, which is
        better than a wrong name. (Rule developed on GGT dev articles 13, fold B, and 16,
        fold A.)
        """
        lo = max(0, pos - 1500)
        # Sentences, and paragraphs: a heading line ("WATCH: ...") has no full stop.
        found = {st for st in sentence_starts(self.masked, lo, pos) if st > lo or lo == 0}
        found.update(lo + m.end() for m in re.finditer(r"\n\s*(?=\S)", self.masked[lo:pos]))
        starts = sorted(st for st in found if not self.index.in_quotation(st))
        for st in list(reversed(starts))[1:4]:
            m = _ORG_SUBJECT.match(self.masked, st)
            if m is None or fold_accents(m.group("first")) in _NOT_ORG_START:
                continue
            name = self.text[m.start("name") : m.end("name")]
            if not is_org_name(name) and self.index.is_person(
                self.index.full_name(name, m.start("name"))
            ):
                continue  # two capitalised words with nothing saying "organisation": a person
            return name
        return ""

    def _orig(self, start: int, masked: str) -> str:
        """The original text behind a span of the masked copy."""
        return self.text[start : start + len(masked)]

    def _attrib_post(self, seg: _Seg, anywhere: bool = False) -> tuple[str, int, str] | None:
        """Attribution right after a quote: ``, Biden said`` / ``, said Biden``.

        With ``anywhere``, also after a later comma of the same sentence (a partial quote:
        ``... "enhanced measures" to address crossings, Biden said``).
        """
        hit = self._attrib_post_at(seg.post, seg.post_start)
        if hit is None and anywhere:
            for c in re.finditer(r",\s", seg.post):
                hit = self._attrib_post_at(seg.post[c.start() :], seg.post_start + c.start())
                if hit is not None:
                    break
        return hit

    def _attrib_post_at(self, post: str, post_start: int) -> tuple[str, int, str] | None:
        for pat in (_POST_NP_APPOS_VERB, _POST_NP_VERB):
            m = pat.match(post)
            if m and _valid_np(m.group("np"), m.group("v")):
                return self._orig(post_start + m.start("np"), m.group("np")), (
                    post_start + m.start("np")), m.group("v")
        m = _POST_VERB_NP.match(post)
        if (
            m
            and m.group("v") not in ("read", "reads")
            and _valid_np(m.group("np"))
            and fold_accents(m.group("np")) not in _SUBJ_PRONOUNS - {"he", "she"}
        ):
            return self._orig(post_start + m.start("np"), m.group("np")), (
                post_start + m.start("np")), m.group("v")
        m = _ACCORDING.search(post)
        if m and _valid_np(m.group("np")):
            return self._orig(post_start + m.start("np"), m.group("np")), (
                post_start + m.start("np")), "according to"
        return None

    def _attrib_pre(self, seg: _Seg, introduces: bool) -> tuple[str, int, str, int] | None:
        """Attribution before a quote: ``Biden said: "``; for partial quotes ``Biden said that``.

        Returns (noun phrase, its offset, verb, offset just after the verb clause).
        """
        pre = seg.pre
        best = None
        for m in _VERB_RE.finditer(pre):
            rest = pre[m.end() :]
            if introduces:
                tail = re.match(r"^[^\"“”.;!?]{0,60}?[,:]?\s*$", rest)
                if not tail or len(rest.split()) > 8:
                    continue
            before = pre[: m.start()]
            adv = re.search(rf"\s{_ADV}{{1,2}}$", " " + before)
            if adv:
                before = before[: len(before) - (len(adv.group()) - 1)]
            np_text, off = _np_before(before)
            if np_text and _valid_np(np_text, m.group()):
                best = (np_text, seg.pre_start + off, m.group(), seg.pre_start + m.end())
            elif introduces:
                vm = _POST_VERB_NP.match(pre[m.start() :])
                if vm and m.group() not in ("read", "reads") and _valid_np(vm.group("np")):
                    best = (
                        vm.group("np"), seg.pre_start + m.start() + vm.start("np"),
                        m.group(), seg.pre_start + m.start() + vm.end(),
                    )
        if best is None:
            m2 = _ACCORDING.search(pre)
            if m2 and _valid_np(m2.group("np")):
                best = (m2.group("np"), seg.pre_start + m2.start("np"), "according to", -1)
        return best

    # -- main loop ----------------------------------------------------------------------------

    def run(self) -> list[Quote]:
        out: list[Quote] = []
        text = self.text
        pending: list[int] = []  # indexes into out of quotes still waiting for a speaker
        for par in self.segs:
            chain_speaker: tuple[str, int, int, str] | None = None
            for k, seg in enumerate(par):
                inner = text[seg.inner_start : seg.inner_end].strip()
                words = re.findall(r"[\w'’]+", inner)  # noqa: RUF001
                if not words:
                    continue
                pre = seg.pre.strip()
                sentence_initial = seg.carried_in or not pre or pre.endswith(("—", "–", "-", "…"))  # noqa: RUF001
                introduced = bool(re.search(r"[,:]\s*$", seg.pre)) or bool(
                    re.search(rf"\b(?:{_VERB_ALT})\s*$", seg.pre)
                )
                post_attr = self._attrib_post(seg)
                pre_attr = None
                partial = False
                if not sentence_initial:
                    pre_attr = self._attrib_pre(seg, introduces=True) if introduced else None
                    if pre_attr is None:
                        partial = True
                q_start, q_end = seg.open, seg.close
                qtext = inner
                verb = ""
                speaker: tuple[str, int, int] | None = None
                if partial:
                    # The attribution right after the quoted words wins over a verb further back
                    # ("... how to read labels, "was an eye-opener" Smith says").
                    post_attr = self._attrib_post(seg, anywhere=True)
                    if _ends_sentence(inner, seg.post):
                        # 'Facebook said it is "up and running." The company noted ...': the
                        # words after the closing mark start a new sentence, so its verb is
                        # not this quote's (rule developed on GGT dev article 13, fold B).
                        post_attr = None
                    if post_attr is not None:
                        q_start, q_end = seg.pre_start, post_attr[1]
                        speaker = self._speaker(post_attr[0], post_attr[1])
                        verb = post_attr[2]
                    else:
                        pre_attr = self._attrib_pre(seg, introduces=False)
                        if pre_attr is None:
                            continue  # scare quotes, a title, a nickname: no speaker in sight
                        q_start = seg.pre_start
                        q_end = seg.post_start + len(seg.post.rstrip())
                        if pre_attr[3] >= 0:
                            m = _REPORTED_LEAD.match(text[pre_attr[3] :])
                            q_start = min(pre_attr[3] + (m.end() if m else 0), seg.open)
                        speaker = self._speaker(pre_attr[0], pre_attr[1])
                        verb = pre_attr[2]
                    qtext = self.text[q_start:q_end].strip(" ,;:-—")
                    q_end = q_start + len(self.text[q_start:q_end].rstrip(" ,;:-—"))
                elif sentence_initial and post_attr is None and not self._is_speech(inner, words):
                    continue
                elif pre_attr is not None:
                    speaker = self._speaker(pre_attr[0], pre_attr[1])
                    verb = pre_attr[2]
                elif post_attr is not None:
                    speaker = self._speaker(post_attr[0], post_attr[1])
                    verb = post_attr[2]
                if speaker is None and k > 0 and chain_speaker is not None:
                    # "A," he said. "B." -> B continues the same speaker within the paragraph.
                    speaker = chain_speaker[:3]
                quote = Quote(
                    qtext.strip(), speaker[0] if speaker else "",
                    speaker[1] if speaker else -1, speaker[2] if speaker else -1,
                    q_start, q_end, verb, partial,
                )
                if partial and out and out[-1].start == q_start:
                    continue  # several fragments in one attributed clause
                out.append(quote)
                if speaker is not None and speaker[0]:
                    chain_speaker = (*speaker, verb)
                    for i in pending:
                        prev = out[i]
                        out[i] = Quote(prev.text, speaker[0], speaker[1], speaker[2],
                                       prev.start, prev.end, prev.verb, prev.partial)
                    pending.clear()
                    self.last_speaker = speaker[0]
                    self.last_speaker_pos = q_start
                else:
                    pending.append(len(out) - 1)
            if par and par[-1].carried_out:
                continue  # the quotation goes on: its attribution may come in a later paragraph
            self._settle(out, pending)
        self._settle(out, pending)
        return out

    def _settle(self, out: list[Quote], pending: list[int]) -> None:
        """Give quotes no attribution claimed to the previous speaker.

        A bare quote paragraph after "..., she said." continues her words; beyond a few
        paragraphs that guess is no better than none, so the speaker stays empty.
        """
        for i in pending:
            prev = out[i]
            reported = self._reported_before(prev.start)
            if reported is not None and reported[1] > self.last_speaker_pos:
                who, s_start, s_end = self._speaker(*reported)
                if who:
                    out[i] = Quote(prev.text, who, s_start, s_end,
                                   prev.start, prev.end, prev.verb, prev.partial)
                    self.last_speaker, self.last_speaker_pos = who, s_start
                    continue
            if self.last_speaker and prev.start - self.last_speaker_pos < 3000:
                out[i] = Quote(prev.text, self.last_speaker, -1, -1,
                               prev.start, prev.end, prev.verb, prev.partial)
        pending.clear()

    def _reported_before(self, pos: int) -> tuple[str, int] | None:
        """Subject of the sentence just before ``pos`` when it reports speech.

        ``Tim Guest says there are many reasons.`` followed by a bare quote paragraph: the
        quote is his, even though the last *quotation* was someone else's.
        """
        lo = max(0, pos - 600)
        chunk = self.masked[lo:pos].rstrip(" \n\t\"“")
        starts = list(re.finditer(r"(?:^|[.!?][\"”’)]*\s+|\n\s*)(?=[A-Z])", chunk))  # noqa: RUF001
        if not starts:
            return None
        sent_start = starts[-1].end()
        sentence = chunk[sent_start:]
        if any(ch in sentence for ch in '"“”'):
            return None
        m = re.match(rf"(?:(?:But|And|So|Still|Now),?\s+)?(?P<np>[^,;:]{{1,60}}?)\s+{_ADV}{{0,2}}"
                     rf"(?:{_VERB_ALT})\b", sentence)
        if m is None or not _valid_np(m.group("np")):
            return None
        return m.group("np"), lo + sent_start + m.start("np")

    @staticmethod
    def _is_speech(inner: str, words: list[str]) -> bool:
        """A bare quotation worth keeping: a few words and not a Title Cased name or title."""
        if len(words) < 3:
            return False
        caps = sum(1 for w in words if w[:1].isupper())
        return not (caps / len(words) > 0.6 and not inner.rstrip().endswith((".", "?", "!")))


def extract_quotes(text: str, people: Sequence[str] = ()) -> list[Quote]:
    """Direct (and attributed partial) quotations in ``text``, in reading order.

    ``people`` are person names an entity recogniser already found; they become the full
    forms speakers resolve to. Without them, capitalised word runs stand in for names.
    """
    if not text or not any(ch in text for ch in '"“”«»'):
        return []
    return _Extractor(text, people).run()
