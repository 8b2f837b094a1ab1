"""Pure registration rules: version choice, usable endpoints, credentials bodies, party claims."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ocpihub.errors import (
    InvalidParameters,
    NoMatchingEndpoints,
    UnableToUseClientApi,
    UnsupportedVersion,
)
from ocpihub.hub.credentials import (
    ClaimedParty,
    HubIdentity,
    hub_credentials,
    reachable_parties,
    read_credentials,
)
from ocpihub.hub.discovery import check_usable, choose_version, read_endpoints, read_versions
from ocpihub.hub.registration import check_claims
from ocpihub.model.agreements import Agreement, AgreementStatus
from ocpihub.model.parties import ConnectionStatus, DeclaredRole, Endpoint, Party
from ocpihub.ocpi.fields import parse
from ocpihub.ocpi.v2_1_1.credentials import Credentials as C211
from ocpihub.ocpi.v2_2_1.credentials import Credentials as C221
from ocpihub.ocpi.v2_3_0.credentials import Credentials as C230

HUB = HubIdentity("NL", "HUB", "ocpihub", "https://hub.example")
NOW = datetime(2026, 1, 1, tzinfo=UTC)


def party(role: str, cc: str, pid: str, platform: int = 1) -> Party:
    """A stored party."""
    return Party(0, platform, cc, pid, role, ConnectionStatus.CONNECTED, {"name": f"{cc}{pid}"})


def agreement(a: tuple[str, str], b: tuple[str, str], status: str = "ACTIVE") -> Agreement:
    """An agreement between two parties."""
    return Agreement(1, a, b, None, AgreementStatus(status), NOW, NOW)


# --- version choice --------------------------------------------------------------------------


def test_choose_highest_common() -> None:
    """The highest version both sides speak wins, whatever order the partner lists."""
    assert choose_version(["2.3.0", "2.1.1", "2.2.1"]) == "2.3.0"
    assert choose_version(["2.2", "2.2.1", "2.1.1"]) == "2.2.1"
    assert choose_version(["2.1.1", "2.0"]) == "2.1.1"


def test_choose_none_common_is_3002() -> None:
    """No common version is a 3002 naming both lists."""
    with pytest.raises(UnsupportedVersion) as err:
        choose_version(["2.2", "2.0"])
    assert err.value.status_code == 3002
    assert "2.2, 2.0" in err.value.message
    assert "2.1.1, 2.2.1, 2.3.0" in err.value.message


@settings(max_examples=50, deadline=None)
@given(st.lists(st.sampled_from(["2.0", "2.1", "2.1.1", "2.2", "2.2.1", "2.3.0", "3.0"])))
def test_choice_is_common_and_maximal(offered: list[str]) -> None:
    """The chosen version is offered by both, and no common version is higher."""
    common = set(offered) & {"2.1.1", "2.2.1", "2.3.0"}
    if not common:
        with pytest.raises(UnsupportedVersion):
            choose_version(offered)
        return
    chosen = choose_version(offered)
    assert chosen in common
    assert chosen == sorted(common)[-1]


def test_read_versions_skips_garbage() -> None:
    """Entries that are not {version, url} objects are skipped; a non-list is 3001."""
    data = [{"version": "2.2.1", "url": "http://x/2.2.1"}, "junk", {"version": 3}]
    assert read_versions(data) == {"2.2.1": "http://x/2.2.1"}
    with pytest.raises(UnableToUseClientApi) as err:
        read_versions({"version": "2.2.1"})
    assert err.value.status_code == 3001


# --- endpoints -------------------------------------------------------------------------------


def test_read_endpoints_22_keeps_known_modules() -> None:
    """2.2+ endpoints keep their role; unknown/custom modules and bad entries are dropped."""
    data = {
        "version": "2.2.1",
        "endpoints": [
            {"identifier": "credentials", "role": "RECEIVER", "url": "http://p/cred"},
            {"identifier": "locations", "role": "SENDER", "url": "http://p/loc"},
            {"identifier": "nltnm-tokens", "role": "SENDER", "url": "http://p/custom"},
            {"identifier": "payments", "role": "SENDER", "url": "http://p/pay"},
            {"identifier": "tokens", "role": "SIDEWAYS", "url": "http://p/tok"},
        ],
    }
    assert read_endpoints("2.2.1", data) == (
        Endpoint("credentials", "SENDER", "http://p/cred"),
        Endpoint("locations", "SENDER", "http://p/loc"),
    )


@pytest.mark.parametrize(
    ("role", "locations", "tokens"), [("CPO", "SENDER", "RECEIVER"), ("EMSP", "RECEIVER", "SENDER")]
)
def test_read_endpoints_211_role_from_party(role: str, locations: str, tokens: str) -> None:
    """2.1.1 endpoints get the interface role implied by the platform's single party role."""
    data = {
        "version": "2.1.1",
        "endpoints": [
            {"identifier": "locations", "url": "http://p/loc"},
            {"identifier": "tokens", "url": "http://p/tok"},
        ],
    }
    got = read_endpoints("2.1.1", data, party_roles=[role])
    assert got == (
        Endpoint("locations", locations, "http://p/loc"),
        Endpoint("tokens", tokens, "http://p/tok"),
    )


