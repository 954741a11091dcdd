"""The picture job against a real image server on 127.0.0.1: real photos made with Pillow are
stored in renditions served from our origin; hostile files are each refused with a reason, and the
story stays published."""

from __future__ import annotations

import io
from collections.abc import Iterator

import lxml.html
import pytest
from django.core.files.storage import default_storage
from django.test import Client
from django.test.utils import override_settings
from PIL import Image

from tests.support.factories import make_source, make_story
from tests.support.feedserver import FeedServer, Route
from tests.support.photos import (
    HTML_PAGE,
    SVG_WITH_SCRIPT,
    gif,
    jpeg,
    png,
    png_bomb,
    truncated_jpeg,
    webp,
)
from wiredesk.newsroom import images
from wiredesk.newsroom.imagemodels import Picture, PictureCheck
from wiredesk.newsroom.models import Source, Story
from wiredesk.newsroom.workers import pictures

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(scope="module")
def server() -> Iterator[FeedServer]:
    with FeedServer() as running:
        running.route("/photo.jpg", Route(jpeg(2400, 1600, orientation=6, gps=True, icc=True),
                                          content_type="image/jpeg"))
        running.route("/wide.png", Route(png(900, 500, alpha=True), content_type="image/png"))
        running.route("/pic.webp", Route(webp(1300, 866), content_type="image/webp"))
        running.route("/anim.gif", Route(gif(400, 300), content_type="image/gif"))
        running.route("/bomb.png", Route(png_bomb(), content_type="image/png"))
        running.route("/evil.svg", Route(SVG_WITH_SCRIPT, content_type="image/svg+xml"))
        running.route("/evil-as-jpeg.jpg", Route(SVG_WITH_SCRIPT, content_type="image/jpeg"))
        running.route("/huge.jpg", Route(b"\xff\xd8\xff" + b"\0" * (1024 * 1024 - 3),
                                         content_type="image/jpeg", repeat=50))
        running.route("/login.jpg", Route(HTML_PAGE, content_type="image/jpeg"))
        running.route("/truncated.jpg", Route(truncated_jpeg(), content_type="image/jpeg"))
        running.route("/pixel.gif", Route(_pixel(), content_type="image/gif"))
        yield running


def _pixel() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (1, 1)).save(buffer, "GIF")
    return buffer.getvalue()


@pytest.fixture(autouse=True)
def loopback_allowed() -> Iterator[None]:
    with override_settings(WIREDESK_FETCH_ALLOW_NETWORKS=["127.0.0.1/32"]):
        yield


def story_with(server: FeedServer, *paths: str, **fields: object) -> Story:
    return make_story(images=[{"url": server.url(path), "caption": f"Caption of {path}.",
                               "credit": "Photograph: Ann Lee/Wire"} for path in paths],
                      **fields)  # type: ignore[arg-type]


def refusals(story: Story) -> dict[str, str]:
    return {picture.url.rsplit("/", 1)[1]: picture.reason
            for picture in Picture.objects.filter(story=story, status=Picture.Status.FAILED)}


def test_real_photos_are_stored_in_renditions_without_metadata(server: FeedServer) -> None:
    story = story_with(server, "/photo.jpg", "/wide.png", "/pic.webp", "/anim.gif")
    assert pictures.process_pending() == 1
    stored = list(Picture.objects.filter(story=story).order_by("position"))
    assert [p.status for p in stored] == ["ready"] * 4, [p.reason for p in stored]
    photo = stored[0]
    # EXIF orientation 6 (rotate 90°) is applied: the 2400x1600 landscape file is a portrait.
    assert (photo.width, photo.height) == (1600, 2400)
    assert [r["width"] for r in photo.renditions] == [320, 640, 1024, 1600]
    assert [r["width"] for r in stored[1].renditions] == [320, 640, 900]
    assert [r["width"] for r in stored[3].renditions] == [320, 400]
    for rendition in photo.renditions:
        for name in (rendition["webp"], rendition["jpeg"]):
            with default_storage.open(name) as handle:
                image = Image.open(io.BytesIO(handle.read()))
            assert image.size == (rendition["width"], rendition["height"])
            assert not image.getexif(), "EXIF (GPS, camera) must be stripped"
            assert "icc_profile" not in image.info and "exif" not in image.info
    assert photo.credit == "Ann Lee/Wire"
    assert photo.alt == "Caption of /photo.jpg"
    assert Story.objects.get(pk=story.pk).is_public
    assert PictureCheck.objects.get(story=story).version_id == story.current_version_id


@pytest.mark.parametrize(("path", "reason"), [
    ("/bomb.png", "decompression bomb"),
    ("/evil.svg", "SVG is never accepted"),
    ("/evil-as-jpeg.jpg", "SVG is never accepted"),
    ("/huge.jpg", "fetch failed"),
    ("/login.jpg", "not an image: an HTML page served as image/jpeg"),
    ("/truncated.jpg", "truncated or corrupt JPEG"),
    ("/pixel.gif", "too small"),
    ("/missing.jpg", "HTTP 404"),
])
def test_hostile_files_are_refused_with_a_reason_and_the_story_stays_published(
        server: FeedServer, client: Client, path: str, reason: str) -> None:
    story = story_with(server, path, "/wide.png")
    pictures.process_pending()
    assert reason in refusals(story)[path.lstrip("/")]
    assert Picture.objects.get(story=story, url__endswith="/wide.png").status == "ready"
    story.refresh_from_db()
    assert story.is_public
    response = client.get(story.get_absolute_url())
    assert response.status_code == 200
    assert path.encode() not in response.content  # never hot-linked, not even as a fallback


