"""The error tree: every error knows its OCPI status code, HTTP status and default message."""

from __future__ import annotations

import pytest

from ocpihub import errors

CASES = [
    (errors.ClientError, 2000, 400),
    (errors.InvalidParameters, 2001, 400),
    (errors.MalformedJson, 2001, 400),
    (errors.NotEnoughInformation, 2002, 400),
    (errors.UnknownLocation, 2003, 404),
    (errors.UnknownToken, 2004, 404),
    (errors.NotFound, 2000, 404),
    (errors.MethodNotAllowed, 2000, 405),
    (errors.Conflict, 2000, 409),
    (errors.PayloadTooLarge, 2001, 413),
    (errors.UnsupportedMediaType, 2001, 415),
    (errors.Unauthorized, 2000, 401),
    (errors.ServerError, 3000, 500),
    (errors.UnableToUseClientApi, 3001, 200),
    (errors.UnsupportedVersion, 3002, 200),
    (errors.NoMatchingEndpoints, 3003, 200),
    (errors.HubError, 4000, 200),
    (errors.UnknownReceiver, 4001, 200),
    (errors.ForwardTimeout, 4002, 200),
    (errors.ReceiverNotConnected, 4003, 200),
]


@pytest.mark.parametrize(("cls", "code", "http"), CASES)
def test_error_carries_codes(cls: type[errors.OcpiError], code: int, http: int) -> None:
    """Each error class states the OCPI status code and HTTP status it stands for."""
    err = cls()
    assert (err.status_code, err.http_status) == (code, http)
    assert isinstance(err, errors.OcpiError)


def test_default_message_is_docstring_and_overridable() -> None:
    """Without a message the first docstring line is used; a given message wins."""
    assert errors.UnknownToken().message == "Unknown Token."
    assert errors.UnknownToken("token 123 unknown").message == "token 123 unknown"


def test_every_error_is_exported() -> None:
    """__all__ lists every public error class, sorted."""
    public = {
        name
        for name, value in vars(errors).items()
        if isinstance(value, type) and issubclass(value, Exception) and not name.startswith("_")
    }
    assert set(errors.__all__) == public
    assert errors.__all__ == sorted(errors.__all__)
