"""The README's "Five minutes" walkthrough as data: its numbered steps, their commands, its prose.

Tests run the commands as the README writes them and check what its prose promises, so the two
cannot drift apart: a changed README changes what the test runs.
"""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass
from pathlib import Path

__all__ = ["ROOT", "FiveMinutes", "fenced", "five_minutes", "make_recipe"]

ROOT = Path(__file__).resolve().parents[2]

_STEP = re.compile(r"^(\d+)\. \*\*(.+?)\*\*", re.MULTILINE)
_FENCE = re.compile(r"^\s*```\n(.*?)^\s*```", re.MULTILINE | re.DOTALL)


@dataclass(frozen=True)
class FiveMinutes:
    """The section, split into its numbered steps and what follows them."""

    steps: dict[int, str]  # step number -> its text (title, prose and fenced blocks)
    after: str  # the text after the last step (the examples/walkthrough.py paragraph)

    def commands(self, step: int) -> list[list[str]]:
        """The commands in the step's fenced blocks, split as a shell would."""
        return fenced(self.steps[step])

    def promise(self, step: int, pattern: str) -> re.Match[str]:
        """The step's prose must say this (a regular expression over whitespace-joined text)."""
        text = " ".join(self.steps[step].split())
        found = re.search(pattern, text)
        assert found, f"README step {step} no longer says /{pattern}/: {text}"
        return found


def fenced(text: str) -> list[list[str]]:
    """Every non-blank line of the fenced blocks in ``text``, split as a shell would."""
    lines = [line.strip() for block in _FENCE.findall(text) for line in block.splitlines()]
    return [shlex.split(line) for line in lines if line]


def five_minutes(readme: Path = ROOT / "README.md") -> FiveMinutes:
    """The README's "## Five minutes" section."""
    text = readme.read_text()
    start = text.index("\n## Five minutes")
    end = text.index("\n## ", start + 1)
    section = text[start:end]
    marks = list(_STEP.finditer(section))
    assert marks, "README's Five minutes section has no numbered steps"
    steps: dict[int, str] = {}
    after = ""
    for n, mark in enumerate(marks):
        stop = marks[n + 1].start() if n + 1 < len(marks) else len(section)
        body = section[mark.start() : stop]
        if n + 1 == len(marks):
            # the last step ends at the first line that is not indented below it
            tail = re.search(r"\n(?=\S)", body[mark.end() - mark.start() :])
            if tail:
                cut = mark.end() - mark.start() + tail.start()
                body, after = body[:cut], body[cut:]
        steps[int(mark.group(1))] = body
    return FiveMinutes(steps, after)


def make_recipe(target: str, makefile: Path = ROOT / "Makefile") -> list[str]:
    """The recipe lines of a Makefile target (what ``make TARGET`` runs)."""
    lines = makefile.read_text().splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith(f"{target}:"))
    recipe = []
    for line in lines[start + 1 :]:
        if not line.startswith("\t"):
            break
        recipe.append(line.strip())
    return recipe
