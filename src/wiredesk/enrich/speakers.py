"""Who is being talked about: person mentions, titles and light coreference for quote speakers.

Quote attribution needs three things a full NLP pipeline would normally supply: where the
people in a story are mentioned, which full name a bare surname ("Biden") or a role
("the Mexican president") refers to, and which person a pronoun ("she said") points back to.
This module does that with a capitalised-name heuristic plus small hand-written word lists, so
it stays fast (one regex pass per story) and dependency-free. When an entity recogniser has
already found the people, their names are used as the authoritative full forms.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from wiredesk.core.lexicon.folding import fold_accents
from wiredesk.core.lexicon.words import MONTH_ABBREVIATIONS, MONTHS, TITLES, WEEKDAYS, lower

__all__ = [
    "MASK",
    "PRONOUNS",
    "Mention",
    "PersonIndex",
    "mask_abbreviations",
    "pronoun_gender",
    "sentence_starts",
    "split_title",
]


def _words(text: str) -> frozenset[str]:
    """A word list written as one whitespace-separated string (easier to read and extend)."""
    return frozenset(text.split())

# Capitalised words that often precede a name (nationalities, places, institutions) and are
# dropped when they come before a title: "Mexican President Andres ...", "U.S. Vice President".
_NOT_NAME_START = _words(
    """
    the a an in on at but and or so if when while as after before despite for from with
    without this that these those it he she they we i his her their our its there here
    then now yes no meanwhile however also still even earlier later last next today
    tonight yesterday tomorrow mr mrs ms dr by of to
    according asked says said told like unlike under over during since until both all
    some many several other another every each why what who how where which dear hi
    hello oh well ok okay please thank thanks sources police officials
    """
) | frozenset(lower(WEEKDAYS + MONTHS + MONTH_ABBREVIATIONS))
_ORG_WORDS = _words(
    """
    inc corp corporation co ltd llc plc party ministry university college school council
    department service services news house office court commission association bank
    group committee board agency authority institute foundation society union league
    club team hospital centre center church government parliament senate congress
    assembly police times post press journal tribune herald star globe mail network
    radio tv television airlines airways motors company federation organization
    organisation coalition alliance fund trust program programme project initiative
    summit conference festival museum airport station street avenue road river lake
    mountain island city county province state states kingdom republic nations canada
    america administration cabinet force forces army navy unit reuters
    """
)
# A name right after these words is not the sentence's subject ("told by X", "if X returns").
_NOT_BEFORE_SUBJECT = _words(
    """
    of from with to by for about at in on and than like against after before if when
    while because as since though although unless whether where once until
    """
)
# First words of capitalised runs that start place names, not people ("British Columbia").
_NOT_PERSON_FIRST = _words(
    """
    north south east west new saint san santa los las fort port mount lake cape upper
    lower great united central northern southern eastern western greater old
    """
)
# Last words of capitalised runs that name things rather than people.
_NOT_PERSON_LAST = _words(
    """
    day eve week studies legislature electronics county region district valley bay beach
    airport hotel mall hospital arena stadium centre center bridge highway square plaza
    cup open championship games olympics tour series awards prize act bill law code
    report republican republicans democrat democrats liberal liberals conservative
    conservatives greens ndp
    """
)
_PARTICLES = _words(
    """
    de da dos das del della van von der den ter ten bin al el la le du di st
    """
)
_ABBREV_KEEP_DOT = _words(
    """
    jr sr dr mr mrs ms st gen lt sgt capt col gov sen rep rev prof det
    """
)

PRONOUNS = _words(
    """
    he she they him her them
    """
)
_MALE_WORDS = _words(
    """
    mr he his him man boy father dad son husband brother uncle king prince spokesman
    chairman businessman congressman councilman grandfather nephew actor sir lord
    """
)
_FEMALE_WORDS = _words(
    """
    mrs ms miss she her woman girl mother mom mum daughter wife sister aunt queen
    princess spokeswoman chairwoman businesswoman congresswoman councilwoman grandmother
    niece actress lady dame
    """
)
# A short list of very common given names, used only as weak gender evidence when the story
# itself offers none (no honorific, no pronoun right after the first mention).
_MALE_NAMES = _words(
    """
    aaron adam alan albert alex alexander andrew andres andy anthony antonio ben
    benjamin bill bob brad brian bruce carl carlos charles chris christopher craig dan
    daniel david dennis doug donald douglas ed edward eric frank gary george greg
    gregory harry henry ian jack jacob james jason jean jeff jeffrey jerry jim jimmy joe
    john jon jonathan jorge jose joseph juan justin keith ken kevin larry luis mark
    martin matt matthew michael mike nicholas nick patrick paul peter philip pierre
    ralph richard rick rob robert roger ron ronald ryan sam samuel scott sean stephen
    steve steven thomas tim timothy todd tom tony trevor vladimir walter wayne william
    xi doug dominic francois emmanuel boris narendra jagmeet andrew erin shinzo kim
    seamus
    """
)
_FEMALE_NAMES = _words(
    """
    alice alison amanda amy andrea angela ann anna anne barbara betty beth brenda carol
    caroline catherine chrystia christine claire cynthia deborah debra diana donna
    dorothy elizabeth ellen emily emma helen jane janet jennifer jessica jill joan
    joanne joyce judith julia julie karen kate katherine kathleen kathryn kamala laura
    linda lisa lori margaret maria marie mary melanie melissa michelle nancy natalie
    nicole pamela patricia rachel rebecca ruth sandra sarah sharon sheila shirley
    stephanie susan theresa teresa tracy victoria virginia wendy hillary angela
    christine ursula marine jacinda kathleen rachel catherine elizabeth nadia carolyn
    """
)

_WORD = re.compile(r"[\w'’.\-]+")  # noqa: RUF001
_POSSESSIVE = re.compile(r"(?:['’]s|['’])$")  # noqa: RUF001


_ABBREV_DOT = re.compile(
    r"\b(?:Mr|Mrs|Ms|Dr|St|Jr|Sr|Gov|Sen|Rep|Gen|Lt|Col|Capt|Sgt|Prof|Rev|Det|Const|Supt|Insp"
    r"|Cpl|Maj|Adm|Ft|Mt|No|Nos|Inc|Corp|Co|Ltd|vs|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov"
    r"|Dec|[A-Z])\.(?=[ \t]?\S)"
)
MASK = "\u2024"  # one-dot leader: same length as ".", never a sentence end


def mask_abbreviations(text: str) -> str:
    """Replace the dots of titles, initials and abbreviations ("Rep.", "U.S.", "J.") with a
    look-alike so sentence and clause regexes do not stop there. Offsets are unchanged."""
    return _ABBREV_DOT.sub(lambda m: m.group()[:-1] + MASK, text)


def sentence_starts(masked: str, lo: int, hi: int) -> list[int]:
    """Offsets in masked[lo:hi] where a sentence starts (``lo`` included)."""
    out = [lo]
    for m in re.finditer(r"[.!?]+[\"”’)]*\s+(?=[\"“‘(]?[A-Z0-9])", masked[lo:hi]):  # noqa: RUF001
        out.append(lo + m.end())
    return out


def pronoun_gender(word: str) -> str:
    """Gender a third-person pronoun implies: "m", "f", "p" (plural) or "" (none)."""
    w = word.lower()
    if w in ("he", "him", "his"):
        return "m"
    if w in ("she", "her", "hers"):
        return "f"
    if w in ("they", "them", "their"):
        return "p"
    return ""


def is_org_name(name: str) -> bool:
    """Does a capitalised name end in a word only organisations' names end in ("Authority")."""
    words = name.split()
    return bool(words) and fold_accents(words[-1]).strip(".") in _ORG_WORDS


