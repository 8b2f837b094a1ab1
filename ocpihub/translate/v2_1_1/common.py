"""Pieces every 2.1.1 translator uses: legacy keeping, ids, money, times, shared classes.

**Legacy.** What a 2.1.1 object says but the canonical model cannot hold (a ``FLAT`` dimension,
LocationType ``OTHER``, the Location embedded in a Session, an id longer than 36 characters...)
is kept by UP under ``doc["_ocpihub"]["legacy"]["2.1.1"]`` as ``{path: value}``, where ``path``
is a JSON path *into the 2.1.1 document*: ``a.b[2].c`` sets a key or list item, ``a[+2]``
inserts a list element that UP removed, and the value ``None`` deletes a key the hub filled
although 2.1.1 had none (``time_zone``, a PATCH's ``last_updated``...). DOWN rebuilds the 2.1.1
document, then replays these entries, so a same-version round trip is exact. A partner can
never send ``_ocpihub`` itself: UP drops an incoming one.

**Unknown fields.** Both directions keep JSON fields the spec does not define, at every level
the translator copies: 2.3.0 receivers must accept them, and older partners ignore them.

**Ids.** 2.1.1 ids are case-sensitive ``string(39)``; canonical ids are ``CiString(36)``. An id
that does not fit (too long, or not printable ASCII) gets a stable short form: its first
characters, ``~`` and 10 hex digits of its SHA-256 (digest §4.1 "map through a hub id table",
done without a table). The original stays in the legacy keys.

**Money** (digest §4.2): a 2.1.1 amount is a number excluding VAT: ``before_taxes`` up,
``before_taxes`` down (the ``taxes`` list is reported lost).

**DateTime**: DOWN writes whole seconds (digest §4.1: 2.1.1 DateTimes have no fractions).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from typing import Any

from ocpihub.ocpi.jsoncopy import json_copy
from ocpihub.translate.context import MissingContext, TranslationContext
from ocpihub.translate.loss import LossReport
from ocpihub.translate.v2_1_1.enums import map_down

__all__ = [
    "PRIVATE",
    "VERSION",
    "Doc",
    "Inexpressible",
    "Legacy",
    "business_details_down",
    "business_details_up",
    "clean",
    "energy_mix_down",
    "energy_mix_up",
    "finish",
    "fits",
    "id_up",
    "image_down",
    "image_up",
    "join",
    "legacy_of",
    "make_down",
    "make_up",
    "price_down",
    "price_up",
    "restore",
    "shorten",
    "truncate_fractions",
]

Doc = dict[str, Any]

PRIVATE = "_ocpihub"
VERSION = "2.1.1"


class Inexpressible(MissingContext):
    """The whole object has nothing 2.1.1 can carry (a version 2.1.1 does not know, a tariff
    made only of reservation elements...): the hub should not send it to a 2.1.1 partner."""


# --- paths and legacy -----------------------------------------------------------------------


def join(prefix: str, part: str) -> str:
    """``prefix`` + ``part`` as a JSON path (``part`` is a key or ``[i]``)."""
    if not prefix:
        return part
    return prefix + part if part.startswith("[") else f"{prefix}.{part}"


class Legacy:
    """Collects legacy entries, at a path prefix (one shared dict per top-level object)."""

    __slots__ = ("entries", "filled", "prefix", "synthesized")

    def __init__(
        self,
        entries: dict[str, Any] | None = None,
        prefix: str = "",
        synthesized: set[str] | None = None,
        filled: dict[str, str] | None = None,
    ) -> None:
        self.entries: dict[str, Any] = {} if entries is None else entries
        self.prefix = prefix
        self.synthesized: set[str] = set() if synthesized is None else synthesized
        self.filled: dict[str, str] = {} if filled is None else filled

    def at(self, part: str) -> Legacy:
        """The same collection, below ``part``."""
        return Legacy(self.entries, join(self.prefix, part), self.synthesized, self.filled)

    def fill(self, part: str, source: str) -> None:
        """The hub filled ``part`` from ``source`` (kept as ``_ocpihub.filled``)."""
        self.filled[join(self.prefix, part)] = source

    def synthesize(self, part: str) -> None:
        """The hub made up ``part`` from a best guess (flagged for the operator, digest §4.3)."""
        self.synthesized.add(join(self.prefix, part))

    def keep(self, part: str, value: Any) -> None:
        """2.1.1 had ``value`` at ``part`` and the canonical doc cannot say so."""
        self.entries[join(self.prefix, part)] = json_copy(value)

    def absent(self, part: str) -> None:
        """2.1.1 had nothing at ``part``; the hub filled it for the canonical model."""
        self.entries[join(self.prefix, part)] = None


def clean(data: Doc) -> Doc:
    """A deep copy of ``data`` without the hub-private key."""
    return {key: json_copy(value) for key, value in data.items() if key != PRIVATE}


def finish(doc: Doc, legacy: Legacy) -> Doc:
    """Attach the legacy entries (and names of hub-synthesized fields) to a canonical doc."""
    private: Doc = {}
    if legacy.entries:
        private["legacy"] = {VERSION: legacy.entries}
    if legacy.synthesized:
        private["synthesized"] = sorted(legacy.synthesized)
    if legacy.filled:
        private["filled"] = dict(legacy.filled)
    if private:
        doc[PRIVATE] = private
    return doc


def legacy_of(doc: Doc) -> dict[str, Any]:
    """The 2.1.1 legacy entries of a canonical doc (empty when it has none)."""
    private = doc.get(PRIVATE)
    if not isinstance(private, dict):
        return {}
    legacy = private.get("legacy")
    entries = legacy.get(VERSION) if isinstance(legacy, dict) else None
    return entries if isinstance(entries, dict) else {}


_SEGMENT = re.compile(r"([^.\[\]]+)|\[(\+?)(\d+)\]")


def _parse(path: str) -> list[str | tuple[bool, int]]:
    out: list[str | tuple[bool, int]] = []
    for key, plus, index in _SEGMENT.findall(path):
        out.append(key if key else (plus == "+", int(index)))
    return out


def _sort_key(segments: list[str | tuple[bool, int]]) -> tuple[int, list[tuple[str, int]]]:
    flat = [(seg, -1) if isinstance(seg, str) else ("", seg[1]) for seg in segments]
    return len(segments), flat


def _apply(root: Any, segments: list[str | tuple[bool, int]], value: Any) -> None:
    node = root
    for seg in segments[:-1]:
        if isinstance(seg, str):
            if not isinstance(node, dict) or seg not in node:
                return
            node = node[seg]
        else:
            if not isinstance(node, list) or seg[1] >= len(node):
                return
            node = node[seg[1]]
    last = segments[-1]
    if isinstance(last, str):
        if isinstance(node, dict):
            if value is None:
                node.pop(last, None)
            else:
                node[last] = json_copy(value)
        return
    insert, index = last
    if not isinstance(node, list):
        return
    if insert and index <= len(node):
        node.insert(index, json_copy(value))
    elif not insert and index < len(node):
        node[index] = json_copy(value)


def restore(out: Doc, entries: dict[str, Any]) -> Doc:
    """Replay legacy entries onto a 2.1.1 document: shallow paths first, inserts in order."""
    parsed = [(_parse(path), value) for path, value in entries.items()]
    parsed = [(segments, value) for segments, value in parsed if segments]
    for segments, value in sorted(parsed, key=lambda item: _sort_key(item[0])):
        _apply(out, segments, value)
    return out


UpBody = Callable[[Doc, TranslationContext, Legacy], Doc]
DownBody = Callable[[Doc, TranslationContext, LossReport], Doc]


def make_up(body: UpBody) -> Callable[[Doc, TranslationContext], Doc]:
    """An UP translator from a body function that records legacy entries as it goes."""

    def up(data: Doc, ctx: TranslationContext) -> Doc:
        legacy = Legacy()
        return finish(body(data, ctx, legacy), legacy)

    up.__doc__ = body.__doc__
    return up


def make_down(
    body: DownBody, guard: Callable[[Doc, dict[str, Any]], dict[str, Any]] | None = None
) -> Callable[[Doc, TranslationContext], tuple[Doc, LossReport]]:
    """A DOWN translator from a body function: whole seconds, then legacy entries replayed
    (``guard`` may leave out entries that no longer fit the canonical doc)."""

    def down(doc: Doc, ctx: TranslationContext) -> tuple[Doc, LossReport]:
        report = LossReport()
        out = truncate_fractions(body(doc, ctx, report))
        entries = legacy_of(doc)
        if guard is not None:
            entries = guard(doc, entries)
        return restore(out, entries), report

    down.__doc__ = body.__doc__
    return down


# --- ids ------------------------------------------------------------------------------------

_PRINTABLE = re.compile(r"^[\x20-\x7e]*$")


def fits(value: str, max_len: int) -> bool:
    """Whether ``value`` is a valid ``CiString(max_len)``."""
    return len(value) <= max_len and _PRINTABLE.match(value) is not None


def shorten(value: str, max_len: int) -> str:
    """The stable short printable-ASCII form of an id that does not fit ``max_len``."""
    digest = hashlib.sha256(value.encode("utf-8")).hexdigest()[:10]
    head = "".join(ch for ch in value if " " <= ch <= "~")[: max_len - 11]
    return f"{head}~{digest}"


def id_up(value: str, legacy: Legacy, part: str, max_len: int = 36) -> str:
    """A 2.1.1 id as a canonical ``CiString(max_len)``; the original is kept when it differs."""
    if fits(value, max_len):
        return value
    legacy.keep(part, value)
    return shorten(value, max_len)


# --- money ----------------------------------------------------------------------------------


def price_up(value: float | None) -> Doc | None:
    """A 2.1.1 amount (excl. VAT) as a canonical Price."""
    return None if value is None else {"before_taxes": value}


def price_down(price: Doc | None, report: LossReport, path: str) -> float | None:
    """A canonical Price as a 2.1.1 amount (excl. VAT); listed taxes are reported lost."""
    if price is None:
        return None
    taxes = price.get("taxes")
    if taxes:
        report.add(join(path, "taxes"), taxes, "2.1.1 amounts exclude taxes and cannot list them")
    return float(price["before_taxes"])


# --- DateTime -------------------------------------------------------------------------------

_DATETIME_KEYS = frozenset(
    {
        "last_updated",
        "period_begin",
        "period_end",
        "start_date_time",
        "end_date_time",
        "start_datetime",
        "end_datetime",
        "stop_date_time",
        "expiry_date",
    }
)
_FRACTION = re.compile(r"^(.*T\d{2}:\d{2}:\d{2})\.\d+Z$")


def truncate_fractions(node: Any) -> Any:
    """Drop fractional seconds from every DateTime field in a 2.1.1 document, in place."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key in _DATETIME_KEYS and isinstance(value, str):
                match = _FRACTION.match(value)
                if match:
                    node[key] = match.group(1) + "Z"
            else:
                truncate_fractions(value)
    elif isinstance(node, list):
        for item in node:
            truncate_fractions(item)
    return node


