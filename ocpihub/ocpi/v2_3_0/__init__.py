"""Wire models of OCPI 2.3.0, the hub's native version and the shape of its canonical model.

The package is the union of the two 2.3.0 editions (digest, box at the top): the core edition
(with Payments and ``Tariff.preauthorize_amount``) plus everything the bookings edition adds.
:data:`MODELS` maps the name of every object that travels as a request or response body to its
class, so handlers and tests can look models up by name.
"""

from __future__ import annotations

from ocpihub.ocpi.fields import OcpiModel

__all__ = ["MODELS", "VERSION"]

VERSION = "2.3.0"

MODELS: dict[str, type[OcpiModel]] = {}
