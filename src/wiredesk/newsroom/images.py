"""Pictures the desk hosts itself: fetched once, verified, re-encoded, stored, served by us.

Hot-linking a publisher's image leaks readers to a third party, breaks offline and cannot be
resized; so for a story whose rights allow its pictures (:func:`may_host`), each distinct photo is
fetched through the feeds' guarded fetcher (:func:`wiredesk.ingest.fetch.fetch_feed`: address
policy on every hop, size cap, timeouts) and must pass :func:`verify`:

* its type is sniffed from its bytes, whatever the server said: JPEG, PNG, GIF, WebP or AVIF;
  SVG is never accepted (a picture that can carry scripts), nor HTML served as ``image/jpeg``;
* its pixel count is read from the header and refused above ``WIREDESK_IMAGE_MAX_PIXELS`` before
  anything is decoded (a decompression bomb is a small file with a huge canvas);
* it must decode completely (a truncated file is refused, not shown half grey);
* EXIF orientation is applied and an embedded colour profile converted to sRGB, after which every
  piece of metadata (EXIF with GPS, XMP, ICC, comments) is left behind: renditions are encoded
  from pixels only.

Renditions (:data:`WIDTHS`, never wider than the photo) are written in WebP with a JPEG fallback
through Django's storage API, under names made of the source bytes' SHA-256: immutable, so they
are served with a year's cache lifetime. The source bytes are kept too, under ``originals/``
(never linked), so renditions can be made again. Everything here is per picture; a refused
picture is recorded with its reason and never holds its story (see
:mod:`wiredesk.newsroom.workers.pictures`).
"""

from __future__ import annotations

import hashlib
import io
import re
import time
import warnings
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, urlsplit, urlunsplit

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from PIL import Image, ImageCms, ImageOps, UnidentifiedImageError, features

from wiredesk.core.addresses import AddressPolicy
from wiredesk.core.errors import FetchError
from wiredesk.ingest.fetch import FetchPolicy, fetch_feed

WIDTHS = (320, 640, 1024, 1600)
# A picture smaller than this on either side is an icon, a spacer or a tracking pixel.
MIN_SIDE = 100
WEBP_QUALITY = 80
JPEG_QUALITY = 82

# Magic numbers of the formats accepted, as Pillow names them.
_SIGNATURES: tuple[tuple[bytes, int, str], ...] = (
    (b"\xff\xd8\xff", 0, "JPEG"),
    (b"\x89PNG\r\n\x1a\n", 0, "PNG"),
    (b"GIF87a", 0, "GIF"),
    (b"GIF89a", 0, "GIF"),
    (b"WEBP", 8, "WEBP"),
)
_AVIF_BRANDS = (b"avif", b"avis")
_EXTENSIONS = {"JPEG": "jpg", "PNG": "png", "GIF": "gif", "WEBP": "webp", "AVIF": "avif"}


class ImageRefused(Exception):
    """The file is not a picture the desk will host; the message says why, for the admin."""


@dataclass(frozen=True, slots=True)
class Candidate:
    """One photo of a story as the feed names it, at the largest size it names."""

    url: str
    key: str
    caption: str
    credit: str
    position: int


@dataclass(slots=True)
class Verified:
    image: Image.Image  # oriented, sRGB, RGB or RGBA, no metadata
    format: str  # the sniffed source format
    sha256: str


@dataclass(frozen=True, slots=True)
class Rendition:
    width: int
    height: int
    webp: bytes
    jpeg: bytes


# --------------------------------------------------------------------------- which photos

_SIZE_PARAMS = frozenset({"w", "width", "h", "height", "size", "resize", "fit", "crop", "dpr",
                          "quality", "q", "auto", "format", "fm", "s", "sig", "ixlib", "impolicy",
                          "imwidth", "wid", "hei", "output-quality", "strip"})
# Path segments that are a size: /140/, /976x549/, /w_640/, /width-800/, /1200xn/.
_SIZE_SEGMENT = re.compile(r"^(?:\d{2,4}(?:x\d{0,4}n?)?|[wh][_-]?\d{2,4}|(?:width|height)[_-]?"
                           r"\d{2,4}|\d{2,4}w)$", re.IGNORECASE)
# A size glued to the file name: photo-640x427.jpg, photo_1024.jpg, photo@2x.jpg.
_SIZE_SUFFIX = re.compile(r"(?:[-_]\d{2,4}x\d{2,4}|[-_]\d{3,4}|@\dx)(?=\.\w{3,4}$)")