def _is_cap(word: str) -> bool:
    return bool(word) and word[0].isupper()


def _clean(word: str) -> str:
    """Drop a possessive and a sentence-final dot; initials and abbreviations keep theirs."""
    word = _POSSESSIVE.sub("", word)
    if word.endswith(".") and not word.endswith(".."):
        core = word[:-1]
        if not (len(core) == 1 or fold_accents(core) in _ABBREV_KEEP_DOT or "." in core):
            word = core
    return word.strip("-")


def split_title(tokens: Sequence[str]) -> tuple[list[str], list[str]]:
    """Split a capitalised run into (role words, name words) at its last title word.

    "Mexican President Andres Manuel Lopez Obrador" -> (["mexican", "president"],
    ["Andres", "Manuel", "Lopez", "Obrador"]). Runs without a title keep every word as name,
    minus leading sentence words such as "The" or "In".
    """
    last_title = -1
    for i, tok in enumerate(tokens[:-1]):
        if fold_accents(tok).rstrip(".") in TITLES:
            last_title = i
    role = [fold_accents(t).rstrip(".") for t in tokens[: last_title + 1]]
    name = list(tokens[last_title + 1 :])
    while name and fold_accents(name[0]).rstrip(".") in _NOT_NAME_START:
        name.pop(0)
    return role, name


