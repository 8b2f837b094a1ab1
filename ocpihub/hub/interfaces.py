"""The hub's own OCPI interfaces: what it serves in each version, and which of them a partner sees
(pure).

``inbound/routes.py`` records an :class:`Interface` for every interface it mounted from the
module table; the version details list them through :meth:`InterfaceRegistry.for_version`.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from ocpihub.ocpi.modules import InterfaceRole, ModuleId, hub_interface_for_211
from ocpihub.ocpi.version import ocpi_version

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
    """What the hub serves, per version, in the order it was mounted (immutable)."""

    def __init__(self, items: Iterable[Interface] = ()) -> None:
        self._items: tuple[Interface, ...] = tuple(dict.fromkeys(items))

    def __iter__(self) -> Iterator[Interface]:
        return iter(self._items)

    def for_version(self, version: str, *, partner_role: str | None = None) -> list[Interface]:
        """The interfaces to list in ``version``'s details.

        For 2.1.1 a partner sees only the interfaces of the role opposite to its own (2.1.1
        endpoints carry no role; digest §1.1). Without a known role, only credentials.
        """
        items = [i for i in self._items if i.version == version]
        if ocpi_version(version).has_roles:
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
