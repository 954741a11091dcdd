"""Enrichment: entities, quotes, key figures, places and topics, from a story's text.

Pure: no Django, no I/O (the NER model is loaded from an installed package by whoever builds an
:class:`~.pipeline.Enricher`; nothing is kept per process). One concept per module: :mod:`.ner`
(the recogniser: people, organisations, places in the text), :mod:`.corrections` (its named
passes over typed spans), :mod:`.speakers` and :mod:`.quotes` (direct quotations and who said
them), :mod:`.figures` (key numbers and what they count), :mod:`.pipeline` (the stages in order).
Word lists, folding and the gazetteer are shared with dedupe and cluster in
:mod:`wiredesk.core.lexicon`.
"""
