"""The privacy notice and the accessibility statement: a translated default for each, which
an admin may replace, language by language, with their own Markdown (docs/accounts.md).

Per language, because an admin who corrects the English must not leave Welsh readers with an
English text, nor lose the Welsh default: a language with no text of its own shows the
default, filled in with the organisation's name and contact address from the settings.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _

from pb.domain.errors import N_
from pb.extensions import db
from pb.models import SitePage, User
from pb.models.base import utcnow
from pb.services import ServiceError, audit, unit_of_work

PRIVACY = "privacy"
ACCESSIBILITY = "accessibility"
SLUGS = (PRIVACY, ACCESSIBILITY)
MAX_LENGTH = 50_000
LOCALES = {"en": "en_GB", "cy": "cy_GB"}


@dataclass(frozen=True)
class Page:
    """A site page as shown: its Markdown, and when an admin last changed it (None: the
    default text)."""

    slug: str
    language: str
    text: str
    updated_at: datetime | None


def site_address(host: str) -> str:
    """Return the site's address as the pages name it: PB_BASE_URL's host, else `host`."""
    base = current_app.config["PB_BASE_URL"]
    return base.split("://", 1)[-1] if base else host


def _values(site: str) -> dict[str, object]:
    config = current_app.config
    return {"org": config["PB_ORGANISATION"] or "[PB_ORGANISATION]",
            "contact": config["PB_CONTACT_EMAIL"] or "[PB_CONTACT_EMAIL]",
            "site": site, "days": config["PB_SESSION_DAYS"]}


def _privacy(v: dict[str, object]) -> list[str]:
    return [
        _("%(org)s runs this participatory budgeting site, %(site)s, and is responsible for "
          "the personal data it holds (the data controller). Write to %(contact)s about your "
          "data or this notice.", **v),
        "## " + _("What we keep, and why"),
        "\n".join([
            "- " + _("**Your account**: your name, your email address, your password (kept "
                     "only as a one-way hash, which nobody can read back), your language, and "
                     "for each device you log in on, the browser's and the system's names. We "
                     "need them so you can log in, and to email you about your account.", **v),
            "- " + _("**What you write**: your proposals and comments, shown to everyone with "
                     "your name, because open discussion of public money is the point of the "
                     "site.", **v),
            "- " + _("**That you voted**: your ballot is kept so it can be counted and changed "
                     "until voting closes. Results, exports and the published ballots never "
                     "show who cast which ballot.", **v),
            "- " + _("**Security records**: logins, failed logins and changes to accounts, to "
                     "protect your account and look into misuse.", **v)]),
        "## " + _("Our lawful basis"),
        _("We use this data to perform a task in the public interest: involving residents in "
          "decisions about public money (UK GDPR, Article 6(1)(e)).", **v),
        "## " + _("How long we keep it"),
        _("Your account and what you wrote stay until you delete your account. A login on a "
          "device ends after %(days)s days. When you delete your account, your name, email "
          "address and password are erased at once; your comments stay, shown as written by "
          "\"a former member\", unless you ask for them to be removed; your ballots stay in "
          "the count with nothing linking them to you.", **v),
        "## " + _("Your rights"),
        _("From your account page you can see, correct and download your data, and delete "
          "your account. You also have the right to ask us for a copy of your data, to object "
          "to how we use it, and to complain to the Information Commissioner's Office "
          "(ico.org.uk).", **v),
        "## " + _("Cookies"),
        _("We use only the cookies the site needs to work: one keeps you logged in, one "
          "remembers your language, and one protects forms against forgery. No tracking or "
          "advertising cookies.", **v),
    ]


def _accessibility(v: dict[str, object]) -> list[str]:
    return [
        _("%(org)s is committed to making %(site)s accessible, in accordance with the Public "
          "Sector Bodies (Websites and Mobile Applications) (No. 2) Accessibility Regulations "
          "2018.", **v),
        _("We want as many people as possible to be able to use this site. You should be able "
          "to zoom in up to 400%% without text spilling off the screen, get around with a "
          "keyboard or speech recognition software, listen with a screen reader, use the whole "
          "site in English or Welsh, and vote without JavaScript.", **v),
        "## " + _("How accessible this site is"),
        _("We aim to meet the Web Content Accessibility Guidelines (WCAG) 2.2 at level AA. "
          "Every page is checked with automated tools (axe) on a phone-sized screen before "
          "each release. Automated checks find only some problems, so if something does not "
          "work for you, please tell us.", **v),
        "## " + _("Feedback and contact"),
        _("If you find a problem, or need information in a different format such as large "
          "print or easy read, email %(contact)s. We aim to reply within 5 working days.", **v),
        "## " + _("Enforcement procedure"),
        _("The Equality and Human Rights Commission (EHRC) is responsible for enforcing the "
          "accessibility regulations. If you are not happy with how we respond to your "
          "complaint, contact the Equality Advisory and Support Service (EASS).", **v),
    ]


_DEFAULTS = {PRIVACY: _privacy, ACCESSIBILITY: _accessibility}


def default_text(slug: str, language: str, site: str) -> str:
    """Return the default Markdown of page `slug` in `language`, filled in."""
    with force_locale(LOCALES.get(language, "en_GB")):
        return "\n\n".join(_DEFAULTS[slug](_values(site)))


def _row(slug: str, language: str) -> SitePage | None:
    return db.session.scalar(sa.select(SitePage).where(SitePage.slug == slug,
                                                       SitePage.language == language))


def page(slug: str, language: str, site: str) -> Page:
    """Return page `slug` in `language`: the admin's text if there is one, else the default."""
    row = _row(slug, language)
    if row is not None:
        return Page(slug, language, row.body, row.updated_at)
    return Page(slug, language, default_text(slug, language, site), None)


def do_save(actor: User, slug: str, language: str, text: str) -> bool:
    """Keep `text` as page `slug` in `language`; an empty text brings the default back.
    Return whether the page now has its own text."""
    if slug not in SLUGS:
        raise ServiceError(N_("There is no such page."))
    text = (text or "").strip()
    if len(text) > MAX_LENGTH:
        raise ServiceError(N_("The page is too long: use at most %(n)d characters."),
                           field="body", n=MAX_LENGTH)
    with unit_of_work():
        row = _row(slug, language)
        if not text:
            if row is not None:
                db.session.delete(row)
        elif row is None:
            db.session.add(SitePage(slug=slug, language=language, body=text,
                                    updated_by_id=actor.id))
        else:
            row.body, row.updated_by_id = text, actor.id
            row.updated_at = utcnow()
        audit.record(actor, "site_page.saved" if text else "site_page.reset", "site_page",
                     None, slug=slug, language=language)
    return bool(text)
