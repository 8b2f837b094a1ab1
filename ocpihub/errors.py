"""The one error tree of ocpihub: every error knows its OCPI status code and HTTP status.

::

    OcpiError                          (status 3000, HTTP 500 unless overridden)
    ├── ClientError                    2000  generic client error             HTTP 400
    │   ├── InvalidParameters          2001  invalid or missing parameters    HTTP 400
    │   │   └── MalformedJson          2001  body is not JSON                 HTTP 400
    │   ├── NotEnoughInformation       2002                                   HTTP 400
    │   ├── UnknownLocation            2003                                   HTTP 404
    │   ├── UnknownToken               2004                                   HTTP 404
    │   ├── NotFound                   2000  no such object / route           HTTP 404
    │   ├── MethodNotAllowed           2000  wrong method (or registration)   HTTP 405
    │   ├── Conflict                   2000  refused: the resource is in use  HTTP 409
    │   ├── PayloadTooLarge            2001  body over the size limit         HTTP 413
    │   ├── UnsupportedMediaType       2001  body not application/json        HTTP 415
    │   └── TooManyRequests            2000  platform over its rate limit     HTTP 429
    ├── Unauthorized                   2000  missing / unknown token          HTTP 401
    ├── ServerError                    3000  generic server error             HTTP 500
    │   ├── UnableToUseClientApi       3001                                   HTTP 200
    │   ├── UnsupportedVersion         3002                                   HTTP 200
    │   └── NoMatchingEndpoints        3003                                   HTTP 200
    ├── HubError                       4000  hub: generic                     HTTP 200
    │   ├── UnknownReceiver            4001                                   HTTP 200
    │   ├── ForwardTimeout             4002                                   HTTP 200
    │   └── ReceiverNotConnected       4003                                   HTTP 200
    └── Superseded                     1000  push older than the stored object HTTP 200

Every class's docstring is its default message. Errors raised anywhere in the hub travel up to
the HTTP edge unchanged and become an OCPI envelope there (``inbound/responses.py``).

Registration errors (3xxx) and hub errors (4xxx) answer a syntactically valid request about an
existing resource, so they travel with HTTP 200 and the OCPI code carries the meaning (digest
§1.6: such requests "must not get an HTTP error").
"""

from __future__ import annotations

from typing import ClassVar


class OcpiError(Exception):
    """Internal error."""

    status_code: ClassVar[int] = 3000
    http_status: ClassVar[int] = 500

    def __init__(self, message: str | None = None, *, data: object = None) -> None:
        self.message = message or (self.__doc__ or "").strip().split("\n")[0]
        self.data = data
        super().__init__(self.message)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.status_code}, {self.message!r})"


class ClientError(OcpiError):
    """Client error."""

    status_code = 2000
    http_status = 400


class InvalidParameters(ClientError):
    """Invalid or missing parameters."""

    status_code = 2001


class MalformedJson(InvalidParameters):
    """The request body is not valid JSON."""


class NotEnoughInformation(ClientError):
    """Not enough information."""

    status_code = 2002


class UnknownLocation(ClientError):
    """Unknown Location."""

    status_code = 2003
    http_status = 404


class UnknownToken(ClientError):
    """Unknown Token."""

    status_code = 2004
    http_status = 404


class NotFound(ClientError):
    """Not found."""

    http_status = 404


class MethodNotAllowed(ClientError):
    """Method not allowed."""

    http_status = 405


class Conflict(ClientError):
    """The resource is in use."""

    http_status = 409


class PayloadTooLarge(InvalidParameters):
    """The request body is larger than this hub accepts."""

    http_status = 413


class UnsupportedMediaType(InvalidParameters):
    """A request body must be sent with Content-Type: application/json."""

    http_status = 415


class TooManyRequests(ClientError):
    """Too many requests: slow down and retry after the time given in Retry-After."""

    status_code = 2000
    http_status = 429

    def __init__(self, message: str | None = None, *, retry_after: int = 1) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class Unauthorized(ClientError):
    """Missing or unknown credentials token."""

    http_status = 401


class ServerError(OcpiError):
    """Server error."""

    status_code = 3000
    http_status = 500


class UnableToUseClientApi(ServerError):
    """Unable to use the client's API."""

    status_code = 3001
    http_status = 200


class PullStopped(UnableToUseClientApi):
    """The pull was stopped before the partner's list ended."""


class PullBusy(Conflict):
    """This pull is running already (in this or another hub process)."""


class UnsupportedVersion(ServerError):
    """Unsupported version."""

    status_code = 3002
    http_status = 200


class NoMatchingEndpoints(ServerError):
    """No matching endpoints or expected endpoints missing."""

    status_code = 3003
    http_status = 200


class HubError(OcpiError):
    """Hub error."""

    status_code = 4000
    http_status = 200


class UnknownReceiver(HubError):
    """Unknown receiver."""

    status_code = 4001


class ForwardTimeout(HubError):
    """Timeout on forwarded request."""

    status_code = 4002


class ReceiverNotConnected(HubError):
    """Receiver not connected."""

    status_code = 4003


class Superseded(OcpiError):
    """A newer version of this object is stored: it is kept, this push is not applied."""

    # not a failure: the push is acknowledged (both writers of a race get 1000), its
    # transaction rolled back, so nothing is stored or forwarded
    status_code = 1000
    http_status = 200


class ConfigError(Exception):
    """A setting has a value the hub cannot start with (not an OCPI error)."""


__all__ = [
    "ClientError",
    "ConfigError",
    "Conflict",
    "ForwardTimeout",
    "HubError",
    "InvalidParameters",
    "MalformedJson",
    "MethodNotAllowed",
    "NoMatchingEndpoints",
    "NotEnoughInformation",
    "NotFound",
    "OcpiError",
    "PayloadTooLarge",
    "PullBusy",
    "PullStopped",
    "ReceiverNotConnected",
    "ServerError",
    "Superseded",
    "TooManyRequests",
    "UnableToUseClientApi",
    "Unauthorized",
    "UnknownLocation",
    "UnknownReceiver",
    "UnknownToken",
    "UnsupportedMediaType",
    "UnsupportedVersion",
]
