"""Small server-rendered SVG charts for the console (no JavaScript, no external assets)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from html import escape

from markupsafe import Markup

__all__ = ["exchange_chart"]

WIDTH, HEIGHT, GAP = 240, 36, 1


def exchange_chart(hourly: Sequence[tuple[datetime, int, int]]) -> Markup:
    """Bars per hour: successful exchanges (grey) with failed ones (red) stacked on top.

    ``hourly``: (hour start, ok, failed), oldest first. Every bar has a tooltip with its
    numbers; the scale is the busiest hour, so a quiet partner's chart is still readable.
    """
    count = max(1, len(hourly))
    peak = max((ok + bad for _, ok, bad in hourly), default=0) or 1
    bar = WIDTH / count
    parts = [
        f'<svg class="chart" xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" '
        f'height="{HEIGHT}" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
        f'aria-label="exchanges per hour over the last {count} hours">'
    ]
    for i, (hour, ok, bad) in enumerate(hourly):
        x = i * bar
        ok_h = HEIGHT * ok / peak
        bad_h = HEIGHT * bad / peak
        label = escape(f"{hour:%Y-%m-%d %H}:00 UTC: {ok} ok, {bad} failed")
        parts.append(f"<g><title>{label}</title>")
        parts.append(
            f'<rect x="{x:.1f}" y="0" width="{bar - GAP:.1f}" height="{HEIGHT}" class="slot"/>'
        )
        if ok:
            parts.append(
                f'<rect x="{x:.1f}" y="{HEIGHT - ok_h:.1f}" width="{bar - GAP:.1f}" '
                f'height="{ok_h:.1f}" class="ok"/>'
            )
        if bad:
            parts.append(
                f'<rect x="{x:.1f}" y="{HEIGHT - ok_h - bad_h:.1f}" width="{bar - GAP:.1f}" '
                f'height="{bad_h:.1f}" class="failed"/>'
            )
        parts.append("</g>")
    parts.append("</svg>")
    return Markup("".join(parts))
