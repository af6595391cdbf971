"""Every page, in English and Welsh, light and dark: accessible (axe), light, and resizable."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from e2e.a11y import (
    PAGE_BUDGET,
    SCRIPT_BUDGET,
    assert_accessible,
    focus_is_visible,
    measure_load,
    text_reflows_at_double_size,
)
from e2e.conftest import ADMIN, PHONE, SHOTS, log_in, new_page

WEIGHTS = SHOTS.parent / "page-weights.md"


def public_pages(live_app: Any) -> list[str]:
    """Return every page a visitor can reach, with real ids and a live reset link."""
    import sqlalchemy as sa

    from pb.extensions import db
    from pb.models import LiveSession, Proposal, Round
    from pb.services import accounts

    with live_app.app_context():
        rounds = {r.phase: r.id for r in db.session.scalars(sa.select(Round))}
        shown = [db.session.scalar(sa.select(Proposal.id).where(
            Proposal.round_id == rounds["proposals"], Proposal.status == status))
            for status in ("feasible", "not_feasible", "merged", "withdrawn")]
        token = accounts.make_reset_token(accounts.find_by_email(ADMIN[0]))
        join_code = db.session.scalar(sa.select(LiveSession.join_code))
        db.session.remove()
    return ["/", "/rounds/", *(f"/rounds/{rounds[p]}" for p in
                               ("proposals", "deliberation", "voting", "results", "closed")),
            f"/rounds/{rounds['results']}/results", f"/rounds/{rounds['voting']}/results",
            f"/rounds/{rounds['proposals']}/proposals",
            f"/rounds/{rounds['voting']}/proposals?sort=cost_high",
            *(f"/proposals/{p}" for p in shown if p),
            "/account/login", "/account/register", "/account/forgot",
            f"/account/reset/{token}", "/account/reset/forged-token", "/no-such-page",
            "/moderation", "/councils/", "/councils/1", "/councils/referrals/1",
            "/councils/register", "/councils/register?status=overdue", "/records/", "/records/1",
            f"/rounds/{rounds['voting']}/vote", f"/rounds/{rounds['voting']}/vote/code",
            f"/rounds/{rounds['results']}/vote", f"/rounds/{rounds['results']}/receipt",
            "/live/join", f"/live/j/{join_code}"]


def officer_pages(live_app: Any) -> list[str]:
    import sqlalchemy as sa

    from pb.extensions import db
    from pb.models import LiveSession, Proposal, Round

    with live_app.app_context():
        draft = db.session.scalar(sa.select(Round.id).where(Round.phase == "draft"))
        open_ = db.session.scalar(sa.select(Round.id).where(Round.phase == "proposals"))
        submitted = db.session.scalar(sa.select(Proposal.id).where(
            Proposal.round_id == open_, Proposal.status == "submitted"))
        knapsack = db.session.scalar(sa.select(Round.id).where(
            Round.phase == "voting", Round.ballot_method == "knapsack"))
        codes = db.session.scalar(sa.select(Round.id).where(
            Round.phase == "voting", Round.eligibility == "codes"))
        session, youth = db.session.execute(
            sa.select(LiveSession.id, LiveSession.round_id)).first()
        db.session.remove()
    return ["/account/", "/rounds/new", f"/rounds/{draft}", f"/rounds/{draft}/edit",
            f"/rounds/{open_}/proposals/new", f"/proposals/{submitted}",
            # Public, but with a map it weighs more than the budget: checked here, not weighed.
            f"/rounds/{open_}/proposals/map", f"/proposals/{submitted}/place",
            "/admin/users", "/admin/outbox", "/admin/audit",
            f"/rounds/{knapsack}/vote", f"/rounds/{knapsack}/paper",
            f"/rounds/{codes}/codes", f"/rounds/{codes}",
            "/live/", f"/live/new?round={youth}", f"/live/{session}/edit",
            f"/live/{session}/console", f"/live/{session}/screen"]


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("lang", ["en", "cy"])
def test_every_page_passes_axe(browser: Browser, base_url: str, live_app: Any, lang: str,
                               scheme: str) -> None:
    page = new_page(browser, base_url, lang, scheme)
    checked = []
    for url in public_pages(live_app):
        page.goto(f"{url}{'&' if '?' in url else '?'}lang={lang}")
        expect(page.locator("html")).to_have_attribute("lang", lang)
        assert_accessible(page, f"{url} ({lang}, {scheme})")
        assert text_reflows_at_double_size(page), f"{url} scrolls sideways at 200% text"
        checked.append(url)
    log_in(page, *ADMIN)
    for url in officer_pages(live_app):
        page.goto(url)
        assert_accessible(page, f"{url} ({lang}, {scheme})")
        checked.append(url)
    # Pages showing form errors: they must be just as accessible.
    page.goto("/rounds/new")
    page.get_by_role("button").last.click()
    expect(page.locator(".error-summary")).to_be_visible()
    assert_accessible(page, f"round form with errors ({lang}, {scheme})")
    page.context.close()
    assert len(checked) >= 18


def test_resident_pages_fit_the_weight_budget(browser: Browser, base_url: str,
                                              live_app: Any) -> None:
    rows = []
    for url in public_pages(live_app):
        page = new_page(browser, base_url, "en", "light")  # a fresh context: nothing cached
        weight = measure_load(page, url)
        page.context.close()
        rows.append(weight)
    WEIGHTS.parent.mkdir(parents=True, exist_ok=True)
    WEIGHTS.write_text("| page | transferred (bytes) | of which JavaScript |\n|---|---|---|\n"
                       + "".join(f"| `{re.sub(r'reset/[^/]{20,}', 'reset/<token>', w.url)}` "
                                 f"| {w.total:,} | {w.script:,} |\n" for w in rows))
    for weight in rows:
        assert weight.total <= PAGE_BUDGET, (weight.url, weight.files)
        assert weight.script <= SCRIPT_BUDGET, (weight.url, weight.files)


def test_static_files_are_compressed_and_cached_forever(page: Page, base_url: str) -> None:
    page.goto("/rounds/")
    stylesheet = page.locator("link[rel=stylesheet]").get_attribute("href")
    assert re.fullmatch(r"/static/css/app\.[0-9a-f]{10}\.css", stylesheet)
    response = page.request.get(stylesheet, headers={"Accept-Encoding": "gzip"})
    assert "immutable" in response.headers["cache-control"]
    assert response.headers.get("content-encoding") == "gzip"


def test_keyboard_only_journey_with_visible_focus(page: Page, shot: Any) -> None:
    """Log in and read a round using only the keyboard; focus is visible at every stop."""

    def tab_to(name: str, limit: int = 40) -> None:
        for _ in range(limit):
            page.keyboard.press("Tab")
            if page.evaluate("document.activeElement === document.body"):
                continue  # past the last element: focus is in the browser's own UI
            label = page.evaluate("(document.activeElement.innerText || "
                                  "document.activeElement.getAttribute('aria-label') || "
                                  "document.activeElement.id || '').trim()")
            assert focus_is_visible(page), f"no visible focus on {label!r}"
            if re.search(name, label, re.I):
                return
        raise AssertionError(f"could not reach {name!r} with Tab")

    def follow() -> None:
        with page.expect_navigation():
            page.keyboard.press("Enter")

    page.goto("/")
    tab_to("Skip to main content")
    tab_to("^Log in$")
    follow()
    expect(page).to_have_url(re.compile("/account/login"))
    tab_to("email")
    page.keyboard.type(ADMIN[0])
    page.keyboard.press("Tab")
    page.keyboard.type("not the password")
    follow()
    # The error summary is announced (role=alert) and what was typed is kept.
    expect(page.get_by_role("alert")).to_contain_text("do not match")
    expect(page.get_by_label("Email address")).to_have_value(ADMIN[0])
    page.get_by_label("Password", exact=True).focus()
    page.keyboard.type(ADMIN[1])
    follow()
    expect(page.get_by_role("status")).to_contain_text("logged in")
    tab_to("^Budget rounds$")
    follow()
    tab_to("Old Town Community Fund")
    follow()
    expect(page.get_by_role("heading", level=1)).to_have_text("Old Town Community Fund")
    tab_to("Edit the round")
    shot(page, "keyboard-focus")

    # Propose a project, by keyboard only.
    tab_to("^Budget rounds$")
    follow()
    tab_to("Green Northfield 2027")
    follow()
    tab_to("Propose a project")
    follow()
    tab_to("^title$")
    page.keyboard.type("Benches by the pond")
    page.keyboard.press("Tab")
    page.keyboard.type("Six benches so older residents can rest on their walk.")
    page.keyboard.press("Tab")
    page.keyboard.type("Oak benches with armrests, placed every 100 metres.")
    page.keyboard.press("Tab")  # the same in Cymraeg, in the next column
    page.keyboard.type("Meinciau wrth y pwll")
    page.keyboard.press("Tab")
    page.keyboard.type("Chwe mainc i bobl hŷn gael gorffwys ar eu taith.")
    page.keyboard.press("Tab")
    page.keyboard.type("Meinciau derw gyda breichiau, bob 100 metr.")
    page.keyboard.press("Tab")
    page.keyboard.type("4800")
    for _ in range(2):  # category, then area: the first entry of each list
        page.keyboard.press("Tab")
        page.keyboard.press("ArrowDown")
    tab_to("Submit the proposal")
    follow()
    expect(page.get_by_role("heading", level=1)).to_have_text("Benches by the pond")

    # Comment on it, by keyboard only: a stance (radio buttons), then the text.
    tab_to("^stance-")
    page.keyboard.press("Space")
    assert focus_is_visible(page)
    for _ in range(10):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.tagName") == "TEXTAREA":
            break
    page.keyboard.type("Yes please, the path around the pond has nowhere to sit.")
    tab_to("Post your comment")
    follow()
    expect(page.get_by_role("status")).to_contain_text("posted")
    shot(page, "keyboard-comment")


def test_forms_work_without_javascript(browser: Browser, base_url: str) -> None:
    context = browser.new_context(base_url=base_url, viewport=PHONE, java_script_enabled=False)
    page = context.new_page()
    log_in(page, *ADMIN)
    page.goto("/rounds/")
    page.get_by_role("link", name="Green Northfield 2027").click()
    expect(page.get_by_role("heading", name="Timeline")).to_be_visible()
    page.get_by_role("button", name="Log out").click()
    expect(page.get_by_role("status")).to_contain_text("logged out")
    context.close()


