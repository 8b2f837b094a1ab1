"""Where the spec's own JSON examples live: ``tests/fixtures/ocpi-examples`` in this repository.

The files are unmodified copies from the OCPI specification repository; their source tags,
edition and licence are in ``tests/fixtures/ocpi-examples/README.md``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = REPO_ROOT / "tests" / "fixtures" / "ocpi-examples"


def example_files(edition: str) -> list[Path]:
    """Every JSON example of one edition folder (``2.2.1``, ``2.3.0``, ``2.3.0-bookings``)."""
    folder = EXAMPLES / edition
    files = sorted(folder.glob("*.json"))
    assert files, f"no OCPI examples found in {folder}: the fixtures are part of the repository"
    return files


def load_example(edition: str, name: str) -> Any:
    """The parsed JSON of one example file."""
    return json.loads((EXAMPLES / edition / name).read_text(encoding="utf-8"))
