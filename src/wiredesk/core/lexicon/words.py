"""Word lists of English news copy: stop words, titles written before names, months and weekdays.

Written as whitespace-separated text for readability; all lower case unless said otherwise.
"""

from __future__ import annotations


def wordset(words: str) -> frozenset[str]:
    """A word list written as one whitespace-separated string (easier to read and extend)."""
    return frozenset(words.split())


# -------------------------------------------------------------------------------------- titles
#
# Two lists, one inside the other, because they answer two questions:
#
# - NAME_TITLES: does a capitalised word before a name say *that it is a person*? Only titles
#   and roles that wire copy puts before a person's name and before nothing else. The recogniser
#   relies on it (a phrase after one is a person; a "person" running into one is the employer
#   named before the title; one alone is no name), so a word here must never start another kind
#   of name: "Father", "Speaker", "Head" or "Player" would turn churches, parliaments and teams
#   into people.
# - TITLES: is a capitalised word before a name *not part of the name*? Every title, office,
#   rank, job and sports position; splitting "Prime Minister Helena Duarte" from the name needs
#   them all, and there a wrong word costs little (a name is trimmed, never invented).

NAME_TITLES = wordset(
    """mr mrs ms dr sir lady lord president minister premier senator governor mayor judge king
    queen prince princess pope rev gen general col sgt chancellor secretary spokesman
    spokeswoman chairman chief director coach striker captain manager leader"""
)
TITLES = NAME_TITLES | wordset(
    """
    vice prime sen rep representative gov miss mx justice colonel capt lt lieutenant sergeant
    officer const constable ceo cfo coo chairwoman chair chairperson professor prof ambassador
    commissioner superintendent supt inspector insp detective det councillor councilor
    alderman trustee spokesperson sheriff attorney lawyer bishop archbishop reverend deputy
    magistrate cardinal rabbi imam dame mp mla mpp mep correspondent reporter analyst
    economist executive founder cofounder co-founder owner head dean principal provost nurse
    doctor pastor father sister brother cpl corporal pte private adm admiral maj major
    marshal staff sgt. minister-designate speaker whip critic candidate incumbent chef author
    artist actor actress singer rapper forward defenceman defenseman goaltender goalie
    quarterback midfielder pitcher golfer player
    """
)

# ------------------------------------------------------------------------------ months and days

# Capitalised, as written; callers lower-case them where they compare lower-cased words.
MONTHS: tuple[str, ...] = (
    "January", "February", "March", "April", "May", "June", "July", "August", "September",
    "October", "November", "December",
)
# The abbreviations wire copy writes before a day ("Nov 27", "Sept. 3"); "May" has none.
MONTH_ABBREVIATIONS: tuple[str, ...] = (
    "Jan", "Feb", "Mar", "Apr", "Jun", "Jul", "Aug", "Sep", "Sept", "Oct", "Nov", "Dec",
)
WEEKDAYS: tuple[str, ...] = (
    "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday",
)


def lower(words: tuple[str, ...]) -> tuple[str, ...]:
    """``words`` lower-cased, in their order (for regular expressions built from them)."""
    return tuple(word.lower() for word in words)


# ---------------------------------------------------------------------------------- stop words
#
# Words that say nothing about which event a story is about, or whether a capitalised word is a
# name: English function words, plus the verbs and nouns of news reporting itself ("said",
# "reported", "according"): every story has them, so they would only make unrelated stories look
# alike. Written for this project; deliberately short, because the clusterer's incremental IDF
# already discounts common words once enough stories have arrived. The list matters most at the
# start of a stream, when the IDF has seen too little to know what is common.
#
# Weekdays and months are *not* stop words: "on Saturday" is how every report of one event dates
# it, and a second event of the same kind usually happened on another day.

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