# --- Image, BusinessDetails, EnergyMix ------------------------------------------------------


def image_up(data: Doc) -> Doc:
    """2.1.1 Image → canonical (same fields; ``type`` becomes a CiString)."""
    return clean(data)


def image_down(doc: Doc, report: LossReport, path: str) -> Doc:
    """Canonical Image → 2.1.1; a category 2.1.1 lacks becomes ``OTHER``."""
    out = clean(doc)
    category = out.get("category")
    if isinstance(category, str):
        mapped = map_down("ImageCategory", category) or "OTHER"
        if mapped != category:
            report.add(
                join(path, "category"), category, f"2.1.1 has no such image category: {mapped}"
            )
            out["category"] = mapped
    return out


def business_details_up(data: Doc) -> Doc:
    """2.1.1 BusinessDetails → canonical."""
    out = clean(data)
    if isinstance(out.get("logo"), dict):
        out["logo"] = image_up(out["logo"])
    return out


def business_details_down(doc: Doc, report: LossReport, path: str) -> Doc:
    """Canonical BusinessDetails → 2.1.1."""
    out = clean(doc)
    if isinstance(out.get("logo"), dict):
        out["logo"] = image_down(out["logo"], report, join(path, "logo"))
    return out


def energy_mix_up(data: Doc) -> Doc:
    """2.1.1 EnergyMix → canonical: EnvironmentalImpact ``source`` is named ``category``."""
    out = clean(data)
    impacts = out.get("environ_impact")
    if isinstance(impacts, list):
        out["environ_impact"] = [_rename(item, "source", "category") for item in impacts]
    return out


def energy_mix_down(doc: Doc, report: LossReport, path: str) -> Doc:
    """Canonical EnergyMix → 2.1.1; impacts of a category 2.1.1 lacks are dropped."""
    out = clean(doc)
    impacts = out.get("environ_impact")
    if isinstance(impacts, list):
        kept = []
        for i, item in enumerate(impacts):
            category = item.get("category")
            if map_down("EnvironmentalImpactCategory", category) is None:
                report.add(
                    join(path, f"environ_impact[{i}]"),
                    item,
                    "2.1.1 has no such environmental impact category",
                )
                continue
            kept.append(_rename(item, "category", "source"))
        out["environ_impact"] = kept
    return out


def _rename(item: Doc, old: str, new: str) -> Doc:
    out = clean(item)
    if old in out:
        out[new] = out.pop(old)
    return out