def test_usable_needs_credentials() -> None:
    """Without a credentials endpoint nothing is usable (3003)."""
    with pytest.raises(NoMatchingEndpoints) as err:
        check_usable([Endpoint("locations", "SENDER", "u")], ["CPO"])
    assert err.value.status_code == 3003
    assert "credentials" in err.value.message


@pytest.mark.parametrize(
    ("role", "endpoint", "usable"),
    [
        ("CPO", ("locations", "SENDER"), True),
        ("CPO", ("locations", "RECEIVER"), False),
        ("CPO", ("commands", "RECEIVER"), True),
        ("EMSP", ("tokens", "SENDER"), True),
        ("EMSP", ("cdrs", "RECEIVER"), True),
        ("EMSP", ("cdrs", "SENDER"), False),
        ("NSP", ("locations", "RECEIVER"), True),
        ("NSP", ("sessions", "RECEIVER"), False),
        ("SCSP", ("chargingprofiles", "SENDER"), True),
        ("OTHER", ("tariffs", "RECEIVER"), True),
        ("OTHER", ("hubclientinfo", "RECEIVER"), False),
        ("CPO", ("hubclientinfo", "RECEIVER"), False),
    ],
)
def test_usable_per_role(role: str, endpoint: tuple[str, str], usable: bool) -> None:
    """A party is usable with at least one interface its role offers (hubclientinfo is not one)."""
    published = [Endpoint("credentials", "SENDER", "c"), Endpoint(*endpoint, "u")]
    if usable:
        check_usable(published, [role])
    else:
        with pytest.raises(NoMatchingEndpoints) as err:
            check_usable(published, [role])
        assert f"role {role}" in err.value.message


def test_usable_every_party_counts() -> None:
    """Each claimed role needs its own usable interface."""
    published = [Endpoint("credentials", "SENDER", "c"), Endpoint("locations", "SENDER", "u")]
    check_usable(published, ["CPO"])
    with pytest.raises(NoMatchingEndpoints):
        check_usable(published, ["CPO", "EMSP"])


# --- credentials bodies ----------------------------------------------------------------------


def test_hub_credentials_211() -> None:
    """To 2.1.1 the hub gives its own identity, and the body is a valid 2.1.1 Credentials."""
    body = hub_credentials("2.1.1", token="tok", versions_url="http://h/ocpi/versions", hub=HUB)
    assert body == {
        "token": "tok",
        "url": "http://h/ocpi/versions",
        "business_details": {"name": "ocpihub", "website": "https://hub.example"},
        "party_id": "HUB",
        "country_code": "NL",
    }
    parse(C211, body)


def test_hub_credentials_221_is_hub_role_only() -> None:
    """To 2.2.1 the hub lists only itself with role HUB, even when parties are reachable."""
    body = hub_credentials(
        "2.2.1", token="t", versions_url="u", hub=HUB, reachable=[party("CPO", "DE", "ABC")]
    )
    assert [(r["role"], r["country_code"], r["party_id"]) for r in body["roles"]] == [
        ("HUB", "NL", "HUB")
    ]
    assert "hub_party_id" not in body
    parse(C221, body)


def test_hub_credentials_230_lists_reachable() -> None:
    """To 2.3.0: hub_party_id, the hub as OTHER, then every reachable party's real role."""
    reachable = [party("CPO", "DE", "ABC"), party("EMSP", "DE", "ABC"), party("PTP", "BE", "PAY")]
    body = hub_credentials("2.3.0", token="t", versions_url="u", hub=HUB, reachable=reachable)
    assert body["hub_party_id"] == "NLHUB"
    assert [(r["role"], r["country_code"], r["party_id"]) for r in body["roles"]] == [
        ("OTHER", "NL", "HUB"),
        ("CPO", "DE", "ABC"),
        ("EMSP", "DE", "ABC"),
        ("OTHER", "BE", "PAY"),
    ]
    parse(C230, body)


def test_hub_credentials_230_nothing_reachable() -> None:
    """With nothing reachable 2.3.0 still gets a non-empty roles list: the hub as OTHER."""
    body = hub_credentials("2.3.0", token="t", versions_url="u", hub=HUB)
    assert [r["role"] for r in body["roles"]] == ["OTHER"]
    parse(C230, body)


