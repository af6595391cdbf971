"""Forms for a round's eligibility: census uploads and batches of voting codes."""

from __future__ import annotations

import os

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import BooleanField, HiddenField, IntegerField, StringField
from wtforms.validators import InputRequired, Length, NumberRange, Optional, ValidationError

from pb.services.voting import census
from pb.services.voting.codes import BATCH_MAX
from pb.web.forms import Form

# Cards on one sheet: 84 A4 pages. Each QR code takes the server several milliseconds to make
# (choosing its mask is most of it), so the full MAX_CODES in one request could outlast proxy
# and worker timeouts; several batches print more reliably too.
SHEET_MAX = 1000


def megabytes(size: int) -> str:
    """Show a size limit as people read it: "16 MB"."""
    return f"{size / (1024 * 1024):g} MB"


class CensusForm(Form):
    file = FileField(_l("Census file"), render_kw={"accept": ".csv,.txt,text/csv"}, validators=[
        FileRequired(_l("Choose the census file to upload: a .csv file.")),
        FileAllowed(["csv", "txt"], _l("Upload a .csv file. In your spreadsheet program choose "
                                       "Save as, pick “CSV UTF-8”, and upload that file."))])
    header = BooleanField(_l("The first line is a header (column names), not a person"),
                          default=True)

    def validate_file(self, field: FileField) -> None:
        stream = field.data.stream
        stream.seek(0, os.SEEK_END)
        size = stream.tell()
        stream.seek(0)
        if size > census.MAX_BYTES:  # read at call time, so tests can lower it
            raise ValidationError(_l(
                "The file is larger than %(size)s. Split it into smaller files and upload them "
                "one after another: people already listed are skipped.",
                size=megabytes(census.MAX_BYTES)))

    def contents(self) -> bytes:
        """Return the uploaded file's bytes (the form has been validated)."""
        return self.file.data.read()


class CodesForm(Form):
    count = IntegerField(
        _l("How many codes"),
        description=_l("One code per voter. Up to %(max)d at a time; for more, make several "
                       "batches.", max=SHEET_MAX),
        validators=[InputRequired(_l("Say how many codes to make.")),
                    NumberRange(min=1, max=SHEET_MAX,
                                message=_l("Make between %(min)d and %(max)d codes at a "
                                           "time."))])
    batch = StringField(
        _l("Batch label (optional)"),
        description=_l("So you can tell the cards apart later, for example “Year 9 letters” "
                       "or “Library drop-in”."),
        validators=[Optional(), Length(max=BATCH_MAX,
                                       message=_l("Use at most %(max)d characters."))])
    # Tells a second sending of the same form (a reload of the card sheet) from a new batch.
    once = HiddenField()
