"""Duplicate and version detection across sources. Pure: no Django, no I/O.

One concept per module, in the order an item goes through them:

* :mod:`.boilerplate` -- the text as compared: feed boilerplate, credits, datelines removed;
* :mod:`.headlines` -- wire headline marks ("UPDATE 2-", "REFILE-", "FACTBOX-"...) read off;
* :mod:`.fingerprints` -- exact hash, word shingles, MinHash signature; bytes for storage;
* :mod:`.similarity` -- the scores of a pair and the rules that make it a match;
* :mod:`.index` -- the incremental LSH index that finds and verifies matches;
* :mod:`.keys` -- the same buckets as integer keys, for a database index (see below);
* :mod:`.decide` -- new story, new version, syndicated copy or keep both, with evidence.

How the newsroom uses it, per candidate version (``text`` is the body as plain text, e.g.
``html_to_text(article.body_html)``, or the summary when there is no body)::

    fingerprinter = Fingerprinter()          # once per process
    index = NearDuplicateIndex.rebuild(stored_documents())   # at start: the window's versions
    ...
    fingerprint = fingerprinter.fingerprint(text)
    headline = parse_headline(article.headline)
    time = article.wire.version_created or article.published_at or received_at
    matches = index.matches(fingerprint, DocMeta("", source_id, time, headline))
    decision = decide(NewItem(source_id, headline, time), matches, source_policy,
                      forbidden=stories_split_from(...))
    # store the story/version and decision.evidence.as_dict(), then:
    index.add(version_id, fingerprint, DocMeta(story_id, source_id, time, headline))
    # and store fingerprint_to_bytes(fingerprint) with the version, for rebuilds.

The index is a cache of stored state: with several workers each keeps its own and adds what it
stores; a worker that missed another's additions finds them on its next rebuild. Two workers
deciding the same new story at the same moment can both say NEW -- the newsroom should serialise
decisions per story key (or re-check after storing) if that matters.
"""

from wiredesk.dedupe.boilerplate import comparison_tokens, normalise_text, strip_boilerplate
from wiredesk.dedupe.decide import Decision, Evidence, NewItem, Outcome, Policy, decide
from wiredesk.dedupe.fingerprints import (
    Fingerprint,
    FingerprintConfig,
    Fingerprinter,
    fingerprint_from_bytes,
    fingerprint_to_bytes,
    signature_from_bytes,
    signature_to_bytes,
)
from wiredesk.dedupe.headlines import (
    HeadlineInfo,
    Kind,
    Signal,
    headline_similarity,
    parse_headline,
)
from wiredesk.dedupe.index import (
    DocMeta,
    IndexConfig,
    IndexStats,
    Match,
    NearDuplicateIndex,
    best_first,
    verified_matches,
)
from wiredesk.dedupe.keys import KeyScheme, rank_candidates
from wiredesk.dedupe.similarity import MatchRules, Scores, Side, score, verify

__all__ = [
    "Decision", "DocMeta", "Evidence", "Fingerprint", "FingerprintConfig", "Fingerprinter",
    "HeadlineInfo", "IndexConfig", "IndexStats", "KeyScheme", "Kind", "Match", "MatchRules",
    "NearDuplicateIndex", "NewItem", "Outcome", "Policy", "Scores", "Side", "Signal",
    "best_first", "comparison_tokens", "decide", "fingerprint_from_bytes",
    "fingerprint_to_bytes", "headline_similarity", "normalise_text", "parse_headline",
    "rank_candidates", "score", "signature_from_bytes", "signature_to_bytes",
    "strip_boilerplate", "verified_matches", "verify",
]
