"""The version bridge: each OCPI version to and from the canonical model, never version to version.

The canonical model is the 2.3.0 wire model (union of the core and bookings editions, see
``ocpihub/ocpi/v2_3_0``); canonical documents are plain JSON dicts of that shape. Each version
package exposes two tables keyed by object name (``"Location"``, ``"LocationPatch"``, ``"CDR"``,
``"AuthorizationInfo"``, ...):

- ``UP[name](data, ctx) -> dict``: validated wire JSON of that version → canonical JSON;
- ``DOWN[name](doc, ctx) -> (dict, LossReport)``: canonical JSON → wire JSON of that version.

:func:`to_canonical` and :func:`from_canonical` dispatch on the version. 2.3.0 is the identity.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any

from ocpihub.ocpi.jsoncopy import json_copy
from ocpihub.translate.context import MissingContext, TranslationContext
from ocpihub.translate.loss import Loss, LossReport

__all__ = [
    "CANONICAL_VERSION",
    "PRIVATE_KEY",
    "Loss",
    "LossReport",
    "MissingContext",
    "TranslationContext",
    "from_canonical",
    "to_canonical",
]

Doc = dict[str, Any]

CANONICAL_VERSION = "2.3.0"
"""The version whose wire form is the canonical document: translating it is the identity. The
only place that says which version is canonical."""

PRIVATE_KEY = "_ocpihub"
"""Top-level key of canonical documents for hub-private annotations (e.g. legacy values)."""
Up = Callable[[Doc, TranslationContext], Doc]
Down = Callable[[Doc, TranslationContext], tuple[Doc, LossReport]]


def _tables(version: str) -> tuple[dict[str, Up], dict[str, Down]]:
    if version == "2.2.1":
        from ocpihub.translate import v2_2_1

        return v2_2_1.UP, v2_2_1.DOWN
    if version == "2.1.1":
        from ocpihub.translate import v2_1_1

        return v2_1_1.UP, v2_1_1.DOWN
    raise ValueError(f"no translator for OCPI {version}")


def to_canonical(version: str, name: str, data: Doc, ctx: TranslationContext | None = None) -> Doc:
    """Canonical JSON for a validated wire object ``name`` of ``version``."""
    if version == CANONICAL_VERSION:
        return json_copy(data)
    up, _ = _tables(version)
    if name not in up:
        raise ValueError(f"no {version} translator for {name}")
    return up[name](data, ctx or TranslationContext())


def from_canonical(
    version: str,
    name: str,
    doc: Doc,
    ctx: TranslationContext | None = None,
    *,
    owned: bool = False,
) -> tuple[Doc, LossReport]:
    """Wire JSON of ``version`` for canonical object ``name``, with what could not be said.

    ``owned``: ``doc`` is the caller's to give up (just decoded, used for nothing after): it
    may be rewritten into the result instead of copied first.
    """
    if owned and (ctx is None or not ctx.owned):
        ctx = TranslationContext(owned=True) if ctx is None else replace(ctx, owned=True)
    if version == CANONICAL_VERSION:
        out = doc if owned else json_copy(doc)
        out.pop(PRIVATE_KEY, None)  # hub-private annotations never leave the hub
        return out, LossReport()
    _, down = _tables(version)
    if name not in down:
        raise ValueError(f"no {version} translator for {name}")
    return down[name](doc, ctx or TranslationContext())
