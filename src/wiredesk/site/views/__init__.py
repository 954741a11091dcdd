"""The site's views, one module per concept: HTML pages, the health check. Feeds, sitemaps and the
API live in their own modules beside this package."""
