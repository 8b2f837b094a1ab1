"""The module routes: mounted and listed exactly as the module table says, built once."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi import Request
from starlette.responses import Response

from ocpihub.app import create_app
from ocpihub.hub.interfaces import Interface, module_path
from ocpihub.inbound.interfaces import HttpRoute, RouteBuilder
from ocpihub.inbound.routes import build, declared, module_routes
from ocpihub.ocpi.modules import (
    SUPPORTED_VERSIONS,
    InterfaceRole,
    ModuleId,
    hub_interface_for_211,
    hub_interfaces,
)
from ocpihub.settings import load_settings

ROLE_OF_PATH = {"receiver": InterfaceRole.RECEIVER, "sender": InterfaceRole.SENDER}


def table_interfaces(version: str) -> list[Interface]:
    """What the module table says the hub serves in ``version``, in order."""
    return [Interface(version, m.id, role) for m, role in hub_interfaces(version)]


def mounted_interface(path: str) -> Interface:
    """The interface a mounted route's path lies below."""
    _, _, version, module, *rest = path.split("/")
    role = ROLE_OF_PATH[rest[0]] if rest else None
    return Interface(version, ModuleId(module), role)


def test_the_routes_mounted_are_those_the_table_derives() -> None:
    """Every route lies below an interface of the table, and every interface has routes."""
    routes = module_routes().index.routes
    mounted = {mounted_interface(r.path) for r in routes}
    expected = {i for v in SUPPORTED_VERSIONS for i in table_interfaces(v)}
    assert mounted == expected
    assert all(r.path.startswith(mounted_interface(r.path).path) for r in routes)


@pytest.mark.parametrize("version", ["2.2.1", "2.3.0"])
def test_the_version_details_list_the_table_in_order(version: str) -> None:
    """2.2+ details list every interface of the table, in its order."""
    assert module_routes().interfaces.for_version(version) == table_interfaces(version)


@pytest.mark.parametrize("partner_role", ["CPO", "EMSP", "NSP", None])
def test_211_details_list_the_interfaces_opposite_to_the_partner(partner_role: str | None) -> None:
    """A 2.1.1 partner sees credentials and the interfaces of the role opposite to its own."""
    listed = module_routes().interfaces.for_version("2.1.1", partner_role=partner_role)
    assert listed == [
        i
        for i in table_interfaces("2.1.1")
        if i.role is None
        or (partner_role is not None and hub_interface_for_211(i.module, partner_role) == i.role)
    ]


def test_routes_are_built_once_per_process(tmp_path: Any) -> None:
    """Two applications, whatever their settings, share the one set of module routes."""
    first = create_app(load_settings(database_url=f"sqlite+aiosqlite:///{tmp_path}/a.db"))
    second = create_app(
        load_settings(database_url=f"sqlite+aiosqlite:///{tmp_path}/b.db", public_url="https://x")
    )
    assert first.router.routes[0] is second.router.routes[0] is module_routes().index
    assert first.state.runtime.interfaces is second.state.runtime.interfaces


async def _endpoint(request: Request) -> Response:
    return Response()


def _one_route(version: str, path: str) -> list[HttpRoute]:
    return [HttpRoute("GET", _endpoint)]


def test_an_interface_nobody_declares_stops_the_build() -> None:
    """A module of the table without handler routes is an error, not a silent gap."""
    routes: dict[tuple[ModuleId, InterfaceRole | None], RouteBuilder] = dict(declared())
    del routes[(ModuleId.TARIFFS, InterfaceRole.SENDER)]
    with pytest.raises(LookupError, match="tariffs SENDER"):
        build(routes)


def test_routes_for_an_interface_the_table_lacks_stop_the_build() -> None:
    """A declaration the table does not know (HubClientInfo has no hub Receiver) is an error."""
    routes = {**declared(), (ModuleId.HUB_CLIENT_INFO, InterfaceRole.RECEIVER): _one_route}
    with pytest.raises(LookupError, match="hubclientinfo RECEIVER"):
        build(routes)


def test_module_path() -> None:
    """Interfaces live at /ocpi/{version}/{module}[/{sender|receiver}] in every version."""
    assert module_path("2.1.1", ModuleId.CREDENTIALS, None) == "/ocpi/2.1.1/credentials"
    assert module_path("2.3.0", ModuleId.TOKENS, InterfaceRole.SENDER) == (
        "/ocpi/2.3.0/tokens/sender"
    )
