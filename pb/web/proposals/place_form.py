"""The place of a proposal in a form: latitude and longitude typed or picked on a map."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from wtforms import HiddenField, StringField
from wtforms.validators import Length, Optional

from pb.domain import places
from pb.domain.errors import UserError
from pb.models import Proposal
from pb.web.forms import Form, domain_check

TOO_LONG = _l("Use at most %(max)d characters.")


class PlaceFields:
    """Latitude, longitude and a street description; mixed into a proposal's forms."""

    place = StringField(
        _l("Where (optional)"),
        description=_l("A street, a park or a building, e.g. “Corner of Clive Street and "
                       "Bute Street”."),
        validators=[Optional(), Length(max=places.PLACE_MAX, message=TOO_LONG)])
    latitude = StringField(
        _l("Latitude (optional)"),
        description=_l("Degrees north of the equator, e.g. 51.4816; south is negative."),
        validators=[domain_check(places.parse_coordinate, "latitude")])
    longitude = StringField(
        _l("Longitude (optional)"),
        description=_l("Degrees east of Greenwich, e.g. 1.2974; west is negative, e.g. "
                       "-3.1791."),
        validators=[domain_check(places.parse_coordinate, "longitude")])

    def validate(self: Any, extra_validators: Any = None) -> bool:
        """Check every field, then refuse half a pair: both coordinates or neither."""
        valid = super().validate(extra_validators)  # type: ignore[misc]
        if self.latitude.errors or self.longitude.errors:
            return valid
        try:
            latitude, longitude = self.point()
            places.check_place(latitude, longitude, "")
        except UserError as error:
            self.fail(error)
            return False
        return valid

    def point(self: Any) -> tuple[float | None, float | None]:
        """Return the latitude and longitude typed or picked, each None when empty."""
        return (places.parse_coordinate(self.latitude.data, "latitude"),
                places.parse_coordinate(self.longitude.data, "longitude"))

    def fill_place(self: Any, proposal: Proposal) -> None:
        """Show a proposal's place in the form."""
        self.place.data = proposal.place or ""
        self.latitude.data = ("" if proposal.latitude is None
                              else places.format_degrees(proposal.latitude))
        self.longitude.data = ("" if proposal.longitude is None
                               else places.format_degrees(proposal.longitude))


class PlaceForm(PlaceFields, Form):
    """An officer's form for the place of any proposal, at any stage."""

    version = HiddenField()
