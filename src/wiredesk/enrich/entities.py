"""A story's entities: its mentions grouped into people, organisations and places, one name each.

The recogniser (:mod:`wiredesk.enrich.ner`) says *where* names are; this module says *who or
what* they are within the story, and gives each a key that is the same in every story, so the
newsroom can keep one row per real-world entity:

``entities_for(text, mentions) -> list[Entity]`` (in order of first mention) and
``entity_key(kind, name) -> "person:andres-manuel-lopez-obrador"``.

Rules, each deliberately simple and predictable:

- **Clean-up.** A possessive goes ("Biden's" -> Biden); a leading "the" goes from organisations;
  a lower-case prefix goes ("anti-Trump" -> Trump; "pro-Beijing" -> Beijing, the place), and so
  do lower-case words and a caption credit at the end ("Colorado State University of the",
  "Ahmed Mohamed Image"), both left by the model on real copy. A person's titles go ("U.S.
  President Joe Biden" -> Joe Biden), except a royal or religious title before a single name
  ("Pope Francis", "King Charles"), which is how those people are known. Junk is dropped: fewer
  than two letters, no letters at all, and ALL-CAPS phrases of several words that are not known
  places (a subhead such as 'LONGSTANDING PARTNERSHIP' that the model took for an
  organisation).
- **Places.** Hyphenated pairs are split ("U.S.-Mexico" -> United States and Mexico, see
  :func:`wiredesk.enrich.places.expand_place_mentions`). Every way of writing a country is that
  country under its one name: "U.S.", "US", "America", "United States" -> United States. Cities
  take the gazetteer's spelling ("Kiev" -> Kyiv). Other places keep the story's spelling.
- **People: short forms.** A name whose words are the last (or first) words of a fuller name in
  the story is that person: "Biden" -> Joe Biden, "Lopez Obrador" -> Andres Manuel Lopez Obrador,
  "Joe" -> Joe Biden. When several full names fit ("Joe Biden" and "Jill Biden"), a title next to
  the short form decides if it fits only one of them ("first lady Biden", "President Biden",
  "Mrs. Biden"); otherwise the short form is *ambiguous* and goes to the story's principal
  namesake -- the one named in full most often, and on a tie the one introduced first. It never
  goes to the most recently named one just for being recent: wire style names a second,
  lesser namesake in full precisely because the bare surname keeps meaning the principal ("The
  Biden administration" after a mention of Jill Biden is still Joe Biden's).
- **Organisations: short forms.** An acronym given in brackets after the name ("World Health
  Organization (WHO)") or equal to its initials is that organisation, and so is a shorter name
  made of its last or first words ("Border Patrol" -> U.S. Border Patrol) -- only when exactly
  one organisation in the story fits.
- **Role references.** "the Mexican president" is the person the story introduced with that
  role before: "Mexican President Andres Manuel Lopez Obrador", or as an apposition, "the
  Mexican president, Andres Manuel Lopez Obrador". Same title words (so "the former president"
  is not "President X"), and the same country when the reference names one ("U.S.", "Mexican"
  and "Mexico's" all mean their country). Only when exactly one person fits; "the president" in
  a story with two presidents stays unresolved, and so does a reference before any
  introduction. Titles that are also ordinary words ("the general election", "the head of")
  are never references. A resolved reference is one more mention of that person (not an alias).
- **Keys.** ``kind:slug`` with accents folded and full stops and apostrophes dropped, so the
  same name gives the same key in every story (``place:united-states``,
  ``person:andres-manuel-lopez-obrador`` for "Andrés Manuel López Obrador" too). A city's key
  carries its country (``place:paris--fr``), so Paris, France and Paris, Texas stay apart.
- **Aliases**: the other ways the story wrote the entity ("Biden", "Lopez Obrador", "U.S."), for
  the newsroom's alias table.

Cost: about 1-2 ms for a 600-word story beyond the recogniser (mentions are grouped through
word indexes, folded strings are cached); the first call also builds the place tables of
:mod:`wiredesk.enrich.places` (about 0.3 s, once per process).
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from wiredesk.core.lexicon.folding import fold_word
from wiredesk.core.lexicon.words import TITLES
from wiredesk.core.text import slugify
from wiredesk.enrich.corrections import appositive_kind
from wiredesk.enrich.ner import Kind, Mention
from wiredesk.enrich.places import (
    country_code,
    demonym_code,
    expand_place_mentions,
    is_known_place,
    resolve_places,
)
from wiredesk.enrich.speakers import split_title

__all__ = ["Entity", "entities_for", "entity_key"]


def _words(text: str) -> frozenset[str]:
    """A word list written as one whitespace-separated string (easier to read and extend)."""
    return frozenset(text.split())


@dataclass(slots=True)
class Entity:
    """One person, organisation or place of a story.

    ``key`` is the cross-story key (:func:`entity_key`); ``name`` the canonical name in this
    story; ``count`` the number of ``mentions`` (``(start, end)`` offsets into the text, in
    order, role references included); ``first_offset`` where it is first mentioned; ``aliases``
    the other names the story used for it, as written. For places, ``country_code`` is the ISO
    3166-1 alpha-2 code of the country itself (``is_country``) or of the country a city or US
    state is in; "" for other places ("White House", "Central America") and other kinds.
    """

    key: str
    name: str
    kind: Kind
    count: int
    first_offset: int
    mentions: list[tuple[int, int]]
    aliases: list[str] = field(default_factory=list)
    country_code: str = ""
    is_country: bool = False
    model_agrees: bool = False  # the model itself read this kind at one of its mentions
    described: bool = False  # a title or an appositive says what it is ("Mayor X", "X, a bank")


# --------------------------------------------------------------------------------------------
# Keys
# --------------------------------------------------------------------------------------------

_DROPPED = re.compile(r"[.'\N{RIGHT SINGLE QUOTATION MARK}`]")


def entity_key(kind: str, name: str, country: str = "") -> str:
    """The cross-story key of an entity: ``"person:andres-manuel-lopez-obrador"``.

    Accents are folded and full stops and apostrophes dropped ("U.S. Border Patrol" ->
    ``organisation:us-border-patrol``, "O'Brien" -> ``obrien``), so every story that writes the
    name in any of these ways gets the same key. ``country`` (an ISO code) is appended for places
    that are not countries (``place:paris--fr``): city names repeat across countries. Names in
    scripts with no ASCII letters keep their own letters (lower-cased) rather than becoming empty.
    """
    bare = _DROPPED.sub("", name)
    slug = slugify(bare)
    if slug == "story" and slugify(bare + " x") == "x":  # nothing ASCII survived
        slug = re.sub(r"[\W_]+", "-", unicodedata.normalize("NFKC", bare).casefold()).strip("-")
    if country:
        slug = f"{slug}--{country.lower()}"
    return f"{kind}:{slug}"


# --------------------------------------------------------------------------------------------
# Cleaning
# --------------------------------------------------------------------------------------------

_POSSESSIVE = re.compile(r"['\N{RIGHT SINGLE QUOTATION MARK}]s?$")
_TOKEN = re.compile(r"\S+")
_LEADING_THE = re.compile(r"(?:the|The|THE)\s+")
_LOWER_PREFIX = re.compile(r"(?:pro|anti|ex|non|post|pre|mid|neo|pan)-(?=[A-Z])")
_CAPTION_WORDS = _words("image images photo photos picture video file pictured")
# Kept before a single name: "Pope Francis", "King Charles", "Lady Gaga".
_KEPT_TITLES = _words(
    "king queen prince princess pope lady lord sir dame sheikh emperor empress saint"
)


def _clean(text: str, m: Mention) -> Mention | None:
    """The part of ``m`` that is the name itself, or None for junk (see the module doc)."""
    a, b, kind = m.start, m.end, m.kind
    while b > a and not (text[b - 1].isalnum() or text[b - 1] == "."):
        b -= 1
    while a < b and not text[a].isalnum():
        a += 1
    if (p := _POSSESSIVE.search(text, a, b)) and p.start() > a:
        b = p.start()
    # A lower-case prefix is not part of the name: "pro-Beijing", "anti-Trump", "ex-Google".
    if (p := _LOWER_PREFIX.match(text, a, b)) and p.end() < b:
        a = p.end()
        if is_known_place(text[a:b]):
            kind = "place"
    # Nor are lower-case words or a caption credit at the end: "University of the", "X Image".
    tail = [t for t in _TOKEN.finditer(text, a, b)]
    while len(tail) > 1 and (
        tail[-1].group()[:1].islower()
        or (kind == "person" and fold_word(tail[-1].group()) in _CAPTION_WORDS)
    ):
        tail.pop()
        b = tail[-1].end()
    if kind != "person" and (t := _LEADING_THE.match(text, a, b)) and t.end() < b:
        a = t.end()
    if kind == "person":
        tokens = [(t.start(), t.end()) for t in _TOKEN.finditer(text, a, b)]
        words = [text[x:y] for x, y in tokens]
        role, name = split_title(words)
        if not name:
            return None
        if len(name) == 1 and role and role[-1] in _KEPT_TITLES:
            name = words[-2:]
        a = tokens[len(words) - len(name)][0]
    surface = text[a:b]
    letters = [ch for ch in surface if ch.isalpha()]
    if len(letters) < 2 or (kind == "person" and not any(ch.isupper() for ch in letters)):
        return None
    words = [w for w in surface.split() if any(ch.isalpha() for ch in w)]
    if len(words) > 1 and not any(ch.islower() for ch in letters) and not is_known_place(surface):
        return None  # a subhead in capitals, not a name
    return Mention(a, b, surface, kind, m.model_agrees and kind == m.kind)


# --------------------------------------------------------------------------------------------
# Roles ("Mexican President Andres Manuel Lopez Obrador", "the Mexican president")
# --------------------------------------------------------------------------------------------

# Words of a role besides the titles themselves: "vice", "first lady", "foreign minister".
_ROLE_EXTRA = _words(
    """
    vice first lady former prime foreign deputy acting interim state defense defence finance
    interior health trade justice economy chief executive top senior
    """
)
_ROLE_WORDS = TITLES | _ROLE_EXTRA
# Role words that qualify a title rather than name it: never enough to tell two people apart.
_MODIFIERS = _words("former first vice deputy acting interim top senior chief")
_FEMALE = _words("mrs ms miss madam lady queen princess dame spokeswoman chairwoman")
_MALE = _words("mr sir lord king prince spokesman chairman")
_NOT_QUALIFIER = _words(
    """
    the a an and but or of in on at for to by with from as its his her their our this that
    then when while after before said says
    """
)


@dataclass(frozen=True, slots=True)
class _Role:
    at: int  # where the name (or the reference) starts
    qualifier: str  # an ISO code ("MX"), another folded word ("tesla"), or ""
    title: tuple[str, ...]  # folded role words in order: ("vice", "president")


def _qualifier(words: Sequence[str]) -> str:
    """What a capitalised word (or two) before a title says about the role: a country's code
    for a country, an alias or a demonym ("Mexico's", "U.S.", "Mexican"), else the word itself."""
    for n in (2, 1):
        if len(words) < n:
            continue
        phrase = " ".join(words[-n:])
        bare = _POSSESSIVE.sub("", phrase)
        code = country_code(bare) or demonym_code(bare)
        if code:
            return code
    if words and words[-1][:1].isupper() and fold_word(words[-1]) not in _NOT_QUALIFIER:
        return fold_word(_POSSESSIVE.sub("", words[-1]))
    return ""


def _role_before(text: str, start: int) -> _Role | None:
    """The role written just before a name at ``start`` ("U.S. Vice President "), if any."""
    before = text[max(0, start - 80) : start]
    if not before.endswith((" ", "\u00a0")):
        return None
    words = before.split()
    # An apposition counts too: "the U.S. first lady, Jill Biden", "Mexico's president, ...".
    apposition = bool(words) and words[-1].endswith(",")
    if apposition:
        words[-1] = words[-1][:-1]
    title: list[str] = []
    while words:
        w = fold_word(words[-1])
        if w in _ROLE_WORDS or (w == "of" and title and len(words) > 1
                                and fold_word(words[-2]) in _ROLE_WORDS):
            title.insert(0, w)
            words.pop()
        else:
            break
    if not title:
        return None
    qualifier = _qualifier(words[-2:])
    if apposition:
        # Only "the [qualifier] title," or "Country's title,": in "..., said Mayor Ruiz, Ana
        # Lopez ..." the comma ends a list, it does not introduce a name.
        rest = list(words)
        while qualifier and rest and rest[-1][:1].isupper() and len(words) - len(rest) < 2:
            rest.pop()  # the qualifier: "U.S.", "South Korean"
        possessive = bool(qualifier) and _POSSESSIVE.search(words[-1]) is not None
        if not (possessive or (rest and rest[-1].lower() == "the")):
            return None
    return _Role(start, qualifier, tuple(title))


_THE = re.compile(r"\b[Tt]he\s+")
_REF_TOKEN = re.compile(
    r"[^\s,;:!?()\"\N{LEFT DOUBLE QUOTATION MARK}\N{RIGHT DOUBLE QUOTATION MARK}]+"
)
# A role reference ends in one of these ("the first lady"); titles that are also common nouns
# or adjectives ("the general election", "the head of", "the major parties") are left out.
_HEADS = (TITLES | {"lady"}) - _words(
    "general major private principal staff chair head forward whip critic father sister brother"
)


def _ref_word(token: str) -> str:
    """A token of a possible role reference, folded, without a possessive ("president's")."""
    return fold_word(_POSSESSIVE.sub("", token))


def _role_references(text: str) -> Iterable[tuple[int, int, _Role]]:
    """Every "the [Country|demonym] title" that is not followed by a name: ``(start, end, role)``.

    "the Mexican president greeted" is a reference; "the Mexican President Andres ..." is not
    (it introduces a name).
    """
    for the in _THE.finditer(text):
        tokens = list(_REF_TOKEN.finditer(text[the.end() : the.end() + 80]))
        i = 0
        qual_words: list[str] = []
        while i < len(tokens) and i < 2:
            w = tokens[i].group()
            if w[:1].isupper() and _ref_word(w) not in _ROLE_WORDS:
                qual_words.append(w)
                i += 1
            else:
                break
        j = i
        while j < len(tokens) and _ref_word(tokens[j].group()) in _ROLE_WORDS:
            j += 1
            if _POSSESSIVE.search(tokens[j - 1].group()):
                break  # "the Mexican president's visit": the phrase ends at the possessive
        if j == i or _ref_word(tokens[j - 1].group()) not in _HEADS:
            continue
        last = tokens[j - 1]
        if j < len(tokens) and not last.group().endswith("."):
            nxt = tokens[j]
            between = text[the.end() + last.end() : the.end() + nxt.start()]
            if nxt.group()[:1].isupper() and not between.strip():
                continue  # "the Mexican President Andres ...": an introduction, not a reference
        first = tokens[0] if qual_words else tokens[i]
        start = the.end() + first.start()
        end = the.end() + last.end()
        if p := _POSSESSIVE.search(text, start, end):
            end = p.start()
        while end > start and not text[end - 1].isalnum():
            end -= 1
        title = tuple(_ref_word(t.group()) for t in tokens[i:j])
        yield start, end, _Role(start, _qualifier(qual_words) if qual_words else "", title)


# --------------------------------------------------------------------------------------------
# Grouping
# --------------------------------------------------------------------------------------------


@dataclass(slots=True)
class _Group:
    """Mentions of one entity while it is being built."""

    kind: Kind
    spellings: Counter[str] = field(default_factory=Counter)  # canonical-form spellings
    aliases: Counter[str] = field(default_factory=Counter)  # short forms as written
    spans: list[tuple[int, int]] = field(default_factory=list)
    name: str = ""
    country: str = ""  # ISO code: the country itself, or the one a city or state is in
    is_country: bool = False


def _affix(short: tuple[str, ...], full: tuple[str, ...]) -> bool:
    """``short`` is the first or last words of the longer ``full``."""
    n = len(short)
    return n < len(full) and (full[-n:] == short or full[:n] == short)


def _contains(full: tuple[str, ...], part: tuple[str, ...]) -> bool:
    """``part`` occurs in ``full`` as consecutive words."""
    n = len(part)
    return any(full[i : i + n] == part for i in range(len(full) - n + 1))


def _words_of(surface: str) -> tuple[str, ...]:
    return tuple(fold_word(w) for w in surface.split())


def _best_spelling(spellings: Counter[str]) -> str:
    """Most frequent spelling; on a tie the accented one ("López" over "Lopez"), then longest."""
    return max(spellings, key=lambda s: (spellings[s], not s.isascii(), len(s)))


def _people(text: str, spans: list[tuple[int, int]], groups: dict[str, _Group]) -> None:
    """Group person spans by full name (short forms resolved), into ``groups``."""
    by_form: dict[tuple[str, ...], list[tuple[int, int]]] = defaultdict(list)
    for a, b in spans:
        by_form[_words_of(text[a:b])].append((a, b))
    forms = list(by_form)
    containing: dict[str, list[tuple[str, ...]]] = defaultdict(list)  # word -> forms with it
    for f in forms:
        for w in set(f):
            containing[w].append(f)
    full = [
        f for f in forms
        if not any(len(f) < len(g) and _contains(g, f) for g in containing[f[0]])
    ]
    # The principal namesake first: most often named in full, then introduced first.
    full.sort(key=lambda f: (-len(by_form[f]), by_form[f][0][0]))
    rank = {f: i for i, f in enumerate(full)}
    roles: dict[tuple[str, ...], set[str]] = defaultdict(set)
    for f in full:
        for a, _ in by_form[f]:
            if (role := _role_before(text, a)) is not None:
                roles[f].update(role.title)
    for form, occurrences in by_form.items():
        near = sorted((g for g in containing[form[0]] if g in rank), key=rank.__getitem__)
        candidates = [g for g in near if g == form or _affix(form, g)] or [
            g for g in near if _contains(g, form)  # "Lopez" for Andres Manuel Lopez Obrador
        ] or [form]
        for a, b in occurrences:
            target = candidates[0] if len(candidates) == 1 else _pick(text, a, candidates, roles)
            group = groups.setdefault(" ".join(("person", *target)), _Group("person"))
            group.spans.append((a, b))
            (group.spellings if form == target else group.aliases)[text[a:b]] += 1


def _pick(
    text: str, at: int, candidates: list[tuple[str, ...]], roles: dict[tuple[str, ...], set[str]]
) -> tuple[str, ...]:
    """Which of several full names a short form at ``at`` means: the one a title next to it
    fits uniquely, else the principal namesake (``candidates`` come principal first)."""
    cue = _role_before(text, at)
    if cue is not None:
        words = set(cue.title) - _MODIFIERS
        fits = [c for c in candidates if words and words <= roles[c]]
        if len(fits) != 1 and words & (_FEMALE | _MALE):
            gendered = _FEMALE if words & _FEMALE else _MALE
            fits = [c for c in candidates if roles[c] & gendered]
        if len(fits) == 1:
            return fits[0]
    return candidates[0]


_ACRONYM_AFTER = re.compile(r"\s*\(([A-Z][A-Z0-9&.]{1,9})\)")
_SMALL_WORDS = _words("of the and for de du des la le on in at to")


def _initials(words: Sequence[str]) -> str:
    return "".join(w[0] for w in words if w and w not in _SMALL_WORDS).upper()


def _organisations(text: str, spans: list[tuple[int, int]], groups: dict[str, _Group]) -> None:
    """Group organisation spans: acronyms and partial names join the one organisation they fit."""
    by_form: dict[tuple[str, ...], list[tuple[int, int]]] = defaultdict(list)
    for a, b in spans:
        by_form[_words_of(text[a:b])].append((a, b))
    forms = list(by_form)
    acronyms: dict[str, tuple[str, ...]] = {}
    for form, occurrences in by_form.items():
        for _, b in occurrences:
            if m := _ACRONYM_AFTER.match(text, b):
                acronyms.setdefault(m.group(1).replace(".", ""), form)
    full = [f for f in forms if not any(_affix(f, g) for g in forms)]
    for form, occurrences in by_form.items():
        target = form
        written = text[occurrences[0][0] : occurrences[0][1]]
        acronym = written.replace(".", "")
        if len(form) == 1 and acronym.isupper() and acronym in acronyms:
            target = acronyms[acronym]
        elif len(form) == 1 and acronym.isupper() and 2 <= len(acronym) <= 6:
            fits = [g for g in full if len(g) > 1 and _initials(g) == acronym]
            if len(fits) == 1:
                target = fits[0]
        if target == form and form not in full:
            fits = [g for g in full if _affix(form, g)]
            if len(fits) == 1:
                target = fits[0]
        group = groups.setdefault(" ".join(("organisation", *target)), _Group("organisation"))
        for a, b in occurrences:
            group.spans.append((a, b))
            (group.spellings if form == target else group.aliases)[text[a:b]] += 1


def _places(text: str, mentions: list[Mention], groups: dict[str, _Group]) -> None:
    """Group place spans: a country under its one name, a city under the gazetteer's."""
    for m, name, code, is_country in resolve_places(text, mentions):
        written = m.text
        if is_country:
            key, canonical = f"country {code}", name
        elif code:
            key, canonical = f"place {code} {fold_word(name)}", name
        else:
            key, canonical = f"place {' '.join(_words_of(written))}", written
        group = groups.setdefault(key, _Group("place", country=code, is_country=is_country))
        group.spans.append((m.start, m.end))
        group.spellings[canonical] += 1
        if written != canonical:
            group.aliases[written] += 1


