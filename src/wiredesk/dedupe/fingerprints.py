"""Fingerprints of a story's text: an exact hash, word shingles, and a MinHash signature.

* The **exact hash** is a digest of the normalised text (:mod:`.boilerplate`): two copies that
  differ only in feed boilerplate, datelines, quotes, case or spacing hash alike.
* **Shingles** are the overlapping runs of ``shingle_size`` words, each hashed to 32 bits (a stable
  hash, not Python's salted ``hash()``: fingerprints are stored and compared across processes).
  They are kept, sorted, because the matcher verifies candidates by exact containment over them.
  Four-word shingles were chosen by measurement (``benchmarks/dedupe_quality.py --measure``, dev
  pairs): three and four words separate duplicates from same-topic stories equally well (AUC
  0.998), but with three the unrelated stories share more (mean containment 0.099 against 0.072),
  which means more false candidates and less margin as the corpus grows; with five words one
  more duplicate falls below the highest negative, because every edit breaks more shingles.
* The **signature** is a datasketch MinHash of the shingles (scheme ``affine32``, a fixed seed),
  used to find candidates in the LSH index and to estimate Jaccard similarity. ``num_perm`` 128
  was chosen by measurement too: with 64 the LSH at the low threshold updates need found one
  duplicate pair fewer on dev, and 256 found none more while doubling the signature and adding
  bands (59 against 42: memory and work per document). The index's LSH threshold (0.3) was
  measured the same way: 0.4 found 4 fewer duplicate pairs, 0.2 one more at a false-candidate
  rate for unrelated text (Jaccard ~0.05) twenty times higher, which grows with the corpus.

A :class:`Fingerprint` packs into bytes (:func:`fingerprint_to_bytes`) so the newsroom can store it
beside the story version and rebuild the index without re-reading any text.
"""

from __future__ import annotations

import hashlib
import itertools
import re
import struct
import zlib
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from wiredesk.dedupe.boilerplate import comparison_tokens
from wiredesk.dedupe.sketches import LeanMinHash, MinHash

Hashes = npt.NDArray[np.uint32]

SCHEME = "affine32"  # datasketch's permutation scheme; stored signatures depend on it
EMPTY_HASH = ""  # the exact hash of a text with no words: never matched


@dataclass(frozen=True, slots=True)
class FingerprintConfig:
    """How fingerprints are made. Fingerprints made with different configs are not comparable."""

    shingle_size: int = 4
    num_perm: int = 128
    seed: int = 20260712
    # How many leading words (without digits) make the lead key (see Fingerprint.lead_key).
    lead_words: int = 20


@dataclass(frozen=True, slots=True, eq=False)
class Fingerprint:
    """What the matcher knows about one text.

    ``lead_key`` is a hash of the first words of the story: a copy cut down to its first
    paragraph or two (a partner's summary feed) shares it even when its Jaccard similarity to
    the full story is far below any LSH threshold. Empty when the text is shorter than that.
    """

    exact_hash: str
    lead_key: str
    shingles: Hashes = field(repr=False)  # sorted, unique
    signature: Hashes = field(repr=False)  # MinHash hash values, num_perm of them
    word_count: int
    seed: int

    @property
    def size(self) -> int:
        return int(self.shingles.size)


class Fingerprinter:
    """Makes fingerprints with one configuration; create one and reuse it (it caches the
    MinHash permutations, which cost more to draw than a signature costs to compute)."""

    def __init__(self, config: FingerprintConfig | None = None) -> None:
        self.config = config or FingerprintConfig()
        template = MinHash(num_perm=self.config.num_perm, seed=self.config.seed,
                           hashfunc=_identity, scheme=SCHEME)
        self._permutations = template.permutations

    def fingerprint(self, text: str) -> Fingerprint:
        """The fingerprint of a story's plain text (paragraphs on separate lines)."""
        return self.from_tokens(comparison_tokens(text))

    def from_tokens(self, tokens: list[str]) -> Fingerprint:
        """The fingerprint of already normalised words (for callers that normalised themselves)."""
        shingles = shingle_hashes(tokens, self.config.shingle_size)
        return Fingerprint(
            exact_hash=exact_hash(tokens),
            lead_key=lead_key(tokens, self.config.lead_words),
            shingles=shingles,
            signature=self.signature(shingles),
            word_count=len(tokens),
            seed=self.config.seed,
        )

    def signature(self, shingles: Hashes) -> Hashes:
        """The MinHash hash values of a set of shingle hashes."""
        minhash = MinHash(num_perm=self.config.num_perm, seed=self.config.seed,
                          hashfunc=_identity, permutations=self._permutations, scheme=SCHEME)
        if shingles.size:
            minhash.update_batch(shingles.tolist())
        return np.asarray(minhash.hashvalues, dtype=np.uint32)


def _identity(value: int) -> int:
    """The shingles are hashed already; datasketch pre-mixes them before permuting."""
    return value


def exact_hash(tokens: list[str]) -> str:
    """A digest of the normalised words; ``EMPTY_HASH`` for a text without words."""
    if not tokens:
        return EMPTY_HASH
    return hashlib.blake2b(" ".join(tokens).encode("utf-8"), digest_size=16).hexdigest()


