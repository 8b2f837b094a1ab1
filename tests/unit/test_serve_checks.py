"""What ``serve`` warns about before it starts: a public URL that does not lead to it."""

from __future__ import annotations

import pytest

from ocpihub.cli.serve_checks import public_url_warnings
from ocpihub.settings import load_settings


@pytest.mark.parametrize(
    ("settings", "warned"),
    [
        ({"port": 9000}, None),  # unset: follows the port
        ({"port": 9000, "public_url": "http://127.0.0.1:9000/"}, None),
        ({"port": 80, "public_url": "http://hub.example"}, None),  # the scheme's port
        ({"port": 9000, "public_url": "http://127.0.0.1:8080"}, "is on port 8080"),
        ({"port": 9000, "public_url": "http://hub.example"}, "is on port 80"),
        ({"port": 8081, "public_url": "https://hub.example"}, None),  # TLS ends in front
        ({"host": "0.0.0.0", "port": 9000}, "partners on other machines cannot reach"),
        ({"host": "0.0.0.0", "port": 9000, "public_url": "http://hub.lan:9000"}, None),
    ],
)
def test_public_url_warnings(settings: dict[str, object], warned: str | None) -> None:
    """One warning when partners would be sent elsewhere than this process, else none."""
    warnings = public_url_warnings(load_settings(**settings))
    if warned is None:
        assert warnings == []
    else:
        [warning] = warnings
        assert warned in warning
