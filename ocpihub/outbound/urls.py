"""Checks on URLs partners hand the hub before the hub calls them (DESIGN, security).

With private addresses disallowed (``allow_private_addresses`` off) the policy holds twice:

- :func:`check_partner_url` refuses a URL whose host is a non-public address in *any* spelling
  the resolver would accept (``127.1``, ``2130706433``, ``0x7f000001``, ``0177.0.0.1``, ``0``,
  ``[::ffff:127.0.0.1]``: normalised with ``ipaddress`` and ``inet_aton`` semantics) or a local
  name (``localhost``, ``localhost.``, ``*.localhost``);
- a DNS name can resolve anywhere, and differently later, so the partner client checks the
  addresses a name resolves to *when it connects* (:class:`PolicyResolver`), after redirects
  too, and the address literals of every URL it calls (:func:`refused_address`).

Only public (globally routable, not multicast) addresses are allowed: loopback, private ranges,
link-local, shared address space (100.64.0.0/10), documentation, reserved and unspecified
addresses are not.
"""

from __future__ import annotations

import errno
import ipaddress
import socket
from typing import Any
from urllib.parse import urlsplit

from aiohttp.abc import AbstractResolver, ResolveResult
from aiohttp.resolver import DefaultResolver

from ocpihub.errors import InvalidParameters

__all__ = [
    "PolicyResolver",
    "address_allowed",
    "check_partner_url",
    "join_url",
    "parse_address",
    "refused_address",
]

Address = ipaddress.IPv4Address | ipaddress.IPv6Address

_INET_ATON_CHARS = frozenset("0123456789abcdefxABCDEFX.")


def parse_address(host: str) -> Address | None:
    """The IP address ``host`` spells, in any form a resolver accepts; None for a name."""
    text = host.strip("[]")
    if "%" in text:  # an IPv6 zone: the address is what counts
        text = text.split("%", 1)[0]
    try:
        return ipaddress.ip_address(text)
    except ValueError:
        pass
    # inet_aton also reads 1 to 4 parts in decimal, octal (0177) or hex (0x7f): 127.1, 0, ...
    text = text[:-1] if text.endswith(".") else text  # a fully qualified spelling
    if not text or not set(text) <= _INET_ATON_CHARS:
        return None
    try:
        return ipaddress.IPv4Address(socket.inet_aton(text))
    except OSError:
        return None


def address_allowed(address: Address) -> bool:
    """Whether the hub may call ``address`` when private addresses are disallowed."""
    if isinstance(address, ipaddress.IPv6Address):
        mapped = address.ipv4_mapped or address.sixtofour
        if mapped is not None:
            return address_allowed(mapped)
    return address.is_global and not address.is_multicast


def _is_local_name(host: str) -> bool:
    name = host.rstrip(".").lower()
    return name in ("", "localhost", "localhost.localdomain") or name.endswith(".localhost")


def refused_address(host: str) -> str | None:
    """Why ``host`` may not be called with private addresses disallowed; None when it may
    (a name that is not local: its addresses are checked when connecting)."""
    if _is_local_name(host):
        return f"{host!r} is a local name"
    address = parse_address(host)
    if address is not None and not address_allowed(address):
        return f"{host!r} is the non-public address {address}"
    return None


class PolicyResolver(AbstractResolver):
    """Resolves names, then keeps only the addresses the hub may call; a name left with none
    fails to connect (``OSError`` naming the name and its addresses)."""

    def __init__(self, inner: AbstractResolver | None = None) -> None:
        self.inner = inner or DefaultResolver()

    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[ResolveResult]:
        """The allowed addresses ``host`` resolves to."""
        found = await self.inner.resolve(host, port, family)
        allowed = [r for r in found if _result_allowed(r)]
        if not allowed:
            addresses = ", ".join(sorted({str(r["host"]) for r in found})) or "nothing"
            raise OSError(
                errno.EACCES,
                f"{host} resolves to {addresses}: not a public address, which this hub does "
                "not call (setting allow_private_addresses)",
            )
        return allowed

    async def close(self) -> None:
        """Close the wrapped resolver."""
        await self.inner.close()


def _result_allowed(result: Any) -> bool:
    address = parse_address(str(result["host"]))
    return address is not None and address_allowed(address)


def check_partner_url(url: str, *, allow_private: bool, field: str = "url") -> str:
    """``url`` if the hub may call it; else :class:`InvalidParameters` naming field and value.

    http and https only, an explicit host, no user name or password in the URL, at most 255
    characters, and — unless ``allow_private`` — no non-public address in any spelling (or
    local name); a DNS name passes here and is checked when the hub connects.
    """
    if not isinstance(url, str) or not url:
        raise InvalidParameters(f"{field}: a URL is required")
    if len(url) > 255:
        raise InvalidParameters(f"{field}: URL is longer than 255 characters")
    try:
        parts = urlsplit(url)
        host = parts.hostname
        _ = parts.port
    except ValueError:
        raise InvalidParameters(f"{field}: {url!r} is not a valid URL") from None
    if parts.scheme not in ("http", "https"):
        raise InvalidParameters(f"{field}: {url!r} must use http or https")
    if not host:
        raise InvalidParameters(f"{field}: {url!r} has no host")
    if parts.username is not None or parts.password is not None:
        raise InvalidParameters(f"{field}: {url!r} must not carry credentials")
    refused = None if allow_private else refused_address(host)
    if refused is not None:
        raise InvalidParameters(
            f"{field}: {url!r} points at a loopback or private address ({refused}), which "
            "this hub does not call (setting allow_private_addresses)"
        )
    return url


def join_url(base: str, *segments: str) -> str:
    """``base`` exactly as the partner published it, with ``segments`` appended.

    Each segment is added after one ``/`` — the base's own trailing slash serves as the first —
    so ``…/cdrs/`` + ``ID`` and ``…/cdrs`` + ``ID`` both give ``…/cdrs/ID``, never ``//``. The
    base itself is never rewritten: with no (or only empty) segments it is returned as is, so
    a receiver that publishes ``…/cdrs/`` gets its POST at ``…/cdrs/``.
    """
    out = base
    for segment in segments:
        part = segment.strip("/")
        if part:
            out += part if out.endswith("/") else "/" + part
    return out
