"""The review queue's counts for the admin index (templates/admin/newsroom/index.html)."""

from django import template

from wiredesk.newsroom.review import Counts, counts

register = template.Library()


@register.simple_tag
def review_counts() -> Counts:
    return counts()
