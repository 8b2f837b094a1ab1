"""Version knowledge lives at the edges: ``ocpi/`` (the wire, the module table, capabilities) and
``translate/`` (the bridge, and which version is canonical). Everything else asks a capability
(``ocpi_version(v).has_roles``) and reaches models through ``ocpi/registry.py`` (issue 14.4)."""

from __future__ import annotations

import ast
import re
from collections import Counter
from functools import cache
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[2] / "ocpihub"
EDGES = ("ocpi", "translate")
VERSION = re.compile(r"^2\.\d+(\.\d+)?$")
VERSION_PACKAGE = re.compile(r"^ocpihub\.ocpi\.v\d+_\d+_\d+(\.|$)")

ALLOWED: dict[tuple[str, str], tuple[int, str]] = {
    ("testing/peer.py", "2.2.1"): (
        1,
        "a test Peer's default interfaces are its role's in OCPI 2.2.1 (documented: the "
        "modules 2.3.0 adds are opt-in)",
    ),
    ("testing/sandbox.py", "2.1.1"): (1, "the demo's cast: one eMSP per older version"),
    ("testing/sandbox.py", "2.2.1"): (1, "the demo's cast: one eMSP per older version"),
    ("testing/sandbox.py", "2.3.0"): (1, "the demo's cast: the CPO on 2.3.0 (docs/demo.md)"),
}
"""(file below ocpihub/, literal) -> (how many, why it is data, not a decision)."""


@cache
def _tree(path: Path) -> ast.Module:
    return ast.parse(path.read_text(encoding="utf-8"))


def _outside_the_edges() -> list[Path]:
    return [
        path
        for path in sorted(PACKAGE.rglob("*.py"))
        if path.relative_to(PACKAGE).parts[0] not in EDGES
    ]


def _version_literals(path: Path) -> Counter[str]:
    """Strings in the code that are exactly a version number (docstrings and messages that
    mention one are prose, not literals)."""
    return Counter(
        node.value
        for node in ast.walk(_tree(path))
        if isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and VERSION.match(node.value)
    )


def test_no_version_literals_outside_ocpi_and_translate() -> None:
    """Outside ocpi/ and translate/ no code compares or names version numbers, but for the few
    allowed data values listed with their reason."""
    found = {
        (str(path.relative_to(PACKAGE)), literal): count
        for path in _outside_the_edges()
        for literal, count in _version_literals(path).items()
    }
    unexpected = {key: n for key, n in found.items() if ALLOWED.get(key, (0, ""))[0] != n}
    assert not unexpected, (
        "version literals outside ocpi/ and translate/: ask ocpihub.ocpi.version.ocpi_version(v) "
        f"for the capability instead (or translate.CANONICAL_VERSION): {unexpected}"
    )
    stale = sorted(set(ALLOWED) - set(found))
    assert not stale, f"allowed literals no longer present, remove them from ALLOWED: {stale}"


def _imports(path: Path) -> set[str]:
    out: set[str] = set()
    for node in ast.walk(_tree(path)):
        if isinstance(node, ast.Import):
            out.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            out.add(node.module)
            out.update(f"{node.module}.{alias.name}" for alias in node.names)
    return out


def test_version_packages_are_imported_only_at_the_edges() -> None:
    """No module outside ocpi/ and translate/ (hub/ above all) imports an ocpi/v2_x_x package;
    models are looked up through ocpi/registry.py."""
    offenders = {
        str(path.relative_to(PACKAGE)): sorted(
            i for i in _imports(path) if VERSION_PACKAGE.match(i)
        )
        for path in _outside_the_edges()
    }
    assert {k: v for k, v in offenders.items() if v} == {}


def test_the_scan_sees_what_it_guards() -> None:
    """The scan finds literals and version imports where they are allowed (ocpi/), so an empty
    result above means something."""
    assert _version_literals(PACKAGE / "ocpi" / "modules.py")["2.1.1"] >= 1
    assert _version_literals(PACKAGE / "translate" / "__init__.py")["2.3.0"] == 1
    bridge = {i for p in (PACKAGE / "translate").rglob("*.py") for i in _imports(p)}
    assert any(VERSION_PACKAGE.match(i) for i in bridge)
