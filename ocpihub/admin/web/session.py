"""Console sign-in: signed session cookies, CSRF tokens, and a limit on failed sign-ins.

A session is a cookie the server signs (HMAC-SHA256) holding its expiry and its CSRF token;
nothing else, and never the admin token. The signing key is derived from a random secret kept
in the database (so every hub process accepts the same cookies) and from the admin token's
hash (so changing the admin token ends every session). The cookie is HttpOnly, SameSite=Strict,
scoped to ``/admin`` and Secure when the hub's public URL is https. Every form carries the
session's CSRF token; the sign-in form, before there is a session, carries a token that must
equal a short-lived cookie set with the form (double submit).

Signing out ends the session on the server too: its id (a hash of its CSRF token) is recorded
in the database until the session would have expired, and a cookie of a signed-out session is
refused by every hub process, even if it was copied before the sign-out.

Failed sign-ins are logged with the client's address and limited per address: after
``limit`` failures within :data:`FAILURE_WINDOW` seconds, further attempts are refused (429)
until the oldest failure leaves the window.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import time
from collections import deque
from dataclasses import dataclass, field

import orjson

from ocpihub.store.db import Database
from ocpihub.store.meta import delete_meta_where, get_meta, set_meta

__all__ = [
    "COOKIE",
    "FAILURE_WINDOW",
    "PRE_COOKIE",
    "ConsoleSessions",
    "Session",
    "SignInLimiter",
    "console_secret",
    "is_signed_out",
    "sign_out",
]

COOKIE = "ocpihub_console"
PRE_COOKIE = "ocpihub_console_signin"
FAILURE_WINDOW = 900.0
_SECRET_KEY = "console_session_secret"
_SIGNED_OUT = "console_out:"


async def console_secret(db: Database) -> str:
    """The installation's random session secret (made at first start, shared by processes)."""
    async with db.read() as conn:
        found = await get_meta(conn, _SECRET_KEY)
    if found:
        return found
    async with db.write() as conn:
        found = await get_meta(conn, _SECRET_KEY)  # another process may have just made it
        if not found:
            found = secrets.token_urlsafe(32)
            await set_meta(conn, _SECRET_KEY, found)
    return found


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


@dataclass(frozen=True, slots=True)
class Session:
    """A signed-in operator's session."""

    expires: int
    csrf: str


@dataclass
class ConsoleSessions:
    """Issues and reads session cookies (``key`` is set at start-up, see :meth:`start`)."""

    lifetime_seconds: int
    secure: bool
    key: bytes = b""

    def start(self, secret: str, admin_token_hash: str) -> None:
        """Derive the signing key from the stored secret and the admin token's hash."""
        self.key = hmac.new(secret.encode(), admin_token_hash.encode(), hashlib.sha256).digest()

    def _sign(self, payload: str) -> str:
        return _b64(hmac.new(self.key, payload.encode("ascii"), hashlib.sha256).digest())

    def issue(self, now: float | None = None) -> tuple[str, Session]:
        """A new session and its cookie value."""
        session = Session(
            int((now or time.time()) + self.lifetime_seconds), secrets.token_urlsafe(24)
        )
        payload = _b64(orjson.dumps({"exp": session.expires, "csrf": session.csrf}))
        return f"{payload}.{self._sign(payload)}", session

    def read(self, cookie: str | None, now: float | None = None) -> Session | None:
        """The session a cookie holds, if its signature is ours and it has not expired."""
        if not cookie or not self.key or cookie.count(".") != 1:
            return None
        payload, signature = cookie.split(".")
        if not hmac.compare_digest(self._sign(payload), signature):
            return None
        try:
            data = orjson.loads(_unb64(payload))
            session = Session(int(data["exp"]), str(data["csrf"]))
        except (ValueError, KeyError, TypeError, orjson.JSONDecodeError):
            return None
        return session if session.expires > (now or time.time()) else None


def _signed_out_key(session: Session) -> str:
    return _SIGNED_OUT + _b64(hashlib.sha256(session.csrf.encode()).digest())[:40]


def _expiry(seconds: float) -> str:
    return f"{int(seconds):012d}"  # fixed width: compares as text in both databases


async def sign_out(db: Database, session: Session, now: float | None = None) -> None:
    """End ``session`` for every process; forget sign-outs of sessions expired by now."""
    async with db.write() as conn:
        await delete_meta_where(conn, _SIGNED_OUT, _expiry(now or time.time()))
        await set_meta(conn, _signed_out_key(session), _expiry(session.expires))


async def is_signed_out(db: Database, session: Session) -> bool:
    """Whether the operator signed this session out."""
    async with db.read() as conn:
        return await get_meta(conn, _signed_out_key(session)) is not None


@dataclass
class SignInLimiter:
    """Failed sign-ins per client address within :data:`FAILURE_WINDOW` (per process)."""

    limit: int
    window: float = FAILURE_WINDOW
    _failures: dict[str, deque[float]] = field(default_factory=dict)

    def _recent(self, address: str, now: float) -> deque[float]:
        failures = self._failures.setdefault(address, deque())
        while failures and failures[0] <= now - self.window:
            failures.popleft()
        if not failures:
            del self._failures[address]
            return deque()
        return failures

    def retry_after(self, address: str, now: float | None = None) -> int:
        """Seconds until ``address`` may try again (0: it may now)."""
        now = now or time.monotonic()
        failures = self._recent(address, now)
        if len(failures) < self.limit:
            return 0
        return max(1, int(failures[0] + self.window - now) + 1)

    def failed(self, address: str, now: float | None = None) -> int:
        """Record one failure; how many ``address`` has in the window now."""
        now = now or time.monotonic()
        self._recent(address, now)
        if len(self._failures) > 10_000:  # a flood of addresses must not grow this for ever
            self._failures.clear()
        failures = self._failures.setdefault(address, deque())
        failures.append(now)
        return len(failures)

    def succeeded(self, address: str) -> None:
        """Forget an address's failures once it signed in."""
        self._failures.pop(address, None)
