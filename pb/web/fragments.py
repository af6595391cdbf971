"""HTML pieces that several pages share: QR codes (and the comments sent live, in
`pb.web.discussion.thread`)."""

from __future__ import annotations

import segno
from markupsafe import Markup, escape


def qr_svg(url: str, label: str) -> Markup:
    """Return a QR code for `url` as inline SVG that screen readers announce as `label`."""
    svg = segno.make(url, error="m").svg_inline(border=2, dark="#000", omitsize=True,
                                                svgclass="qr", lineclass=None)
    # segno writes only numbers and fixed attributes (the URL becomes modules, not text); the
    # label is escaped.
    return Markup(svg.replace(  # noqa: S704
        "<svg ", f'<svg role="img" aria-label="{escape(label)}" focusable="false" ', 1))
