"""Pages of listings: ``?page=N`` for the first pages, keyset cursors past them.

A listing is read newest first by (time, id), an index range scan from wherever the page starts.
The first pages are numbered (``?page=2``) and read with a small OFFSET; past
:data:`MAX_OFFSET` stories, links carry a cursor instead (``?before=<time>.<id>``: the stories
after the last one shown, ``?after=`` for the newer ones before the first), so a deep page costs
what the first does however large the archive. No listing counts its stories: a count of a
listing is a scan of the listing.

Search keeps plain page numbers with its own total (:func:`page_info`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from django.conf import settings
from django.db.models import Model, Q, QuerySet
from django.http import Http404, HttpRequest, QueryDict

from wiredesk.site.params import BadParameter, cursor, make_cursor, whole_number

M = TypeVar("M", bound=Model)

# How deep numbered pages go, in stories: an OFFSET up to this is cheap; past it, cursors.
MAX_OFFSET = 1000
# The largest page number anyone could ask for with MAX_OFFSET and the smallest page size.
MAX_PAGE = MAX_OFFSET + 1


@dataclass(frozen=True, slots=True)
class PageInfo:
    number: int  # 0 for a page reached by a cursor
    url: str
    previous_url: str | None
    next_url: str | None
    pages: int | None = None  # known for search only
    total: int | None = None


@dataclass(frozen=True, slots=True)
class Position:
    """Where a page starts: a page number, or a cursor (before/after a (time, id))."""

    number: int = 1
    before: tuple[Any, int] | None = None
    after: tuple[Any, int] | None = None

    @classmethod
    def from_query(cls, query: QueryDict, size: int) -> Position:
        """Raises BadParameter for anything no link of ours carries."""
        before = query.get("before")
        after = query.get("after")
        if before is not None and after is not None:
            raise BadParameter("before", "before and after cannot be combined.")
        if before is not None:
            return cls(number=0, before=cursor(before, "before"))
        if after is not None:
            return cls(number=0, after=cursor(after, "after"))
        number = whole_number(query.get("page", "1"), "page", maximum=MAX_PAGE)
        if (number - 1) * size > MAX_OFFSET:
            raise BadParameter("page", f"page numbers go {MAX_OFFSET // size + 1} deep at this "
                                       "page size; follow the next links (cursors) past that.")
        return cls(number=number)


@dataclass(frozen=True, slots=True)
class Window:
    """One page of rows and what lies either side of it."""

    rows: list[Any]
    has_newer: bool
    has_older: bool


def read_window(stories: Callable[[Q | None], QuerySet[M]], order: tuple[str, str],
                position: Position, size: int) -> Window:
    """Read one page: ``stories(where)`` gives the listing newest first, ``where`` a cursor
    condition to apply in the same filter as its scope; ``order`` its (time, id) columns."""
    time, pk = order
    # The cursor's (time, id) condition is an OR, which neither database turns into where an
    # index range starts: they walk the listing from its newest end and filter every row until
    # the cursor (300 ms fifty pages down at a million stories on PostgreSQL). The redundant
    # bound on the time alone is an index condition, so the scan starts at the cursor.
    if position.before is not None:
        moment, key = position.before
        older = Q(**{f"{time}__lt": moment}) | Q(**{time: moment, f"{pk}__lt": key})
        rows = list(stories(Q(**{f"{time}__lte": moment}) & older)[:size + 1])
        return Window(rows[:size], True, len(rows) > size)
    if position.after is not None:
        moment, key = position.after
        newer = Q(**{f"{time}__gt": moment}) | Q(**{time: moment, f"{pk}__gt": key})
        rows = list(stories(Q(**{f"{time}__gte": moment}) & newer).reverse()[:size + 1])
        return Window(rows[:size][::-1], len(rows) > size, True)
    offset = (position.number - 1) * size
    if not offset:
        rows = list(stories(None)[:size + 1])
    else:
        # The skipped rows are walked on the listing alone, and only the page's stories are read
        # with their version, source and cluster (joining every skipped row: 27 ms at page 50 of
        # a million stories on PostgreSQL, 1 ms this way).
        ids = list(stories(None).values_list("pk", flat=True)[offset:offset + size + 1])
        rows = list(stories(Q(pk__in=ids))) if ids else []
    return Window(rows[:size], position.number > 1, len(rows) > size)


def links(request: HttpRequest, position: Position, window: Window, size: int,
          time_of: Callable[[Any], Any]) -> tuple[str | None, str | None]:
    """The previous (newer) and next (older) page's URLs for a window: numbered while the next
    page's offset is within MAX_OFFSET, cursors past it."""
    previous = following = None
    if window.has_newer:
        if position.number > 1:
            previous = url_with(request, page=position.number - 1)
        elif window.rows:
            previous = url_with(request, after=make_cursor(time_of(window.rows[0]),
                                                           window.rows[0].pk))
        else:
            previous = url_with(request)
    if window.has_older and window.rows:
        if position.number and position.number * size <= MAX_OFFSET:
            following = url_with(request, page=position.number + 1)
        else:
            last = window.rows[-1]
            following = url_with(request, before=make_cursor(time_of(last), last.pk))
    return previous, following