@dataclass(slots=True)
class Mention:
    """One mention of a person: where, as written, its resolved full form, and context."""

    start: int
    end: int
    written: str
    full: str
    role: tuple[str, ...] = ()
    gender: str = ""
    quoted: bool = False


@dataclass(slots=True)
class _Person:
    full: str
    tokens: tuple[str, ...]
    role: set[str] = field(default_factory=set)
    votes: dict[str, int] = field(default_factory=dict)
    first_seen: int = 0
    spoke: bool = False
    thing: bool = False


class PersonIndex:
    """Person mentions in one story, in order, with full-name and gender resolution.

    Built once per story; lookups are linear in the number of mentions, which stays small.
    """

    def __init__(
        self,
        text: str,
        people: Sequence[str] = (),
        quoted: Sequence[tuple[int, int]] = (),
    ) -> None:
        self.text = text
        self._masked = mask_abbreviations(text)
        self._quoted = sorted(quoted)
        self._persons: dict[str, _Person] = {}
        self.mentions: list[Mention] = []
        self._known = [p.strip() for p in people if p and p.strip()]
        self._short_used: set[str] = set()
        self._scan()
        # Sentence subjects, in order: (offset, full name or "", pronoun gender or "").
        self._events: list[tuple[int, str, str]] = []
        self._find_subjects()
        self._events.sort()
        self._ev_i = 0
        self._focus: dict[str, tuple[int, str]] = {}

    # -- construction -------------------------------------------------------------------------

    def _in_quote(self, pos: int) -> bool:
        return any(a <= pos < b for a, b in self._quoted)

    def in_quotation(self, pos: int) -> bool:
        """Is ``pos`` inside one of the story's quotations."""
        return self._in_quote(pos)

    def _runs(self) -> Iterable[list[tuple[int, int, str]]]:
        """Yield maximal runs of capitalised words (with inner particles) as (start, end, word)."""
        text = self.text
        run: list[tuple[int, int, str]] = []
        prev_end = -1
        prev_raw = ""
        for m in _WORD.finditer(text):
            raw = m.group()
            gap = text[prev_end:m.start()] if prev_end >= 0 else ""
            joinable = (
                run
                and gap in (" ", "\u00a0")
                and not (prev_raw.endswith(".")
                         and fold_accents(prev_raw[:-1]) not in _ABBREV_KEEP_DOT
                         and len(prev_raw) > 2 and "." not in prev_raw[:-1])
                and not _POSSESSIVE.search(prev_raw)
            )
            word = _clean(raw)
            if _is_cap(word) or (joinable and fold_accents(word) in _PARTICLES):
                if not joinable:
                    if run:
                        yield run
                    run = []
                run.append((m.start(), m.start() + len(word), word))
            else:
                if run:
                    yield run
                run = []
            prev_end = m.end()
            prev_raw = raw
        if run:
            yield run

    def _scan(self) -> None:
        text = self.text
        known_tokens = {k: tuple(k.split()) for k in self._known}
        for k, toks in known_tokens.items():
            if len(toks) >= 2:
                self._persons.setdefault(k, _Person(k, toks))
        for run in self._runs():
            while run and fold_accents(run[-1][2]) in _PARTICLES:
                run.pop()
            if not run:
                continue
            words = [w for _, _, w in run]
            role, name = split_title(words)
            if not name:
                continue
            offset = len(words) - len(name)
            start, end = run[offset][0], run[-1][1]
            if any(fold_accents(w).rstrip(".") in _ORG_WORDS | TITLES for w in name) or (
                fold_accents(name[-1]) in _NOT_PERSON_LAST
            ):
                continue
            if len(name) > 1 and (
                fold_accents(name[0]) in _NOT_PERSON_FIRST
                or fold_accents(name[0]).endswith(("ish", "ese"))
            ):
                continue
            if len(name) > 5 or any(w.isupper() and len(w) > 2 for w in name):
                continue
            written = " ".join(name)
            before = text[max(0, start - 40) : start]
            low_ctx = [fold_accents(w) for w in re.findall(r"[A-Za-z]+", before)[-3:]]
            role_t = tuple(role) + tuple(w for w in low_ctx if w in TITLES or w == "first")
            full = self._register(written, role_t, start)
            if full and not role and re.search(r"\b(?:the|a|an)\s+$", before, re.IGNORECASE):
                self._persons[full].thing = True  # "the Carolina Hurricanes": not a person
            gender = self._local_gender(role_t, end)
            if full and gender and any(w in _MALE_WORDS | _FEMALE_WORDS for w in role_t):
                p = self._persons[full]
                p.votes[gender] = p.votes.get(gender, 0) + 1
            self.mentions.append(
                Mention(start, end, written, full or written, role_t, gender, self._in_quote(start))
            )

    def _register(self, written: str, role: tuple[str, ...], pos: int) -> str:
        """Return the full name for this mention, registering new full names as they appear."""
        toks = tuple(written.split())
        for k, p in self._persons.items():
            if k == written and len(toks) >= 2:
                p.role.update(role)
                return k
        if len(toks) >= 2:
            # A known person whose name ends with these tokens ("Lopez Obrador") is a short form.
            short_hit = self._match_short(toks, role, pos)
            if short_hit and len(self._persons[short_hit].tokens) > len(toks):
                self._persons[short_hit].role.update(role)
                return short_hit
            first = fold_accents(toks[0]).rstrip(".")
            if first in TITLES or first in _NOT_NAME_START:
                return ""
            p = _Person(written, toks, set(role), {}, pos)
            if fold_accents(toks[0]) in _MALE_NAMES:
                p.votes["m"] = 1
            elif fold_accents(toks[0]) in _FEMALE_NAMES:
                p.votes["f"] = 1
            self._persons[written] = p
            return written
        hit = self._match_short(toks, role, pos)
        if hit:
            self._persons[hit].role.update(role)
            self._short_used.add(hit)
            return hit
        return ""

    def _match_short(self, toks: tuple[str, ...], role: tuple[str, ...], pos: int) -> str:
        """Full name a short form refers to: surname suffix match, most recent, title-aware."""
        ftoks = tuple(fold_accents(t) for t in toks)
        cands = []
        for k, p in self._persons.items():
            ptoks = tuple(fold_accents(t) for t in p.tokens)
            if len(ptoks) >= len(ftoks) and (
                ptoks[-len(ftoks) :] == ftoks or (len(ftoks) == 1 and ftoks[0] == ptoks[0])
            ):
                cands.append(k)
        if not cands:
            return ""
        if len(cands) == 1:
            return cands[0]
        titled = [c for c in cands if set(role) & self._persons[c].role - {"first"}]
        if titled:
            cands = titled
        last_seen: dict[str, int] = {c: self._persons[c].first_seen for c in cands}
        for m in self.mentions:
            if m.full in last_seen and m.start < pos and m.written == m.full:
                last_seen[m.full] = m.start
        return max(cands, key=lambda c: last_seen[c])

    def _local_gender(self, role: tuple[str, ...], end: int) -> str:
        """Gender evidence next to a mention: its title, or the first pronoun after it."""
        for w in role:
            if w in _MALE_WORDS:
                return "m"
            if w in _FEMALE_WORDS:
                return "f"
        after = self.text[end : end + 160]
        stop = re.search(r"[.!?][\"”]?\s|\n", after)
        clause = after[: stop.end() if stop else len(after)]
        nxt = re.search(r"\b(?:[A-Z][a-z]+ [A-Z][a-z]+|he|his|him|she|her)\b", clause)
        if nxt and nxt.group() in ("he", "his", "him"):
            return "m"
        if nxt and nxt.group() in ("she", "her"):
            return "f"
        return ""

    # -- queries ------------------------------------------------------------------------------

    @property
    def persons(self) -> frozenset[str]:
        """Every full name registered so far (people or not)."""
        return frozenset(self._persons)

    def gender(self, full: str) -> str:
        """Majority gender evidence collected for a full name ("" when none or tied)."""
        p = self._persons.get(full)
        if p is None:
            return ""
        m, f = p.votes.get("m", 0), p.votes.get("f", 0)
        return "m" if m > f else "f" if f > m else ""

    def full_name(self, written: str, pos: int, role: Sequence[str] = ()) -> str:
        """Resolve a name as written near ``pos`` to the full form the story introduced."""
        toks = tuple(written.split())
        if written in self._persons:
            return written
        hit = self._match_short(toks, tuple(role), pos)
        return hit or written

    def is_person(self, full: str) -> bool:
        """True when ``full`` is a full name with some evidence of being a person.

        Two capitalised words are taken for a name unless the story writes them after an
        article ("the Carolina Hurricanes"); org and place words ("County", "Day") never make
        it this far. A speech verb it was the subject of, or gendered evidence, overrides.
        """
        p = self._persons.get(full)
        if p is None:
            return False
        if full in self._known or p.votes or p.spoke:
            return True
        return not p.thing

    def note_speaker(self, full: str) -> None:
        """Record that ``full`` was the subject of a speech verb: evidence it is a person."""
        p = self._persons.get(full)
        if p is not None:
            p.spoke = True

    def _find_subjects(self) -> None:
        """Find each sentence's grammatical subject when it is a person or a he/she pronoun.

        Subjects carry the discourse focus a later "he said" most likely refers to (people
        named in passing, as objects or appositions, rarely are), so pronouns resolve against
        them first. The subject is the first person mention or pronoun among the sentence's
        first words, after an optional short introductory phrase ("Still, he ...").
        """
        masked = mask_abbreviations(self.text)
        by_start = {m.start: m for m in self.mentions}
        for pm in re.finditer(r"[^\n]+", masked):
            for st in sentence_starts(masked, pm.start(), pm.end()):
                if self._in_quote(st) or masked[st : st + 1] in "\"“«(":
                    continue
                window = masked[st : min(pm.end(), st + 160)]
                cut = re.search(r"[\"“”]", window)
                if cut:
                    window = window[: cut.start()]
                words = list(re.finditer(r"[\w'’\u2024.\-]+", window))  # noqa: RUF001
                intro = re.match(r"^[^,]{1,60},\s", window)
                skip = 0
                if intro and len(intro.group().split()) <= 6:
                    first_after = [w for w in words if w.start() >= intro.end()]
                    if first_after and not any(
                        st + w.start() in by_start
                        and by_start[st + w.start()].full in self._persons
                        for w in words
                        if w.start() < intro.end()
                    ):
                        skip = len(words) - len(first_after)
                for k, w in enumerate(words[skip : skip + 8]):
                    pos = st + w.start()
                    low = w.group().lower()
                    if low in ("he", "she"):
                        self._events.append((pos, "", pronoun_gender(low)))
                        break
                    m = by_start.get(pos)
                    if m is not None and not m.quoted and m.full in self._persons:
                        prev = fold_accents(words[skip + k - 1].group()) if skip + k > 0 else ""
                        if prev not in _NOT_BEFORE_SUBJECT:
                            self._events.append((pos, m.full, m.gender))
                        break

    def _set_focus(self, full: str, pos: int, gender: str = "") -> None:
        """Make ``full`` the focus for its gender; learn ``gender`` when it was unknown."""
        if not self.is_person(full):
            return
        known = self.gender(full)
        if not known and gender in ("m", "f"):
            p = self._persons[full]
            p.votes[gender] = p.votes.get(gender, 0) + 1
            known = gender
        for key, (_, who) in list(self._focus.items()):
            if who == full:
                del self._focus[key]
        self._focus[known or "u"] = (pos, full)

    def _advance(self, pos: int) -> None:
        while self._ev_i < len(self._events) and self._events[self._ev_i][0] < pos:
            p, full, g = self._events[self._ev_i]
            self._ev_i += 1
            if full:
                self._set_focus(full, p, g)
            elif g:
                who = self._pick(g, p)
                if who:
                    self._set_focus(who, p, g)

    def _pick(self, want: str, pos: int) -> str:
        cands = [c for c in (self._focus.get(want), self._focus.get("u")) if c is not None]
        cands = [c for c in cands if pos - c[0] < 4000]
        if cands:
            return max(cands)[1]
        for m in reversed(self.mentions):
            if m.start >= pos or m.quoted or not self.is_person(m.full):
                continue
            if pos - m.start > 2500:
                break
            if (self.gender(m.full) or m.gender) in ("", want):
                return m.full
        return ""

    def focus_person(self, pos: int) -> str:
        """The person most recently in subject position before ``pos``, any gender."""
        self._advance(pos)
        recent = [c for c in self._focus.values() if pos - c[0] < 4000]
        return max(recent)[1] if recent else ""

    def note_subject(self, full: str, pos: int) -> None:
        """A speaker the quote extractor attributed at ``pos``: it takes the focus."""
        self.note_speaker(full)
        self._advance(pos)
        self._set_focus(full, pos)

    def resolve_pronoun(self, pronoun: str, pos: int) -> str:
        """The person a he/she at ``pos`` refers to: the most recent compatible subject.

        Mentions inside quotations never count: a person named in someone's quote is rarely
        the one the next "he said" refers to.
        """
        want = pronoun_gender(pronoun)
        if want not in ("m", "f"):
            return ""
        self._advance(pos)
        who = self.introduced_before(want, pos) or self._pick(want, pos)
        if who:
            self._set_focus(who, pos, want)
        return who

    def introduced_before(self, want: str, pos: int) -> str:
        """The one person the sentence before the quote at ``pos`` names, if it names just one.

        Feature copy introduces a speaker and quotes them next, often with the person as an
        object or at the end of the sentence, where subject tracking does not see them:
        ``... produced results for accountant Babatunji Farinloye, 50. "I had a membership,"
        he says.`` / ``..., Foster believes. "I'm hoping ...," he says.`` So when the
        sentence just before the quote's sentence has no quotation and no he/she of its own
        (a pronoun there continues the focus the subject tracker already follows) and names
        exactly one person of a compatible gender, the pronoun is that person. Two people
        named there are ambiguous: the subject tracker decides. The sentence may end the
        previous paragraph (``..., according to former governor David Dodge. ¶ "My criticism
        ...," he said.``). (Rule developed on GGT dev articles 43, fold B, and 48, fold A;
        the paragraph case on 30, fold A; see benchmarks/quote_quality.py --folds 2.)
        """
        masked = self._masked
        lo = max(0, pos - 1500)
        starts = [st for st in sentence_starts(masked, lo, pos) if not self._in_quote(st)]
        # The quote's own sentence starts at its opening mark; the one before ends there.
        cur = next((st for st in reversed(starts) if st <= pos), -1)
        earlier = [st for st in starts if st < cur]
        if cur <= lo or not earlier:
            return ""
        prev_lo = earlier[-1]
        prev = masked[prev_lo:cur]
        if not prev.strip() or any(ch in prev for ch in '"“”«»'):
            return ""
        if re.search(r"\b(?:he|she|He|She)\b", prev):
            return ""
        names = {m.full for m in self.mentions
                 if prev_lo <= m.start < cur and not m.quoted and self.is_person(m.full)
                 and (self.gender(m.full) or m.gender) in ("", want)}
        return names.pop() if len(names) == 1 else ""

    def resolve_role(self, phrase: str, pos: int) -> str:
        """Person a role phrase ("the Mexican president") refers to, or ""."""
        words = [fold_accents(w) for w in re.findall(r"[\w.\-]+", phrase)]
        words = [w for w in words if w not in ("the", "a", "an", "former", "then")]
        if not words or words[-1] not in TITLES:
            return ""
        head, mods = words[-1], set(words[:-1])
        best = ""
        for m in self.mentions:
            if m.start >= pos:
                break
            p = self._persons.get(m.full)
            if p is None:
                continue
            if head in p.role and mods <= (p.role | set(m.role)):
                best = m.full
        return best
