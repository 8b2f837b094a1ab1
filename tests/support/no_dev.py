"""Run the hub as ``make run`` installs it: with none of the dev tools importable.

``make run`` installs the project without its ``dev`` extra (issue 18.5). A ``sitecustomize``
module on ``PYTHONPATH`` makes every import of a package of that extra (read from
pyproject.toml, so a new dev tool is covered at once) fail, as it would where it is missing.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

__all__ = ["DEV_MODULES", "without_dev_packages"]

PYPROJECT = Path(__file__).resolve().parents[2] / "pyproject.toml"
# distributions whose import name is not their name with - as _
_IMPORT_NAMES = {"pytest_xdist": ["xdist"], "pytest": ["pytest", "_pytest"]}


def _dev_modules() -> list[str]:
    extra = tomllib.loads(PYPROJECT.read_text())["project"]["optional-dependencies"]["dev"]
    names: list[str] = []
    for requirement in extra:
        dist = re.split(r"[<>=!~\[; ]", requirement, maxsplit=1)[0].replace("-", "_").lower()
        names += _IMPORT_NAMES.get(dist, [dist])
    return names


DEV_MODULES = _dev_modules()

_SITECUSTOMIZE = """
import sys

BLOCKED = {blocked!r}


class _NotInstalled:
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in BLOCKED:
            raise ModuleNotFoundError(f"No module named {{name!r}} (dev package: not installed)")
        return None


sys.meta_path.insert(0, _NotInstalled())
"""


def without_dev_packages(folder: Path) -> dict[str, str]:
    """Environment variables under which no dev package can be imported."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "sitecustomize.py").write_text(_SITECUSTOMIZE.format(blocked=set(DEV_MODULES)))
    return {"PYTHONPATH": str(folder)}
