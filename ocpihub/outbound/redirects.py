"""Which redirects the hub follows when calling a partner (pure).

A partner's server may answer 307 or 308 (the same request at another URL: method and body
kept), typically to add or drop a trailing slash. The hub follows such an answer when the new
URL passes the same URL policy as the one the partner published
(:func:`~ocpihub.outbound.urls.check_partner_url`), stays on the same host (the hub's token is
never sent anywhere the partner did not publish), and does not go from https to http; at most
:data:`MAX_REDIRECTS` in a row. Any other 3xx (301, 302, 303 may change the method) is not
followed: the caller sees it as the answer (a delivery is retried and the operator sees why).
"""

from __future__ import annotations

from urllib.parse import urljoin, urlsplit

from ocpihub.errors import OcpiError
from ocpihub.outbound.urls import check_partner_url

__all__ = ["FOLLOWED", "MAX_REDIRECTS", "RedirectRefused", "redirect_target"]

FOLLOWED = frozenset({307, 308})
MAX_REDIRECTS = 3


class RedirectRefused(Exception):
    """The redirect is not followed; the message says why."""


def redirect_target(url: str, location: str | None, *, allow_private: bool) -> str:
    """The absolute URL a 307/308 answer to a request for ``url`` points at, if the hub may
    follow it; :class:`RedirectRefused` naming the reason otherwise."""
    if not location:
        raise RedirectRefused("the redirect has no Location header")
    target = urljoin(url, location.strip())
    try:
        check_partner_url(target, allow_private=allow_private, field="Location")
    except OcpiError as exc:
        raise RedirectRefused(exc.message) from None
    before, after = urlsplit(url), urlsplit(target)
    if (after.hostname or "").lower() != (before.hostname or "").lower():
        raise RedirectRefused(
            f"Location {target!r} is on another host than {url!r}: the hub sends its token "
            "only to the host the partner published"
        )
    if before.scheme == "https" and after.scheme != "https":
        raise RedirectRefused(f"Location {target!r} leaves https")
    return target
