"""The hub's own OCPI interfaces, as its version-details documents list them.

Handler modules register what they actually serve when ``app.py`` mounts them, so the
version details never promise a module that is not implemented.
"""

from __future__ import annotations

from dataclasses import dataclass

from ocpihub.ocpi.versions import MODULES, InterfaceRole, ModuleId, hub_interface_for_211

__all__ = ["Interface", "InterfaceRegistry", "module_path"]


def module_path(version: str, module: ModuleId, role: InterfaceRole | None) -> str:
    """The hub's path for one interface: ``/ocpi/{version}/{module}[/{sender|receiver}]``."""
    base = f"/ocpi/{version}/{module.value}"
    return base if role is None else f"{base}/{role.value.lower()}"


@dataclass(frozen=True, slots=True)
class Interface:
    """One module interface the hub serves in one version (``role`` None: credentials)."""

    version: str
    module: ModuleId
    role: InterfaceRole | None

    @property
    def path(self) -> str:
        """Path below the public URL."""
        return module_path(self.version, self.module, self.role)


class InterfaceRegistry:
    """What the hub serves, per version, in registration order."""

    def __init__(self) -> None:
        self._items: list[Interface] = []

    def add(self, version: str, module: ModuleId, role: InterfaceRole | None = None) -> str:
        """Record one served interface; returns its path for the router."""
        if module not in MODULES[version]:
            raise ValueError(f"OCPI {version} has no module {module.value}")
        item = Interface(version, module, role)
        if item not in self._items:
            self._items.append(item)
        return item.path

    def for_version(self, version: str, *, partner_role: str | None = None) -> list[Interface]:
        """The interfaces to list in ``version``'s details.

        For 2.1.1 a partner sees only the interfaces of the role opposite to its own (2.1.1
        endpoints carry no role; digest §1.1). Without a known role, only credentials.
        """
        items = [i for i in self._items if i.version == version]
        if version != "2.1.1":
            return items
        out = []
        for item in items:
            if item.role is None:
                out.append(item)
            elif partner_role is not None:
                wanted = hub_interface_for_211(item.module, partner_role)
                if wanted is not None and wanted == item.role:
                    out.append(item)
        return out