def test_reachable_parties_follow_active_agreements() -> None:
    """Reachable: the other side of every ACTIVE agreement of one's own parties, all roles."""
    everyone = [
        party("CPO", "NL", "AAA", 1),
        party("EMSP", "DE", "BBB", 2),
        party("CPO", "DE", "BBB", 2),
        party("EMSP", "FR", "CCC", 3),
        party("EMSP", "BE", "DDD", 4),
    ]
    agreements = [
        agreement(("NL", "AAA"), ("DE", "BBB")),
        agreement(("FR", "CCC"), ("NL", "AAA"), "SUSPENDED"),
        agreement(("BE", "DDD"), ("FR", "CCC")),
    ]
    got = reachable_parties([("NL", "AAA")], agreements, everyone)
    assert [(p.role, p.country_code, p.party_id) for p in got] == [
        ("EMSP", "DE", "BBB"),
        ("CPO", "DE", "BBB"),
    ]
    assert reachable_parties([("NL", "AAA")], [], everyone) == []


# --- reading partner credentials -------------------------------------------------------------


def body_22(*roles: tuple[str, str, str]) -> dict[str, Any]:
    """A 2.2+ credentials body."""
    return {
        "token": "tok",
        "url": "http://p/versions",
        "roles": [
            {"role": r, "country_code": c, "party_id": p, "business_details": {"name": "x"}}
            for r, c, p in roles
        ],
    }


def test_read_credentials_211_role_from_declared() -> None:
    """2.1.1 credentials take their role from the declared parties."""
    body = {
        "token": "tok",
        "url": "http://p/versions",
        "business_details": {"name": "Old CPO"},
        "country_code": "nl",
        "party_id": "abc",
    }
    got = read_credentials("2.1.1", body, declared=[DeclaredRole("CPO", "NL", "ABC")])
    assert got.parties == (ClaimedParty("CPO", "NL", "ABC", {"name": "Old CPO"}),)
    with pytest.raises(InvalidParameters) as err:
        read_credentials("2.1.1", body)
    assert "2.1.1 credentials carry no role" in err.value.message


def test_read_credentials_duplicate_roles() -> None:
    """The same (role, cc, pid) twice is a 2001."""
    with pytest.raises(InvalidParameters):
        read_credentials("2.3.0", body_22(("CPO", "NL", "ABC"), ("CPO", "nl", "abc")))


def test_read_credentials_221_hub_role_is_kept() -> None:
    """A 2.2.1 body is read into upper-case claimed parties."""
    got = read_credentials("2.2.1", body_22(("EMSP", "de", "xyz")))
    assert [p.key for p in got.parties] == [("EMSP", "DE", "XYZ")]
    assert got.token == "tok"


# --- party claims ----------------------------------------------------------------------------


def claimed(role: str, cc: str, pid: str) -> ClaimedParty:
    """A claimed party."""
    return ClaimedParty(role, cc, pid, {"name": "x"})


def test_claims_within_declared_pass() -> None:
    """Claims within the declared parties, or with none declared, pass."""
    declared = [DeclaredRole("CPO", "NL", "ABC"), DeclaredRole("EMSP", "NL", "ABC")]
    check_claims("2.3.0", [claimed("CPO", "NL", "ABC")], declared)
    check_claims("2.3.0", [claimed("NSP", "DE", "XYZ")], [])


def test_claims_outside_declared_refused() -> None:
    """Every undeclared claim is named in one 2001."""
    declared = [DeclaredRole("CPO", "NL", "ABC")]
    with pytest.raises(InvalidParameters) as err:
        check_claims(
            "2.3.0",
            [claimed("CPO", "NL", "ABC"), claimed("EMSP", "NL", "ABC"), claimed("CPO", "NL", "X")],
            declared,
        )
    assert "EMSP NL-ABC" in err.value.message
    assert "CPO NL-X" in err.value.message
    assert "CPO NL-ABC is" not in err.value.message


def test_claims_hosted_elsewhere_refused() -> None:
    """A party hosted by another platform is refused."""
    with pytest.raises(InvalidParameters) as err:
        check_claims("2.2.1", [claimed("CPO", "NL", "ABC")], [], [("CPO", "NL", "ABC")])
    assert "already hosted by another platform" in err.value.message


def test_claims_211_only_cpo_or_emsp() -> None:
    """A 2.1.1 party must be a CPO or an eMSP."""
    with pytest.raises(InvalidParameters) as err:
        check_claims("2.1.1", [claimed("NSP", "NL", "ABC")], [DeclaredRole("NSP", "NL", "ABC")])
    assert "2.1.1 knows only CPO and EMSP" in err.value.message
