"""My account and no dead ends in Chromium at phone size, in English and Welsh, checked with
axe (docs/accounts.md): a resident changes their email address (the link read from the
outbox), downloads their data and deletes their account; another logs in from *Vote now* and
lands on the ballot."""

from __future__ import annotations

import json
import re
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from e2e.conftest import new_page

OUT = Path("/tmp/shots/account")  # noqa: S108  (where the helpers look at screenshots)
PASSWORD = "a walk along the river"


def phone_shot(page: Any, shot: Any, name: str) -> None:
    """Check the page with axe (the shared `shot`) and keep a phone-size view to look at."""
    shot(page, name)
    OUT.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(OUT / f"{name}.png"), full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth") <= 375


def register(live_app: Any, email: str, name: str) -> None:
    from pb.extensions import db
    from pb.services import accounts

    with live_app.app_context():
        accounts.do_register(email, name, PASSWORD)
        db.session.remove()


def log_in(page: Any, email: str) -> None:
    page.goto("/account/login")
    page.locator("#email").fill(email)
    page.locator("#password").fill(PASSWORD)
    page.locator("main form button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/$"))


def outbox_link(live_app: Any, email: str) -> str:
    """The newest confirmation link sent to `email`, as a path on this site."""
    from pb.extensions import db
    from pb.models import OutboxMessage

    with live_app.app_context():
        body = db.session.scalars(sa.select(OutboxMessage.body)
                                  .where(OutboxMessage.recipient == email)
                                  .order_by(OutboxMessage.id.desc())).first()
        db.session.remove()
    assert body, f"no email to {email} in the outbox"
    return re.search(r"https?://[^/\s]+(/account/email/\S+)", body).group(1)


@pytest.mark.parametrize("lang", ["en", "cy"])
def test_a_resident_changes_email_downloads_data_and_deletes_the_account(
        browser: Any, base_url: str, live_app: Any, shot: Any, lang: str) -> None:
    old, new = f"rhian-{lang}@e2e.example.org", f"rhian.new-{lang}@e2e.example.org"
    register(live_app, old, "Rhian")
    page = new_page(browser, base_url, lang, "light")
    log_in(page, old)
    page.goto("/account/")
    expect(page.locator("html")).to_have_attribute("lang", lang)
    phone_shot(page, shot, f"account-{lang}")
    page.locator(".footer-links a[href='/privacy']").click()
    expect(page.locator("h1")).to_be_visible()
    phone_shot(page, shot, f"privacy-{lang}")
    page.goto("/account/")

    page.locator("#email-email").fill(new)
    page.locator("#email-password").fill(PASSWORD)
    page.locator("form[action$='/account/email'] button[type=submit]").click()
    expect(page.locator(".flash-info")).to_contain_text(new)
    page.goto(outbox_link(live_app, new))
    expect(page.locator("main")).to_contain_text(new)
    phone_shot(page, shot, f"confirm-email-{lang}")
    page.locator("main form button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/account/$"))
    expect(page.locator(".facts")).to_contain_text(new)

    with page.expect_download() as download:
        page.locator("a[href$='/account/my-data']").click()
    data = json.loads(Path(download.value.path()).read_text(encoding="utf-8"))
    assert data["account"]["email"] == new and data["account"]["display_name"] == "Rhian"

    page.locator("a[href$='/account/delete']").first.click()
    expect(page.locator(".consequences")).to_be_visible()
    phone_shot(page, shot, f"delete-{lang}")
    page.locator("#password").fill(PASSWORD)
    page.locator("main form button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/$"))
    expect(page.locator(".flash-success")).to_be_visible()
    phone_shot(page, shot, f"deleted-{lang}")
    page.goto("/account/")
    expect(page).to_have_url(re.compile(r"/account/login\?next="))

    from pb.services import accounts

    with live_app.app_context():
        assert accounts.find_by_email(new) is None and accounts.find_by_email(old) is None


def voting_round(live_app: Any, title: str) -> int:
    """A round open for voting with accounts, closing in three days."""
    from pb.extensions import db
    from pb.models import Proposal
    from pb.models.base import utcnow
    from pb.services import accounts, rounds

    with live_app.app_context():
        officer = accounts.find_by_email("officer@demo.example.org")
        round_ = rounds.do_create_round(officer, rounds.RoundData(
            title=title, area="Quayside", budget_minor=100_000, currency="GBP",
            ballot_method="approval", tally_rule="greedy", language="en",
            starts={"results": utcnow() + timedelta(days=3)}))
        for name in ("Bench by the quay", "Bike racks"):
            db.session.add(Proposal(round_id=round_.id, title=name, cost_minor=40_000,
                                    summary=f"{name}.", status="feasible", language="en"))
        db.session.commit()
        for phase in ("proposals", "review", "deliberation", "voting"):
            rounds.do_change_phase(officer, round_, phase)
        round_id = round_.id
        db.session.remove()
    return round_id


@pytest.mark.parametrize("lang", ["en", "cy"])
def test_vote_now_asks_to_log_in_and_lands_on_the_ballot(
        browser: Any, base_url: str, live_app: Any, shot: Any, lang: str) -> None:
    title = f"Quayside Choices {lang.upper()}"
    round_id = voting_round(live_app, title)
    email = f"owain-{lang}@e2e.example.org"
    register(live_app, email, "Owain")
    page = new_page(browser, base_url, lang, "light")
    page.goto(f"/rounds/{round_id}")
    expect(page.locator(".voting-closes")).to_be_visible()
    phone_shot(page, shot, f"round-{lang}")
    page.locator(f"a.button[href$='/rounds/{round_id}/vote']").click()
    expect(page).to_have_url(re.compile(r"/account/login\?next="))
    expect(page.locator("#login-why")).to_contain_text(title)
    phone_shot(page, shot, f"login-why-{lang}")
    page.locator("#email").fill(email)
    page.locator("#password").fill(PASSWORD)
    page.locator("main form button[type=submit]").click()
    expect(page).to_have_url(re.compile(rf"/rounds/{round_id}/vote$"))
    expect(page.locator("main form")).to_be_visible()
    phone_shot(page, shot, f"ballot-after-login-{lang}")


def test_an_admin_rewrites_the_welsh_accessibility_statement(
        browser: Any, base_url: str, shot: Any) -> None:
    from e2e.conftest import ADMIN

    page = new_page(browser, base_url, "en", "light")
    page.goto("/account/login")
    page.locator("#email").fill(ADMIN[0])
    page.locator("#password").fill(ADMIN[1])
    page.locator("main form button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/$"))
    page.goto("/admin/pages/accessibility?language=cy")
    phone_shot(page, shot, "admin-site-page")
    page.locator("#body").fill("## Ein datganiad\n\nCysylltwch â ni.")
    page.locator("main form button[type=submit]").click()
    expect(page.locator(".flash-success")).to_be_visible()
    page.goto("/accessibility?lang=cy")
    expect(page.get_by_role("heading", name="Ein datganiad")).to_be_visible()
    page.goto("/accessibility?lang=en")
    expect(page.get_by_role("heading", name="Ein datganiad")).to_have_count(0)
    page.goto("/admin/pages/accessibility?language=cy")
    page.locator("#body").fill("")
    page.locator("main form button[type=submit]").click()
    expect(page.locator(".flash-success")).to_be_visible()
