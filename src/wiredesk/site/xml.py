"""Text that XML 1.0 can carry."""

from __future__ import annotations

import re

# Characters XML 1.0 forbids. Feed text is sanitised at ingest, but one stray control character
# would make Django's feed writer raise or lxml refuse the whole document, so outputs strip them.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def xml_safe(text: str) -> str:
    return _NOT_XML.sub("", text)
