"""Forms for adding a photo, hiding one, and adding a PDF background paper.

The services check every rule (pb.domain.pictures); these forms carry the values and show
the errors again next to their fields.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField
from wtforms import StringField

from pb.domain import pictures as rules
from pb.web.forms import Form


class PictureForm(Form):
    file = FileField(
        _l("Photo"),
        description=_l("A JPEG, PNG or WebP photo of up to %(max)d MB. pb keeps a copy "
                       "without its location and camera details.",
                       max=rules.UPLOAD_MAX_BYTES // (1024 * 1024)),
        render_kw={"accept": "image/jpeg,image/png,image/webp"})
    alt = StringField(
        _l("Describe the photo"),
        description=_l("For people who cannot see it, for example “The broken swings at Elm "
                       "Park”."),
        render_kw={"maxlength": rules.ALT_MAX})

    def contents(self) -> bytes:
        """Return the uploaded file's bytes (empty when none was chosen)."""
        data = self.file.data
        return data.read() if data and hasattr(data, "read") else b""


class HidePictureForm(Form):
    reason = StringField(
        _l("Public reason"),
        description=_l("Shown in place of the photo, for example “shows a person who did "
                       "not agree”."),
        render_kw={"maxlength": 300})


class PaperForm(Form):
    title = StringField(_l("Title of the paper"), render_kw={"maxlength": rules.PAPER_TITLE_MAX})
    file = FileField(
        _l("PDF file"),
        description=_l("A PDF of up to %(max)d MB, without scripts.",
                       max=rules.PAPER_MAX_BYTES // (1024 * 1024)),
        render_kw={"accept": "application/pdf,.pdf"})

    def contents(self) -> bytes:
        """Return the uploaded file's bytes (empty when none was chosen)."""
        data = self.file.data
        return data.read() if data and hasattr(data, "read") else b""