def test_the_size_cap_is_the_fetchers(server: FeedServer) -> None:
    story = story_with(server, "/huge.jpg")
    pictures.process_pending()
    assert "larger than" in refusals(story)["huge.jpg"] or "too large" in \
        refusals(story)["huge.jpg"].lower()


def test_an_image_on_a_refused_address_is_not_fetched(server: FeedServer) -> None:
    before = len(server.requests_to("/wide.png"))
    with override_settings(WIREDESK_FETCH_ALLOW_NETWORKS=[]):
        story = story_with(server, "/wide.png")
        pictures.process_pending()
    assert "loopback address; refused" in refusals(story)["wide.png"]
    assert len(server.requests_to("/wide.png")) == before


def test_two_sizes_of_one_photo_are_one_picture_fetched_at_the_larger(server: FeedServer) -> None:
    small, large = server.url("/photo.jpg?width=140&s=ab"), server.url("/photo.jpg?width=460&s=cd")
    story = make_story(images=[
        {"url": small, "caption": "", "credit": "Photo: Photograph: Alex Wong/Getty Images"},
        {"url": large, "caption": "Senators leave the chamber.",
         "credit": "Photograph: Alex Wong/Getty Images"}])
    pictures.process_pending()
    [picture] = Picture.objects.filter(story=story)
    assert picture.url == large
    assert picture.credit == "Alex Wong/Getty Images"
    assert picture.caption == "Senators leave the chamber."


def test_pictures_of_an_excerpt_from_a_publisher_feed_are_not_copied(server: FeedServer) -> None:
    source = make_source("Publisher", slug="publisher")
    Source.objects.filter(pk=source.pk).update(publication_mode=Source.Mode.EXCERPT)
    before = len(server.requests_to("/wide.png"))
    story = story_with(server, "/wide.png", source=Source.objects.get(pk=source.pk))
    Story.objects.filter(pk=story.pk).update(publication_mode=Source.Mode.EXCERPT)
    pictures.process_pending()
    assert not Picture.objects.filter(story=story).exists()
    assert "rights" in PictureCheck.objects.get(story=story).note
    assert len(server.requests_to("/wide.png")) == before


def test_the_article_shows_our_renditions_with_dimensions_alt_and_srcset(
        server: FeedServer, client: Client) -> None:
    story = story_with(server, "/anim.gif", "/pic.webp")
    pictures.process_pending()
    doc = lxml.html.fromstring(client.get(story.get_absolute_url()).content)
    imgs = doc.xpath("//figure[@class='story-image']//img")
    assert len(imgs) == 2
    # The lead is chosen, not the feed's first: the 1300-pixel photo fills the slot.
    assert imgs[0].get("alt") == "Caption of /pic.webp"
    for img in imgs:
        assert img.get("src").startswith("/media/images/")
        assert img.get("width") and img.get("height") and img.get("sizes")
        assert " 320w" in img.get("srcset")
    assert imgs[0].get("loading") is None and imgs[1].get("loading") == "lazy"
    assert doc.xpath("//figure//source[@type='image/webp']/@srcset")
    og = doc.xpath("//meta[@property='og:image']/@content")[0]
    assert og.startswith("http://testserver/media/images/") and og.endswith("/1300.jpg")
    assert texts(doc, "//figcaption/*[@class='credit']") == ["Ann Lee/Wire"] * 2
    response = client.get(imgs[0].get("src"))
    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    assert "immutable" in response["Cache-Control"]
    assert b"".join(response.streaming_content)[:3] == b"\xff\xd8\xff"  # type: ignore[attr-defined]
    response.close()
    assert client.get("/media/images/../originals/x.jpg").status_code == 404


def texts(doc: lxml.html.HtmlElement, xpath: str) -> list[str]:
    return [" ".join(node.text_content().split()) for node in doc.xpath(xpath)]


def test_a_new_version_without_the_picture_drops_it(server: FeedServer) -> None:
    story = story_with(server, "/wide.png")
    pictures.process_pending()
    assert Picture.objects.filter(story=story, status="ready").count() == 1
    version = story.current_version
    assert version is not None
    version.pk = None
    version.number += 1
    version.images = []
    version.save()
    Story.objects.filter(pk=story.pk).update(current_version=version)
    assert pictures.process_pending() == 1
    assert not Picture.objects.filter(story=story).exists()


def test_photo_keys_ignore_sizes() -> None:
    assert images.photo_key("https://i.guim.co.uk/img/media/abc/master/3000.jpg?width=140&s=x") \
        == images.photo_key("https://i.guim.co.uk/img/media/abc/master/3000.jpg?width=460&s=y")
    assert images.photo_key("https://ichef.bbci.co.uk/news/240/cpsprodpb/1/a.jpg") \
        == images.photo_key("https://ichef.bbci.co.uk/news/976/cpsprodpb/1/a.jpg")
    assert images.photo_key("https://x.example/a.jpg") != images.photo_key(
        "https://x.example/b.jpg")


def test_credits_are_cleaned_and_shown_once() -> None:
    assert images.clean_credit("Photo: Photograph: Alex Wong/Getty Images") == \
        "Alex Wong/Getty Images"
    assert images.clean_credit("© Reuters") == "Reuters"
    assert images.clean_credit("Reuters", "Crowds gather. Reuters") == ""
