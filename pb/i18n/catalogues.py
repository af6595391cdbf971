"""Checks that keep every language complete: run by the tests and by `pb i18n check`.

- every piece of text in a template is inside gettext;
- every message in the code has a translation in every catalogue, with the same placeholders.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from io import BytesIO
from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from jinja2 import Environment

from pb.config import ROOT

KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "lazy_gettext": None, "_l": None,
            "N_": None}
_TAG = re.compile(r"<!--.*?-->|<(script|style)\b.*?</\1>|<[^>]*>", re.S)
_TEXT_ATTRS = re.compile(r'\b(aria-label|title|alt|placeholder|aria-description)="([^"]*)"')
_PLACEHOLDER = re.compile(r"%\((\w+)\)[sdifr]")


def untranslated_template_text(folder: Path = ROOT / "templates") -> Iterator[str]:
    """Yield "file:line: text" for words in templates that gettext does not cover."""
    env = Environment(autoescape=True, extensions=["jinja2.ext.i18n"])
    blank = lambda text: re.sub(r"[^\n]", " ", text)  # noqa: E731 - keeps line numbers
    for path in sorted(folder.rglob("*.html")):
        # Every Jinja construct becomes a letter-free marker, so what remains is the markup
        # and the literal text a person would read.
        markup = "".join(value if kind == "data" else re.sub(r"[^\n]", "", value) + "\x00"
                         for _line, kind, value in env.lex(path.read_text()))
        problems = []
        for attr in _TEXT_ATTRS.finditer(markup):
            if re.search(r"[A-Za-z]{2}", attr.group(2)):
                problems.append((markup.count("\n", 0, attr.start()) + 1, attr.group(2).strip()))
        visible = _TAG.sub(lambda m: blank(m.group(0)), markup)
        # Attributes written by a macro outside their tag (` lang="…"`) are markup too.
        visible = re.sub(r'\s[\w-]+="[^"<>]*"', lambda m: blank(m.group(0)), visible)
        visible = re.sub(r"&[a-z]+;|&#\d+;", " ", visible)
        for number, line in enumerate(visible.split("\n"), start=1):
            if re.search(r"[A-Za-z]{2}", line):
                problems.append((number, " ".join(line.replace("\x00", " ").split())))
        for number, text in sorted(problems):
            yield f"{path.relative_to(folder)}:{number}: {text}"


def messages_in_code() -> set[str]:
    """Return every msgid the code and templates ask gettext for (plural forms joined by |)."""
    found = set()
    method_map = [("pb/**.py", "python"), ("templates/**.html", "jinja2")]
    for _file, _line, message, _comments, _context in extract_from_dir(
            str(ROOT), method_map, keywords=KEYWORDS):
        found.add("|".join(message) if isinstance(message, tuple) else message)
    return found


def catalogue_problems(locale: str) -> Iterator[str]:
    """Yield every missing, fuzzy or placeholder-breaking translation in `locale`."""
    path = ROOT / "translations" / locale / "LC_MESSAGES" / "messages.po"
    if not path.exists():
        yield f"{locale}: no catalogue at {path.relative_to(ROOT)}"
        return
    catalog = read_po(BytesIO(path.read_bytes()), locale=locale)
    translated = {}
    for message in catalog:
        if not message.id:
            continue
        key = "|".join(message.id) if isinstance(message.id, tuple) else message.id
        translated[key] = message
    for msgid in sorted(messages_in_code()):
        message = translated.get(msgid)
        if message is None:
            yield f"{locale}: missing: {msgid!r}"
            continue
        if message.fuzzy:
            yield f"{locale}: fuzzy: {msgid!r}"
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if not all(strings):
            yield f"{locale}: empty translation: {msgid!r}"
            continue
        wanted = set(_PLACEHOLDER.findall(msgid))
        for text in strings:
            got = Counter(_PLACEHOLDER.findall(text))
            if set(got) - wanted or (not isinstance(message.id, tuple) and set(got) != wanted):
                yield f"{locale}: placeholders {sorted(got)} do not match {sorted(wanted)}: " \
                      f"{msgid!r}"
            if text.count("%") != len(_PLACEHOLDER.findall(text)) + 2 * text.count("%%"):
                yield f"{locale}: a stray % sign: {msgid!r}"


def compile_catalogues() -> list[Path]:
    """Compile every `messages.po` into the `messages.mo` Flask-Babel reads."""
    written = []
    for po in sorted((ROOT / "translations").glob("*/LC_MESSAGES/messages.po")):
        catalog = read_po(BytesIO(po.read_bytes()), locale=po.parts[-3])
        mo = po.with_suffix(".mo")
        with mo.open("wb") as out:
            write_mo(out, catalog)
        written.append(mo)
    return written
