"""Live screens that fit (issue #15): the projector at three sizes with a full evening's text,
the console's banner following the state, a compact header on phones, and money written
the same by the server and the browser."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from e2e.conftest import ADMIN, PHONE, log_in

PROJECTORS = [{"width": 1280, "height": 720}, {"width": 1366, "height": 768},
              {"width": 1920, "height": 1080}]
LAPTOP = {"width": 1280, "height": 800}
# Long, as real ones are: a group's full project name, and questions near the 280 limit.
TITLE = ("{n}. Free summer football coaching, kit and healthy lunches for every young person "
         "in Northfield and Harbourside")
QUESTION = ("Question {n}: how will you make sure the young people who need this most, "
            "including those who care for a relative, work evenings or cannot afford the bus "
            "into town, actually hear about it, get there safely and keep coming once the "
            "novelty has worn off and the nights draw in?")

# Every element with text of its own: does it overflow its box, or the viewport?
OVERFLOWS = """() => {
  const bad = [];
  const vw = window.innerWidth, vh = window.innerHeight;
  const root = document.documentElement;
  if (root.scrollHeight > vh + 1 || root.scrollWidth > vw + 1) {
    bad.push(`the page scrolls: ${root.scrollWidth}x${root.scrollHeight} in ${vw}x${vh}`);
  }
  for (const el of document.querySelectorAll("body *")) {
    if (el.closest("[hidden]") || el.closest(".visually-hidden")) { continue; }
    const style = getComputedStyle(el);
    if (style.display === "none" || style.visibility === "hidden") { continue; }
    const ownText = [...el.childNodes].some(n => n.nodeType === 3 && n.textContent.trim());
    if (!ownText) { continue; }
    const box = el.getBoundingClientRect();
    const name = `${el.tagName.toLowerCase()}#${el.id || ""}.${el.className || ""} ` +
                 `"${el.textContent.trim().slice(0, 40)}"`;
    if (el.clientHeight && (el.scrollHeight > el.clientHeight + 1 ||
                            el.scrollWidth > el.clientWidth + 1)) {
      bad.push(`${name} overflows its box (${el.scrollWidth}x${el.scrollHeight} in ` +
               `${el.clientWidth}x${el.clientHeight})`);
    }
    if (box.top < -0.5 || box.left < -0.5 || box.bottom > vh + 0.5 || box.right > vw + 0.5) {
      bad.push(`${name} is outside the viewport (${Math.round(box.left)},` +
               `${Math.round(box.top)} to ${Math.round(box.right)},${Math.round(box.bottom)})`);
    }
  }
  return bad;
}"""


def full_evening(live_app: Any, pitches: int = 12, questions: int = 20,
                 phase: str = "voting") -> tuple[int, str, int]:
    """A round in `phase` with `pitches` long-titled projects, a session of them all, and
    `questions` long questions visible on the projector; return (session, code, round)."""
    from pb.extensions import db
    from pb.models import Proposal
    from pb.services import accounts, live, rounds

    with live_app.app_context():
        officer = accounts.find_by_email("officer@demo.example.org")
        round_ = rounds.do_create_round(officer, rounds.RoundData(
            title=f"Northfield Youth Fund {uuid.uuid4().hex[:6]}", area="Northfield",
            budget_minor=20_000_000, currency="GBP", ballot_method="scoring",
            tally_rule="greedy", language="en"))
        projects = [Proposal(round_id=round_.id, title=TITLE.format(n=n + 1),
                             summary="Coaching, kit and lunches.", cost_minor=900_000 + n * 100,
                             status="shortlisted", area="Northfield", language="en")
                    for n in range(pitches)]
        db.session.add_all(projects)
        db.session.commit()
        for step in ("proposals", "review", "deliberation", "voting")[:
                ("proposals", "review", "deliberation", "voting").index(phase) + 1]:
            rounds.do_change_phase(officer, round_, step)
        session = live.do_create(officer, round_, "Northfield Youth Decide night at the "
                                 "Town Hall", "open", "scoring",
                                 [(p.id, 180, 120) for p in projects])
        if questions:
            live.do_control(officer, session, "start")
            live.do_control(officer, live.get(session.id), "open_questions")
            for n in range(questions):
                seat, _token = live.do_join(live.view(session.id))
                asked = live.do_ask(live.view(session.id), seat, QUESTION.format(n=n + 1))
                if asked.state == "pending":  # a moderated session: approve it for the screen
                    live.do_moderate(officer, live.view(session.id), asked.id, "approve")
        found = (session.id, session.join_code, round_.id)
        db.session.remove()
    return found


def drive(live_app: Any, session_id: int, *actions: str, score: bool = False) -> None:
    """Press console buttons as the facilitator would (and have one phone score all)."""
    from pb.extensions import db
    from pb.services import accounts, live

    with live_app.app_context():
        officer = accounts.find_by_email("officer@demo.example.org")
        for action in actions:
            live.do_control(officer, live.get(session_id), action)
        if score:
            view = live.view(session_id)
            seat, _token = live.do_join(view)
            live.do_score(view, seat, {str(i.proposal_id): 10 - i.position % 9
                                       for i in view.items}, uuid.uuid4().hex)
        db.session.remove()


def page_at(browser: Browser, base_url: str, viewport: dict[str, int],
            locale: str = "en-GB") -> Page:
    return browser.new_context(base_url=base_url, viewport=viewport,
                               locale=locale, reduced_motion="reduce").new_page()


def assert_fits(page: Page, what: str) -> None:
    page.wait_for_timeout(150)  # a state just drawn: let the layout settle
    problems = page.evaluate(OVERFLOWS)
    assert not problems, f"{what}: " + "\n".join(problems[:12])


@pytest.mark.parametrize("size", PROJECTORS, ids=lambda s: f"{s['width']}x{s['height']}")
def test_the_projector_fits_a_full_evening(browser: Browser, base_url: str, live_app: Any,
                                           shot: Any, size: dict[str, int]) -> None:
    session_id, code, _round = full_evening(live_app)
    projector = page_at(browser, base_url, size)
    log_in(projector, *ADMIN)
    projector.goto(f"/live/{session_id}/screen")
    expect(projector.locator("#s-questions li")).to_have_count(3)
    expect(projector.locator("#connection")).to_be_hidden()
    shot(projector, "questions")
    assert_fits(projector, "questions, 20 long ones")

    drive(live_app, session_id, "open_scoring_all", score=True)
    expect(projector.locator("#s-scored-all-box")).to_be_visible()
    expect(projector.locator("#s-scored-all li")).to_have_count(12)
    shot(projector, "scoring-all")
    assert_fits(projector, "scoring every pitch")

    drive(live_app, session_id, "close")
    expect(projector.locator("#s-title")).to_have_text("Scoring is closed")
    shot(projector, "closed")
    assert_fits(projector, "closed")

    drive(live_app, session_id, "reveal")
    expect(projector.locator("#s-results")).to_be_visible()
    expect(projector.locator("#s-funded li")).to_have_count(12, timeout=15_000)
    shot(projector, "revealed")
    assert_fits(projector, "the reveal, 12 funded")


@pytest.mark.parametrize("size", PROJECTORS, ids=lambda s: f"{s['width']}x{s['height']}")
def test_the_projector_lobby_fits(browser: Browser, base_url: str, live_app: Any, shot: Any,
                                  size: dict[str, int]) -> None:
    session_id, code, _round = full_evening(live_app, questions=0)
    projector = page_at(browser, base_url, size)
    log_in(projector, *ADMIN)
    projector.goto(f"/live/{session_id}/screen")
    expect(projector.locator(".screen-code")).to_have_text(code)
    shot(projector, "lobby")
    assert_fits(projector, "the lobby")


def test_the_consoles_banner_follows_the_rounds_phase(browser: Browser, base_url: str,
                                                      live_app: Any, shot: Any) -> None:
    from pb.services import accounts, live

    session_id, _code, _round = full_evening(live_app, pitches=3, questions=0,
                                             phase="deliberation")
    console = page_at(browser, base_url, LAPTOP)
    log_in(console, *ADMIN)
    console.goto(f"/live/{session_id}/console")
    banner = console.locator("#c-round-note")
    expect(banner).to_be_visible()
    expect(banner).to_contain_text("is not open for voting, so scoring cannot open yet")
    expect(console.locator("#connection")).to_be_hidden()
    shot(console, "banner")

    # Someone opens voting elsewhere (another facilitator's console): the state that follows
    # takes the banner away, with no reload.
    with live_app.app_context():
        facilitator = accounts.find_by_email("facilitator@demo.example.org")
        live.do_open_voting(facilitator, live.get(session_id))
    expect(banner).to_be_hidden()
    console.get_by_role("button", name="Start the session", exact=True).click()
    console.get_by_role("button", name="Open scoring for this pitch", exact=True).click()
    expect(console.locator("#c-phase")).to_have_text("Scoring")
    expect(banner).to_be_hidden()
    expect(console.locator("#c-feedback")).to_have_text("Done.")


@pytest.mark.parametrize("lang", ["en", "cy"])
def test_phones_get_a_compact_header(browser: Browser, base_url: str, live_app: Any,
                                     shot: Any, lang: str) -> None:
    _session, code, _round = full_evening(live_app, pitches=2, questions=0)
    phone = page_at(browser, base_url, PHONE, "cy-GB" if lang == "cy" else "en-GB")
    for path in ("/live/join", f"/live/j/{code}"):
        phone.goto(f"{path}?lang={lang}")
        header = phone.locator("header.site-header")
        height = header.bounding_box()["height"]
        assert height < 60, f"{path}: the header is {height}px high"
        expect(header.locator(".brand")).to_be_visible()
        expect(header.locator("nav.lang")).to_be_visible()
        expect(header.get_by_role("link", name="Log in")).to_have_count(0)
        expect(header.get_by_role("link", name="Mewngofnodi")).to_have_count(0)
    shot(phone, f"phone-{lang}")


AMOUNTS = [0, 1, 5, 99, 100, 1_250, 90_000, 900_000, 900_050, 1_234_567, 2_000_000,
           123_456_789, 1_000_000_000_00]


@pytest.mark.parametrize("lang", ["en", "cy"])
def test_the_browser_writes_money_as_the_server_does(browser: Browser, base_url: str,
                                                     live_app: Any, lang: str) -> None:
    from pb.domain.money import format_money
    from pb.i18n import LOCALES

    session_id, code, _round = full_evening(live_app, pitches=2, questions=0)
    server = [format_money(a, "GBP", LOCALES[lang]) for a in AMOUNTS]
    phone = page_at(browser, base_url, PHONE, "cy-GB" if lang == "cy" else "en-GB")
    phone.goto(f"/live/j/{code}?lang={lang}")
    written = phone.evaluate("""(amounts) => {
      const root = document.getElementById("live-phone");
      return amounts.map(a => window.PbLive.money(a, "GBP", root.getAttribute("data-locale")));
    }""", AMOUNTS)
    assert written == server
    # And the pitch's cost as drawn by the script equals the page as the server sent it.
    drive(live_app, session_id, "start")
    cost = phone.locator("#p-cost")
    expect(cost).to_contain_text(format_money(900_000, "GBP", LOCALES[lang]))
    drawn = cost.inner_text()
    phone.reload()
    expect(cost).to_have_text(drawn)
