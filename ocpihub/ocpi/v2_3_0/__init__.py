"""Wire models of OCPI 2.3.0, the hub's native version and the shape of its canonical model.

The package is the union of the two 2.3.0 editions (digest, box at the top): the core edition
(with Payments and ``Tariff.preauthorize_amount``) plus everything the bookings edition adds.
:data:`MODELS` maps the name of every object that travels as a request or response body
(including PATCH twins and command request bodies) to its class, so handlers and tests can look
models up by name.
"""

from __future__ import annotations

from ocpihub.ocpi.fields import OcpiModel
from ocpihub.ocpi.v2_3_0 import (
    bookings,
    cdrs,
    charging_profiles,
    commands,
    credentials,
    hub_client_info,
    locations,
    payments,
    sessions,
    tariffs,
    tokens,
    versions,
)

__all__ = ["MODELS", "VERSION"]

VERSION = "2.3.0"

_OWN: list[type[OcpiModel]] = [
    versions.Version,
    versions.VersionDetails,
    credentials.Credentials,
    locations.Location,
    locations.EVSE,
    locations.Connector,
    locations.LocationPatch,
    locations.EVSEPatch,
    locations.ConnectorPatch,
    sessions.Session,
    sessions.SessionPatch,
    sessions.ChargingPreferences,
    cdrs.CDR,
    tariffs.Tariff,
    tokens.Token,
    tokens.TokenPatch,
    tokens.AuthorizationInfo,
    tokens.LocationReferences,
    commands.StartSession,
    commands.StopSession,
    commands.ReserveNow,
    commands.CancelReservation,
    commands.UnlockConnector,
    commands.CommandResponse,
    commands.CommandResult,
    charging_profiles.SetChargingProfile,
    charging_profiles.ActiveChargingProfile,
    charging_profiles.ChargingProfileResponse,
    charging_profiles.ActiveChargingProfileResult,
    charging_profiles.ChargingProfileResult,
    charging_profiles.ClearProfileResult,
    hub_client_info.ClientInfo,
]

MODELS: dict[str, type[OcpiModel]] = {
    **{model.__name__: model for model in _OWN},
    **payments.MODELS,
    **bookings.MODELS,
}
"""Every 2.3.0 body model by object name (``"Location"``, ``"SessionPatch"``, ``"Booking"`` ...)."""
