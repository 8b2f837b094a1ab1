"""Every import between the folders of ``ocpihub/`` goes a direction docs/architecture.md allows.

The tables are read from the document itself (issue 14.3), so the code and the page cannot
drift apart: the folder table's "may import" column, and the table of third-party libraries
and where they may be imported. Every import counts — at module level, inside functions, under
``TYPE_CHECKING``. A folder named in the first column owns everything below it, unless a deeper
row (``hub/services/``) names part of it; an allowed entry (``store/``, ``ocpi/pagination``)
covers the modules below it; words in parentheses explain and name nothing; ``everything``
allows every import.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "ocpihub"
DOC = ROOT / "docs" / "architecture.md"
FOLDERS = "| folder | owns | may import |"
LIBRARIES = "| library | only in |"

Parts = tuple[str, ...]
"""A module below ``ocpihub/`` as path parts: ``("hub", "services", "objects")``; the
package's own ``__init__.py`` (the version) is ``("__init__",)``."""


@dataclass(frozen=True)
class Row:
    """One row of the folder table: the units it names, what they may import."""

    names: tuple[Parts, ...]
    allowed: tuple[Parts, ...]
    everything: bool
    line: str


def _cells(header: str) -> Iterator[list[str]]:
    lines = DOC.read_text(encoding="utf-8").splitlines()
    start = lines.index(header)
    for line in lines[start + 2 :]:
        if not line.startswith("|"):
            return
        yield [cell.strip() for cell in line.strip().strip("|").split("|")]


def _parts(name: str) -> Parts:
    name = name.removeprefix("ocpihub/").rstrip("/").removesuffix(".py")
    return tuple(name.split("/"))


def _names(cell: str) -> tuple[Parts, ...]:
    """The folders and modules a cell names; what stands in parentheses explains, it names
    nothing."""
    cell = re.sub(r"\([^)]*\)", "", cell)
    return tuple(_parts(name) for name in re.findall(r"`([^`]+)`", cell))


@cache
def folder_rows() -> tuple[Row, ...]:
    """The folder table of docs/architecture.md."""
    rows = []
    for cells in _cells(FOLDERS):
        first, allowed = cells[0], cells[-1]
        everything = allowed.startswith("everything")
        rows.append(Row(_names(first), _names(allowed), everything, cells[0]))
    return tuple(rows)


@cache
def library_rows() -> tuple[tuple[tuple[str, ...], tuple[Parts, ...]], ...]:
    """The third-party table: (libraries, the units that may import them)."""
    return tuple(
        (tuple(re.findall(r"`([^`]+)`", cells[0])), _names(cells[1])) for cells in _cells(LIBRARIES)
    )


def _exists(parts: Parts) -> bool:
    base = PACKAGE.joinpath(*parts)
    return base.with_suffix(".py").is_file() or (base / "__init__.py").is_file()


def _module(path: Path) -> Parts:
    parts = path.relative_to(PACKAGE).with_suffix("").parts
    if parts[-1] == "__init__" and len(parts) > 1:
        return parts[:-1]
    return parts


def _covers(spec: Parts, module: Parts) -> bool:
    return module[: len(spec)] == spec


def row_of(module: Parts) -> Row | None:
    """The row owning ``module``: the one naming the deepest folder or file above it."""
    best: tuple[int, Row] | None = None
    for row in folder_rows():
        for name in row.names:
            if _covers(name, module) and (best is None or len(name) > best[0]):
                best = (len(name), row)
    return best[1] if best else None


@dataclass(frozen=True)
class Import:
    """One import statement's target, seen from the module that imports it."""

    source: Parts
    target: Parts  # below ocpihub/, or the top-level name of another distribution
    internal: bool
    line: int


@cache
def modules() -> tuple[Path, ...]:
    """Every module of the package."""
    return tuple(sorted(PACKAGE.rglob("*.py")))


def _targets(node: ast.Import | ast.ImportFrom, package: list[str]) -> Iterator[list[str]]:
    if isinstance(node, ast.Import):
        for alias in node.names:
            yield alias.name.split(".")
        return
    if node.level:  # relative: from the importing module's package upwards
        base = ["ocpihub", *package[: len(package) - (node.level - 1)]]
        named = base + (node.module.split(".") if node.module else [])
    else:
        named = str(node.module).split(".")
    for alias in node.names:
        # ``from ocpihub.store import platforms`` imports the module store/platforms.py
        if named[0] == "ocpihub" and _exists((*named[1:], alias.name)):
            yield [*named, alias.name]
        else:
            yield named


@cache
def imports() -> tuple[Import, ...]:
    """Every import in the package, at any depth of any module."""
    found = []
    for path in modules():
        source = _module(path)
        package = list(source) if path.name == "__init__.py" else list(source[:-1])
        if source == ("__init__",):
            package = []
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Import | ast.ImportFrom):
                continue
            for target in _targets(node, package):
                internal = target[0] == "ocpihub"
                parts = (tuple(target[1:]) or ("__init__",)) if internal else (target[0],)
                found.append(Import(source, parts, internal, node.lineno))
    return tuple(found)


def _where(i: Import) -> str:
    return f"ocpihub/{'/'.join(i.source)}.py:{i.line} imports {'/'.join(i.target)}"


def test_the_tables_name_what_exists() -> None:
    """Every folder or module the tables name exists, and both tables are there."""
    assert folder_rows() and library_rows()
    named = [n for row in folder_rows() for n in (*row.names, *row.allowed)]
    named += [n for _, units in library_rows() for n in units]
    assert [n for n in named if not _exists(n)] == []


def test_every_module_has_a_row() -> None:
    """Each module of ocpihub/ belongs to a row of the folder table."""
    assert [str(p.relative_to(ROOT)) for p in modules() if row_of(_module(p)) is None] == []


def test_imports_between_folders_go_the_allowed_directions() -> None:
    """An import from one row's folder into another's is one the importing row allows."""
    wrong = []
    for i in imports():
        if not i.internal:
            continue
        row, target = row_of(i.source), row_of(i.target)
        assert row is not None
        if row is target or row.everything:
            continue
        if not any(_covers(spec, i.target) for spec in row.allowed):
            wrong.append(f"{_where(i)}: not in the 'may import' of {row.line}")
    assert wrong == []


def test_every_allowed_direction_is_used() -> None:
    """The table allows no more than the code does: each allowed entry is imported by some
    module of its row (drop an entry from docs/architecture.md when its last import goes)."""
    unused = []
    for row in folder_rows():
        for spec in row.allowed:
            if not any(
                i.internal and row_of(i.source) is row and _covers(spec, i.target)
                for i in imports()
            ):
                unused.append(f"{row.line} may import {'/'.join(spec)}, but nothing does")
    assert unused == []


def test_third_party_libraries_stay_where_the_table_puts_them() -> None:
    """The database libraries only in store/, the HTTP client in outbound/ (and test
    partners), the web framework at the HTTP edges; each listed place uses its library."""
    wrong = []
    for libraries, units in library_rows():
        users = [i for i in imports() if not i.internal and i.target[0] in libraries]
        wrong += [
            f"{_where(i)}: only {', '.join('/'.join(u) for u in units)} may"
            for i in users
            if not any(_covers(unit, i.source) for unit in units)
        ]
        wrong += [
            f"{'/'.join(unit)} may import {', '.join(libraries)}, but does not"
            for unit in units
            if not any(_covers(unit, i.source) for i in users)
        ]
    assert wrong == []
