"""Sessions and CDRs through the hub (pure): addressing, Session PATCH merging, period deltas.

- Addressing (digest §1.9 routing-key cheat sheet): a Session or CDR goes to the party the
  OCPI-to headers name; without them (or when they name the hub itself) to the owner of its
  ``cdr_token`` — for 2.1.1 senders the translator already filled ``cdr_token`` from the token
  cache by ``auth_id``.
- PATCH (digest §3.2, §4.3 Sessions): fields given replace the stored ones; ``charging_periods``
  in a 2.2+ PATCH are APPENDED (absent or empty: untouched). 2.1.1 has no append rule: a 2.1.1
  PATCH's list replaces the stored one. Hub-private annotations (``_ocpihub``) are merged so that
  the stored document still renders exactly for the sender's version.
- Receivers with the other semantics: :func:`appended_periods` says which periods a 2.1.1
  replacement adds at the end, so append-semantics receivers can get them as a PATCH.
- Mailboxes: each Session/CDR is also filed under the party it concerns, so that a partner's
  GET all lists exactly the sessions and CDRs of its own tokens (:func:`mailbox_key`).
"""

from __future__ import annotations

from typing import Any

from ocpihub.errors import InvalidParameters
from ocpihub.ocpi.jsoncopy import json_copy

__all__ = [
    "PRIVATE",
    "addressee",
    "appended_periods",
    "mailbox_key",
    "mailbox_module",
    "merge_patch",
    "patch_touches",
]

Doc = dict[str, Any]

PRIVATE = "_ocpihub"
"""Top-level key of hub-private annotations in canonical documents."""


def addressee(
    to_party: tuple[str, str] | None, document: Doc, hub_party: tuple[str, str]
) -> tuple[str, str]:
    """The party a Session or CDR is for: the OCPI-to party, else the ``cdr_token`` owner."""
    if to_party is not None and to_party != hub_party:
        return (to_party[0].upper(), to_party[1].upper())
    token = document.get("cdr_token")
    if not isinstance(token, dict) or not token.get("country_code") or not token.get("party_id"):
        raise InvalidParameters(
            "cdr_token: the hub cannot tell which party this is for (no cdr_token owner and no "
            "OCPI-to headers)"
        )
    return (str(token["country_code"]).upper(), str(token["party_id"]).upper())


def mailbox_module(module: str) -> str:
    """The objects-table module under which ``module`` objects are filed per addressee."""
    return f"{module}.to"


def mailbox_key(owner: tuple[str, str]) -> str:
    """The ``kind`` of a mailbox copy: its owner's country code and party id (``NLCPO``)."""
    return f"{owner[0].upper()}{owner[1].upper()}"


def _top(path: str) -> str:
    """The top-level field a legacy path starts at (``charging_periods[2].x`` → ...)."""
    for i, ch in enumerate(path):
        if ch in ".[":
            return path[:i]
    return path


def patch_touches(patch: Doc) -> set[str]:
    """Top-level fields a canonical PATCH sets (hub-private annotations aside)."""
    return {key for key in patch if key != PRIVATE}


def _private(doc: Doc) -> Doc:
    value = doc.get(PRIVATE)
    return value if isinstance(value, dict) else {}


def _merge_private(stored: Doc, patch: Doc, touched: set[str], *, appended: bool) -> Doc:
    """Hub annotations of the merged document.

    Legacy entries (per version, keyed by JSON path) and synthesized paths of the fields the
    PATCH sets come from the PATCH; the others stay. A PATCH's ``last_updated: None`` entry
    (the hub filled a 2.1.1 PATCH's missing ``last_updated``) is not kept: the merged object
    is a whole one and has a ``last_updated``. Entries of appended periods are left out: their
    paths point into the PATCH's own list (only an exact round trip to the sender's version
    could miss them).
    """
    old = _private(stored)
    new = _private(patch)
    out: Doc = {k: json_copy(v) for k, v in old.items() if k not in ("legacy", "synthesized")}
    out.update({k: json_copy(v) for k, v in new.items() if k not in ("legacy", "synthesized")})
    legacy: Doc = {}
    versions = set((old.get("legacy") or {}).keys()) | set((new.get("legacy") or {}).keys())
    for version in sorted(versions):
        entries = {
            path: json_copy(value)
            for path, value in ((old.get("legacy") or {}).get(version) or {}).items()
            if _top(path) not in touched
        }
        for path, value in ((new.get("legacy") or {}).get(version) or {}).items():
            top = _top(path)
            if (top == "last_updated" and value is None) or (
                appended and top == "charging_periods"
            ):
                continue
            entries[path] = json_copy(value)
        if entries:
            legacy[version] = entries
    if legacy:
        out["legacy"] = legacy
    synthesized = {p for p in old.get("synthesized") or [] if _top(p) not in touched}
    synthesized |= set(new.get("synthesized") or [])
    if synthesized:
        out["synthesized"] = sorted(synthesized)
    return out


def merge_patch(stored: Doc, patch: Doc, *, append_periods: bool) -> Doc:
    """The stored canonical Session with a canonical PATCH applied.

    ``append_periods``: the sender speaks 2.2+, whose PATCH appends ``charging_periods``;
    a 2.1.1 PATCH replaces the list.
    """
    touched = patch_touches(patch)
    merged = {k: json_copy(v) for k, v in stored.items() if k != PRIVATE}
    for key in touched:
        value = json_copy(patch[key])
        if key == "charging_periods" and append_periods:
            if value:  # absent or empty: the stored periods stay as they are
                merged[key] = list(merged.get(key) or []) + list(value)
            continue
        merged[key] = value
    if append_periods:
        # the stored periods stay where they were, and so do their annotations
        touched = touched - {"charging_periods"}
    private = _merge_private(stored, patch, touched, appended=append_periods)
    if private:
        merged[PRIVATE] = private
    return merged


def appended_periods(stored: list[Doc] | None, replacement: list[Doc]) -> list[Doc] | None:
    """The periods a replacing list adds at the end of ``stored``; ``None`` when it does more
    (drops or changes an earlier period), which an appending PATCH cannot say."""
    before = list(stored or [])
    if len(replacement) < len(before) or replacement[: len(before)] != before:
        return None
    return json_copy(replacement[len(before) :])
