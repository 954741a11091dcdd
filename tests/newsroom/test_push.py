"""HTTP push over a real socket: authentication, size limits, idempotency, 202 before processing,
and the source commands that make push credentials."""

from __future__ import annotations

import hashlib
import hmac
import io
import json
import threading
import time
from collections.abc import Iterator
from io import StringIO

import httpx
import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from pytest_django.live_server_helper import LiveServer

from wiredesk.newsroom import sealed
from wiredesk.newsroom.models import RawPayload, Source, Story, StoryVersion
from wiredesk.newsroom.sources import add_push_source
from wiredesk.newsroom.transports.push import BodyTooLarge, Credentials, read_capped
from wiredesk.urls import receive_push

from .feeds import STORY_A, STORY_B, Entry, rss

pytestmark = pytest.mark.django_db(transaction=True)

FEED = rss(STORY_A, STORY_B)


@pytest.fixture(autouse=True)
def background_done() -> Iterator[None]:
    """Every pushed payload processed before the test's database is emptied: a background thread
    still writing when the teardown truncates the tables deadlocked with it (PostgreSQL)."""
    yield
    assert receive_push.background.wait_idle(30), "background processing did not finish"


@pytest.fixture
def wire() -> tuple[Source, Credentials]:
    return add_push_source("Push Wire", section="World", hmac_key=True)


