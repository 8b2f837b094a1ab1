"""The time zone of a place, offline: what fills a 2.1.1 Location's missing ``time_zone``.

2.2+ requires ``time_zone`` on a Location; 2.1.1 has it optional. Up-translation derives it from
the Location's coordinates with ``timezonefinder`` (its boundary data ships in the package: no
network), and falls back to the sending platform's default time zone (a platform setting).
The finder is built on first use: hubs that never see such a Location never load its data.
"""

from __future__ import annotations

import functools
from typing import Any

__all__ = ["zone_at"]


@functools.cache
def _finder() -> Any:
    from timezonefinder import TimezoneFinder

    return TimezoneFinder()


def zone_at(latitude: object, longitude: object) -> str | None:
    """The IANA time zone at these coordinates (OCPI writes them as decimal strings), or None
    when they are not valid coordinates or lie where no zone but a nautical ``Etc/`` one is."""
    try:
        lat, lng = float(str(latitude)), float(str(longitude))
    except ValueError:
        return None
    if not (-90 <= lat <= 90 and -180 <= lng <= 180):
        return None
    zone = _finder().timezone_at(lng=lng, lat=lat)
    if not isinstance(zone, str) or zone.startswith("Etc/"):
        return None
    return zone