def photo_key(url: str) -> str:
    """The photo's identity, without the size an image server was asked for: two sizes of one
    Guardian photo (``?width=140`` and ``?width=460``) or a BBC one (``/news/240/`` and
    ``/news/976/``) have the same key."""
    split = urlsplit(url.strip())
    segments = [("*" if _SIZE_SEGMENT.match(part) else part) for part in split.path.split("/")]
    path = _SIZE_SUFFIX.sub("", "/".join(segments))
    query = "&".join(f"{k}={v}" for k, v in sorted(parse_qsl(split.query))
                     if k.lower() not in _SIZE_PARAMS)
    return urlunsplit(("", split.netloc.lower(), path, query, ""))[2:][:500]


def _size_hint(url: str, entry: dict[str, Any]) -> int:
    """How wide this address says the picture is (the feed's width, a width parameter or a
    size in the path), for keeping the largest of one photo's sizes; 0 when unknown."""
    if isinstance(entry.get("width"), int):
        return int(entry["width"])
    split = urlsplit(url)
    for name, value in parse_qsl(split.query):
        if name.lower() in {"w", "width", "imwidth", "wid"} and value.isdigit():
            return int(value)
    numbers = [int(n) for n in re.findall(r"(?<![\w.])(\d{2,4})(?=[x/_.-]|w\b|$)", split.path)]
    return max(numbers, default=0)


def candidates(images: Iterable[Any]) -> list[Candidate]:
    """The story's distinct photos in feed order, each at the largest size named, with the
    caption and credit of whichever of its entries had them."""
    by_key: dict[str, tuple[int, dict[str, Any], str, str, str]] = {}
    order: list[str] = []
    for entry in images:
        if not isinstance(entry, dict):
            continue
        url = str(entry.get("url") or "").strip()
        if urlsplit(url).scheme.lower() not in ("http", "https"):
            continue
        key = photo_key(url)
        caption, credit = str(entry.get("caption") or ""), str(entry.get("credit") or "")
        hint = _size_hint(url, entry)
        if key not in by_key:
            order.append(key)
            by_key[key] = (hint, entry, url, caption, credit)
            continue
        best_hint, best, best_url, best_caption, best_credit = by_key[key]
        if hint > best_hint:
            best_hint, best, best_url = hint, entry, url
        by_key[key] = (best_hint, best, best_url, best_caption or caption, best_credit or credit)
    return [Candidate(url=by_key[key][2], key=key, caption=by_key[key][3].strip(),
                      credit=by_key[key][4].strip(), position=n)
            for n, key in enumerate(order)]


_CREDIT_PREFIX = re.compile(r"^\s*(?:(?:photo(?:graph)?s?|pictures?|image|credit|copyright|"
                            r"illustration|©|\(c\))\s*(?:by)?\s*[:\-\u2013\u2014]?\s*)+",
                            re.IGNORECASE)


def clean_credit(credit: str, caption: str = "") -> str:
    """The credit without its label (the site adds its own, once): "Photo: Photograph: Alex
    Wong/Getty Images" -> "Alex Wong/Getty Images"; empty when the caption already ends with it."""
    text = " ".join(credit.split())
    cleaned = _CREDIT_PREFIX.sub("", text).strip(" .;,")
    if cleaned and caption and " ".join(caption.split()).rstrip(" .").endswith(cleaned):
        return ""
    return cleaned[:300]


def clean_caption(caption: str, credit: str) -> str:
    """The caption without a credit glued to its end ("... Photograph: Alex Wong/Getty")."""
    text = " ".join(caption.split())
    cleaned = clean_credit(credit)
    for label in ("Photograph:", "Photo:", "Picture:", "Image:", "Credit:", "Illustration:"):
        if cleaned and text.endswith(f"{label} {cleaned}"):
            return text[: -len(f"{label} {cleaned}")].rstrip(" .") + "."
    return text


def alt_text(caption: str, headline: str) -> str:
    """What the picture shows for a reader who cannot see it: the caption's first sentence, else
    the headline (a picture of the story's subject is better described by it than by nothing)."""
    text = " ".join(caption.split())
    if text:
        first = re.split(r"(?<=[.!?])\s+(?=[A-Z])", text, maxsplit=1)[0]
        return first.rstrip(" .")[:300]
    return headline[:300]


