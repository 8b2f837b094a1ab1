"""Naming an invalid setting the way the operator wrote it.

A value can come from three places: a keyword (tests, command-line options), an ``OCPIHUB_*``
environment variable (dictionaries and lists as JSON), or a key of the TOML file named by
``OCPIHUB_CONFIG``. The message names the variable or key as it is spelt there, with the value
as it is written there (the raw text of a variable, the TOML value of a key), and for a value
inside a dictionary or list the path to the bad part. Used by ``settings.load_settings``.
"""

from __future__ import annotations

import json
import os
import typing
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic.fields import FieldInfo

from ocpihub.errors import ConfigError

__all__ = ["Sources", "check_json_variables", "describe_error"]

PREFIX = "OCPIHUB_"


@dataclass
class Sources:
    """Where the settings came from: keywords, the environment, the TOML file (parsed)."""

    overrides: Mapping[str, Any]
    environ: Mapping[str, str] = field(default_factory=lambda: dict(os.environ))
    toml_path: Path | None = None
    toml: Mapping[str, Any] = field(default_factory=dict)

    def variable(self, name: str) -> str | None:
        """The environment variable that sets field ``name``, spelt as in the environment
        (variables are matched regardless of case, as the settings reader does)."""
        wanted = f"{PREFIX}{name}".upper()
        if wanted in self.environ:
            return wanted
        return next((k for k in self.environ if k.upper() == wanted), None)

    def toml_key(self, name: str) -> str | None:
        """The TOML key that sets field ``name``, spelt as in the file."""
        if name in self.toml:
            return name
        return next((k for k in self.toml if k.lower() == name), None)


def _path(parts: tuple[int | str, ...]) -> str:
    text = ""
    for part in parts:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


def _toml_value(value: Any) -> str:
    return json.dumps(value, default=str, ensure_ascii=False)


def describe_error(error: Mapping[str, Any], sources: Sources) -> str:
    """One pydantic validation error, as the operator wrote the value."""
    loc = tuple(error["loc"])
    msg = str(error["msg"]).removeprefix("Value error, ")
    if not loc:
        return f"(settings): {msg}"
    name, inner = str(loc[0]), _path(loc[1:])
    unknown = error["type"] == "extra_forbidden"
    if name in sources.overrides:
        where = f"{PREFIX}{name.upper()}{'.' + inner if inner else ''}"
        return f"{where}: unknown setting" if unknown else f"{where}={error.get('input')!r}: {msg}"
    variable = sources.variable(name)
    if variable is not None:
        at = f" (at {inner})" if inner else ""
        return f"{variable}={sources.environ[variable]!r}{at}: {msg}"
    key = sources.toml_key(name)
    if key is not None:
        return _toml_error(error, sources, key, inner, msg)
    where = f"{PREFIX}{name.upper()}"
    return f"{where}: unknown setting" if unknown else f"{where}={error.get('input')!r}: {msg}"


def _toml_error(error: Mapping[str, Any], sources: Sources, key: str, inner: str, msg: str) -> str:
    file, value = sources.toml_path, sources.toml[key]
    if error["type"] == "extra_forbidden":
        shown = f"table [{key}]" if isinstance(value, dict) else f"key {key}"
        return (
            f"{file}: unknown {shown} (keys are the setting names without OCPIHUB_, "
            "in lower case: docs/settings.md)"
        )
    if inner and isinstance(value, dict):
        return f"{file}: [{key}] {inner} = {_toml_value(error.get('input'))}: {msg}"
    shown = f"{key}{'.' + inner if inner else ''}"
    return f"{file}: {shown} = {_toml_value(error.get('input'))}: {msg}"


def _is_structured(info: FieldInfo) -> bool:
    """Whether the settings reader expects JSON for this field in the environment."""
    kinds = {typing.get_origin(info.annotation) or info.annotation}
    kinds |= {typing.get_origin(a) or a for a in typing.get_args(info.annotation)}
    return bool(kinds & {dict, list, set, tuple})


def check_json_variables(fields: Mapping[str, FieldInfo], sources: Sources) -> None:
    """Every ``OCPIHUB_*`` variable of a dictionary or list setting holds JSON; else
    :class:`ConfigError` naming the variable, its text and where the JSON breaks."""
    for name, info in fields.items():
        variable = sources.variable(name)
        if variable is None or name in sources.overrides or not _is_structured(info):
            continue
        raw = sources.environ[variable]
        try:
            json.loads(raw)
        except ValueError as exc:
            raise ConfigError(
                f"invalid setting: {variable}={raw!r}: not valid JSON ({exc})"
            ) from None
