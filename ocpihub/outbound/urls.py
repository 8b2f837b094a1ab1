"""Checks on URLs partners hand the hub before the hub calls them (DESIGN, security)."""

from __future__ import annotations

import ipaddress
from urllib.parse import urlsplit

from ocpihub.errors import InvalidParameters

__all__ = ["check_partner_url", "join_url"]


def _is_private(host: str) -> bool:
    if host.lower() in ("localhost", "localhost.localdomain") or host.lower().endswith(
        ".localhost"
    ):
        return True
    try:
        address = ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return False
    return (
        address.is_private
        or address.is_loopback
        or address.is_link_local
        or address.is_reserved
        or address.is_multicast
        or address.is_unspecified
    )


def check_partner_url(url: str, *, allow_private: bool, field: str = "url") -> str:
    """``url`` if the hub may call it; else :class:`InvalidParameters` naming field and value.

    http and https only, an explicit host, no user name or password in the URL, at most 255
    characters, and — unless ``allow_private`` — no loopback, private-range or link-local
    address literal (or ``localhost``).
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
    if not allow_private and _is_private(host):
        raise InvalidParameters(
            f"{field}: {url!r} points at a loopback or private address, which this hub "
            "does not call (setting allow_private_addresses)"
        )
    return url


def join_url(base: str, *segments: str) -> str:
    """``base`` joined with ``segments`` by exactly one ``/`` each (digest §3 notation)."""
    out = base.rstrip("/")
    for segment in segments:
        out += "/" + segment.strip("/")
    return out