# --------------------------------------------------------------------------- verifying

def sniff(data: bytes, content_type: str = "") -> str:
    """The format the bytes are in (a Pillow format name); ImageRefused when they are not a
    picture we accept, saying what they are."""
    served = content_type.split(";")[0].strip().lower() or "no type"
    if not data:
        raise ImageRefused("empty file")
    for magic, offset, name in _SIGNATURES:
        if data[offset:offset + len(magic)] == magic and (name != "WEBP" or data[:4] == b"RIFF"):
            return name
    if data[4:8] == b"ftyp" and data[8:12] in _AVIF_BRANDS and features.check("avif"):
        return "AVIF"
    head = data[:4096].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if b"<svg" in head or "svg" in served:
        raise ImageRefused(f"SVG is never accepted: it can carry scripts (served as {served})")
    if head.startswith((b"<!doctype html", b"<html", b"<head", b"<body")) or b"<html" in head:
        raise ImageRefused(f"not an image: an HTML page served as {served}")
    if head.startswith(b"<"):
        raise ImageRefused(f"not an image: XML or markup served as {served}")
    raise ImageRefused(f"not an image format we accept (JPEG, PNG, GIF, WebP, AVIF); served as "
                       f"{served}")


def max_pixels() -> int:
    return int(getattr(settings, "WIREDESK_IMAGE_MAX_PIXELS", 40_000_000))


def verify(data: bytes, content_type: str = "", *, pixel_limit: int | None = None) -> Verified:
    """Open, check and normalise a picture (module docstring); ImageRefused with the reason."""
    limit = pixel_limit or max_pixels()
    fmt = sniff(data, content_type)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data), formats=[fmt])
            width, height = image.size
            if width * height > limit:
                raise ImageRefused(f"decompression bomb: {width}x{height} pixels is more than "
                                   f"the limit of {limit:,}")
            if min(width, height) < MIN_SIDE:
                raise ImageRefused(f"too small to show ({width}x{height}): an icon or a "
                                   "tracking pixel")
            image.load()
    except ImageRefused:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise ImageRefused(f"decompression bomb: {exc}") from exc
    except UnidentifiedImageError as exc:
        raise ImageRefused(f"not a readable {fmt} file") from exc
    except (OSError, SyntaxError, ValueError, EOFError) as exc:
        raise ImageRefused(f"truncated or corrupt {fmt} file: {exc}") from exc
    return Verified(_normalised(image), fmt, hashlib.sha256(data).hexdigest())


_SRGB = ImageCms.createProfile("sRGB")


def _normalised(image: Image.Image) -> Image.Image:
    """Upright, in sRGB, RGB or RGBA, with no metadata left on it."""
    image = ImageOps.exif_transpose(image) or image
    icc = image.info.get("icc_profile")
    if icc:
        try:
            source = ImageCms.ImageCmsProfile(io.BytesIO(icc))
            mode = "RGBA" if image.mode in ("RGBA", "LA", "PA") else "RGB"
            if image.mode not in ("RGB", "RGBA", "CMYK", "L"):
                image = image.convert("RGBA" if mode == "RGBA" else "RGB")
            converted = ImageCms.profileToProfile(image, source, _SRGB, outputMode=mode)
            if converted is not None:
                image = converted
        except (ImageCms.PyCMSError, OSError, ValueError):
            pass  # a broken profile: the pixels as they are, as a browser would show them
    alpha = image.mode in ("RGBA", "LA", "PA") or (image.mode == "P"
                                                    and "transparency" in image.info)
    image = image.convert("RGBA" if alpha else "RGB")
    image.info = {}
    return image


# --------------------------------------------------------------------------- renditions

def rendition_widths(width: int) -> list[int]:
    """The widths made for a photo ``width`` pixels wide: each standard width below it, and the
    photo's own width (capped at the largest standard one)."""
    top = min(width, WIDTHS[-1])
    return [w for w in WIDTHS if w < top] + [top]


def render(image: Image.Image) -> list[Rendition]:
    """WebP and JPEG at each of :func:`rendition_widths`, largest first (each smaller one is
    resized from the one before: as sharp, and a fraction of the work)."""
    width, height = image.size
    out = []
    current = image
    for w in reversed(rendition_widths(width)):
        h = max(1, round(height * w / width))
        if current.size != (w, h):
            current = current.resize((w, h), Image.Resampling.LANCZOS, reducing_gap=3.0)
        out.append(Rendition(w, h, _encode_webp(current), _encode_jpeg(current)))
    return out[::-1]


