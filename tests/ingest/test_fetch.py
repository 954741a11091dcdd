"""fetch_feed against a real HTTP server on 127.0.0.1.

Nothing here reaches beyond loopback: an autouse guard wraps ``socket.socket.connect``, records
every connection attempt and fails the test on any address outside 127.0.0.0/8 and ::1. Refusals
are asserted *before* any connect: the guard's record must not show the refused address at all.
"""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from ipaddress import ip_address
from pathlib import Path
from typing import Any

import pytest

from tests.support.feedserver import (
    FeedServer,
    Route,
    brotli_bomb,
    encode,
    gzip_bomb,
    self_signed_cert,
    server_tls_context,
)
from wiredesk.core.addresses import AddressPolicy
from wiredesk.core.errors import FetchError, RefusedAddress, TooLarge
from wiredesk.ingest.fetch import (
    DEFAULT_USER_AGENT,
    FetchPolicy,
    FetchTimeout,
    HTTPStatusError,
    RedirectError,
    UnsupportedURL,
    fetch_feed,
)

RSS = b'<?xml version="1.0"?><rss version="2.0"><channel><title>Wire</title></channel></rss>'
MIB = 1024 * 1024

ALLOW_LOCAL = AddressPolicy.allowing(["127.0.0.1/32"])
# Short limits keep the suite fast; the default address policy allows nothing internal.
STRICT = FetchPolicy(connect_timeout=1.0, total_timeout=2.0, max_bytes=MIB)
LOCAL = FetchPolicy(
    connect_timeout=1.0, total_timeout=2.0, max_bytes=MIB, address_policy=ALLOW_LOCAL
)


@pytest.fixture
def server() -> Iterator[FeedServer]:
    with FeedServer() as feed_server:
        yield feed_server


