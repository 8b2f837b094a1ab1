"""Wire models of OCPI 2.1.1: one pydantic class per spec object, one file per module.

2.1.1 is the oldest version the hub bridges. Its objects carry no owner fields (the party is
known from the URL and the credentials), its enums are all closed, its money is a plain number
excluding VAT, and its Sessions and CDRs embed a whole Location. :data:`MODELS` names every
object that travels as a request or response body, including PATCH bodies and command requests.
"""

from __future__ import annotations

from ocpihub.ocpi.fields import OcpiModel

__all__ = ["MODELS", "VERSION"]

VERSION = "2.1.1"

MODELS: dict[str, type[OcpiModel]] = {}
