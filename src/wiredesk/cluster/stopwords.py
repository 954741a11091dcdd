"""Words that say nothing about which event a story is about.

English function words, plus the verbs and nouns of news reporting itself ("said", "reported",
"according"): every story has them, so they would only make unrelated stories look alike.
Written for this project; deliberately short, because the incremental IDF already discounts common
words once enough stories have arrived. The list matters most at the start of a stream, when the
IDF has seen too little to know what is common.

Weekdays and months are *not* stop words: "on Saturday" is how every report of one event dates it,
and a second event of the same kind usually happened on another day.
"""

from __future__ import annotations

_FUNCTION_WORDS = (
    "a about above after again against ago all almost also although always am among an and another "
    "any anyone anything are around as at away back be became because become been before being "
    "below between both but by came can cannot could did do does doing done down during each "
    "either else even ever every few for from further get gets getting go goes going gone got had "
    "has have having he her here hers herself him himself his how however i if in including into "
    "is it its itself just last least less like made make many may me might more most much must "
    "my myself near nearly neither never new next no nor not now of off often on once one only "
    "onto or other others our ours ourselves out over own per perhaps put rather really said same "
    "say saying says see seen several she should since so some still such take taken than that "
    "the their theirs them themselves then there these they this those though through thus to "
    "today told too toward towards under until up upon us very via was we well were what whatever "
    "when where whether which while who whom whose why will with within without would yet you "
    "your yours yourself"
)
_NEWS_WORDS = (
    "according added adding asked reported reporting reports statement news story stories update "
    "updated mr mrs ms dr inc ltd co pm yesterday tomorrow tonight week weeks day days year years "
    "time times"
)

STOPWORDS = frozenset(_FUNCTION_WORDS.split()) | frozenset(_NEWS_WORDS.split())