@pytest.fixture(autouse=True)
def connections(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """Every address a socket tried to connect to during the test; non-loopback ones fail it."""
    attempts: list[Any] = []
    real_connect = socket.socket.connect

    def guarded_connect(sock: socket.socket, address: Any) -> None:
        attempts.append(address)
        if not _is_loopback(address[0]):
            raise AssertionError(f"the test tried to connect to {address}")
        real_connect(sock, address)

    monkeypatch.setattr(socket.socket, "connect", guarded_connect)
    return attempts


def _is_loopback(host: str) -> bool:
    try:
        return ip_address(host.split("%")[0]).is_loopback
    except ValueError:
        return False


# --- A plain fetch --------------------------------------------------------------------------------


def test_fetches_a_feed(server: FeedServer) -> None:
    stamp = _http_date(-3600)
    server.route("/feed.xml", Route(body=RSS, etag='"v1"', last_modified=stamp))

    result = fetch_feed(server.url("/feed.xml"), policy=LOCAL)

    assert result.status == "ok"
    assert result.http_status == 200
    assert result.body == RSS
    assert result.content_type == "application/rss+xml; charset=utf-8"
    assert result.final_url == server.url("/feed.xml")
    assert result.etag == '"v1"'
    assert result.last_modified == stamp
    assert result.permanent_redirect_url == ""
    assert result.retry_after is None
    assert timedelta(0) < result.elapsed < timedelta(seconds=2)
    (request,) = server.requests
    assert request.header("user-agent") == DEFAULT_USER_AGENT
    assert DEFAULT_USER_AGENT.startswith("Wiredesk/")
    assert request.header("accept-encoding") == "gzip, deflate, br"
    assert request.header("if-none-match") == ""


# --- Refused before any connection ----------------------------------------------------------------


@pytest.mark.parametrize(
    "host",
    [
        "127.0.0.1",
        "127.1",
        "127.0.1",
        "2130706433",
        "0x7f.0.0.1",
        "0x7f000001",
        "0177.0.0.1",
        "127.0.0.1.",
        "[::1]",
        "[::ffff:127.0.0.1]",
        "localhost",
        "LOCALHOST.",
        "feeds.localhost",
    ],
)
def test_loopback_in_any_spelling_is_refused(
    server: FeedServer, connections: list[Any], host: str
) -> None:
    server.route("/feed.xml", Route(body=RSS))

    with pytest.raises(RefusedAddress, match="refused"):
        fetch_feed(server.url("/feed.xml", host=host), policy=STRICT)

    assert server.requests == []
    assert connections == []


def test_refusal_message_names_the_address_and_the_setting(server: FeedServer) -> None:
    with pytest.raises(RefusedAddress) as caught:
        fetch_feed(server.url("/", host="2130706433"), policy=STRICT)
    assert "127.0.0.1, a loopback address" in str(caught.value)
    assert "WIREDESK_FETCH_ALLOW_NETWORKS" in str(caught.value)


@pytest.mark.parametrize(
    "url",
    [
        "http://10.0.0.1/feed.xml",
        "http://169.254.169.254/latest/meta-data/",
        "http://[fd00::1]/feed.xml",
        "http://0xa9fea9fe/",  # 169.254.169.254
        "https://192.168.1.1/feed.xml",
    ],
)
def test_internal_addresses_are_refused_without_connecting(
    url: str, connections: list[Any]
) -> None:
    with pytest.raises(RefusedAddress):
        fetch_feed(url, policy=LOCAL)
    assert connections == []


@pytest.mark.parametrize(
    "url", ["file:///etc/passwd", "ftp://127.0.0.1/feed", "gopher://127.0.0.1:70/", "feed.xml", ""]
)
def test_only_http_and_https(url: str, connections: list[Any]) -> None:
    with pytest.raises(UnsupportedURL):
        fetch_feed(url, policy=LOCAL)
    assert connections == []


# --- DNS: resolved once, checked, connected to ----------------------------------------------------


@pytest.fixture
def fake_dns(monkeypatch: pytest.MonkeyPatch) -> dict[str, list[list[str]]]:
    """Names under .test resolve to the answers queued here (one list per lookup); others as usual.

    Returns the queue per name; lookups of a name consume its answers in order.
    """
    answers: dict[str, list[list[str]]] = {}
    real_getaddrinfo = socket.getaddrinfo

    def getaddrinfo(host: Any, port: Any, *args: Any, **kwargs: Any) -> Any:
        if isinstance(host, str) and host.endswith(".test"):
            return [_addrinfo(ip, int(port)) for ip in answers[host].pop(0)]
        return real_getaddrinfo(host, port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    return answers


def _addrinfo(ip: str, port: int) -> tuple[Any, ...]:
    if ":" in ip:
        return (socket.AF_INET6, socket.SOCK_STREAM, 6, "", (ip, port, 0, 0))
    return (socket.AF_INET, socket.SOCK_STREAM, 6, "", (ip, port))


def test_a_name_resolving_to_an_internal_address_is_refused(
    server: FeedServer, connections: list[Any], fake_dns: dict[str, list[list[str]]]
) -> None:
    fake_dns["intranet.test"] = [["10.0.0.5"]]
    with pytest.raises(RefusedAddress, match=r"intranet\.test resolves to 10\.0\.0\.5"):
        fetch_feed(f"http://intranet.test:{server.port}/feed.xml", policy=LOCAL)
    assert connections == []


def test_one_internal_answer_among_several_refuses_the_name(
    server: FeedServer, connections: list[Any], fake_dns: dict[str, list[list[str]]]
) -> None:
    fake_dns["mixed.test"] = [["127.0.0.1", "10.0.0.5"]]
    with pytest.raises(RefusedAddress, match=r"10\.0\.0\.5"):
        fetch_feed(f"http://mixed.test:{server.port}/feed.xml", policy=LOCAL)
    assert connections == []


def test_connects_to_the_address_it_checked(
    server: FeedServer, connections: list[Any], fake_dns: dict[str, list[list[str]]]
) -> None:
    # DNS rebinding: the first answer passes the check, any later one would point inside. The name
    # must be resolved once, and the socket opened to that checked answer.
    fake_dns["rebind.test"] = [["127.0.0.1"], ["10.0.0.5"], ["10.0.0.5"]]
    server.route("/feed.xml", Route(body=RSS))

    result = fetch_feed(f"http://rebind.test:{server.port}/feed.xml", policy=LOCAL)

    assert result.body == RSS
    assert fake_dns["rebind.test"] == [["10.0.0.5"], ["10.0.0.5"]]  # one lookup only
    assert connections == [("127.0.0.1", server.port)]
    assert server.requests[0].header("host") == f"rebind.test:{server.port}"


@pytest.fixture
def tls_server(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[FeedServer]:
    """An HTTPS FeedServer with a certificate for feeds.test, trusted via SSL_CERT_FILE."""
    try:
        cert, key = self_signed_cert(tmp_path, "feeds.test")
    except FileNotFoundError:
        pytest.skip("the openssl command is needed to make a test certificate")
    # OpenSSL's default verify paths honour SSL_CERT_FILE; certifi stays trusted as well.
    monkeypatch.setenv("SSL_CERT_FILE", str(cert))
    with FeedServer(tls=server_tls_context(cert, key)) as https_server:
        https_server.route("/feed.xml", Route(body=RSS))
        yield https_server


def test_tls_checks_the_url_hostname_not_the_ip(
    tls_server: FeedServer, connections: list[Any], fake_dns: dict[str, list[list[str]]]
) -> None:
    # The socket goes to the checked IP, but SNI and certificate verification use the name.
    fake_dns["feeds.test"] = [["127.0.0.1"]]
    result = fetch_feed(tls_server.url("/feed.xml", host="feeds.test"), policy=LOCAL)
    assert result.body == RSS
    assert tls_server.sni_names == ["feeds.test"]
    assert connections == [("127.0.0.1", tls_server.port)]


def test_tls_refuses_a_certificate_for_another_name(
    tls_server: FeedServer, fake_dns: dict[str, list[list[str]]]
) -> None:
    fake_dns["other.test"] = [["127.0.0.1"]]
    with pytest.raises(FetchError, match="Hostname mismatch"):
        fetch_feed(tls_server.url("/feed.xml", host="other.test"), policy=LOCAL)
    assert tls_server.requests == []


def test_tls_refuses_an_untrusted_certificate(
    tls_server: FeedServer, monkeypatch: pytest.MonkeyPatch, fake_dns: dict[str, list[list[str]]]
) -> None:
    monkeypatch.delenv("SSL_CERT_FILE")
    fake_dns["feeds.test"] = [["127.0.0.1"]]
    with pytest.raises(FetchError, match="self-signed certificate"):
        fetch_feed(tls_server.url("/feed.xml", host="feeds.test"), policy=LOCAL)


def test_unresolvable_name(fake_dns: dict[str, list[list[str]]]) -> None:
    fake_dns["nowhere.test"] = [[]]
    with pytest.raises(FetchError, match=r"nowhere\.test"):
        fetch_feed("http://nowhere.test/feed.xml", policy=LOCAL)


# --- Conditional GET ------------------------------------------------------------------------------


def test_conditional_get_gives_not_modified(server: FeedServer) -> None:
    server.route("/feed.xml", Route(body=RSS, etag='"v1"', last_modified=_http_date(-60)))
    first = fetch_feed(server.url("/feed.xml"), policy=LOCAL)

    second = fetch_feed(
        server.url("/feed.xml"), etag=first.etag, last_modified=first.last_modified, policy=LOCAL
    )

    assert second.status == "not_modified"
    assert second.http_status == 304
    assert second.body == b""
    assert (second.etag, second.last_modified) == (first.etag, first.last_modified)
    assert server.requests[1].header("if-none-match") == '"v1"'
    assert server.requests[1].header("if-modified-since") == first.last_modified


def test_changed_feed_is_fetched_again(server: FeedServer) -> None:
    server.route("/feed.xml", Route(body=RSS, etag='"v1"'))
    first = fetch_feed(server.url("/feed.xml"), policy=LOCAL)
    server.route("/feed.xml", Route(body=RSS + b"<!-- v2 -->", etag='"v2"'))

    second = fetch_feed(server.url("/feed.xml"), etag=first.etag, policy=LOCAL)

    assert second.status == "ok"
    assert second.body.endswith(b"<!-- v2 -->")
    assert second.etag == '"v2"'


def test_last_modified_alone_gives_not_modified(server: FeedServer) -> None:
    stamp = _http_date(-60)
    server.route("/feed.xml", Route(body=RSS, last_modified=stamp))
    result = fetch_feed(server.url("/feed.xml"), last_modified=stamp, policy=LOCAL)
    assert result.status == "not_modified"
    assert result.etag == ""
    assert result.last_modified == stamp


def test_304_validators_replace_the_stored_ones(server: FeedServer) -> None:
    # RFC 9111 4.3.4: the Last-Modified sent with the 304 updates the stored one.
    stamp = _http_date(-60)
    server.route("/feed.xml", Route(body=RSS, etag='"v1"', last_modified=stamp))
    result = fetch_feed(
        server.url("/feed.xml"), etag='"v1"', last_modified=_http_date(-7200), policy=LOCAL
    )
    assert result.status == "not_modified"
    assert result.last_modified == stamp


def test_a_new_representation_without_etag_drops_the_old_one(server: FeedServer) -> None:
    server.route("/feed.xml", Route(body=RSS))
    result = fetch_feed(server.url("/feed.xml"), etag='"gone"', policy=LOCAL)
    assert result.status == "ok"
    assert result.etag == ""


def test_unsolicited_304_is_an_error(server: FeedServer) -> None:
    server.route("/feed.xml", Route(status=304))
    with pytest.raises(HTTPStatusError, match="HTTP 304 Not Modified"):
        fetch_feed(server.url("/feed.xml"), policy=LOCAL)


# --- Decoding and the size cap --------------------------------------------------------------------


@pytest.mark.parametrize("encoding", ["gzip", "deflate", "br"])
def test_compressed_bodies_are_decoded(server: FeedServer, encoding: str) -> None:
    body = RSS * 500
    server.route("/feed.xml", Route(body=body, encoding=encoding))
    result = fetch_feed(server.url("/feed.xml"), policy=LOCAL)
    assert result.body == body


def test_raw_deflate_is_decoded_too(server: FeedServer) -> None:
    raw_deflate = encode(RSS, "deflate")[2:-4]  # strip the zlib header and checksum
    server.route("/feed.xml", Route(body=raw_deflate, headers={"Content-Encoding": "deflate"}))
    assert fetch_feed(server.url("/feed.xml"), policy=LOCAL).body == RSS


@pytest.mark.parametrize(
    ("bomb", "encoding"), [(gzip_bomb, "gzip"), (brotli_bomb, "br")], ids=["gzip", "br"]
)
def test_decompression_bomb_is_stopped(server: FeedServer, bomb: Any, encoding: str) -> None:
    payload = bomb(32 * MIB)
    assert len(payload) < MIB  # small on the wire ...
    server.route("/bomb.xml", Route(body=payload, headers={"Content-Encoding": encoding}))
    started = time.monotonic()

    with pytest.raises(TooLarge, match="larger than 1,048,576 bytes"):
        fetch_feed(server.url("/bomb.xml"), policy=LOCAL)  # ... 32 MiB decoded, cap 1 MiB

    assert time.monotonic() - started < 1.5


def test_oversized_body_with_content_length_is_refused(server: FeedServer) -> None:
    server.route("/big.xml", Route(body=b"x" * 65536, repeat=40))  # 2.5 MiB declared
    with pytest.raises(TooLarge):
        fetch_feed(server.url("/big.xml"), policy=LOCAL)


def test_oversized_body_without_content_length_is_cut_off(server: FeedServer) -> None:
    server.route("/big.xml", Route(body=b"x" * 65536, repeat=400, content_length=False))
    with pytest.raises(TooLarge):
        fetch_feed(server.url("/big.xml"), policy=LOCAL)


def test_a_body_exactly_at_the_cap_is_fine(server: FeedServer) -> None:
    server.route("/exact.xml", Route(body=b"x" * 1024, repeat=1024, content_length=False))
    assert len(fetch_feed(server.url("/exact.xml"), policy=LOCAL).body) == MIB
    server.route("/over.xml", Route(body=b"x" * 1024 + b"!", encoding="gzip", repeat=1))
    tight = FetchPolicy(max_bytes=1024, address_policy=ALLOW_LOCAL, total_timeout=2.0)
    with pytest.raises(TooLarge):
        fetch_feed(server.url("/over.xml"), policy=tight)


def test_corrupt_and_truncated_encodings(server: FeedServer) -> None:
    server.route("/bad.xml", Route(body=b"not gzip at all", headers={"Content-Encoding": "gzip"}))
    with pytest.raises(FetchError, match="could not decode"):
        fetch_feed(server.url("/bad.xml"), policy=LOCAL)
    truncated = encode(RSS * 50, "gzip")[:-20]
    server.route("/cut.xml", Route(body=truncated, headers={"Content-Encoding": "gzip"}))
    with pytest.raises(FetchError, match="ends early"):
        fetch_feed(server.url("/cut.xml"), policy=LOCAL)


def test_unknown_encoding(server: FeedServer) -> None:
    server.route("/z.xml", Route(body=RSS, headers={"Content-Encoding": "zstd"}))
    with pytest.raises(FetchError, match="unsupported Content-Encoding 'zstd'"):
        fetch_feed(server.url("/z.xml"), policy=LOCAL)


def test_error_messages_do_not_show_credentials(server: FeedServer) -> None:
    server.route("/big.xml", Route(body=b"x" * 65536, repeat=40))
    url = server.url("/big.xml").replace("http://", "http://editor:s3cret@")
    with pytest.raises(TooLarge) as caught:
        fetch_feed(url, policy=LOCAL)
    assert "s3cret" not in str(caught.value)


# --- Redirects ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "permanent"), [(301, True), (308, True), (302, False), (303, False), (307, False)]
)
def test_redirects_are_followed(server: FeedServer, status: int, permanent: bool) -> None:
    server.route("/old.xml", Route(status=status, headers={"Location": "/new.xml"}))
    server.route("/new.xml", Route(body=RSS))

    result = fetch_feed(server.url("/old.xml"), policy=LOCAL)

    assert result.body == RSS
    assert result.final_url == server.url("/new.xml")
    assert result.permanent_redirect_url == (server.url("/new.xml") if permanent else "")


def test_only_a_permanent_redirect_on_the_first_hop_counts(server: FeedServer) -> None:
    server.route("/a", Route(status=302, headers={"Location": "/b"}))
    server.route("/b", Route(status=301, headers={"Location": "/c"}))
    server.route("/c", Route(body=RSS))
    assert fetch_feed(server.url("/a"), policy=LOCAL).permanent_redirect_url == ""

    server.route("/a", Route(status=301, headers={"Location": "/b"}))
    server.route("/b", Route(status=302, headers={"Location": "/c"}))
    result = fetch_feed(server.url("/a"), policy=LOCAL)
    assert result.permanent_redirect_url == server.url("/b")
    assert result.final_url == server.url("/c")


def test_redirect_to_an_internal_address_is_never_attempted(
    server: FeedServer, connections: list[Any]
) -> None:
    server.route("/feed.xml", Route(status=302, headers={"Location": "http://10.0.0.1/feed.xml"}))

    with pytest.raises(RefusedAddress, match=r"10\.0\.0\.1, a private address"):
        fetch_feed(server.url("/feed.xml"), policy=LOCAL)

    assert connections == [("127.0.0.1", server.port)]
    assert [r.path for r in server.requests] == ["/feed.xml"]


@pytest.mark.parametrize(
    "location",
    [
        "http://[::1]:{port}/feed.xml",
        "http://127.0.0.2:{port}/feed.xml",  # loopback, but not in the allowed /32
        "http://[::ffff:127.0.0.2]:{port}/feed.xml",
        "//169.254.169.254/latest/meta-data/",  # scheme-relative
        "http://2130706434:{port}/",  # 127.0.0.2 again
    ],
)
def test_redirect_to_other_loopback_addresses_is_refused(
    server: FeedServer, connections: list[Any], location: str
) -> None:
    target = location.format(port=server.port)
    server.route("/feed.xml", Route(status=301, headers={"Location": target}))

    with pytest.raises(RefusedAddress):
        fetch_feed(server.url("/feed.xml"), policy=LOCAL)

    assert connections == [("127.0.0.1", server.port)]


@pytest.mark.parametrize(
    "location", ["file:///etc/passwd", "ftp://127.0.0.1/feed.xml", "gopher://127.0.0.1:70/_x"]
)
def test_redirect_to_another_scheme_is_refused(
    server: FeedServer, connections: list[Any], location: str
) -> None:
    server.route("/feed.xml", Route(status=302, headers={"Location": location}))
    with pytest.raises(UnsupportedURL, match="only http and https"):
        fetch_feed(server.url("/feed.xml"), policy=LOCAL)
    assert connections == [("127.0.0.1", server.port)]


def test_redirect_loop(server: FeedServer) -> None:
    server.route("/a", Route(status=302, headers={"Location": "/b"}))
    server.route("/b", Route(status=302, headers={"Location": "/a"}))
    with pytest.raises(RedirectError, match="redirect loop"):
        fetch_feed(server.url("/a"), policy=LOCAL)


def test_redirect_to_itself(server: FeedServer) -> None:
    server.route("/a", Route(status=301, headers={"Location": "/a"}))
    with pytest.raises(RedirectError, match="redirect loop"):
        fetch_feed(server.url("/a"), policy=LOCAL)
    assert len(server.requests) == 1


def test_too_many_redirects(server: FeedServer) -> None:
    for hop in range(10):
        server.route(f"/r{hop}", Route(status=302, headers={"Location": f"/r{hop + 1}"}))
    with pytest.raises(RedirectError, match="more than 5 redirects"):
        fetch_feed(server.url("/r0"), policy=LOCAL)
    assert len(server.requests) == 6  # the first request and five redirects followed


def test_redirect_without_location(server: FeedServer) -> None:
    server.route("/a", Route(status=302))
    with pytest.raises(RedirectError, match="without a Location"):
        fetch_feed(server.url("/a"), policy=LOCAL)


# --- Error statuses -------------------------------------------------------------------------------


def test_503_with_retry_after_seconds(server: FeedServer) -> None:
    server.route("/feed.xml", Route(status=503, headers={"Retry-After": "120"}))
    with pytest.raises(HTTPStatusError) as caught:
        fetch_feed(server.url("/feed.xml"), policy=LOCAL)
    assert str(caught.value) == "HTTP 503 Service Unavailable; retry after 120 s"
    assert caught.value.status == 503
    assert caught.value.retry_after == timedelta(seconds=120)


def test_429_with_retry_after_date(server: FeedServer) -> None:
    server.route("/feed.xml", Route(status=429, headers={"Retry-After": _http_date(600)}))
    with pytest.raises(HTTPStatusError) as caught:
        fetch_feed(server.url("/feed.xml"), policy=LOCAL)
    assert caught.value.status == 429
    retry_after = caught.value.retry_after
    assert retry_after is not None
    assert timedelta(seconds=598) <= retry_after <= timedelta(seconds=601)


def test_404_is_an_error_without_retry_after(server: FeedServer) -> None:
    with pytest.raises(HTTPStatusError) as caught:
        fetch_feed(server.url("/missing.xml"), policy=LOCAL)
    assert str(caught.value) == "HTTP 404 Not Found"
    assert caught.value.retry_after is None


def test_retry_after_on_success_is_reported(server: FeedServer) -> None:
    server.route("/feed.xml", Route(body=RSS, headers={"Retry-After": "3600"}))
    result = fetch_feed(server.url("/feed.xml"), policy=LOCAL)
    assert result.retry_after == timedelta(hours=1)


# --- Time limits and network failures -------------------------------------------------------------


def test_trickling_body_hits_the_total_deadline(server: FeedServer) -> None:
    # One byte every 0.1 s: every read succeeds quickly, only a wall-clock deadline stops it.
    server.route("/slow.xml", Route(body=RSS, chunk_size=1, trickle=0.1))
    policy = FetchPolicy(total_timeout=1.0, address_policy=ALLOW_LOCAL)
    started = time.monotonic()

    with pytest.raises(FetchTimeout, match="timed out after 1 s"):
        fetch_feed(server.url("/slow.xml"), policy=policy)

    assert 0.9 < time.monotonic() - started < 1.6


def test_deadline_covers_the_whole_redirect_chain(server: FeedServer) -> None:
    server.route("/a", Route(status=302, headers={"Location": "/b"}, delay=0.4))
    server.route("/b", Route(status=302, headers={"Location": "/c"}, delay=0.4))
    server.route("/c", Route(body=RSS, delay=0.4))
    policy = FetchPolicy(total_timeout=1.0, address_policy=ALLOW_LOCAL)
    started = time.monotonic()

    with pytest.raises(FetchTimeout):
        fetch_feed(server.url("/a"), policy=policy)

    assert time.monotonic() - started < 1.5


def test_server_that_never_answers() -> None:
    with socket.create_server(("127.0.0.1", 0)) as silent:  # listens, never accepts or replies
        port = silent.getsockname()[1]
        policy = FetchPolicy(total_timeout=0.5, address_policy=ALLOW_LOCAL)
        started = time.monotonic()
        with pytest.raises(FetchTimeout, match=r"timed out after 0\.5 s"):
            fetch_feed(f"http://127.0.0.1:{port}/feed.xml", policy=policy)
        assert time.monotonic() - started < 1.0


def test_connection_refused() -> None:
    with socket.create_server(("127.0.0.1", 0)) as placeholder:
        port = placeholder.getsockname()[1]
    # The port is closed now: nothing listens there.
    with pytest.raises(FetchError, match=r"could not connect to 127\.0\.0\.1") as caught:
        fetch_feed(f"http://127.0.0.1:{port}/feed.xml", policy=LOCAL)
    assert type(caught.value) is FetchError
    assert caught.value.__cause__ is not None


def test_https_to_a_plain_http_server_fails_cleanly(server: FeedServer) -> None:
    server.route("/feed.xml", Route(body=RSS))
    with pytest.raises(FetchError):
        fetch_feed(f"https://127.0.0.1:{server.port}/feed.xml", policy=LOCAL)


@pytest.mark.parametrize(
    "limits",
    [{"total_timeout": 0}, {"connect_timeout": -1}, {"max_bytes": 0}, {"max_redirects": -1}],
)
def test_policy_rejects_nonsense_limits(limits: dict[str, Any]) -> None:
    with pytest.raises(ValueError):
        FetchPolicy(**limits)


def _http_date(offset_seconds: float) -> str:
    return format_datetime(datetime.now(UTC) + timedelta(seconds=offset_seconds), usegmt=True)
