"""Which network addresses a feed may be fetched from.

A feed URL is supplied by whoever configures a source, and every redirect it answers with by a
remote server: either can point at the machine Wiredesk runs on, the office network, or the cloud
metadata service (169.254.169.254) that hands out credentials. This module decides, without any
I/O, whether an IP address is one we refuse, and recognises IP literals in every spelling a
resolver would accept, so ``http://2130706433/`` cannot slip past a check that only knows
``127.0.0.1``.

The fetcher applies :class:`AddressPolicy` to literal hosts before any lookup and to every address
DNS returns, at connect time.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from dataclasses import dataclass
from ipaddress import IPv4Address, IPv4Network, IPv6Address, IPv6Network

from wiredesk.core.errors import RefusedAddress

IPAddress = IPv4Address | IPv6Address
IPNetwork = IPv4Network | IPv6Network

# The setting operators use to allow networks (named in the refusal message, so an admin who sees
# the error knows the way out).
ALLOW_SETTING = "WIREDESK_FETCH_ALLOW_NETWORKS"

# Special-purpose IPv4 ranges (IANA IPv4 Special-Purpose Address Registry, RFC 6890 and successors)
# that are not reachable public hosts. First match wins, so the more specific ranges come first.
_IPV4_RULES: tuple[tuple[IPv4Network, str], ...] = tuple(
    (IPv4Network(net), reason)
    for net, reason in (
        ("0.0.0.0/32", "the unspecified address"),
        ("0.0.0.0/8", "a 'this network' address (RFC 791)"),
        ("10.0.0.0/8", "a private address (RFC 1918)"),
        ("100.64.0.0/10", "a carrier-grade NAT address (RFC 6598)"),
        ("127.0.0.0/8", "a loopback address"),
        ("169.254.169.254/32", "the cloud metadata address"),
        ("169.254.0.0/16", "a link-local address"),
        ("172.16.0.0/12", "a private address (RFC 1918)"),
        ("192.0.0.0/24", "an IETF protocol assignment (RFC 6890)"),
        ("192.0.2.0/24", "a documentation address (RFC 5737)"),
        ("192.88.99.0/24", "a 6to4 relay anycast address (RFC 7526)"),
        ("192.168.0.0/16", "a private address (RFC 1918)"),
        ("198.18.0.0/15", "a benchmarking address (RFC 2544)"),
        ("198.51.100.0/24", "a documentation address (RFC 5737)"),
        ("203.0.113.0/24", "a documentation address (RFC 5737)"),
        ("224.0.0.0/4", "a multicast address"),
        ("255.255.255.255/32", "the broadcast address"),
        ("240.0.0.0/4", "a reserved address (RFC 1112)"),
    )
)

# Special-purpose IPv6 ranges (IANA IPv6 Special-Purpose Address Registry). The ranges that embed an
# IPv4 address are not here: they are judged by the address they embed (see _embedded_ipv4).
_IPV6_RULES: tuple[tuple[IPv6Network, str], ...] = tuple(
    (IPv6Network(net), reason)
    for net, reason in (
        ("::/128", "the unspecified address"),
        ("::1/128", "a loopback address"),
        ("64:ff9b:1::/48", "a local-use NAT64 address (RFC 8215)"),
        ("100::/64", "a discard-only address (RFC 6666)"),
        ("2001:2::/48", "a benchmarking address (RFC 5180)"),
        ("2001:10::/28", "an ORCHID address (RFC 4843)"),
        ("2001:20::/28", "an ORCHIDv2 address (RFC 7343)"),
        ("2001:db8::/32", "a documentation address (RFC 3849)"),
        ("3fff::/20", "a documentation address (RFC 9637)"),
        ("fc00::/7", "a unique-local address (RFC 4193)"),
        ("fe80::/10", "a link-local address"),
        ("fec0::/10", "a site-local address (deprecated, RFC 3879)"),
        ("ff00::/8", "a multicast address"),
    )
)

# Only 2000::/3 is allocated as global unicast (RFC 4291 2.4); anything else not matched above is
# unassigned or reserved space, and no feed lives there.
_IPV6_GLOBAL_UNICAST = IPv6Network("2000::/3")

_NAT64_WELL_KNOWN = IPv6Network("64:ff9b::/96")  # RFC 6052
# Deprecated by RFC 4291 2.5.5.1, but some stacks still route them as IPv4.
_IPV4_COMPATIBLE = IPv6Network("::/96")


def refusal_reason(ip: IPAddress) -> str | None:
    """Why feeds may not come from ``ip`` ("a private address (RFC 1918)"); None if they may."""
    if isinstance(ip, IPv4Address):
        return _ipv4_reason(ip)
    return _ipv6_reason(ip)


def is_refused_ip(ip: IPAddress) -> bool:
    """True when ``ip`` is loopback, private, link-local, reserved or otherwise not public."""
    return refusal_reason(ip) is not None


def _ipv4_reason(ip: IPv4Address) -> str | None:
    for network, reason in _IPV4_RULES:
        if ip in network:
            return reason
    return None


def _ipv6_reason(ip: IPv6Address) -> str | None:
    for network, rule_reason in _IPV6_RULES:
        if ip in network:
            return rule_reason
    if ip.teredo is not None:
        # Teredo (RFC 4380) embeds the relay server and the (obfuscated) client address; either one
        # being internal is enough to refuse.
        server, client = ip.teredo
        reason = _ipv4_reason(server) or _ipv4_reason(client)
        return f"a Teredo address embedding {reason}" if reason else None
    embedded = _embedded_ipv4(ip)
    if embedded is not None:
        reason = _ipv4_reason(embedded)
        return f"an IPv6 address embedding {embedded}, {reason}" if reason else None
    if ip not in _IPV6_GLOBAL_UNICAST:
        return "a reserved address (outside 2000::/3)"
    return None


def _embedded_ipv4(ip: IPv6Address) -> IPv4Address | None:
    """The IPv4 address an IPv4-mapped, IPv4-compatible, NAT64 or 6to4 address reaches, if any.

    These forms are how ``::ffff:127.0.0.1`` would otherwise reach loopback: the kernel (mapped), a
    NAT64 gateway (RFC 6052) or a 6to4 relay (RFC 3056) turns them into the IPv4 address they carry.
    """
    if ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    if ip.sixtofour is not None:
        return ip.sixtofour
    if ip in _NAT64_WELL_KNOWN or ip in _IPV4_COMPATIBLE:
        return IPv4Address(int(ip) & 0xFFFF_FFFF)
    return None


# --- IP literals in any spelling ------------------------------------------------------------------


def literal_host_ip(host: str) -> IPAddress | None:
    """The address ``host`` denotes if it is an IP literal in any spelling a resolver accepts.

    Besides the dotted quad this covers the BSD ``inet_aton`` forms that glibc's resolver (and so
    ``getaddrinfo``) still accepts -- ``127.1``, ``2130706433``, ``0x7f.0.0.1``, ``0177.0.0.1``
    -- as well as bracketed or bare IPv6 (``[::ffff:127.0.0.1]``) and a trailing root dot
    (``127.0.0.1.``). Returns None for anything else (a name, or garbage).
    """
    host = host.strip()
    if host.startswith("[") and host.endswith("]"):
        return _ipv6_literal(host[1:-1])
    if ":" in host:
        return _ipv6_literal(host)
    if host.endswith(".") and len(host) > 1:
        host = host[:-1]
    return _inet_aton(host)


def _ipv6_literal(text: str) -> IPv6Address | None:
    try:
        return IPv6Address(text)
    except ValueError:
        return None


def _inet_aton(text: str) -> IPv4Address | None:
    """Parse ``a``, ``a.b``, ``a.b.c`` or ``a.b.c.d`` as inet_aton(3) does: each part decimal, octal
    (leading 0) or hex (leading 0x); the last part fills all the bytes that remain."""
    parts = text.split(".")
    if not 1 <= len(parts) <= 4:
        return None
    numbers = [_inet_aton_part(part) for part in parts]
    if any(number is None for number in numbers):
        return None
    *leading, last = (number for number in numbers if number is not None)
    if any(number > 0xFF for number in leading) or last >= 256 ** (4 - len(leading)):
        return None
    value = last
    for index, number in enumerate(leading):
        value |= number << (8 * (3 - index))
    return IPv4Address(value)


_DECIMAL = frozenset("0123456789")
_OCTAL = frozenset("01234567")
_HEX = frozenset("0123456789abcdefABCDEF")


def _inet_aton_part(part: str) -> int | None:
    # Explicit digit sets: str.isdigit() would accept non-ASCII digits such as "١٢٧".
    if part[:2] in ("0x", "0X"):
        digits = part[2:]
        # glibc refuses a bare "0x" (BSD and WHATWG read it as zero): a resolver would look it up.
        return int(digits, 16) if digits and set(digits) <= _HEX else None
    if len(part) > 1 and part[0] == "0":
        return int(part, 8) if set(part) <= _OCTAL else None
    if part and set(part) <= _DECIMAL:
        return int(part)
    return None


def is_localhost_name(host: str) -> bool:
    """True for ``localhost`` and names under ``.localhost`` (reserved for loopback, RFC 6761 6.3).

    They are refused as loopback without asking DNS, whatever a resolver would make of them.
    """
    name = host.strip().rstrip(".").lower()
    return name == "localhost" or name.endswith(".localhost")


# --- The policy -----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class AddressPolicy:
    """Refuses internal addresses, except networks the operator explicitly allows.

    ``allowed_networks`` exists for tests and demos (a feed server on 127.0.0.1) and for sites that
    really do pull feeds from their own network; by default nothing is allowed.
    """

    allowed_networks: tuple[IPNetwork, ...] = ()

    @classmethod
    def allowing(cls, networks: Iterable[str]) -> AddressPolicy:
        """A policy allowing the given CIDR strings (``["127.0.0.1/32", "10.1.0.0/16"]``).

        Raises ValueError on a malformed network, so a typo in the setting fails at startup.
        """
        return cls(tuple(ipaddress.ip_network(text.strip()) for text in networks if text.strip()))

    def is_allowed(self, ip: IPAddress) -> bool:
        """True when ``ip`` is explicitly allowed or is not refused in the first place."""
        return self._explicitly_allowed(ip) or not is_refused_ip(ip)

    def check(self, ip: IPAddress, *, host: str = "") -> None:
        """Raise :class:`RefusedAddress` unless feeds may be fetched from ``ip``.

        ``host`` (the name that resolved to ``ip``) only makes the message more useful.
        """
        if self._explicitly_allowed(ip):
            return
        reason = refusal_reason(ip)
        if reason is None:
            return
        subject = f"feed URL host {host}" if host and host != str(ip) else "feed URL"
        raise RefusedAddress(
            f"{subject} resolves to {ip}, {reason}; refused (set {ALLOW_SETTING} to allow)"
        )

    def _explicitly_allowed(self, ip: IPAddress) -> bool:
        # An allowance for 127.0.0.1 also covers ::ffff:127.0.0.1: it reaches the same socket.
        mapped = ip.ipv4_mapped if isinstance(ip, IPv6Address) else None
        return any(ip in net or (mapped and mapped in net) for net in self.allowed_networks)
