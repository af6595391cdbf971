"""Every page in every language: text goes through gettext and every catalogue is complete."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from pb.i18n import catalogues as i18n_check
from tests.conftest import text


def test_templates_have_no_text_outside_gettext() -> None:
    assert list(i18n_check.untranslated_template_text()) == []


def test_the_template_check_finds_untranslated_text(tmp_path: Path) -> None:
    (tmp_path / "page.html").write_text(
        '<h1>{{ _("Fine") }}</h1>\n<p>Not translated</p>\n<a aria-label="Close">{{ x }}</a>')
    found = list(i18n_check.untranslated_template_text(tmp_path))
    assert found == ["page.html:2: Not translated", "page.html:3: Close"]


@pytest.mark.parametrize("locale", ["cy"])
def test_every_message_is_translated_with_the_same_placeholders(locale: str) -> None:
    assert list(i18n_check.catalogue_problems(locale)) == []


def test_the_catalogue_check_catches_broken_placeholders(tmp_path: Path, monkeypatch: Any) -> None:
    folder = tmp_path / "translations" / "xx" / "LC_MESSAGES"
    folder.mkdir(parents=True)
    (folder / "messages.po").write_text(
        'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n\n'
        'msgid "Welcome, %(name)s. Your account is ready."\nmsgstr "Croeso, %(enw)s."\n')
    monkeypatch.setattr(i18n_check, "ROOT", tmp_path)
    monkeypatch.setattr(i18n_check, "messages_in_code",
                        lambda: {"Welcome, %(name)s. Your account is ready.", "Log in"})
    problems = list(i18n_check.catalogue_problems("xx"))
    assert any("placeholders ['enw']" in p for p in problems)
    assert any("missing: 'Log in'" in p for p in problems)


def test_welsh_is_chosen_by_link_and_remembered(client: Any) -> None:
    response = client.get("/?lang=cy")
    assert '<html lang="cy">' in text(response)
    assert "pb_lang=cy" in response.headers["Set-Cookie"]
    assert "HttpOnly" in response.headers["Set-Cookie"]
    assert '<html lang="cy">' in text(client.get("/rounds/"))


def test_the_browser_language_is_the_default(client: Any) -> None:
    page = text(client.get("/", headers={"Accept-Language": "cy-GB,cy;q=0.9,en;q=0.5"}))
    assert '<html lang="cy">' in page
    page = text(client.get("/", headers={"Accept-Language": "fr-FR"}))
    assert '<html lang="en">' in page


def test_unknown_languages_fall_back_to_english(client: Any) -> None:
    response = client.get("/?lang=xx")
    assert response.status_code == 200 and '<html lang="en">' in text(response)
    assert "Set-Cookie" not in response.headers
    client.set_cookie("pb_lang", "../../etc", domain="pb.test")
    response = client.get("/")
    assert response.status_code == 200 and '<html lang="en">' in text(response)


def test_welsh_pages_are_welsh(client: Any, make_round: Any) -> None:
    round_ = make_round("voting")
    page = text(client.get(f"/rounds/{round_.id}?lang=cy"))
    english = text(client.get(f"/rounds/{round_.id}?lang=en"))
    assert "What you can do now" in english and "What you can do now" not in page
    assert "£250,000" in page
    error = text(client.get("/nope?lang=cy"))
    assert "Page not found" not in error


def test_errors_name_phases_in_the_visitors_language(client: Any, make_user: Any,
                                                     login: Any) -> None:
    login(make_user("officer"))
    form = {"title": "T", "area": "A", "currency": "GBP", "budget": "100",
            "ballot_method": "approval", "tally_rule": "greedy",
            "starts_proposals": "2027-05-01T09:00", "starts_voting": "2027-03-01T09:00"}
    english = text(client.post("/rounds/new?lang=en", data=form))
    assert "The voting phase must start after the proposals phase." in english
    welsh = text(client.post("/rounds/new?lang=cy", data=form))
    assert "voting" not in welsh.split('id="error-summary-title"')[1].split("</ul>")[0]
