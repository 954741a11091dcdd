"""Wiredesk's own exception tree.

Third-party errors are translated at the boundary (``raise FetchError(...) from exc``), so callers
only ever handle these.
"""


class WiredeskError(Exception):
    """Base class of every error Wiredesk raises on purpose."""


class ParseError(WiredeskError):
    """A payload could not be read as a feed; the message says why, in a publisher's words."""


class NotAFeed(ParseError):
    """The payload is something else (typically an HTML page served where a feed was expected)."""


class UnsafeXML(ParseError):
    """The XML declares entities or other constructs we refuse to process (XML bombs, XXE)."""


class FetchError(WiredeskError):
    """A feed could not be fetched; recorded on the source, never raised past the refresh."""


class RefusedAddress(FetchError):
    """The URL resolves to an address feeds may not come from (loopback, private, metadata...)."""


class TooLarge(FetchError):
    """The response body exceeded the size cap (measured after decompression)."""
