"""Two-factor login in Chromium at phone size: an officer enrols, then logs in with a code
from the app, with a recovery code, and is refused a code used before."""

from __future__ import annotations

import re
import time
from typing import Any

import pyotp
from playwright.sync_api import Page, expect

from e2e.conftest import SHOTS

OFFICER = ("morgan@e2e.example.org", "lanterns along the canal")


def _password(page: Page) -> None:
    page.goto("/account/login")
    page.locator("#email").fill(OFFICER[0])
    page.locator("#password").fill(OFFICER[1])
    page.locator("main form button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/account/login/code$"))


def _log_out(page: Page) -> None:
    page.get_by_role("button", name="Log out").click()
    expect(page.get_by_role("status")).to_contain_text("You are logged out")


def _code(page: Page, code: str) -> None:
    page.locator("#code").fill(code)
    page.locator("main form button[type=submit]").click()


def test_an_officer_enrols_and_logs_in_with_codes(page: Page, shot: Any, live_app: Any) -> None:
    from pb.services import accounts

    with live_app.app_context():
        accounts.do_register(OFFICER[0], "Morgan Officer", OFFICER[1], extra_roles=("officer",))

    page.goto("/account/login")
    page.locator("#email").fill(OFFICER[0])
    page.locator("#password").fill(OFFICER[1])
    page.locator("main form button[type=submit]").click()
    page.goto("/account/")
    page.get_by_role("link", name="Turn on two-factor login").click()
    expect(page.get_by_role("heading", name="Turn on two-factor login")).to_be_visible()
    expect(page.get_by_role("img", name="QR code to scan with your authenticator app")
           ).to_be_visible()
    shot(page, "enrol")
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "two-factor-enrol-375x812.png"))  # what a phone shows
    # The QR code fits the phone's width, beside no horizontal scrolling.
    assert page.evaluate("document.documentElement.scrollWidth") <= 375

    secret = page.locator("#secret").inner_text().replace(" ", "")
    app = pyotp.TOTP(secret)
    _code(page, "000000" if app.now() != "000000" else "111111")
    expect(page.get_by_role("alert")).to_contain_text("That code is not right")
    _code(page, app.now())
    expect(page.get_by_role("heading", name="Your recovery codes")).to_be_visible()
    codes = page.locator("#recovery-codes li").all_inner_texts()
    assert len(codes) == 10
    shot(page, "recovery-codes")
    _log_out(page)

    # The next login takes a code from the app. (The app's next code is accepted too, as
    # phones' clocks drift, so the test need not wait for the code used at enrolment to go.)
    _password(page)
    shot(page, "code")
    code = app.at(time.time() + 30)
    _code(page, code)
    expect(page.get_by_role("status")).to_contain_text("You are logged in")
    _log_out(page)

    # A recovery code instead of the app.
    _password(page)
    _code(page, codes[0])
    expect(page.get_by_role("status")).to_contain_text("Recovery codes left: 9.")
    _log_out(page)

    # The code used a moment ago is refused, and so is the recovery code.
    _password(page)
    _code(page, code)
    expect(page.get_by_role("alert")).to_contain_text("That code has already been used")
    shot(page, "reused")
    _code(page, codes[0])
    expect(page.get_by_role("alert")).to_contain_text("already been used")
    page.goto("/account/")
    expect(page).to_have_url(re.compile(r"/account/login"))  # still not logged in


RESIDENT = ("rhian@e2e.example.org", "kites over the estuary")
NEW_PASSWORD = "herons on the mudflats"
DESKTOP = ("Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 "
           "Firefox/133.0")


def test_changing_the_password_and_ending_another_session(page: Page, browser: Any,
                                                         base_url: str, shot: Any,
                                                         live_app: Any) -> None:
    from e2e.conftest import PHONE, log_in
    from pb.services import accounts

    with live_app.app_context():
        accounts.do_register(RESIDENT[0], "Rhian Resident", RESIDENT[1])
    laptop = browser.new_context(base_url=base_url, viewport=PHONE, user_agent=DESKTOP)
    other = laptop.new_page()
    log_in(other, *RESIDENT)
    log_in(page, *RESIDENT)

    # Change the password, keeping the laptop logged in this time.
    page.goto("/account/")
    page.locator("#pw-current").fill(RESIDENT[1])
    page.locator("#pw-password").fill(NEW_PASSWORD)
    page.locator("#pw-confirm").fill(NEW_PASSWORD)
    expect(page.locator("#pw-end_others")).to_be_checked()
    page.locator("#pw-end_others").uncheck()
    page.get_by_role("button", name="Change password").click()
    expect(page.get_by_role("status").first).to_contain_text("Your password has been changed")

    # Two sessions: this phone, and Firefox on Windows.
    sessions = page.locator("ul.sessions > li")
    expect(sessions).to_have_count(2)
    expect(sessions.first).to_contain_text("this device")
    expect(page.get_by_text("Firefox on Windows")).to_be_visible()
    page.locator("#sessions").scroll_into_view_if_needed()
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "account-sessions-375x812.png"))
    shot(page, "sessions")
    assert page.evaluate("document.documentElement.scrollWidth") <= 375

    page.get_by_label("Firefox on Windows").check()
    page.locator("#end-proof").fill(NEW_PASSWORD)
    page.get_by_role("button", name="End the ticked sessions").click()
    expect(page.get_by_role("status").first).to_contain_text("Sessions ended: 1")
    expect(page.locator("ul.sessions > li")).to_have_count(1)

    # The laptop is logged out at once: its next page asks it to log in.
    other.goto("/account/")
    expect(other).to_have_url(re.compile(r"/account/login"))
    laptop.close()
