"""The address rules, without any connection: which IPs are refused, and how literals are read."""

from __future__ import annotations

import socket
from ipaddress import IPv4Address, IPv6Address, ip_address

import pytest
from hypothesis import given
from hypothesis import strategies as st

from wiredesk.core.addresses import (
    AddressPolicy,
    is_localhost_name,
    is_refused_ip,
    literal_host_ip,
    refusal_reason,
)
from wiredesk.core.errors import RefusedAddress

REFUSED = [
    # (address, a word the reason must contain)
    ("10.0.0.0", "private"),
    ("10.0.0.5", "private"),
    ("10.255.255.255", "private"),
    ("172.16.0.1", "private"),
    ("172.31.255.255", "private"),
    ("192.168.0.1", "private"),
    ("192.168.255.255", "private"),
    ("169.254.0.1", "link-local"),
    ("169.254.169.254", "metadata"),
    ("169.254.255.255", "link-local"),
    ("100.64.0.1", "carrier-grade NAT"),
    ("100.127.255.255", "carrier-grade NAT"),
    ("127.0.0.1", "loopback"),
    ("127.255.255.254", "loopback"),
    ("0.0.0.0", "unspecified"),
    ("0.1.2.3", "this network"),
    ("224.0.0.1", "multicast"),
    ("239.255.255.250", "multicast"),
    ("240.0.0.1", "reserved"),
    ("255.255.255.255", "broadcast"),
    ("192.0.0.8", "IETF"),
    ("192.0.2.1", "documentation"),
    ("198.51.100.7", "documentation"),
    ("203.0.113.9", "documentation"),
    ("198.18.0.1", "benchmarking"),
    ("198.19.255.255", "benchmarking"),
    ("192.88.99.1", "6to4"),
    ("::", "unspecified"),
    ("::1", "loopback"),
    ("fc00::1", "unique-local"),
    ("fd12:3456:789a::1", "unique-local"),
    ("fe80::1", "link-local"),
    ("febf:ffff::1", "link-local"),
    ("fec0::1", "site-local"),
    ("ff02::1", "multicast"),
    ("ff0e::1", "multicast"),
    ("2001:db8::1", "documentation"),
    ("3fff::1", "documentation"),
    ("2001:2::1", "benchmarking"),
    ("100::1", "discard"),
    ("64:ff9b:1::1", "NAT64"),
    ("4000::1", "reserved"),
    # IPv6 forms judged by the IPv4 address they embed.
    ("::ffff:127.0.0.1", "loopback"),
    ("::ffff:10.0.0.1", "private"),
    ("::ffff:169.254.169.254", "metadata"),
    ("::ffff:0.0.0.0", "unspecified"),
    ("::127.0.0.1", "loopback"),  # IPv4-compatible (deprecated)
    ("::10.1.2.3", "private"),
    ("64:ff9b::7f00:1", "loopback"),  # NAT64 of 127.0.0.1
    ("64:ff9b::a9fe:a9fe", "metadata"),  # NAT64 of 169.254.169.254
    ("2002:7f00:1::1", "loopback"),  # 6to4 of 127.0.0.1
    ("2002:c0a8:101::1", "private"),  # 6to4 of 192.168.1.1
    ("2001:0:4136:e378:8000:63bf:3fff:fdd2", "Teredo"),  # RFC 4380 example: client 192.0.2.45
]

ALLOWED = [
    "8.8.8.8",
    "1.1.1.1",
    "93.184.216.34",
    "9.255.255.255",
    "11.0.0.0",
    "172.15.255.255",
    "172.32.0.0",
    "192.167.255.255",
    "192.169.0.0",
    "100.63.255.255",
    "100.128.0.0",
    "169.253.255.255",
    "169.255.0.0",
    "126.255.255.255",
    "128.0.0.0",
    "223.255.255.255",
    "2606:4700:4700::1111",
    "2001:4860:4860::8888",
    "::ffff:8.8.8.8",
    "64:ff9b::808:808",  # NAT64 of 8.8.8.8
    "2002:808:808::1",  # 6to4 of 8.8.8.8
    "2001:0:4136:e378:8000:63bf:f7f7:f7f7",  # Teredo, public server and client 8.8.8.8
]


@pytest.mark.parametrize(("address", "word"), REFUSED)
def test_refused_ranges(address: str, word: str) -> None:
    ip = ip_address(address)
    assert is_refused_ip(ip)
    assert word in (refusal_reason(ip) or "")


@pytest.mark.parametrize("address", ALLOWED)
def test_public_addresses_are_not_refused(address: str) -> None:
    ip = ip_address(address)
    assert not is_refused_ip(ip)
    assert refusal_reason(ip) is None


def test_scoped_link_local_is_refused() -> None:
    assert is_refused_ip(IPv6Address("fe80::1%eth0"))


# --- Literal spellings ----------------------------------------------------------------------------

LOOPBACK = IPv4Address("127.0.0.1")


