"""The write path: applying lifecycle decisions, the duplicate desk, the clusterer, and
publishing each change (versions, listings, search index, front caches)."""
