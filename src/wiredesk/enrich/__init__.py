"""Enrichment: entities, quotes, key figures, places and topics, from a story's text.

Pure: no Django, no I/O (the NER model is loaded from an installed package, once per process).
One concept per module: :mod:`.ner` (people, organisations, places in the text), :mod:`.speakers`
and :mod:`.quotes` (direct quotations and who said them), :mod:`.figures` (key numbers and what
they count).
"""
