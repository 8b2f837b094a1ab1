"""The partner-URL policy with private addresses disallowed: every spelling, every name."""

from __future__ import annotations

import socket
from typing import Any

import pytest

from ocpihub.errors import InvalidParameters
from ocpihub.outbound.urls import PolicyResolver, check_partner_url, parse_address

NON_PUBLIC = [
    "http://2130706433/",
    "http://0x7f000001/",
    "http://0177.0.0.1/",
    "http://127.1/",
    "http://0/",
    "http://localhost./",
    "http://LOCALHOST/",
    "http://app.localhost/",
    "http://100.64.0.1/",
    "http://10.1.2.3:8080/ocpi/versions",
    "http://172.16.0.1/",
    "http://192.168.1.1./",
    "http://169.254.169.254/latest/meta-data",
    "http://[::1]/",
    "http://[::ffff:127.0.0.1]/",
    "http://[fe80::1%25eth0]/",
    "http://[fd00::1]/",
    "http://192.0.2.10/",
    "http://224.0.0.1/",
]


@pytest.mark.parametrize("url", NON_PUBLIC)
def test_non_public_spellings_refused(url: str) -> None:
    """Each spelling of a non-public address (and each local name) is refused, naming the
    field, the URL and the setting; with private addresses allowed it passes."""
    with pytest.raises(InvalidParameters) as caught:
        check_partner_url(url, allow_private=False, field="versions_url")
    assert caught.value.message.startswith(f"versions_url: {url!r}")
    assert "allow_private_addresses" in caught.value.message
    assert check_partner_url(url, allow_private=True) == url


@pytest.mark.parametrize(
    "url",
    ["https://partner.example/ocpi/versions", "http://93.184.216.34/", "http://[2606:4700::1]/"],
)
def test_public_addresses_and_names_pass(url: str) -> None:
    """Public literals pass; names pass the check (their addresses are checked at connect)."""
    assert check_partner_url(url, allow_private=False) == url


def test_spellings_normalised_like_inet_aton() -> None:
    """Every spelling inet_aton reads is the address it stands for; names are not addresses."""
    assert str(parse_address("127.1")) == "127.0.0.1"
    assert str(parse_address("0x7f.1")) == "127.0.0.1"
    assert str(parse_address("017700000001")) == "127.0.0.1"
    assert parse_address("deadbeef") is None
    assert parse_address("partner.example") is None


class _Fixed:
    """A resolver answering fixed addresses (no DNS)."""

    def __init__(self, *addresses: str) -> None:
        self.addresses = addresses

    async def resolve(self, host: str, port: int = 0, family: Any = socket.AF_INET) -> list[Any]:
        return [
            {"hostname": host, "host": a, "port": port, "family": family, "proto": 0, "flags": 0}
            for a in self.addresses
        ]

    async def close(self) -> None:
        return None


async def test_resolver_keeps_only_public_addresses() -> None:
    """A name resolving to a mix keeps its public addresses; one resolving only to non-public
    ones fails to connect, naming the name and its addresses."""
    mixed = PolicyResolver(_Fixed("127.0.0.1", "93.184.216.34", "10.0.0.1"))  # type: ignore[arg-type]
    assert [r["host"] for r in await mixed.resolve("partner.example", 443)] == ["93.184.216.34"]
    local = PolicyResolver(_Fixed("127.0.0.1", "::1"))  # type: ignore[arg-type]
    with pytest.raises(OSError, match=r"rebind\.example resolves to 127\.0\.0\.1, ::1"):
        await local.resolve("rebind.example", 80)