def _encode_webp(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, "WEBP", quality=WEBP_QUALITY, method=4)
    return buffer.getvalue()


def _encode_jpeg(image: Image.Image) -> bytes:
    if image.mode == "RGBA":  # JPEG has no alpha: flatten on the page's white
        flat = Image.new("RGB", image.size, (255, 255, 255))
        flat.paste(image, mask=image.getchannel("A"))
        image = flat
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=JPEG_QUALITY, optimize=True, progressive=True)
    return buffer.getvalue()


# --------------------------------------------------------------------------- storing

def _save(name: str, data: bytes) -> str:
    """Write ``data`` under ``name`` unless it is there (names are content hashes)."""
    if default_storage.exists(name):
        return name
    return default_storage.save(name, ContentFile(data))


@dataclass(frozen=True, slots=True)
class Stored:
    width: int
    height: int
    sha256: str
    format: str
    original: str
    renditions: list[dict[str, Any]]


def store(data: bytes, content_type: str = "") -> Stored:
    """Verify ``data`` and write its original and renditions; ImageRefused when it is refused."""
    verified = verify(data, content_type)
    sha = verified.sha256
    folder = f"{sha[:2]}/{sha[2:]}"
    original = _save(f"originals/{folder}.{_EXTENSIONS[verified.format]}", data)
    renditions = []
    for rendition in render(verified.image):
        renditions.append({
            "width": rendition.width, "height": rendition.height,
            "webp": _save(f"images/{folder}/{rendition.width}.webp", rendition.webp),
            "jpeg": _save(f"images/{folder}/{rendition.width}.jpg", rendition.jpeg)})
    width, height = verified.image.size
    return Stored(width, height, sha, verified.format, original, renditions)


# --------------------------------------------------------------------------- fetching

def fetch_policy() -> FetchPolicy:
    """The feeds' limits, with the image size cap."""
    return FetchPolicy(
        connect_timeout=settings.WIREDESK_FETCH_CONNECT_TIMEOUT,
        total_timeout=settings.WIREDESK_FETCH_TOTAL_TIMEOUT,
        max_bytes=int(getattr(settings, "WIREDESK_IMAGE_MAX_BYTES", 15 * 1024 * 1024)),
        address_policy=AddressPolicy.allowing(settings.WIREDESK_FETCH_ALLOW_NETWORKS),
    )


@dataclass(frozen=True, slots=True)
class Outcome:
    candidate: Candidate
    stored: Stored | None
    reason: str  # why it was refused or failed, when stored is None
    size: int  # bytes fetched
    seconds: float


def fetch_and_store(candidate: Candidate, policy: FetchPolicy | None = None) -> Outcome:
    """Fetch one photo and store it; a refusal or failure is an outcome with its reason."""
    started = time.perf_counter()
    size = 0
    try:
        result = fetch_feed(candidate.url, policy=policy or fetch_policy())
        size = len(result.body)
        stored = store(result.body, result.content_type)
    except FetchError as exc:
        return Outcome(candidate, None, f"fetch failed: {exc}"[:500], size,
                       time.perf_counter() - started)
    except ImageRefused as exc:
        return Outcome(candidate, None, f"refused: {exc}"[:500], size,
                       time.perf_counter() - started)
    return Outcome(candidate, stored, "", size, time.perf_counter() - started)


def store_local(candidate: Candidate, data: bytes, content_type: str = "") -> Outcome:
    """The same, for bytes already at hand (the bundled demo's pictures)."""
    started = time.perf_counter()
    try:
        stored = store(data, content_type)
    except ImageRefused as exc:
        return Outcome(candidate, None, f"refused: {exc}"[:500], len(data),
                       time.perf_counter() - started)
    return Outcome(candidate, stored, "", len(data), time.perf_counter() - started)


def lead_index(sizes: Sequence[tuple[int, int]]) -> int:
    """Which of a story's stored photos leads: the first of a size and shape that fills a wide
    slot (at least 600 pixels wide, between 4:5 portrait and 2.4:1), else the largest."""
    for n, (width, height) in enumerate(sizes):
        if width >= 600 and 0.8 <= width / max(height, 1) <= 2.4:
            return n
    return max(range(len(sizes)), key=lambda n: sizes[n][0] * sizes[n][1]) if sizes else 0