def entities_for(text: str, mentions: Sequence[Mention]) -> list[Entity]:
    """The entities of one story, in order of first mention; see the module docstring.

    ``mentions`` are a recogniser's for ``text`` (:class:`wiredesk.enrich.ner.Recogniser`).
    """
    cleaned: list[Mention] = []
    for m in expand_place_mentions(text, mentions):
        if (clean := _clean(text, m)) is not None:
            cleaned.append(clean)
    groups: dict[str, _Group] = {}
    _people(text, [(m.start, m.end) for m in cleaned if m.kind == "person"], groups)
    _organisations(text, [(m.start, m.end) for m in cleaned if m.kind == "organisation"], groups)
    _places(text, [m for m in cleaned if m.kind == "place"], groups)
    _resolve_role_references(text, groups)
    agreeing = {(m.start, m.end) for m in cleaned if m.model_agrees}

    out: list[Entity] = []
    for group in groups.values():
        spellings = group.spellings or group.aliases
        name = _best_spelling(spellings)
        spans = sorted(set(group.spans))
        aliases = sorted(
            # Case variants ("ATLANTA" in a dateline) are no alias worth storing.
            {s for s in (*group.spellings, *group.aliases) if s.casefold() != name.casefold()},
            key=lambda s: (-(group.spellings[s] + group.aliases[s]), s),
        )
        out.append(
            Entity(
                key=entity_key(group.kind, name, "" if group.is_country else group.country),
                name=name,
                kind=group.kind,
                count=len(spans),
                first_offset=spans[0][0],
                mentions=spans,
                aliases=aliases,
                country_code=group.country,
                is_country=group.is_country,
                model_agrees=any(span in agreeing for span in spans),
                described=_described(text, group.kind, spans),
            )
        )
    out.sort(key=lambda e: (e.first_offset, e.kind, e.name))
    return _merge_same_key(out)


