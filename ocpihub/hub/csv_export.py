"""CSV exports of the operator's reports (traffic log, CDR reconciliation): one writer, safe
to open in a spreadsheet."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

__all__ = ["to_csv"]

# a spreadsheet runs a cell that starts with one of these as a formula
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, str) and value.startswith(_FORMULA_STARTS):
        return "'" + value
    return value


def to_csv(fields: Sequence[str], rows: Iterable[Mapping[str, Any]]) -> str:
    """``rows`` as CSV: a header of ``fields``, then each row's values of those fields (absent
    or None: empty; text a spreadsheet would run as a formula: quoted with ')."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=fields, extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: _cell(row.get(k)) for k in fields})
    return out.getvalue()
