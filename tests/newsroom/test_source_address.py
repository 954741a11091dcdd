"""`wiredesk source add` applies the fetcher's address policy at once.

Only loopback names and IP literals are used: literals are classified, never contacted, and
``localhost`` is refused without asking DNS.
"""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from wiredesk.newsroom.models import Source

pytestmark = pytest.mark.django_db


def add(url: str) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("source", "add", url, "--name", "Feed", stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


@pytest.mark.parametrize(("url", "reason"), [
    ("http://localhost:8000/feed.xml", "feed URL host localhost resolves to 127.0.0.1, a loopback"),
    ("http://127.0.0.1/feed.xml", "feed URL resolves to 127.0.0.1, a loopback address"),
    ("https://10.0.0.1/feed.xml", "feed URL resolves to 10.0.0.1, a private address (RFC 1918)"),
    ("http://169.254.169.254/latest/", "169.254.169.254, the cloud metadata address"),
    ("http://0x7f.1/feed.xml", "feed URL host 0x7f.1 resolves to 127.0.0.1"),
    ("http://[::ffff:10.0.0.1]/feed.xml", "embedding 10.0.0.1, a private address"),
])
def test_an_internal_address_is_refused_when_the_source_is_added(url: str, reason: str) -> None:
    with pytest.raises(CommandError) as refused:
        add(url)
    message = str(refused.value)
    assert reason in message and "\n" not in message
    # How to allow it, named in the same line.
    assert "set WIREDESK_FETCH_ALLOW_NETWORKS to allow" in message
    assert "docs/settings.md" in message
    assert not Source.objects.exists()


def test_an_allowed_network_may_be_added(settings: object) -> None:
    settings.WIREDESK_FETCH_ALLOW_NETWORKS = ["10.0.0.0/8"]  # type: ignore[attr-defined]
    out, err = add("https://10.0.0.1/feed.xml")
    source = Source.objects.get()
    assert out == f"Added source {source.pk}: Feed <https://10.0.0.1/feed.xml>\n" and err == ""
    with pytest.raises(CommandError, match=r"127\.0\.0\.1, a loopback address"):
        add("http://127.0.0.1/feed.xml")
    assert Source.objects.count() == 1


def test_a_name_that_does_not_resolve_is_added_with_a_warning() -> None:
    # A label over 63 characters cannot be encoded for DNS: it fails before any query is sent.
    host = "a" * 64 + ".test"
    out, err = add(f"https://{host}/feed.xml")
    source = Source.objects.get()
    assert out == f"Added source {source.pk}: Feed <https://{host}/feed.xml>\n"
    assert err.startswith(f"warning: could not resolve {host}: ")
    assert err.endswith("added anyway (the address is checked again at every fetch)\n")

