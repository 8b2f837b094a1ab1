"""The admin API's bearer token: from the setting, or generated once and stored hashed."""

from __future__ import annotations

import hashlib
import hmac
import secrets

from ocpihub.store.db import Database
from ocpihub.store.meta import get_meta, set_meta

__all__ = ["check_admin_token", "ensure_admin_token"]

_KEY = "admin_token_sha256"


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


async def ensure_admin_token(db: Database, configured: str | None) -> tuple[str, str | None]:
    """The hash to check admin calls against, and the new token if one was just generated.

    A configured token (``OCPIHUB_ADMIN_TOKEN``) always wins. Otherwise the first start makes
    one, stores only its hash, and returns it so the caller can print it once.
    """
    if configured:
        return _hash(configured), None
    async with db.write() as conn:
        stored = await get_meta(conn, _KEY)
        if stored:
            return stored, None
        token = secrets.token_urlsafe(32)
        await set_meta(conn, _KEY, _hash(token))
    return _hash(token), token


def check_admin_token(presented: str, expected_hash: str) -> bool:
    """Constant-time comparison of a presented bearer token with the stored hash."""
    return hmac.compare_digest(_hash(presented), expected_hash)
