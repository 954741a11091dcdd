"""/media/images/...: the desk's own pictures, from the default storage when it is the data
folder (with S3 or another remote storage, pictures are served from its own address).

Names are content hashes (:mod:`wiredesk.newsroom.images`): a file never changes once written,
so it is sent with a year's cache lifetime and ``immutable``. Only ``images/`` is served: the
``originals/`` kept for re-rendering still carry their metadata and are never published.
"""

from __future__ import annotations

import mimetypes
import posixpath

from django.core.files.storage import default_storage
from django.http import (
    FileResponse,
    Http404,
    HttpRequest,
    HttpResponseBase,
    HttpResponseNotModified,
)

YEAR = 365 * 24 * 3600
_TYPES = {".webp": "image/webp", ".jpg": "image/jpeg"}


def picture(request: HttpRequest, name: str) -> HttpResponseBase:
    path = posixpath.normpath(f"images/{name}")
    extension = posixpath.splitext(path)[1]
    if not path.startswith("images/") or ".." in path.split("/") or extension not in _TYPES:
        raise Http404("No such picture.")
    etag = f'"{path}"'
    if request.headers.get("If-None-Match") == etag:
        response: HttpResponseBase = HttpResponseNotModified()
    else:
        try:
            handle = default_storage.open(path, "rb")
        except (FileNotFoundError, OSError, NotImplementedError) as exc:
            raise Http404("No such picture.") from exc
        response = FileResponse(handle, content_type=_TYPES.get(extension)
                                or mimetypes.guess_type(path)[0])
    response["Cache-Control"] = f"public, max-age={YEAR}, immutable"
    response["ETag"] = etag
    return response
