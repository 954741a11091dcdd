"""The admin's protection: sign-ins throttled per user and address (django-axes), a lockout that
says so and ends by itself, the admin restricted to given networks, and the client's address
read through trusted proxies only."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.contrib.auth.models import User
from django.test import Client, RequestFactory
from django.utils import timezone
from pytest_django.fixtures import Settings as SettingsWrapper

from wiredesk.newsroom.admin_access import client_address

pytestmark = pytest.mark.django_db

ATTACKER, EDITOR_HOME = "203.0.113.66", "198.51.100.7"
PASSWORD = "a long passphrase"


@pytest.fixture(autouse=True)
def editors() -> None:
    User.objects.create_superuser("editor", "editor@example.com", PASSWORD)
    User.objects.create_superuser("night", "night@example.com", PASSWORD)


def sign_in(username: str, password: str, address: str) -> tuple[int, str]:
    """Post the admin's sign-in form from ``address`` with a fresh browser; (status, page)."""
    response = Client().post("/admin/login/?next=/admin/",
                             {"username": username, "password": password}, REMOTE_ADDR=address)
    return response.status_code, response.content.decode()


def guess_wrong(times: int, username: str = "editor", address: str = ATTACKER) -> None:
    """Fail ``times`` times; the failure that reaches the limit is answered with the lockout."""
    for _ in range(times):
        status, page = sign_in(username, "wrong guess", address)
        if status == 429:
            assert "Too many failed sign-ins" in page
            return
        assert status == 200 and "Please enter the correct username and password" in page


def test_the_right_password_is_refused_once_the_limit_is_reached(settings: SettingsWrapper
                                                                 ) -> None:
    assert settings.AXES_FAILURE_LIMIT == 5
    guess_wrong(4)
    assert sign_in("editor", PASSWORD, ATTACKER)[0] == 302  # under the limit: still signs in
    guess_wrong(4)  # a success reset the count
    fifth = sign_in("editor", "wrong guess", ATTACKER)
    assert fifth[0] == 429 and "Too many failed sign-ins" in fifth[1]
    status, page = sign_in("editor", PASSWORD, ATTACKER)
    assert status == 429
    assert ("Too many failed sign-ins: signing in as this user from your address is locked for "
            "15 minutes") in page


def test_a_lockout_leaves_other_users_and_addresses_alone() -> None:
    guess_wrong(5)
    assert sign_in("editor", PASSWORD, ATTACKER)[0] == 429
    assert sign_in("editor", PASSWORD, EDITOR_HOME)[0] == 302  # the real editor, elsewhere
    assert sign_in("night", PASSWORD, ATTACKER)[0] == 302  # another user


def test_a_lockout_ends_after_the_cool_off() -> None:
    guess_wrong(5)
    assert sign_in("editor", PASSWORD, ATTACKER)[0] == 429
    start = timezone.now()
    with time_machine.travel(start + timedelta(minutes=16), tick=False):
        assert sign_in("editor", PASSWORD, ATTACKER)[0] == 302


def test_trying_during_a_lockout_starts_the_cool_off_again() -> None:
    guess_wrong(5)
    start = timezone.now()
    with time_machine.travel(start + timedelta(minutes=14), tick=False):
        assert sign_in("editor", PASSWORD, ATTACKER)[0] == 429
    # 16 minutes after the lockout but only 2 after the last try: still locked -- which is a
    # try again; 16 minutes after that one, the lockout is over.
    with time_machine.travel(start + timedelta(minutes=16), tick=False):
        assert sign_in("editor", PASSWORD, ATTACKER)[0] == 429
    with time_machine.travel(start + timedelta(minutes=16 + 16), tick=False):
        assert sign_in("editor", PASSWORD, ATTACKER)[0] == 302


def test_locking_by_address_stops_one_address_trying_many_users(settings: SettingsWrapper
                                                                 ) -> None:
    settings.AXES_LOCKOUT_PARAMETERS = ["ip_address"]
    guess_wrong(3, "editor")
    guess_wrong(2, "someone-else")
    assert sign_in("night", PASSWORD, ATTACKER)[0] == 429
    assert sign_in("night", PASSWORD, EDITOR_HOME)[0] == 302


def test_the_admin_answers_only_the_allowed_networks(settings: SettingsWrapper) -> None:
    settings.WIREDESK_ADMIN_ALLOW_NETWORKS = ["10.0.0.0/8", "2001:db8::/32"]
    outside = Client(REMOTE_ADDR=ATTACKER)
    refused = outside.get("/admin/login/")
    assert refused.status_code == 403
    assert refused.content.decode() == "The admin is not available from your network.\n"
    assert outside.post("/admin/login/", {"username": "editor", "password": PASSWORD}
                        ).status_code == 403
    assert outside.get("/").status_code == 200  # the public site is for everyone
    assert Client(REMOTE_ADDR="10.1.2.3").get("/admin/login/").status_code == 200
    assert Client(REMOTE_ADDR="2001:db8::5").get("/admin/login/").status_code == 200


def test_behind_a_trusted_proxy_the_forwarded_address_counts(settings: SettingsWrapper) -> None:
    settings.WIREDESK_ADMIN_ALLOW_NETWORKS = ["10.0.0.0/8"]
    settings.WIREDESK_TRUSTED_PROXIES = ["192.0.2.10"]
    via_proxy = Client(REMOTE_ADDR="192.0.2.10")
    assert via_proxy.get("/admin/login/", HTTP_X_FORWARDED_FOR="10.4.4.4").status_code == 200
    assert via_proxy.get("/admin/login/",
                         HTTP_X_FORWARDED_FOR=ATTACKER).status_code == 403
    # A client cannot forge its way in: only what the proxy appended is believed.
    assert via_proxy.get("/admin/login/",
                         HTTP_X_FORWARDED_FOR=f"10.4.4.4, {ATTACKER}").status_code == 403
    # Nor can anyone who is not the proxy.
    assert Client(REMOTE_ADDR=ATTACKER).get(
        "/admin/login/", HTTP_X_FORWARDED_FOR="10.4.4.4").status_code == 403


def test_client_address(settings: SettingsWrapper) -> None:
    factory = RequestFactory()
    settings.WIREDESK_TRUSTED_PROXIES = ["192.0.2.0/24"]

    def seen(remote: str, forwarded: str = "") -> str:
        extra = {"HTTP_X_FORWARDED_FOR": forwarded} if forwarded else {}
        return client_address(factory.get("/", REMOTE_ADDR=remote, **extra))

    assert seen(ATTACKER) == ATTACKER
    assert seen(ATTACKER, "10.0.0.1") == ATTACKER
    assert seen("192.0.2.10", f"1.1.1.1, {EDITOR_HOME}, 192.0.2.11") == EDITOR_HOME
    assert seen("192.0.2.10", "not an address") == "192.0.2.10"  # no proxy wrote that
    assert seen("192.0.2.10") == "192.0.2.10"


def test_a_locked_out_pair_behind_the_proxy_is_the_client_not_the_proxy(
        settings: SettingsWrapper) -> None:
    settings.WIREDESK_TRUSTED_PROXIES = ["192.0.2.10"]

    def through_proxy(password: str, client_ip: str) -> int:
        return Client().post("/admin/login/", {"username": "editor", "password": password},
                             REMOTE_ADDR="192.0.2.10", HTTP_X_FORWARDED_FOR=client_ip
                             ).status_code

    for _ in range(5):
        assert through_proxy("wrong guess", ATTACKER) in (200, 429)
    assert through_proxy(PASSWORD, ATTACKER) == 429
    assert through_proxy(PASSWORD, EDITOR_HOME) == 302
