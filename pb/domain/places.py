"""Places: a point on the earth typed or picked for a proposal, and a street description."""

from __future__ import annotations

import re
from collections.abc import Mapping
from decimal import Decimal

from pb.domain.errors import N_, UserError

PLACE_MAX = 200
LIMITS = {"latitude": 90.0, "longitude": 180.0}
_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)")


class PlaceError(UserError):
    """A location that is unreadable or not on the earth."""


def parse_coordinate(text: str | None, name: str) -> float | None:
    """Return the degrees typed for `name` ("latitude" or "longitude"), None when empty.

    A decimal comma (51,48) and a typographic minus (−3.18) are read as people type them.
    """
    value = (text or "").strip().replace("\u2212", "-").replace(",", ".").rstrip("°").strip()
    if not value:
        return None
    if not _NUMBER.fullmatch(value):
        if name == "latitude":
            raise PlaceError(N_("Type the latitude as a number of degrees, e.g. 51.4816."),
                             field=name)
        raise PlaceError(N_("Type the longitude as a number of degrees, e.g. -3.1791."),
                         field=name)
    degrees = float(value)
    check_coordinate(degrees, name)
    return degrees


def check_coordinate(degrees: float, name: str) -> None:
    """Refuse degrees off the earth: latitude from -90 to 90, longitude from -180 to 180."""
    if not -LIMITS[name] <= degrees <= LIMITS[name]:
        if name == "latitude":
            raise PlaceError(N_("The latitude must be from -90 to 90 degrees; %(value)s is "
                                "not on the earth. Check that latitude and longitude are not "
                                "swapped."), field=name, value=format_degrees(degrees))
        raise PlaceError(N_("The longitude must be from -180 to 180 degrees; %(value)s is "
                            "not on the earth."), field=name, value=format_degrees(degrees))


def check_place(latitude: float | None, longitude: float | None, place: str) -> None:
    """Refuse half a point, a point off the earth, or a description that is too long."""
    if (latitude is None) != (longitude is None):
        missing = "longitude" if longitude is None else "latitude"
        raise PlaceError(N_("Give both the latitude and the longitude, or neither."),
                         field=missing)
    if latitude is not None and longitude is not None:
        check_coordinate(latitude, "latitude")
        check_coordinate(longitude, "longitude")
    if len(place) > PLACE_MAX:
        raise PlaceError(N_("Use at most %(max)d characters."), field="place", max=PLACE_MAX)


def format_degrees(degrees: float) -> str:
    """Return degrees as the shortest decimal that reads back as the same number: 51.4816,
    -3.18, 0 (never 1e-08), so a form shown and sent back unchanged changes nothing."""
    text = format(Decimal(repr(float(degrees))), "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def point_of_columns(columns: Mapping[str, str]) -> dict[str, float | None]:
    """Return the point of a pabulib project's latitude and longitude columns; None for both
    when they are missing, unreadable, half a point or not on the earth."""
    try:
        latitude = parse_coordinate(columns.get("latitude"), "latitude")
        longitude = parse_coordinate(columns.get("longitude"), "longitude")
        check_place(latitude, longitude, "")
    except PlaceError:
        return {"latitude": None, "longitude": None}
    return {"latitude": latitude, "longitude": longitude}


def point_columns(latitude: float | None, longitude: float | None,
                  written: Mapping[str, str] | None) -> dict[str, str]:
    """Return the latitude and longitude columns to change in an export of a project whose
    file wrote `written` (None for a project proposed here): none while its point is the
    one the file wrote, else the point as it is now (empty for a point that was removed)."""
    if written is not None and point_of_columns(written) == {"latitude": latitude,
                                                             "longitude": longitude}:
        return {}
    if latitude is None or longitude is None:
        had = written is not None and any(written.get(c) for c in ("latitude", "longitude"))
        return {"latitude": "", "longitude": ""} if had else {}
    return {"latitude": format_degrees(latitude), "longitude": format_degrees(longitude)}