def _described(text: str, kind: Kind, spans: Sequence[tuple[int, int]]) -> bool:
    """The story says what the entity is at one of its mentions: a person's title before the
    name ("Mayor Ana Ruiz", "the U.S. first lady, Jill Biden"), or an appositive after it that
    names its kind ("Casas & Vidal, a brokerage,", "Rosa Cardenas, 41,")."""
    for a, b in spans:
        if kind == "person" and _role_before(text, a) is not None:
            return True
        if appositive_kind(text, b) == kind:
            return True
    return False


def _resolve_role_references(text: str, groups: dict[str, _Group]) -> None:
    """Add "the Mexican president" to the one person introduced earlier with that role."""
    introduced: list[tuple[_Group, _Role]] = []
    for group in groups.values():
        if group.kind != "person":
            continue
        for a, _ in group.spans:
            if (role := _role_before(text, a)) is not None:
                introduced.append((group, role))
    if not introduced:
        return
    for start, end, ref in _role_references(text):
        fits = {
            id(group): group
            for group, role in introduced
            if role.at < start
            and role.title == ref.title
            and (not ref.qualifier or ref.qualifier == role.qualifier)
        }
        if len(fits) == 1:
            next(iter(fits.values())).spans.append((start, end))


def _merge_same_key(entities: list[Entity]) -> list[Entity]:
    """Two groups can end with one key ("Lopez" the person found apart from its full name
    written another way): keep one entity per key, as the newsroom does."""
    seen: dict[str, Entity] = {}
    out: list[Entity] = []
    for e in entities:
        if e.key not in seen:
            seen[e.key] = e
            out.append(e)
            continue
        kept = seen[e.key]
        kept.mentions = sorted(set(kept.mentions) | set(e.mentions))
        kept.count = len(kept.mentions)
        kept.aliases = sorted((set(kept.aliases) | set(e.aliases)) - {kept.name})
        kept.model_agrees = kept.model_agrees or e.model_agrees
        kept.described = kept.described or e.described
    return out