def listing_page(request: HttpRequest, stories: Callable[[Q | None], QuerySet[M]],
                 order: tuple[str, str] = ("first_published_at", "id"),
                 time_of: Callable[[Any], Any] = lambda story: story.first_published_at,
                 ) -> tuple[list[M], PageInfo]:
    """One page of an HTML listing; 404 for a page that does not exist."""
    size = page_size()
    try:
        position = Position.from_query(request.GET, size)
    except BadParameter as exc:
        raise Http404("No such page.") from exc
    window = read_window(stories, order, position, size)
    if not window.rows and (position.number != 1):
        raise Http404("No such page.")
    previous, following = links(request, position, window, size, time_of)
    return window.rows, PageInfo(number=position.number, url=url_with(
        request, **_position_params(position)), previous_url=previous, next_url=following)


def offset_page(request: HttpRequest, items: QuerySet[M]) -> tuple[list[M], PageInfo]:
    """One page of a list read by numbered pages only (a person's quotes), no deeper than
    MAX_OFFSET; no count."""
    size = page_size()
    try:
        number = whole_number(request.GET.get("page", "1"), "page", maximum=MAX_PAGE)
    except BadParameter as exc:
        raise Http404("No such page.") from exc
    offset = (number - 1) * size
    if offset > MAX_OFFSET:
        raise Http404("No such page.")
    rows = list(items[offset:offset + size + 1])
    if not rows and number > 1:
        raise Http404("No such page.")
    has_older = len(rows) > size and number * size <= MAX_OFFSET
    return rows[:size], PageInfo(
        number=number, url=url_with(request, page=number),
        previous_url=url_with(request, page=number - 1) if number > 1 else None,
        next_url=url_with(request, page=number + 1) if has_older else None)


def _position_params(position: Position) -> dict[str, Any]:
    if position.before is not None:
        return {"before": make_cursor(*position.before)}
    if position.after is not None:
        return {"after": make_cursor(*position.after)}
    return {"page": position.number}


def page_number(request: HttpRequest) -> int:
    """The requested page of search results; a page that is not a positive number in range does
    not exist (404)."""
    try:
        return whole_number(request.GET.get("page", "1"), "page", maximum=MAX_PAGE)
    except BadParameter as exc:
        raise Http404("No such page.") from exc


def page_size() -> int:
    return int(settings.WIREDESK_PAGE_SIZE)


def page_info(request: HttpRequest, number: int, total: int) -> PageInfo:
    """Numbered pages with a known total (search)."""
    pages = max(1, -(-total // page_size()))
    return PageInfo(
        number=number, url=page_url(request, number),
        previous_url=page_url(request, number - 1) if number > 1 else None,
        next_url=page_url(request, number + 1) if number < pages else None,
        pages=pages, total=total,
    )


def page_url(request: HttpRequest, number: int) -> str:
    """This URL at another page, other parameters (the search query) kept."""
    return url_with(request, page=number)


def url_with(request: HttpRequest, *, page: int = 1, before: str = "", after: str = "") -> str:
    """This URL at another position, other parameters kept; page 1 without a parameter."""
    query = request.GET.copy()
    for name in ("page", "before", "after"):
        query.pop(name, None)
    if before:
        query["before"] = before
    elif after:
        query["after"] = after
    elif page > 1:
        query["page"] = str(page)
    encoded = query.urlencode()
    return f"{request.path}?{encoded}" if encoded else request.path
