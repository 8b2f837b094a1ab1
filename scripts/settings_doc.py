"""Regenerate the settings table in docs/settings.md from ``ocpihub.settings.Settings``.

Usage: ``.venv/bin/python scripts/settings_doc.py`` (rewrites the table between the markers);
``--check`` exits 1 when the file is out of date (the docs test does the same check).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from pydantic_core import PydanticUndefined

from ocpihub.settings import Settings

DOC = Path(__file__).resolve().parents[1] / "docs" / "settings.md"
BEGIN, END = "<!-- settings-table:begin -->", "<!-- settings-table:end -->"


def table() -> str:
    """The Markdown table of every setting: variable, default, meaning."""
    rows = ["| variable | default | meaning |", "|---|---|---|"]
    for name, field in Settings.model_fields.items():
        if field.default is PydanticUndefined and field.default_factory is not None:
            default = json.dumps(field.default_factory())  # type: ignore[call-arg]
        else:
            default = "(unset)" if field.default is None else json.dumps(field.default)
        desc = (field.description or "").replace("|", "\\|")
        rows.append(f"| `OCPIHUB_{name.upper()}` | `{default}` | {desc} |")
    return "\n".join(rows)


def render(text: str) -> str:
    """``text`` with the generated table between the markers."""
    head, _, rest = text.partition(BEGIN)
    _, _, tail = rest.partition(END)
    return f"{head}{BEGIN}\n{table()}\n{END}{tail}"


def main() -> int:
    current = DOC.read_text()
    wanted = render(current)
    if "--check" in sys.argv:
        return 0 if wanted == current else 1
    DOC.write_text(wanted)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
