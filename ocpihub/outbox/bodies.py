"""One translation per target version of a pushed object, not one per receiver.

A broadcast push queues one outbox item per receiver, each holding the same canonical payload.
Receivers on the same version need the same body, so the worker translates through a
:class:`TranslationCache`: the first delivery of a payload to a version translates it, the
others of that push (and of any push with the same payload) reuse the result. The key is the
payload's JSON text, so equal payloads share an entry and nothing else does; translation of
canonical documents to a receiver's version depends on nothing but the document (down
translations use no context), so a reused body is the one a fresh translation would give.
Refusals are not remembered: every item gets its own.
"""

from __future__ import annotations

from collections import OrderedDict
from typing import Any

import orjson

from ocpihub.outbox.delivery import Translate
from ocpihub.translate import LossReport

__all__ = ["TranslationCache"]

_SIZE = 256
"""Entries kept: a few per object in flight (one per version) is all that is ever reused."""


class TranslationCache:
    """A :data:`~ocpihub.outbox.delivery.Translate` that remembers its recent results.

    Results are shared between deliveries: callers treat them as read-only.
    """

    def __init__(self, translate: Translate, size: int = _SIZE) -> None:
        self._translate = translate
        self._size = size
        self._entries: OrderedDict[tuple[str, str, bytes], tuple[dict[str, Any], LossReport]]
        self._entries = OrderedDict()

    def __call__(
        self, version: str, name: str, payload: dict[str, Any]
    ) -> tuple[dict[str, Any], LossReport]:
        key = (version, name, orjson.dumps(payload))
        hit = self._entries.get(key)
        if hit is not None:
            self._entries.move_to_end(key)
            return hit
        result = self._translate(version, name, payload)
        self._entries[key] = result
        if len(self._entries) > self._size:
            self._entries.popitem(last=False)
        return result