@pytest.mark.parametrize(
    ("host", "expected"),
    [
        ("127.0.0.1", LOOPBACK),
        ("127.1", LOOPBACK),
        ("127.0.1", LOOPBACK),
        ("2130706433", LOOPBACK),
        ("0x7f.0.0.1", LOOPBACK),
        ("0X7F.0.0.1", LOOPBACK),
        ("0x7f000001", LOOPBACK),
        ("0x7f.1", LOOPBACK),
        ("0177.0.0.1", LOOPBACK),
        ("0177.0.0.01", LOOPBACK),
        ("017700000001", LOOPBACK),
        ("000127.0.0.1", IPv4Address("87.0.0.1")),  # octal 127 is 87: leading zeros matter
        ("127.0.0.1.", LOOPBACK),  # the root label's dot
        ("012.0.0.1", IPv4Address("10.0.0.1")),
        ("0xa9.0xfe.0xa9.0xfe", IPv4Address("169.254.169.254")),
        ("0", IPv4Address("0.0.0.0")),
        ("4294967295", IPv4Address("255.255.255.255")),
        ("[::1]", IPv6Address("::1")),
        ("::1", IPv6Address("::1")),
        ("[::ffff:127.0.0.1]", IPv6Address("::ffff:127.0.0.1")),
        ("[0:0:0:0:0:ffff:7f00:1]", IPv6Address("::ffff:127.0.0.1")),
        ("[fe80::1%25eth0]", IPv6Address("fe80::1%25eth0")),  # with a zone, as URLs spell it
    ],
)
def test_literal_spellings(host: str, expected: IPv4Address | IPv6Address | None) -> None:
    assert literal_host_ip(host) == expected


@pytest.mark.parametrize(
    "host",
    [
        "",
        ".",
        "example.com",
        "localhost",
        "feeds.reuters.com",
        "1.2.3.4.5",
        "256.0.0.1",
        "1.2.3.256",
        "1.16777216",  # a.b: b may use three bytes, no more
        "4294967296",
        "08.0.0.1",  # not octal
        "0x1g.0.0.1",
        "0x.0.0.1",  # glibc refuses a bare 0x
        "1..1",
        "-1",
        "[127.0.0.1]",  # brackets are for IPv6 only
        "[::1",
        "\u0661\u0662\u0667.0.0.1",  # Arabic-Indic digits: not to a resolver
        "0x7f.0.0.1.example",
    ],
)
def test_not_literals(host: str) -> None:
    assert literal_host_ip(host) is None


def _inet_aton(text: str) -> IPv4Address | None:
    try:
        return IPv4Address(socket.inet_aton(text))
    except OSError:
        return None


@given(st.text(alphabet="0123456789abcdefxX.", max_size=16))
def test_agrees_with_the_c_library_inet_aton(text: str) -> None:
    # The C library's own parser (no network involved) is the reference for what getaddrinfo would
    # take as an address. We deliberately also accept a trailing root dot, which it does not.
    if not text.endswith("."):
        assert literal_host_ip(text) == _inet_aton(text)


@given(st.ip_addresses(v=4))
def test_every_ipv4_spelling_reads_back(ip: IPv4Address) -> None:
    a, b, c, d = ip.packed
    for spelling in (
        str(ip),
        str(int(ip)),
        hex(int(ip)),
        f"{a}.{(b << 16) | (c << 8) | d}",
        f"0{a:o}.0x{b:x}.{c}.0{d:o}",
    ):
        assert literal_host_ip(spelling) == ip, spelling


@pytest.mark.parametrize("host", ["localhost", "LOCALHOST", "localhost.", "feeds.localhost"])
def test_localhost_names(host: str) -> None:
    assert is_localhost_name(host)


@pytest.mark.parametrize("host", ["localhost.example.com", "notlocalhost", "example.com"])
def test_not_localhost_names(host: str) -> None:
    assert not is_localhost_name(host)


# --- The policy -----------------------------------------------------------------------------------


def test_default_policy_refuses_with_a_clear_message() -> None:
    with pytest.raises(RefusedAddress) as caught:
        AddressPolicy().check(IPv4Address("10.0.0.5"))
    message = str(caught.value)
    assert message.startswith("feed URL resolves to 10.0.0.5, a private address")
    assert message.endswith("; refused (set WIREDESK_FETCH_ALLOW_NETWORKS to allow)")


def test_message_names_the_host_that_resolved() -> None:
    with pytest.raises(RefusedAddress, match=r"feed URL host intranet\.example resolves to 10"):
        AddressPolicy().check(IPv4Address("10.1.2.3"), host="intranet.example")


def test_default_policy_lets_public_addresses_through() -> None:
    AddressPolicy().check(IPv4Address("8.8.8.8"))
    AddressPolicy().check(IPv6Address("2606:4700:4700::1111"))


def test_allowed_networks_override_the_rules() -> None:
    policy = AddressPolicy.allowing(["127.0.0.1/32", " 10.1.0.0/16 ", ""])
    policy.check(IPv4Address("127.0.0.1"))
    policy.check(IPv6Address("::ffff:127.0.0.1"))  # the same socket, written as IPv6
    policy.check(IPv4Address("10.1.200.3"))
    for refused in ("127.0.0.2", "::1", "10.2.0.1", "169.254.169.254"):
        with pytest.raises(RefusedAddress):
            policy.check(ip_address(refused))
    assert policy.is_allowed(IPv4Address("8.8.8.8"))
    assert not policy.is_allowed(IPv4Address("127.0.0.2"))


def test_allowing_rejects_malformed_networks() -> None:
    with pytest.raises(ValueError):
        AddressPolicy.allowing(["127.0.0.1/33"])
    with pytest.raises(ValueError):
        AddressPolicy.allowing(["10.0.0.1/8"])  # host bits set: almost certainly a typo