def push(server: LiveServer, slug: str, body: bytes, *, token: str = "",
         signature: str = "", method: str = "POST") -> httpx.Response:
    headers = {"Content-Type": "application/rss+xml; charset=utf-8"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    if signature:
        headers["X-Wiredesk-Signature"] = signature
    return httpx.request(method, f"{server.url}/push/{slug}/", content=body, headers=headers,
                         timeout=10)


def sign(key: str, body: bytes) -> str:
    return "sha256=" + hmac.new(key.encode(), body, hashlib.sha256).hexdigest()


def processed(payload_id: int, timeout: float = 10) -> RawPayload:
    """The payload once the background thread has processed it (bounded wait)."""
    deadline = time.monotonic() + timeout
    while (payload := RawPayload.objects.get(pk=payload_id)).outcome == "received":
        assert time.monotonic() < deadline, f"payload {payload_id} was not processed in time"
        time.sleep(0.02)
    return payload


def health(source: Source, timeout: float = 10) -> Source:
    """The source once the background thread has recorded the delivery on it (bounded wait):
    that happens just after the payload's outcome is saved."""
    deadline = time.monotonic() + timeout
    while True:
        source.refresh_from_db()
        if source.error_count or source.last_success_at:
            return source
        assert time.monotonic() < deadline, "the delivery was not recorded on the source"
        time.sleep(0.02)


def refused(response: httpx.Response, status: int, code: str) -> bool:
    return (response.status_code == status and response.json()["error"]["code"] == code
            and not RawPayload.objects.exists())


@pytest.mark.parametrize("authorization", [
    None,
    "Bearer not-the-token",
    "Bearer",
    "Basic dXNlcjpwYXNz",
])
def test_a_missing_or_wrong_token_is_refused_and_nothing_is_stored(
        live_server: LiveServer, wire: tuple[Source, Credentials],
        authorization: str | None) -> None:
    source, _ = wire
    headers = {"Authorization": authorization} if authorization is not None else {}
    response = httpx.post(f"{live_server.url}/push/{source.slug}/", content=FEED,
                          headers=headers, timeout=10)
    assert refused(response, 401, "unauthorised")
    assert response.headers["WWW-Authenticate"] == 'Bearer realm="wiredesk push"'


def test_another_sources_token_is_refused(live_server: LiveServer,
                                          wire: tuple[Source, Credentials]) -> None:
    source, _ = wire
    _, other = add_push_source("Other Wire")
    assert refused(push(live_server, source.slug, FEED, token=other.token), 401, "unauthorised")


def test_a_valid_token_is_answered_202_then_the_stories_are_published(
        live_server: LiveServer, wire: tuple[Source, Credentials]) -> None:
    source, credentials = wire
    response = push(live_server, source.slug, FEED, token=credentials.token)
    assert response.status_code == 202
    payload_id = response.json()["payload"]
    assert response.json() == {"payload": payload_id, "status": "received"}
    payload = processed(payload_id)
    assert (payload.outcome, payload.transport, payload.origin, payload.content_type,
            payload.item_count) == ("parsed", "push", "push",
                                    "application/rss+xml; charset=utf-8", 2)
    assert payload.body == FEED
    stories = Story.objects.filter(source=source, status=Story.Status.PUBLISHED)
    assert sorted(stories.values_list("headline", flat=True)) == sorted([STORY_A.title,
                                                                        STORY_B.title])
    page = httpx.get(live_server.url + stories.get(external_id=STORY_A.guid).get_absolute_url())
    assert page.status_code == 200 and STORY_A.title in page.text
    assert health(source).error_count == 0


def test_the_path_without_its_trailing_slash_works_too(live_server: LiveServer,
                                                       wire: tuple[Source, Credentials]) -> None:
    source, credentials = wire
    response = httpx.post(f"{live_server.url}/push/{source.slug}", content=FEED, timeout=10,
                          headers={"Authorization": f"Bearer {credentials.token}"})
    assert response.status_code == 202
    processed(response.json()["payload"])


def test_a_valid_hmac_signature_is_accepted(live_server: LiveServer,
                                            wire: tuple[Source, Credentials]) -> None:
    source, credentials = wire
    response = push(live_server, source.slug, FEED, signature=sign(credentials.hmac_key, FEED))
    assert response.status_code == 202
    assert processed(response.json()["payload"]).outcome == "parsed"
    assert Story.objects.filter(source=source).count() == 2


@pytest.mark.parametrize("signature", [
    "sha256=" + "0" * 64,
    "sha256=",
    "garbage",
])
def test_an_invalid_hmac_signature_is_refused_and_nothing_is_stored(
        live_server: LiveServer, wire: tuple[Source, Credentials], signature: str) -> None:
    source, _ = wire
    assert refused(push(live_server, source.slug, FEED, signature=signature), 401, "unauthorised")


def test_a_signature_of_another_body_or_under_another_key_is_refused(
        live_server: LiveServer, wire: tuple[Source, Credentials]) -> None:
    source, credentials = wire
    tampered = FEED.replace(b"Harbour", b"Harbor")
    assert refused(push(live_server, source.slug, tampered,
                        signature=sign(credentials.hmac_key, FEED)), 401, "unauthorised")
    assert refused(push(live_server, source.slug, FEED, signature=sign("other key", FEED)),
                   401, "unauthorised")
    # The SHA-1 form some services send is not accepted in place of SHA-256.
    sha1 = "sha1=" + hmac.new(credentials.hmac_key.encode(), FEED, hashlib.sha1).hexdigest()
    assert refused(push(live_server, source.slug, FEED, signature=sha1), 401, "unauthorised")


def test_a_signature_is_refused_when_the_source_has_no_hmac_key(live_server: LiveServer) -> None:
    source, _ = add_push_source("Token Only")
    assert refused(push(live_server, source.slug, FEED, signature=sign("", FEED)), 401,
                   "unauthorised")


def test_an_oversized_body_is_refused_with_413_and_nothing_is_stored(
        live_server: LiveServer, wire: tuple[Source, Credentials], settings: object) -> None:
    settings.WIREDESK_PUSH_MAX_BYTES = len(FEED) - 1  # type: ignore[attr-defined]
    source, credentials = wire
    response = push(live_server, source.slug, FEED, token=credentials.token)
    assert refused(response, 413, "too_large")
    settings.WIREDESK_PUSH_MAX_BYTES = len(FEED)  # type: ignore[attr-defined]
    response = push(live_server, source.slug, FEED, token=credentials.token)
    assert response.status_code == 202  # exactly at the limit is fine
    processed(response.json()["payload"])


def test_the_default_limit_is_ten_mebibytes(live_server: LiveServer,
                                            wire: tuple[Source, Credentials]) -> None:
    source, credentials = wire
    response = push(live_server, source.slug, b" " * (10 * 1024 * 1024 + 1),
                    token=credentials.token)
    assert refused(response, 413, "too_large")


def test_reading_stops_at_the_limit_whatever_content_length_said() -> None:
    with pytest.raises(BodyTooLarge):
        read_capped(io.BytesIO(b"x" * 200_001), 200_000)
    assert read_capped(io.BytesIO(b"x" * 200_000), 200_000) == b"x" * 200_000


def test_an_empty_body_is_refused(live_server: LiveServer,
                                  wire: tuple[Source, Credentials]) -> None:
    source, credentials = wire
    assert refused(push(live_server, source.slug, b"  \n", token=credentials.token), 400, "empty")


def test_the_same_payload_twice_is_stored_once_and_makes_one_version(
        live_server: LiveServer, wire: tuple[Source, Credentials]) -> None:
    source, credentials = wire
    first = push(live_server, source.slug, FEED, token=credentials.token).json()
    processed(first["payload"])
    second = push(live_server, source.slug, FEED, token=credentials.token)
    assert second.status_code == 202
    assert second.json() == {"payload": first["payload"], "status": "duplicate"}
    assert RawPayload.objects.count() == 1
    assert StoryVersion.objects.filter(story__source=source).count() == 2  # one per story


def test_concurrent_identical_pushes_are_stored_once(live_server: LiveServer,
                                                     wire: tuple[Source, Credentials]) -> None:
    source, credentials = wire
    barrier = threading.Barrier(4)
    answers: list[dict[str, object]] = []

    def sender() -> None:
        barrier.wait()
        answers.append(push(live_server, source.slug, FEED, token=credentials.token).json())

    threads = [threading.Thread(target=sender) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    payload = RawPayload.objects.get()
    assert sorted(str(answer["status"]) for answer in answers) == [
        "duplicate", "duplicate", "duplicate", "received"]
    assert {answer["payload"] for answer in answers} == {payload.pk}
    processed(payload.pk)


def test_a_changed_payload_makes_a_new_version(live_server: LiveServer,
                                               wire: tuple[Source, Credentials]) -> None:
    source, credentials = wire
    processed(push(live_server, source.slug, rss(STORY_A), token=credentials.token)
              .json()["payload"])
    updated = Entry(STORY_A.guid, STORY_A.title, STORY_A.body + "<p>Ships sailed again.</p>",
                    pub_date=STORY_A.pub_date)
    answer = push(live_server, source.slug, rss(updated), token=credentials.token).json()
    assert answer["status"] == "received"
    processed(answer["payload"])
    story = Story.objects.get(source=source)
    assert story.version_count == 2
    assert story.current_version is not None
    assert "Ships sailed again." in story.current_version.body_html


def test_an_unparsable_body_is_accepted_then_quarantined_with_its_error(
        live_server: LiveServer, wire: tuple[Source, Credentials]) -> None:
    source, credentials = wire
    body = b"<html><head><title>Gateway Timeout</title></head><body>504</body></html>"
    response = push(live_server, source.slug, body, token=credentials.token)
    assert response.status_code == 202 and response.json()["status"] == "received"
    payload = processed(response.json()["payload"])
    assert payload.outcome == "failed" and "Gateway Timeout" in payload.error
    assert not Story.objects.exists()
    assert (health(source).error_count, source.last_error) == (1, payload.error)

    out = StringIO()
    with pytest.raises(CommandError, match="1 of 1 payloads still fail"):
        call_command("reprocess", "--failed", stdout=out)
    assert out.getvalue() == f"payload {payload.pk} [Push Wire, push]: failed: {payload.error}\n"


def test_get_is_not_allowed_and_stores_nothing(live_server: LiveServer,
                                               wire: tuple[Source, Credentials]) -> None:
    source, credentials = wire
    response = push(live_server, source.slug, b"", token=credentials.token, method="GET")
    assert refused(response, 405, "method_not_allowed")
    assert response.headers["Allow"] == "POST"


def test_unknown_disabled_and_non_push_sources_all_answer_404(
        live_server: LiveServer, wire: tuple[Source, Credentials]) -> None:
    source, credentials = wire
    Source.objects.create(name="Polled", slug="polled", url="https://wire.example/feed.xml")
    answers = [push(live_server, slug, FEED, token=credentials.token)
               for slug in ("no-such-source", "polled")]
    Source.objects.filter(pk=source.pk).update(is_active=False)
    answers.append(push(live_server, source.slug, FEED, token=credentials.token))
    assert [answer.status_code for answer in answers] == [404, 404, 404]
    assert len({answer.content for answer in answers}) == 1
    assert not RawPayload.objects.exists()


def run(*args: str) -> str:
    out = StringIO()
    call_command("source", *args, stdout=out)
    return out.getvalue()


def printed(out: str, label: str) -> str:
    return next(line.split(": ", 1)[1] for line in out.splitlines() if line.startswith(label))


def test_add_push_prints_a_working_token_once(live_server: LiveServer) -> None:
    out = run("add-push", "Agency Wire", "--section", "World", "--format", "rss")
    source = Source.objects.get(name="Agency Wire")
    assert (source.transport, source.format, source.section and source.section.name,
            source.push_hmac_key) == ("push", "rss", "World", "")
    assert f"Added push source {source.pk}: Agency Wire" in out
    assert printed(out, "Push URL") == "http://testserver/push/agency-wire/"
    token = printed(out, "Bearer token")
    assert len(token) >= 43 and source.push_token_hash == hashlib.sha256(
        token.encode()).hexdigest()
    assert "HMAC key" not in out
    assert push(live_server, source.slug, FEED, token=token).status_code == 202
    processed(RawPayload.objects.get().pk)


def test_add_push_with_hmac_prints_a_working_key(live_server: LiveServer) -> None:
    out = run("add-push", "Signed Wire", "--hmac")
    source = Source.objects.get(name="Signed Wire")
    key = printed(out, "HMAC key")
    assert key not in source.push_hmac_key and sealed.unseal(source.push_hmac_key) == key
    response = push(live_server, source.slug, FEED, signature=sign(key, FEED))
    assert response.status_code == 202
    processed(response.json()["payload"])


def test_push_token_replaces_the_token(live_server: LiveServer,
                                       wire: tuple[Source, Credentials]) -> None:
    source, old = wire
    out = run("push-token", str(source.pk))
    new = printed(out, "Bearer token")
    assert new != old.token and "HMAC key" not in out
    source.refresh_from_db()
    assert sealed.unseal(source.push_hmac_key) == old.hmac_key  # kept unless --hmac
    assert push(live_server, source.slug, FEED, token=old.token).status_code == 401
    response = push(live_server, source.slug, FEED, token=new)
    assert response.status_code == 202
    processed(response.json()["payload"])


def test_push_token_refuses_other_sources() -> None:
    polled = Source.objects.create(name="Polled", slug="polled", url="https://wire.example/f")
    with pytest.raises(CommandError, match="not a push source"):
        run("push-token", str(polled.pk))
    with pytest.raises(CommandError, match="no source with id 999"):
        run("push-token", "999")


def test_source_list_shows_where_a_push_source_receives(wire: tuple[Source, Credentials]) -> None:
    assert "Push Wire  POST /push/push-wire/" in run("list")


def test_the_json_error_shape_is_the_apis(live_server: LiveServer,
                                          wire: tuple[Source, Credentials]) -> None:
    source, _ = wire
    response = push(live_server, source.slug, FEED)
    assert json.loads(response.content) == {"error": {
        "status": 401, "code": "unauthorised",
        "message": "A valid bearer token or body signature is required."}}


def test_the_admin_shows_the_push_url_and_which_secrets_are_set_but_never_the_secrets(
        client: Client, wire: tuple[Source, Credentials]) -> None:
    source, credentials = wire
    User.objects.create_superuser("editor", "editor@example.com", "a long passphrase")
    client.login(username="editor", password="a long passphrase")
    page = client.get(f"/admin/newsroom/source/{source.pk}/change/").content.decode()
    assert "http://testserver/push/push-wire/" in page
    assert (f"bearer token and HMAC key set (replace with `wiredesk source push-token "
            f"{source.pk}`)") in page
    assert credentials.hmac_key not in page and source.push_token_hash not in page
    assert client.get("/admin/newsroom/source/add/").status_code == 200


NINJS = {"uri": "urn:newsml:wire.example:2026:quake", "type": "text", "language": "en",
         "version": "1", "versioncreated": "2026-11-28T09:00:00Z", "pubstatus": "usable",
         "headline": "Quake shakes coastal city",
         "body_html": "<p>A strong earthquake shook the city on Saturday.</p>"}


def push_ninjs(server: LiveServer, wire: tuple[Source, Credentials], **changes: str
               ) -> httpx.Response:
    source, credentials = wire
    return push(server, source.slug, json.dumps({**NINJS, **changes}).encode(),
                token=credentials.token)


def test_a_kill_pushed_as_ninjs_takes_the_story_down_at_once(
        live_server: LiveServer, wire: tuple[Source, Credentials]) -> None:
    processed(push_ninjs(live_server, wire).json()["payload"])
    story = Story.objects.get(source=wire[0])
    page = live_server.url + story.get_absolute_url()
    assert httpx.get(page).status_code == 200
    started = time.monotonic()
    answer = push_ninjs(live_server, wire, version="2", versioncreated="2026-11-28T09:10:00Z",
                        pubstatus="canceled")
    assert answer.status_code == 202
    while httpx.get(page).status_code != 410:
        assert time.monotonic() - started < 5, "the pushed kill did not take effect"
        time.sleep(0.01)
    story.refresh_from_db()
    assert story.status == Story.Status.KILLED
    payload = processed(answer.json()["payload"])
    assert (payload.outcome, payload.format, payload.error) == ("parsed", "ninjs1", "")
