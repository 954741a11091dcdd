"""The ``wiredesk`` entry point: the public address a serving command implies."""

from __future__ import annotations

import pytest

from wiredesk.cli import default_base_url


@pytest.mark.parametrize(("args", "expected"), [
    (["run", "--demo", "--port", "8011"], "http://127.0.0.1:8011"),
    (["serve", "--port=9000", "--host", "localhost"], "http://localhost:9000"),
    (["run", "--host", "0.0.0.0", "--port", "8080"], "http://127.0.0.1:8080"),
    (["serve", "--host", "::1"], "http://[::1]:8000"),
    (["run", "--demo"], None),            # the default address is the configured default
    (["worker", "--port", "8011"], None),  # only commands that serve imply an address
    ([], None),
])
def test_a_serving_command_on_another_port_implies_its_own_address(
        args: list[str], expected: str | None) -> None:
    assert default_base_url(args) == expected
