"""Places: coordinates read as people type them, refused when they are not on the earth."""

from __future__ import annotations

import pytest

from pb.domain import places
from pb.domain.places import PlaceError


@pytest.mark.parametrize(("typed", "name", "degrees"), [
    ("51.4816", "latitude", 51.4816), (" -3.1791 ", "longitude", -3.1791),
    ("\u22123.1791", "longitude", -3.1791), ("51,4816", "latitude", 51.4816),
    ("90", "latitude", 90.0), ("-180", "longitude", -180.0), ("51.48°", "latitude", 51.48),
    ("50.0170563149589", "latitude", 50.0170563149589), ("", "latitude", None),
    (None, "longitude", None)])
def test_coordinates_are_read_as_typed(typed: str | None, name: str,
                                       degrees: float | None) -> None:
    assert places.parse_coordinate(typed, name) == degrees


@pytest.mark.parametrize(("typed", "name", "message"), [
    ("91", "latitude", "from -90 to 90 degrees; 91 is not on the earth"),
    ("-90.5", "latitude", "-90.5 is not on the earth"),
    ("180.01", "longitude", "from -180 to 180 degrees; 180.01 is not on the earth"),
    ("north", "latitude", "Type the latitude as a number"),
    ("1e3", "longitude", "Type the longitude as a number"),
    ("nan", "latitude", "Type the latitude as a number"),
    ("51.48, -3.18", "latitude", "Type the latitude as a number")])
def test_unreadable_or_off_the_earth_is_refused(typed: str, name: str, message: str) -> None:
    with pytest.raises(PlaceError, match=message.replace(".", r"\.")) as refused:
        places.parse_coordinate(typed, name)
    assert refused.value.field == name


def test_half_a_point_is_refused_and_names_the_missing_half() -> None:
    with pytest.raises(PlaceError, match="both the latitude and the longitude") as refused:
        places.check_place(51.48, None, "")
    assert refused.value.field == "longitude"
    with pytest.raises(PlaceError) as refused:
        places.check_place(None, -3.18, "")
    assert refused.value.field == "latitude"
    places.check_place(None, None, "Mill Lane")
    places.check_place(51.48, -3.18, "")
    with pytest.raises(PlaceError, match="at most"):
        places.check_place(None, None, "x" * (places.PLACE_MAX + 1))


@pytest.mark.parametrize(("degrees", "text"), [
    (51.4816, "51.4816"), (-3.0, "-3"), (0.0, "0"), (-0.0, "0"), (1e-08, "0.00000001"),
    (50.0170563149589, "50.0170563149589"), (-180.0, "-180")])
def test_degrees_are_written_short_and_read_back_the_same(degrees: float, text: str) -> None:
    assert places.format_degrees(degrees) == text
    assert places.parse_coordinate(text, "longitude") == degrees
