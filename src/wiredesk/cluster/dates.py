"""Years a story states in its lead: the cheapest evidence that two look-alike stories are about
different events.

Two earthquakes in the same region, or the same coach hired in one year and fired in another,
share almost every word; but a story's first lines usually date it ("May 24, 2005", "WASHINGTON,
April 28, 2009"), and two reports of one event never date it years apart. Only the lead counts:
deeper in a story, years are background ("his 2005 appointment") and would flag false conflicts.
"""

from __future__ import annotations

import re

from wiredesk.cluster.tokens import first_words

# A four-digit year from 1900 to 2099 standing alone ("2008-09" gives 2008; "12008" gives nothing).
_YEAR = re.compile(r"(?<![\d.,])(?:19|20)\d\d(?![\d.,]\d)")


def lead_years(headline: str, body: str, lead_words: int) -> tuple[str, ...]:
    """Years in the headline and the first ``lead_words`` words of the body, in order, each once."""
    text = headline + "\n" + first_words(body, lead_words)
    return tuple(dict.fromkeys(_YEAR.findall(text)))


def years_conflict(story: tuple[str, ...], cluster: dict[str, float]) -> bool:
    """True when both sides state years and share none of them."""
    return bool(story) and bool(cluster) and not any(year in cluster for year in story)
