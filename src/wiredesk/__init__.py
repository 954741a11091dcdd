"""Wiredesk: an automated wire desk.

Syndicated news comes in (RSS, Atom, JSON Feed; wire formats later), every item
becomes a clean, attributed story, and the stories are published on a news site with feeds,
sitemaps, search and an API.
"""

__version__ = "0.1.0"
