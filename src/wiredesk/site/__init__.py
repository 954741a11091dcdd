"""The public site: pages, feeds out, sitemaps, the JSON API."""
