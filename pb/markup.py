"""Render Markdown that people write into HTML that is safe to show: the one shared function."""

from __future__ import annotations

import bleach
from markdown_it import MarkdownIt
from markupsafe import Markup

_md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
_md.enable("table").enable("strikethrough")

ALLOWED_TAGS = frozenset({
    "a", "abbr", "blockquote", "br", "code", "del", "em", "h2", "h3", "h4", "hr", "li", "ol",
    "p", "pre", "s", "strong", "table", "tbody", "td", "th", "thead", "tr", "ul",
})
ALLOWED_ATTRIBUTES = {"a": ["href", "title"], "abbr": ["title"], "th": ["align"],
                      "td": ["align"]}
ALLOWED_PROTOCOLS = frozenset({"http", "https", "mailto"})


def _link_attrs(attrs: dict, new: bool = False) -> dict:
    attrs[(None, "rel")] = "nofollow noopener"
    return attrs


def render_markdown(text: str | None) -> Markup:
    """Return sanitised HTML for `text`; raw HTML and script URLs never survive."""
    html = _md.render(text or "")
    # Headings start at h2: h1 is the page's own title.
    html = html.replace("<h1>", "<h2>").replace("</h1>", "</h2>")
    clean = bleach.clean(html, tags=ALLOWED_TAGS, attributes=ALLOWED_ATTRIBUTES,
                         protocols=ALLOWED_PROTOCOLS, strip=True)
    # Safe: bleach has just removed every tag, attribute and protocol not allowed above.
    return Markup(bleach.linkify(clean, callbacks=[_link_attrs], skip_tags={"pre", "code"}))  # noqa: S704


def render_attribution(text: str | None) -> Markup:
    """Return a map's attribution (PB_MAP_ATTRIBUTION) with links kept and all else escaped."""
    clean = bleach.clean(text or "", tags={"a"}, attributes={"a": ["href", "title"]},
                         protocols={"http", "https"}, strip=True)
    # Safe: bleach has just removed every tag but links to web addresses.
    return Markup(clean)  # noqa: S704
