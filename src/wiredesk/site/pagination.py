"""Page numbers for HTML listings and search: ``?page=N``, page 1 without the parameter."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TypeVar

from django.conf import settings
from django.core.paginator import InvalidPage, Paginator
from django.db.models import Model, QuerySet
from django.http import Http404, HttpRequest

M = TypeVar("M", bound=Model)


@dataclass(frozen=True, slots=True)
class PageInfo:
    number: int
    pages: int
    total: int
    url: str
    previous_url: str | None
    next_url: str | None


def page_number(request: HttpRequest) -> int:
    """The requested page; a page that is not a positive number does not exist (404)."""
    raw = request.GET.get("page", "1")
    if not raw.isdigit() or int(raw) < 1:
        raise Http404("No such page.")
    return int(raw)


def page_size() -> int:
    return settings.WIREDESK_PAGE_SIZE


def paginate(request: HttpRequest, stories: QuerySet[M]) -> tuple[list[M], PageInfo]:
    """One page of a listing (two queries: the count and the page)."""
    paginator = Paginator(stories, page_size())
    try:
        page = paginator.page(page_number(request))
    except InvalidPage as exc:
        raise Http404("No such page.") from exc
    return list(page.object_list), page_info(request, page.number, paginator.count)


def page_info(request: HttpRequest, number: int, total: int) -> PageInfo:
    pages = max(1, -(-total // page_size()))
    return PageInfo(
        number=number, pages=pages, total=total, url=page_url(request, number),
        previous_url=page_url(request, number - 1) if number > 1 else None,
        next_url=page_url(request, number + 1) if number < pages else None,
    )


def page_url(request: HttpRequest, number: int) -> str:
    """This URL at another page, other parameters (the search query) kept."""
    query = request.GET.copy()
    query.pop("page", None)
    if number > 1:
        query["page"] = str(number)
    encoded = query.urlencode()
    return f"{request.path}?{encoded}" if encoded else request.path
