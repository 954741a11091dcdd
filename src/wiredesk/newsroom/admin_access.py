"""Who may reach the admin, and how often they may guess a password.

- **Throttling** is django-axes': failed sign-ins are counted per user name and address together
  (``WIREDESK_ADMIN_LOCKOUT_BY``); after ``WIREDESK_ADMIN_LOGIN_ATTEMPTS`` failures that pair is
  refused -- the right password included -- for ``WIREDESK_ADMIN_LOCKOUT_MINUTES``, with a page
  that says so (:func:`locked_out`). Counting the pair means an attacker cannot lock the real
  editor out from elsewhere; counting by address alone (``address``) also stops one address
  trying many names.
- **Networks**: with ``WIREDESK_ADMIN_ALLOW_NETWORKS`` set, :class:`AdminNetworkMiddleware` answers
  every admin URL with 403 to any other address, before a login form is even shown.
- **The client's address** (:func:`client_address`) is the connection's, unless that is a trusted
  reverse proxy (``WIREDESK_TRUSTED_PROXIES``): then it is the last address in X-Forwarded-For that
  is not one of the proxies. A header from anyone else is ignored, so it cannot be forged.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable, Iterable
from functools import cache
from typing import Any

from axes.backends import AxesStandaloneBackend
from django.conf import settings
from django.contrib import admin
from django.http import HttpRequest, HttpResponse, HttpResponseForbidden
from django.shortcuts import render

from wiredesk.core.addresses import IPNetwork

ADMIN_PREFIX = "/admin/"


@cache
def _networks(spec: tuple[str, ...]) -> tuple[IPNetwork, ...]:
    return tuple(ipaddress.ip_network(net, strict=False) for net in spec)


def networks(spec: Iterable[str]) -> tuple[IPNetwork, ...]:
    """Parsed networks of a comma-separated setting (already split); raises ValueError."""
    return _networks(tuple(spec))


def _within(address: str, nets: tuple[IPNetwork, ...]) -> bool:
    try:
        ip = ipaddress.ip_address(address.strip())
    except ValueError:
        return False
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return any(ip in net for net in nets)


def client_address(request: HttpRequest) -> str:
    """The address the request came from, seen through trusted reverse proxies only."""
    remote = str(request.META.get("REMOTE_ADDR", ""))
    proxies = networks(settings.WIREDESK_TRUSTED_PROXIES)
    if not proxies or not _within(remote, proxies):
        return remote
    forwarded = str(request.META.get("HTTP_X_FORWARDED_FOR", ""))
    # Right to left: each trusted proxy appended the address it saw; the first one that is not a
    # proxy is the client (anything further left was sent by the client and proves nothing).
    for hop in reversed([part.strip() for part in forwarded.split(",") if part.strip()]):
        if not _within(hop, proxies):
            return hop if _is_address(hop) else remote  # a proxy appends only real addresses
    return remote


def _is_address(text: str) -> bool:
    try:
        ipaddress.ip_address(text)
    except ValueError:
        return False
    return True


def client_address_for_axes(request: HttpRequest) -> str:
    """django-axes' AXES_CLIENT_IP_CALLABLE: the same address every other check uses."""
    return client_address(request)


class AdminNetworkMiddleware:
    """Refuses admin URLs to addresses outside ``WIREDESK_ADMIN_ALLOW_NETWORKS`` (when set)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        allowed = networks(settings.WIREDESK_ADMIN_ALLOW_NETWORKS)
        if (allowed and request.path.startswith(ADMIN_PREFIX)
                and not _within(client_address(request), allowed)):
            return HttpResponseForbidden(
                "The admin is not available from your network.\n",
                content_type="text/plain; charset=utf-8")
        return self.get_response(request)


def lockout_message() -> str:
    minutes = settings.WIREDESK_ADMIN_LOCKOUT_MINUTES
    return (f"Too many failed sign-ins: signing in as this user from your address is locked for "
            f"{minutes} minute{'s' if minutes != 1 else ''} after the last attempt. Try again "
            "later, or ask another administrator to unlock it (`wiredesk axes_reset_username "
            "NAME`).")


def locked_out(request: HttpRequest, original_response: HttpResponse | None = None,
               credentials: dict[str, Any] | None = None) -> HttpResponse:
    """django-axes' AXES_LOCKOUT_CALLABLE: the admin's own page saying why, answered 429."""
    context = {**admin.site.each_context(request), "title": "Sign-in locked",
               "message": lockout_message()}
    response = render(request, "admin/wiredesk_locked_out.html", context, status=429)
    response["Retry-After"] = str(settings.WIREDESK_ADMIN_LOCKOUT_MINUTES * 60)
    return response


class LoginThrottle(AxesStandaloneBackend):
    """django-axes' backend for sign-ins over HTTP. An authentication without a request (the
    test client's ``login()``, a script) is no sign-in form anyone can reach, so there is
    nothing to throttle; axes' own backend would refuse it outright."""

    def authenticate(self, request: HttpRequest | None, username: str | None = None,
                     password: str | None = None, **kwargs: Any) -> None:
        if request is None:
            return None
        return super().authenticate(request, username, password, **kwargs)
