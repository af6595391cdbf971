"""The production recipe in a real browser: Chromium at phone size, over https, through
Debian's nginx running the shipped docs/deploy/nginx.conf, in front of `pb serve
--processes 2` on PostgreSQL and Redis (tests.servers.production_site)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from e2e.conftest import PHONE, log_in
from tests.servers import Site, production_site

pytestmark = [pytest.mark.postgres, pytest.mark.redis]
LAPTOP = {"width": 1280, "height": 800}
PASSWORD = "afonbridge-demo-2026"  # the demo town's, as the README says
RECEIPT = re.compile(r"[A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4}")


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    with production_site(tmp_path_factory.mktemp("production-e2e")) as found:
        yield found


def screen(browser: Browser, site: Site, viewport: dict[str, int] = PHONE) -> Page:
    context = browser.new_context(base_url=site.url, viewport=viewport, locale="en-GB",
                                  ignore_https_errors=True)  # the test's own certificate
    return context.new_page()


def test_a_vote_with_running_totals_arriving_through_nginx(browser: Browser, site: Site,
                                                           shot: Any) -> None:
    watcher = screen(browser, site)
    watcher.goto(f"/rounds/{site.round_id}")
    expect(watcher.locator("#totals-ballots")).to_contain_text("Ballots so far: 0")
    voter = screen(browser, site)
    voter.goto(f"/rounds/{site.round_id}/vote/code?c={site.codes[0]}")
    voter.get_by_role("button", name="Continue to the ballot").click()
    voter.get_by_label(re.compile("Reading corner")).check()
    voter.get_by_role("button", name="Review my ballot").click()
    voter.get_by_role("button", name="Confirm and cast my vote").click()
    expect(voter.get_by_role("heading", name="Your vote is cast")).to_be_visible()
    shot(voter, "production-vote-cast")
    # The watcher's page hears of it over its websocket, through nginx, from either worker.
    expect(watcher.locator("#totals-ballots")).to_contain_text("Ballots so far: 1",
                                                             timeout=15_000)
    resident = screen(browser, site)
    log_in(resident, "resident@demo.example.org", PASSWORD)
    expect(resident.locator("header")).to_contain_text("Log out")


def test_a_phone_joins_the_live_evening_and_scores_through_nginx(browser: Browser, site: Site,
                                                                  shot: Any) -> None:
    console = screen(browser, site, LAPTOP)
    log_in(console, "facilitator@demo.example.org", PASSWORD)
    console.goto(f"/live/{site.session_id}/console")
    expect(console.locator("#connection")).to_be_hidden()
    phone = screen(browser, site)
    phone.goto(f"/live/j/{site.join_code}")
    expect(console.locator("#c-present")).to_have_text("1", timeout=15_000)
    console.get_by_role("button", name="Start the session", exact=True).click()
    expect(phone.locator("#p-title")).not_to_be_empty(timeout=15_000)
    console.get_by_role("button", name="Open scoring for this pitch", exact=True).click()
    phone.locator("form.score-form:not([hidden]) button.score-button:text-is('8')").click()
    expect(phone.locator("form.score-form:not([hidden]) [data-result]")).to_contain_text(
        RECEIPT, timeout=15_000)
    shot(phone, "production-phone-scored")