def lead_key(tokens: list[str], words: int) -> str:
    """A digest of the first ``words`` words that hold no digit, or "" when there are fewer.

    Digits are skipped because what a correction or a refile most often changes in a lead is a
    figure ("killing at least 12" -> "13"); the words around it still say it is the same lead.
    """
    lead = list(itertools.islice((t for t in tokens if not _HAS_DIGIT.search(t)), words))
    if len(lead) < words:
        return ""
    return hashlib.blake2b(" ".join(lead).encode("utf-8"), digest_size=8).hexdigest()


_HAS_DIGIT = re.compile(r"\d")


def shingle_hashes(tokens: list[str], size: int) -> Hashes:
    """Sorted unique 32-bit hashes of the ``size``-word shingles of ``tokens``.

    Each word is hashed with CRC-32 and then avalanched (the MurmurHash3 finalizer, vectorised),
    and a shingle's hash is a position-weighted sum of its words' hashes modulo 2**32, with a
    different odd multiplier per position so that word order counts ("dog bites man" is not "man
    bites dog"). That is several times faster than hashing every shingle's text with a
    cryptographic hash, and for distinct shingles collides no more often than a random 32-bit
    hash would. A text shorter than one shingle gives one shingle of all its words, so a short
    alert still has a fingerprint; an empty text gives none.
    """
    if not tokens:
        return np.empty(0, dtype=np.uint32)
    words = _avalanche(np.fromiter((zlib.crc32(t.encode("utf-8")) for t in tokens),
                                   dtype=np.uint64, count=len(tokens)))
    width = min(size, len(tokens))
    count = len(tokens) - width + 1
    total = np.zeros(count, dtype=np.uint64)
    for position in range(width):
        total += words[position:position + count] * _POSITION_MULTIPLIERS[position]
    return np.unique((total & _LOW32).astype(np.uint32))


_LOW32 = np.uint64(0xFFFFFFFF)


def _avalanche(values: npt.NDArray[np.uint64]) -> npt.NDArray[np.uint64]:
    """MurmurHash3's 32-bit finalizer: every input bit flips about half of the output bits."""
    values = values ^ (values >> np.uint64(16))
    values = (values * np.uint64(0x85EBCA6B)) & _LOW32
    values = values ^ (values >> np.uint64(13))
    values = (values * np.uint64(0xC2B2AE35)) & _LOW32
    return values ^ (values >> np.uint64(16))


# Odd 32-bit multipliers, one per shingle position (digits of pi, made odd).
_POSITION_MULTIPLIERS = tuple(np.uint64(m) for m in (
    0x243F6A89, 0x85A308D3, 0x13198A2F, 0x03707345, 0xA4093823, 0x299F31D1, 0x082EFA99,
    0xEC4E6C89,
))


# ------------------------------------------------------------------------------- persistence

# Fingerprint blob layout, little-endian: format version, word count, lead key (8 bytes, zero
# when absent), exact hash (16 bytes, zero when empty), signature length in bytes, then the
# signature (datasketch LeanMinHash serialisation) and the shingle hashes (uint32 each).
_FORMAT_VERSION = 1
_HEADER = struct.Struct("<BI8s16sI")


def signature_to_bytes(signature: Hashes, seed: int) -> bytes:
    """A signature in datasketch's own LeanMinHash layout (seed, count, scheme, values)."""
    lean = LeanMinHash(seed=seed, hashvalues=signature, scheme=SCHEME)
    buffer = bytearray(lean.bytesize(byteorder="<"))
    lean.serialize(buffer, byteorder="<")
    return bytes(buffer)


def signature_from_bytes(data: bytes) -> tuple[Hashes, int]:
    """The inverse of :func:`signature_to_bytes`: ``(hash values, seed)``."""
    lean = LeanMinHash.deserialize(data, byteorder="<")
    if lean.scheme != SCHEME:
        raise ValueError(f"signature scheme {lean.scheme!r}, expected {SCHEME!r}")
    return np.asarray(lean.hashvalues, dtype=np.uint32), int(lean.seed)


def fingerprint_to_bytes(fingerprint: Fingerprint) -> bytes:
    """Everything the index needs about a document, as one blob to store with it."""
    signature = signature_to_bytes(fingerprint.signature, fingerprint.seed)
    header = _HEADER.pack(
        _FORMAT_VERSION,
        fingerprint.word_count,
        bytes.fromhex(fingerprint.lead_key) if fingerprint.lead_key else bytes(8),
        bytes.fromhex(fingerprint.exact_hash) if fingerprint.exact_hash else bytes(16),
        len(signature),
    )
    return header + signature + fingerprint.shingles.astype("<u4").tobytes()


def fingerprint_from_bytes(data: bytes) -> Fingerprint:
    """The inverse of :func:`fingerprint_to_bytes`."""
    version, words, lead, exact, signature_length = _HEADER.unpack_from(data)
    if version != _FORMAT_VERSION:
        raise ValueError(f"unknown fingerprint format version {version}")
    start = _HEADER.size
    signature, seed = signature_from_bytes(data[start:start + signature_length])
    shingles = np.frombuffer(data, dtype="<u4", offset=start + signature_length)
    return Fingerprint(
        exact_hash=exact.hex() if any(exact) else EMPTY_HASH,
        lead_key=lead.hex() if any(lead) else "",
        shingles=shingles.astype(np.uint32),
        signature=signature,
        word_count=words,
        seed=seed,
    )
