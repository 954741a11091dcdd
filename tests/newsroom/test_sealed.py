"""Push HMAC keys sealed at rest: the database holds no usable key, signed pushes still verify,
a rotated secret key keeps working while the old one is a fallback, and plain keys stored by an
earlier version are sealed by the migration."""

from __future__ import annotations

import hashlib
import hmac
import importlib

import pytest
from django.apps import apps
from django.test import Client
from pytest_django.fixtures import Settings

from wiredesk.newsroom import sealed
from wiredesk.newsroom.models import RawPayload, Source
from wiredesk.newsroom.sources import add_push_source

from .feeds import STORY_A, rss

pytestmark = pytest.mark.django_db

BODY = rss(STORY_A)


def signed_push(source: Source, key: str, body: bytes = BODY) -> int:
    signature = "sha256=" + hmac.new(key.encode(), body, hashlib.sha256).hexdigest()
    return Client().post(f"/push/{source.slug}/", body, content_type="application/rss+xml",
                         HTTP_X_WIREDESK_SIGNATURE=signature).status_code


def stored_key(source: Source) -> str:
    return str(Source.objects.values_list("push_hmac_key", flat=True).get(pk=source.pk))


def test_the_database_holds_the_key_sealed_and_signatures_still_verify() -> None:
    source, credentials = add_push_source("Signed Wire", hmac_key=True)
    stored = stored_key(source)
    assert stored.startswith("fernet:") and credentials.hmac_key not in stored
    assert signed_push(source, credentials.hmac_key) == 202
    assert signed_push(source, "a guessed key") == 401
    assert RawPayload.objects.count() == 1


def test_a_rotated_secret_key_works_while_the_old_one_is_a_fallback(
        settings: Settings, caplog: pytest.LogCaptureFixture) -> None:
    source, credentials = add_push_source("Signed Wire", hmac_key=True)
    old = settings.SECRET_KEY
    settings.SECRET_KEY, settings.SECRET_KEY_FALLBACKS = "a new secret key " * 4, [old]
    assert signed_push(source, credentials.hmac_key) == 202
    settings.SECRET_KEY_FALLBACKS = []  # the old key dropped before the HMAC key was re-issued
    assert signed_push(source, credentials.hmac_key, rss(STORY_A, title="Other")) == 401
    assert "re-issue it with `wiredesk source push-token" in caplog.text


def test_sealing_round_trips_and_refuses_a_foreign_key() -> None:
    token = sealed.seal("k3y", secret_keys=["one secret key"])
    assert sealed.unseal(token, secret_keys=["one secret key"]) == "k3y"
    assert sealed.unseal(token, secret_keys=["another", "one secret key"]) == "k3y"
    with pytest.raises(sealed.Unreadable):
        sealed.unseal(token, secret_keys=["another"])
    assert sealed.seal("") == "" and sealed.unseal("plain from before") == "plain from before"


def test_the_migration_seals_plain_keys_and_can_open_them_again() -> None:
    source, _ = add_push_source("Old Wire")
    Source.objects.filter(pk=source.pk).update(push_hmac_key="plain-old-key")
    migration = importlib.import_module(
        "wiredesk.newsroom.migrations.0015_seal_push_hmac_keys")
    migration.seal_plain_keys(apps, None)
    assert stored_key(source).startswith("fernet:")
    assert signed_push(source, "plain-old-key") == 202
    migration.seal_plain_keys(apps, None)  # twice: nothing sealed twice
    assert sealed.unseal(stored_key(source)) == "plain-old-key"
    migration.open_sealed_keys(apps, None)
    assert stored_key(source) == "plain-old-key"
