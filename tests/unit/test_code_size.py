"""Modules and functions of ``ocpihub/`` stay small (issue 14): no module over 500 lines, no
function or method over 60 — a longer one is split by what its parts do (docs/architecture.md,
"Code size").

A module counts every line of its file; a function counts from its ``def`` line (decorators
left out) to its last line, a nested function inside its parent as well as on its own. The
exemptions are listed below with their reason.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from fnmatch import fnmatch
from functools import cache
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[2] / "ocpihub"
MODULE_LINES = 500
FUNCTION_LINES = 60

_WIRE = (
    "wire models and enums: one class per OCPI object and one member per value, in the order "
    "and shape of the spec, identical file names per version (docs/architecture.md)"
)
EXEMPT: dict[str, str] = {
    "ocpi/v2_*/*": _WIRE,
    "store/migrations/versions/*": (
        "released schema steps are history: a migration is never edited once released "
        "(tests/migrations check that they build store/schema.py)"
    ),
}
"""Pattern of paths below ocpihub/ -> why what it matches is not held to the limits."""

Function = ast.FunctionDef | ast.AsyncFunctionDef


@cache
def _modules() -> tuple[tuple[str, str], ...]:
    """(path below ocpihub/, text) of every module, exemptions included."""
    return tuple(
        (path.relative_to(PACKAGE).as_posix(), path.read_text(encoding="utf-8"))
        for path in sorted(PACKAGE.rglob("*.py"))
    )


def _exempt(path: str) -> bool:
    return any(fnmatch(path, pattern) for pattern in EXEMPT)


def _functions(node: ast.AST, prefix: str = "") -> Iterator[tuple[str, Function]]:
    """Every function below ``node`` with its qualified name (``Registrar.accept``)."""
    for child in ast.iter_child_nodes(node):
        if isinstance(child, Function):
            name = f"{prefix}{child.name}"
            yield name, child
            yield from _functions(child, f"{name}.")
        elif isinstance(child, ast.ClassDef):
            yield from _functions(child, f"{prefix}{child.name}.")
        else:
            yield from _functions(child, prefix)


def test_no_module_over_500_lines() -> None:
    """Every module outside the exemptions has at most 500 lines."""
    long = [
        f"ocpihub/{path}: {lines} lines"
        for path, text in _modules()
        if not _exempt(path) and (lines := len(text.splitlines())) > MODULE_LINES
    ]
    assert long == [], "\n".join(
        [f"over {MODULE_LINES} lines, split by what the parts own:", *long]
    )


def test_no_function_over_60_lines() -> None:
    """Every function and method outside the exemptions has at most 60 lines."""
    long = []
    for path, text in _modules():
        if _exempt(path):
            continue
        for name, function in _functions(ast.parse(text)):
            assert function.end_lineno is not None
            lines = function.end_lineno - function.lineno + 1
            if lines > FUNCTION_LINES:
                long.append(f"ocpihub/{path}:{function.lineno} {name}: {lines} lines")
    assert long == [], "\n".join(
        [f"over {FUNCTION_LINES} lines, split by what the parts do:", *long]
    )


def test_every_exemption_matches_modules() -> None:
    """Each exemption still names modules of the package (drop one when nothing matches)."""
    paths = [path for path, _ in _modules()]
    assert [p for p in EXEMPT if not any(fnmatch(path, p) for path in paths)] == []


def test_the_scan_finds_functions_at_every_depth() -> None:
    """Methods, nested functions and functions inside blocks are measured, with their names."""
    tree = ast.parse(
        "class A:\n"
        "    def m(self):\n"
        "        def inner():\n"
        "            pass\n"
        "if True:\n"
        "    async def f():\n"
        "        pass\n"
    )
    assert [name for name, _ in _functions(tree)] == ["A.m", "A.m.inner", "f"]
