"""RouteIndex: module routes found by (version, module), 405 for a known path, else fall through."""

from __future__ import annotations

import pytest
from starlette.routing import Match, Route

from ocpihub.inbound.route_index import RouteIndex


async def _endpoint() -> None:  # never called: only matching is tested here
    return None


def scope(method: str, path: str) -> dict[str, object]:
    return {"type": "http", "method": method, "path": path, "root_path": "", "path_params": {}}


@pytest.fixture
def index() -> RouteIndex:
    return RouteIndex(
        [
            Route("/ocpi/2.3.0/tokens/sender/{uid}/authorize", _endpoint, methods=["POST"]),
            Route("/ocpi/2.3.0/tokens/sender", _endpoint, methods=["GET"]),
            Route("/ocpi/2.2.1/tokens/sender/{uid}/authorize", _endpoint, methods=["POST"]),
            Route("/ocpi/2.3.0/commands/receiver/{command}", _endpoint, methods=["POST"]),
        ]
    )


def test_the_route_of_the_version_and_module_matches_with_its_parameters(
    index: RouteIndex,
) -> None:
    match, child = index.matches(scope("POST", "/ocpi/2.2.1/tokens/sender/ABC/authorize"))
    assert match is Match.FULL
    assert child["path_params"] == {"uid": "ABC"}
    assert child["ocpihub.route"].path == "/ocpi/2.2.1/tokens/sender/{uid}/authorize"


def test_a_known_path_with_another_method_is_a_partial_match(index: RouteIndex) -> None:
    """The framework answers 405 (an OCPI envelope, by the hub's error handler)."""
    match, _ = index.matches(scope("DELETE", "/ocpi/2.3.0/tokens/sender"))
    assert match is Match.PARTIAL


@pytest.mark.parametrize(
    "path",
    [
        "/ocpi/2.3.0/tokens/receiver/NL",  # module known, path not
        "/ocpi/2.1.1/tokens/sender",  # version without routes
        "/ocpi/versions",
        "/ocpi/2.3.0",
        "/admin/api/platforms",
        "/",
    ],
)
def test_anything_else_falls_through(index: RouteIndex, path: str) -> None:
    assert index.matches(scope("GET", path))[0] is Match.NONE


def test_only_module_routes_can_be_indexed() -> None:
    with pytest.raises(ValueError, match="/admin/api"):
        RouteIndex([Route("/admin/api/platforms", _endpoint)])
    with pytest.raises(ValueError):
        RouteIndex([Route("/ocpi/{version}/tokens", _endpoint)])
