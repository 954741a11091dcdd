"""Pytest fixtures for enrichment (imported by tests/conftest.py): a fresh enricher per test.

The recogniser's model is read-only once loaded, so one is shared by the whole session (loading
it costs about 2 s); each test gets its own :class:`~wiredesk.enrich.pipeline.Enricher` around
it, as the worker builds its own.
"""

from __future__ import annotations

import pytest

from wiredesk.enrich import ner
from wiredesk.enrich.pipeline import Enricher

__all__ = ["enricher", "recogniser"]


@pytest.fixture(scope="session")
def recogniser() -> ner.Recogniser:
    """The pinned model (or, where it is missing, the fallback), built once for the session."""
    return ner.build_recogniser()


@pytest.fixture
def enricher(recogniser: ner.Recogniser) -> Enricher:
    """A new enricher for this test, around the session's recogniser."""
    return Enricher(recogniser)
